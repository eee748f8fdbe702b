/* Socket holders for the live tests (holders.h). */
#include "holders.h"

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <unistd.h>

#include "fixture.h"
#include "sockets.h"

static int reuseSocket(int type, int port)
{
    int fd = socket(AF_INET, type, 0), one = 1;
    struct sockaddr_in a = loopback(port);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    if (type == SOCK_STREAM && listen(fd, 8) != 0) return -1;
    return fd;
}

static int bindUnix(int type, const char *name, int abstract)
{
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    size_t n = strlen(name);
    memcpy(un.sun_path + (abstract ? 1 : 0), name, n);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (abstract ? 1 : 0));
    if (!abstract) unlink(name);
    int fd = socket(AF_UNIX, type, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&un, len) != 0) return -1;
    if (type == SOCK_STREAM && listen(fd, 4) != 0) return -1;
    return fd;
}

/* The next connection that either listener of a SO_REUSEPORT group was handed. */
static int acceptEither(int l0, int l1)
{
    struct pollfd p[2] = {{l0, POLLIN, 0}, {l1, POLLIN, 0}};
    if (poll(p, 2, 5000) <= 0) return -1;
    return accept(p[0].revents & POLLIN ? l0 : l1, NULL, NULL);
}

/* Sockets of every kind in the current namespace; counts them in H. 0 or -1. */
static int makeKinds(struct holder *h, int withPacket)
{
    int fds[32], n = 0;
    int l0 = reuseSocket(SOCK_STREAM, 0);
    if (l0 < 0) return -1;
    h->reusePort = portOf(l0);
    int l1 = reuseSocket(SOCK_STREAM, h->reusePort);
    int c = tcpConnect(h->reusePort);
    int s = l1 < 0 || c < 0 ? -1 : acceptEither(l0, l1);
    if (s < 0) return -1;
    h->listenIno[0] = inodeOf(l0);
    h->listenIno[1] = inodeOf(l1);
    fds[n++] = l0, fds[n++] = l1, fds[n++] = c, fds[n++] = s;

    /* TIME_WAIT (inode 0): the end that closes first keeps it once the other has closed. */
    int tw = tcpConnect(h->reusePort);
    int twPeer = tw < 0 ? -1 : acceptEither(l0, l1);
    if (twPeer < 0) return -1;
    h->twPort = portOf(tw);
    close(tw);
    usleep(10000);
    close(twPeer);
    usleep(10000);

    int u0 = reuseSocket(SOCK_DGRAM, 0);
    if (u0 < 0) return -1;
    h->udpReusePort = portOf(u0);
    int u1 = reuseSocket(SOCK_DGRAM, h->udpReusePort);
    int uc = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(h->udpReusePort);
    if (u1 < 0 || uc < 0 || connect(uc, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    fds[n++] = u0, fds[n++] = u1, fds[n++] = uc;

    int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    if (u6 < 0 || bind(u6, (struct sockaddr *)&a6, sizeof a6) != 0) return -1;
    fds[n++] = u6;

    int bound = socket(AF_INET, SOCK_STREAM, 0); /* bound, neither listening nor connected */
    a = loopback(0);
    if (bound < 0 || bind(bound, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    h->boundPort = portOf(bound);
    fds[n++] = bound;
    fds[n++] = socket(AF_INET, SOCK_STREAM, 0); /* never bound: in no dump */
    fds[n++] = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);

    int sp[2], dp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, dp))
        return -1;
    fds[n++] = sp[0], fds[n++] = sp[1], fds[n++] = dp[0], fds[n++] = dp[1];
    /* Unix stream sockets in every state a duplicate must tell: the survivor of a pair whose
     * other end closed, a seqpacket pair, one bound but not listening, one never bound, and a
     * listener with a connection waiting. */
    int half[2], seq[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, half) != 0 ||
        socketpair(AF_UNIX, SOCK_SEQPACKET, 0, seq) != 0)
        return -1;
    close(half[1]);
    fds[n++] = half[0], fds[n++] = seq[0], fds[n++] = seq[1];
    char name[64];
    snprintf(name, sizeof name, "sqlsof-lookup-bound-%d", getpid());
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    memcpy(un.sun_path + 1, name, strlen(name));
    int unixBound = socket(AF_UNIX, SOCK_STREAM, 0);
    socklen_t unLen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
    if (unixBound < 0 || bind(unixBound, (struct sockaddr *)&un, unLen) != 0) return -1;
    fds[n++] = unixBound;
    fds[n++] = socket(AF_UNIX, SOCK_STREAM, 0);
    snprintf(name, sizeof name, "/tmp/sqlsof-lookup-%d.sock", getpid());
    int named = bindUnix(SOCK_STREAM, name, 0);
    struct sockaddr_un to = {.sun_family = AF_UNIX};
    snprintf(to.sun_path, sizeof to.sun_path, "%s", name);
    int waiting = socket(AF_UNIX, SOCK_STREAM, 0);
    if (named < 0 || waiting < 0 || connect(waiting, (struct sockaddr *)&to, sizeof to) != 0)
        return -1;
    fds[n++] = named, fds[n++] = waiting;
    snprintf(name, sizeof name, "sqlsof-lookup-%d", getpid());
    fds[n++] = bindUnix(SOCK_DGRAM, name, 1);

    int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    struct sockaddr_nl snl = {.nl_family = AF_NETLINK};
    if (nl < 0 || bind(nl, (struct sockaddr *)&snl, sizeof snl) != 0) return -1;
    fds[n++] = nl;
    fds[n++] = socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG); /* unbound */
    if (withPacket) {
        /* An ethertype no traffic carries: its queue stays still between the two reads. */
        int p = socket(AF_PACKET, SOCK_RAW, htons(0x88b5));
        struct sockaddr_ll ll = {.sll_family = AF_PACKET,
                                 .sll_protocol = htons(0x88b5),
                                 .sll_ifindex = (int)if_nametoindex("lo")};
        if (p < 0 || bind(p, (struct sockaddr *)&ll, sizeof ll) != 0) return -1;
        fds[n++] = p;
    }
    for (int i = 0; i < n; i++)
        if (fds[i] < 0) return -1;
    h->nsockets += n;
    return 0;
}

/*
** The host's holder keeps, besides, a listener and a unix pair made in a namespace of its own
** before it returned to the host's (a keeper process stays there, so that the dumps can
** enter it).
*/
static int makeAwaySockets(struct holder *h)
{
    int host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (host < 0 || unshare(CLONE_NEWNET) != 0 || loopbackUp() != 0) return -1;
    h->otherNetns = nsOf("/proc/self/ns/net");
    pid_t keeper = fork();
    if (keeper == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        pause();
        _exit(0);
    }
    h->keeper = keeper;
    int l = tcpListen(4, &h->nsPort), sp[2];
    if (keeper < 0 || l < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0) return -1;
    h->nsListenIno = inodeOf(l);
    h->nsockets = 3;
    if (setns(host, CLONE_NEWNET) != 0) return -1;
    close(host);
    return 0;
}

int makeHolder(void *arg)
{
    enum holderKind kind = *(const enum holderKind *)arg;
    struct holder h;
    memset(&h, 0, sizeof h);
    if (kind == HOLDER_NAMESPACED && (unshare(CLONE_NEWNET) != 0 || loopbackUp() != 0)) return -1;
    h.netns = nsOf("/proc/self/ns/net");
    if (kind == HOLDER_HOST && makeAwaySockets(&h) != 0) return -1;
    if (makeKinds(&h, kind != HOLDER_NOBODY) != 0) return -1;
    if (kind == HOLDER_NOBODY) {
        if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) return -1;
        prctl(PR_SET_DUMPABLE, 1);
    }
    fixtureReport(&h, sizeof h);
    return 0;
}

void holderCleanup(int pid)
{
    char name[64];
    snprintf(name, sizeof name, "/tmp/sqlsof-lookup-%d.sock", pid);
    unlink(name);
}
