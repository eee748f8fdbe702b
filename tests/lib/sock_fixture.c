/* The sockets tests' two children (sock_fixture.h): what each makes, and starting them. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <unistd.h>

#include "sock_fixture.h"
#include "sockets.h"

static int makeSockets(void *arg)
{
    (void)arg;
    struct sockFixture fx;
    memset(&fx, 0, sizeof fx);
    fx.netns = nsOf("/proc/self/ns/net");

    fx.listenBacklog = 7;
    int lfd = tcpListen(fx.listenBacklog, &fx.listenPort);
    int cfd = tcpConnect(fx.listenPort);
    int sfd = accept(lfd, NULL, NULL);
    if (lfd < 0 || cfd < 0 || sfd < 0) return -1;
    fx.listenIno = inodeOf(lfd);
    fx.clientIno = inodeOf(cfd);
    fx.serverIno = inodeOf(sfd);
    fx.clientPort = portOf(cfd);

    /* TIME_WAIT: the end that closes first keeps it once the other end has closed too. */
    int tw = tcpConnect(fx.listenPort);
    int twPeer = accept(lfd, NULL, NULL);
    if (tw < 0 || twPeer < 0) return -1;
    fx.twPort = portOf(tw);
    close(tw);
    usleep(10000);
    close(twPeer);
    usleep(10000);

    int ufd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(0);
    if (ufd < 0 || bind(ufd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    fx.udpPort = portOf(ufd);
    fx.udpIno = inodeOf(ufd);
    int ucfd = socket(AF_INET, SOCK_DGRAM, 0);
    a = loopback(fx.udpPort);
    if (ucfd < 0 || connect(ucfd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    fx.udpConnPort = portOf(ucfd);
    fx.udpConnIno = inodeOf(ucfd);

    int sp[2], dp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, dp))
        return -1;
    for (int i = 0; i < 2; i++) {
        fx.streamIno[i] = inodeOf(sp[i]);
        fx.dgramIno[i] = inodeOf(dp[i]);
    }

    struct sockaddr_un un = {.sun_family = AF_UNIX};
    snprintf(fx.namedPath, sizeof fx.namedPath, "/tmp/sqlsof-test-%d.sock", getpid());
    snprintf(un.sun_path, sizeof un.sun_path, "%s", fx.namedPath);
    unlink(fx.namedPath);
    fx.namedBacklog = 5;
    int nfd = unixListen(&un, sizeof un, fx.namedBacklog);
    snprintf(fx.abstractName, sizeof fx.abstractName, "sqlsof-test-%d", getpid());
    memset(un.sun_path, 0, sizeof un.sun_path);
    memcpy(un.sun_path + 1, fx.abstractName, strlen(fx.abstractName));
    int afd = unixListen(
        &un, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(fx.abstractName)), 3);
    if (nfd < 0 || afd < 0) return -1;
    fx.namedIno = inodeOf(nfd);
    fx.abstractIno = inodeOf(afd);

    int dfd = tcpListen(4, &fx.deferPort), secs = 30;
    if (dfd < 0 || setsockopt(dfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof secs) != 0)
        return -1;
    int hfd = tcpConnect(fx.deferPort);
    if (hfd < 0) return -1;
    fx.halfOpenPort = portOf(hfd);

    int l6 = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    if (l6 < 0 || bind(l6, (struct sockaddr *)&a6, sizeof a6) != 0 || listen(l6, 2) != 0) return -1;
    socklen_t len6 = sizeof a6;
    getsockname(l6, (struct sockaddr *)&a6, &len6);
    fx.listen6Port = ntohs(a6.sin6_port);
    fx.listen6Ino = inodeOf(l6);
    int m6 = socket(AF_INET6, SOCK_STREAM, 0);
    a6 = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_port = htons(fx.listenPort)};
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &a6.sin6_addr);
    if (m6 < 0 || connect(m6, (struct sockaddr *)&a6, sizeof a6) != 0) return -1;
    len6 = sizeof a6;
    getsockname(m6, (struct sockaddr *)&a6, &len6);
    fx.mappedPort = ntohs(a6.sin6_port);
    fx.mappedIno = inodeOf(m6);

    /* An ethertype no traffic here carries (IEEE local experimental): its queue stays empty,
     * where ETH_P_ALL on lo would count every loopback packet of whatever else runs. */
    int pfd = socket(AF_PACKET, SOCK_RAW, htons(0x88b5));
    struct sockaddr_ll ll = {.sll_family = AF_PACKET,
                             .sll_protocol = htons(0x88b5),
                             .sll_ifindex = (int)if_nametoindex("lo")};
    if (pfd < 0 || bind(pfd, (struct sockaddr *)&ll, sizeof ll) != 0) return -1;
    fx.packetIno = inodeOf(pfd);

    int bfd = socket(AF_INET, SOCK_STREAM, 0);
    a = loopback(0);
    if (bfd < 0 || bind(bfd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    fx.boundPort = portOf(bfd);
    fx.boundIno = inodeOf(bfd);

    int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    struct sockaddr_nl snl = {.nl_family = AF_NETLINK};
    if (nl < 0 || bind(nl, (struct sockaddr *)&snl, sizeof snl) != 0) return -1;
    fx.netlinkIno = inodeOf(nl);

    fixtureReport(&fx, sizeof fx);
    return 0;
}

/* A fresh network namespace with lo up (renamed) and a listener on it. */
static int makeNamespace(void *arg)
{
    (void)arg;
    if (unshare(CLONE_NEWNET) != 0) return -1;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    /* Renamed, so that a name looked up in the wrong namespace ("lo") shows. */
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    snprintf(ifr.ifr_newname, sizeof ifr.ifr_newname, NS_LO);
    if (s < 0 || ioctl(s, SIOCSIFNAME, &ifr) != 0) return -1;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, NS_LO);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) return -1;
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) return -1;
    close(s);
    struct nsFixture fx;
    memset(&fx, 0, sizeof fx);
    int fd = tcpListen(4, &fx.port);
    if (fd < 0) return -1;
    fx.ino = inodeOf(fd);
    fx.netns = nsOf("/proc/self/ns/net");
    int dev = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(0);
    if (dev < 0 || setsockopt(dev, SOL_SOCKET, SO_BINDTODEVICE, NS_LO, sizeof NS_LO) != 0 ||
        bind(dev, (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    fx.devIno = inodeOf(dev);
    fixtureReport(&fx, sizeof fx);
    return 0;
}

static struct fixture sockFxChild;
struct fixture nsFxChild;
struct sockFixture sockFx;
struct nsFixture nsFx;

int sockFixturesStart(void **state)
{
    (void)state;
    fixtureStartReport(&sockFxChild, makeSockets, NULL, &sockFx, sizeof sockFx);
    fixtureStartReport(&nsFxChild, makeNamespace, NULL, &nsFx, sizeof nsFx);
    return 0;
}

int sockFixturesStop(void **state)
{
    (void)state;
    fixtureStop(&sockFxChild);
    fixtureStop(&nsFxChild);
    unlink(sockFx.namedPath);
    return 0;
}
