/*
** The sockets table against live fixtures: a child holding one socket of each kind the test
** knows exactly (inodes from fstat, ports from getsockname), and a child in a fresh network
** namespace with its own listener. Other tests may run on the host at the same time, so every
** comparison is limited to the fixtures' own sockets.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <unistd.h>

#include <cmocka.h>

#include "command.h"
#include "fixture.h"
#include "sockets.h"
#include "strace.h"
#include "testdb.h"
#include "testmain.h"

/* What the socket fixture made; the child reports it. */
struct sockFixture {
    unsigned long long netns;
    int listenPort, listenBacklog;
    unsigned long long listenIno;
    int clientPort;
    unsigned long long clientIno, serverIno;
    int twPort; /* the client end of a closed connection, now in TIME_WAIT */
    int udpPort, udpConnPort;
    unsigned long long udpIno, udpConnIno;
    unsigned long long streamIno[2], dgramIno[2];
    unsigned long long namedIno, abstractIno, netlinkIno;
    int namedBacklog;
    char namedPath[64], abstractName[64];
    int boundPort; /* a TCP socket bound, neither listening nor connected */
    unsigned long long boundIno;
    int deferPort, halfOpenPort; /* a request socket: TCP_DEFER_ACCEPT waits for data */
    int listen6Port, mappedPort; /* a listener on ::1; an inet6 client of the inet listener */
    unsigned long long listen6Ino, mappedIno, packetIno;
};

/* The namespaced child's listener. */
struct nsFixture {
    unsigned long long netns, ino;
    int port;
    unsigned long long devIno; /* a UDP socket bound to the namespace's lo */
};

static int kernelAtLeast(int major, int minor)
{
    struct utsname u;
    int ma = 0, mi = 0;
    if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2) return 0;
    return ma > major || (ma == major && mi >= minor);
}

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

#define NS_LO "sqlsoflo"

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

static struct fixture sockChild, nsChild;
static struct sockFixture F;
static struct nsFixture N;

static int startFixtures(void **state)
{
    (void)state;
    fixtureStartReport(&sockChild, makeSockets, NULL, &F, sizeof F);
    fixtureStartReport(&nsChild, makeNamespace, NULL, &N, sizeof N);
    return 0;
}

static int stopFixtures(void **state)
{
    (void)state;
    fixtureStop(&sockChild);
    fixtureStop(&nsChild);
    unlink(F.namedPath);
    return 0;
}

static const char rowCols[] =
    "netns, family, protocol, state, local_addr, local_port, remote_addr, remote_port, inode,"
    " uid, recv_q, send_q, interface, path, peer_inode, timer, retrans";

/* The row of socket INODE, rowCols of it, is the line that FMT formats. */
static void assertRow(sqlite3 *db, unsigned long long inode, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void assertRow(sqlite3 *db, unsigned long long inode, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && n < (int)sizeof line - 1);
    strcat(line, "\n");
    char *got = testQueryRows(db, "SELECT %s FROM sockets WHERE inode = %llu", rowCols, inode);
    assert_string_equal(got, line);
    free(got);
}

static void tcp_rows(void **state)
{
    sqlite3 *db = *state;
    char want[512];
    /* The listener: one connection (the inet6 client) waits for accept(); backlog 7. */
    assertRow(db, F.listenIno,
              "%llu|inet|tcp|LISTEN|127.0.0.1|%d|0.0.0.0|0|%llu|%d|1|%d|NULL|NULL|NULL|off|0",
              F.netns, F.listenPort, F.listenIno, getuid(), F.listenBacklog);
    assertRow(
        db, F.clientIno,
        "%llu|inet|tcp|ESTABLISHED|127.0.0.1|%d|127.0.0.1|%d|%llu|%d|0|0|NULL|NULL|NULL|off|0",
        F.netns, F.clientPort, F.listenPort, F.clientIno, getuid());
    assertRow(
        db, F.serverIno,
        "%llu|inet|tcp|ESTABLISHED|127.0.0.1|%d|127.0.0.1|%d|%llu|%d|0|0|NULL|NULL|NULL|off|0",
        F.netns, F.listenPort, F.clientPort, F.serverIno, getuid());

    /*
    ** Bound only: TCP_CLOSE, found by the kernel's bound-inactive walk, which Linux 6.5 added;
    ** an older kernel cannot list such a socket at all.
    */
    int listed = kernelAtLeast(6, 5);
    if (listed)
        assertRow(db, F.boundIno,
                  "%llu|inet|tcp|CLOSE|127.0.0.1|%d|0.0.0.0|0|%llu|%d|0|0|NULL|NULL|NULL|off|0",
                  F.netns, F.boundPort, F.boundIno, getuid());
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM sockets WHERE state = 'CLOSE' AND "
                                  "local_port = %d AND protocol = 'tcp'",
                                  F.boundPort),
                     listed);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM sockets WHERE +state = 'CLOSE' AND "
                                  "+local_port = %d AND +protocol = 'tcp'",
                                  F.boundPort),
                     listed);

    /* A request socket: SYN_RECV, no inode, no owner; state = 'SYN_RECV' finds it too. */
    const char *reqSql = "SELECT %s FROM sockets WHERE %sstate = 'SYN_RECV' AND %slocal_port = %d";
    snprintf(want, sizeof want,
             "%llu|inet|tcp|SYN_RECV|127.0.0.1|%d|127.0.0.1|%d|0|NULL|0|0|NULL|NULL|NULL|on|0\n",
             F.netns, F.deferPort, F.halfOpenPort);
    for (int plus = 0; plus < 2; plus++) {
        char *got =
            testQueryRows(db, reqSql, rowCols, plus ? "+" : "", plus ? "+" : "", F.deferPort);
        assert_string_equal(got, want);
        free(got);
    }

    /* inet6: the loopback listener, and a v4-mapped client of the inet listener. */
    assertRow(db, F.listen6Ino,
              "%llu|inet6|tcp|LISTEN|::1|%d|::|0|%llu|%d|0|2|NULL|NULL|NULL|off|0", F.netns,
              F.listen6Port, F.listen6Ino, getuid());
    assertRow(db, F.mappedIno,
              "%llu|inet6|tcp|ESTABLISHED|::ffff:127.0.0.1|%d|::ffff:127.0.0.1|%d|%llu|%d|0|0|NULL|"
              "NULL|NULL|off|0",
              F.netns, F.mappedPort, F.listenPort, F.mappedIno, getuid());

    /* tcp_info: there for an established socket, NULL for UDP and TIME_WAIT. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT rtt_us > 0 AND rttvar_us >= 0 AND cwnd > 0 AND "
                                  "ssthresh > 0 AND total_retrans = 0 AND bytes_acked >= 0 AND "
                                  "bytes_received >= 0 AND length(congestion) > 0 AND "
                                  "last_data_sent_ms >= 0 AND last_data_recv_ms >= 0 AND "
                                  "last_ack_recv_ms >= 0 "
                                  "FROM sockets WHERE inode = %llu",
                                  F.clientIno),
                     1);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM sockets WHERE inode IN (%llu, %llu) AND "
                                  "rtt_us IS NULL AND cwnd IS NULL AND congestion IS NULL AND "
                                  "bytes_acked IS NULL AND timer IS NULL AND retrans IS NULL AND "
                                  "last_data_recv_ms IS NULL AND last_ack_recv_ms IS NULL",
                                  F.udpIno, F.udpConnIno),
                     2);

    /* TIME_WAIT: inode 0, no owner, its addresses, a timewait timer under a minute. */
    char *tw = testQueryRows(db,
                             "SELECT %s, expires_ms BETWEEN 0 AND 60000, rtt_us, congestion "
                             "FROM sockets WHERE state = 'TIME_WAIT' AND local_port = %d",
                             rowCols, F.twPort);
    snprintf(want, sizeof want,
             "%llu|inet|tcp|TIME_WAIT|127.0.0.1|%d|127.0.0.1|%d|0|NULL|0|0|NULL|NULL|NULL|"
             "timewait|0|1|NULL|NULL\n",
             F.netns, F.twPort, F.listenPort);
    assert_string_equal(tw, want);
    free(tw);
}

static void udp_rows(void **state)
{
    sqlite3 *db = *state;
    assertRow(db, F.udpIno,
              "%llu|inet|udp|IDLE|127.0.0.1|%d|0.0.0.0|0|%llu|%d|0|0|NULL|NULL|NULL|NULL|NULL",
              F.netns, F.udpPort, F.udpIno, getuid());
    assertRow(db, F.udpConnIno,
              "%llu|inet|udp|ESTABLISHED|127.0.0.1|%d|127.0.0.1|%d|%llu|%d|0|0|NULL|NULL|NULL|"
              "NULL|NULL",
              F.netns, F.udpConnPort, F.udpPort, F.udpConnIno, getuid());
}

static void unix_and_netlink_rows(void **state)
{
    sqlite3 *db = *state;
    char want[512];
    for (int i = 0; i < 2; i++) {
        assertRow(db, F.streamIno[i],
                  "%llu|unix|stream|ESTABLISHED|NULL|NULL|NULL|NULL|%llu|%d|0|0|NULL|NULL|%llu|"
                  "NULL|NULL",
                  F.netns, F.streamIno[i], getuid(), F.streamIno[1 - i]);
        assertRow(db, F.dgramIno[i],
                  "%llu|unix|dgram|ESTABLISHED|NULL|NULL|NULL|NULL|%llu|%d|0|0|NULL|NULL|%llu|"
                  "NULL|NULL",
                  F.netns, F.dgramIno[i], getuid(), F.dgramIno[1 - i]);
    }
    assertRow(db, F.namedIno,
              "%llu|unix|stream|LISTEN|NULL|NULL|NULL|NULL|%llu|%d|0|%d|NULL|%s|NULL|NULL|NULL",
              F.netns, F.namedIno, getuid(), F.namedBacklog, F.namedPath);
    assertRow(db, F.abstractIno,
              "%llu|unix|stream|LISTEN|NULL|NULL|NULL|NULL|%llu|%d|0|3|NULL|@%s|NULL|NULL|NULL",
              F.netns, F.abstractIno, getuid(), F.abstractName);
    assertRow(db, F.netlinkIno,
              "%llu|netlink|route|IDLE|NULL|NULL|NULL|NULL|%llu|NULL|0|0|NULL|NULL|NULL|NULL|NULL",
              F.netns, F.netlinkIno);

    /* A packet socket for one ethertype, bound to lo. */
    assertRow(db, F.packetIno,
              "%llu|packet|0x88b5|IDLE|NULL|NULL|NULL|NULL|%llu|%d|0|0|lo|NULL|NULL|NULL|NULL",
              F.netns, F.packetIno, getuid());

    /* A self-join on peer_inode finds the other end, through the inode map. */
    char *pair = testQueryRows(db,
                               "SELECT a.inode, b.inode, b.peer_inode FROM sockets a "
                               "JOIN sockets b ON b.inode = a.peer_inode "
                               "WHERE a.family = 'unix' AND a.state = 'ESTABLISHED' "
                               "AND +a.inode IN (%llu, %llu) ORDER BY a.inode",
                               F.streamIno[0], F.dgramIno[0]);
    snprintf(want, sizeof want, "%llu|%llu|%llu\n", F.streamIno[0], F.streamIno[1], F.streamIno[0]);
    char want2[256];
    snprintf(want2, sizeof want2, "%llu|%llu|%llu\n", F.dgramIno[0], F.dgramIno[1], F.dgramIno[0]);
    char both[1024];
    if (F.streamIno[0] < F.dgramIno[0])
        snprintf(both, sizeof both, "%s%s", want, want2);
    else
        snprintf(both, sizeof both, "%s%s", want2, want);
    assert_string_equal(pair, both);
    free(pair);
    char *plan =
        testDropIdxNum(testExplain(db, "SELECT a.inode, b.inode FROM sockets a "
                                       "JOIN sockets b ON b.inode = a.peer_inode "
                                       "WHERE a.family = 'unix' AND a.state = 'ESTABLISHED'"));
    assert_non_null(strstr(plan, "SCAN a VIRTUAL TABLE INDEX :state= family="));
    assert_non_null(strstr(plan, "SCAN b VIRTUAL TABLE INDEX :inode="));
    assert_true(strstr(plan, "SCAN a") < strstr(plan, "SCAN b"));
    free(plan);
}

static void namespaced_listener(void **state)
{
    sqlite3 *db = *state;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/net", nsChild.pid);
    assert_true(N.netns == nsOf(path));
    assert_true(N.netns != F.netns);

    char want[256];
    snprintf(want, sizeof want, "%llu|inet|tcp|LISTEN|127.0.0.1|%d|0.0.0.0|0|%llu\n", N.netns,
             N.port, N.ino);
    const char *cols = "netns, family, protocol, state, local_addr, local_port, remote_addr,"
                       " remote_port, inode";
    char *got = testQueryRows(db, "SELECT %s FROM sockets WHERE inode = %llu", cols, N.ino);
    assert_string_equal(got, want);
    free(got);
    got = testQueryRows(db, "SELECT %s FROM sockets WHERE netns = %llu AND protocol = 'tcp'", cols,
                        N.netns);
    assert_string_equal(got, want);
    free(got);
    got = testQueryRows(db, "SELECT %s FROM sockets WHERE +inode = %llu", cols, N.ino);
    assert_string_equal(got, want);
    free(got);

    /* A socket bound to a device names it as its own namespace knows it. */
    got = testQueryRows(db, "SELECT netns, interface FROM sockets WHERE inode = %llu", N.devIno);
    snprintf(want, sizeof want, "%llu|" NS_LO "\n", N.netns);
    assert_string_equal(got, want);
    free(got);
    got = testQueryRows(db, "SELECT interface FROM sockets WHERE netns = %llu AND protocol = 'udp'",
                        N.netns);
    assert_string_equal(got, NS_LO "\n");
    free(got);

    /* The join with processes on netns: the child, and only processes of that namespace. */
    got = testQueryRows(db,
                        "SELECT p.pid, s.local_addr, s.local_port FROM sockets s "
                        "JOIN processes p USING(netns) WHERE s.state = 'LISTEN' "
                        "AND s.local_port = %d AND s.netns = %llu",
                        N.port, N.netns);
    snprintf(want, sizeof want, "%d|127.0.0.1|%d\n", nsChild.pid, N.port);
    assert_string_equal(got, want);
    free(got);
    /* Its loopback is its own: the host's namespace has no such listener. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM sockets WHERE netns = %llu AND "
                                  "local_port = %d AND state = 'LISTEN'",
                                  F.netns, N.port),
                     0);
}

/* A namespace that no process is in, only a file under /run/netns (ip netns add). */
static void run_netns_namespace(void **state)
{
    char name[64], path[128];
    snprintf(name, sizeof name, "sqlsof-test-%d", getpid());
    snprintf(path, sizeof path, "/run/netns/%s", name);
    struct command_result r;
    char *add[] = {"ip", "netns", "add", name, NULL};
    testCommand(add, &r);
    assert_int_equal(r.status, 0);
    testCommandFree(&r);
    unsigned long long ino = nsOf(path);
    assert_true(ino != 0);

    sqlite3 *db = *state;
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM processes WHERE netns = %llu", ino), 0);
    /* Every namespace has the kernel's own netlink sockets (rtnl, genl, ...). */
    long long pushed = testQueryInt(
        db, "SELECT count(*) FROM sockets WHERE netns = %llu AND protocol = 'route'", ino);
    long long scanned = testQueryInt(
        db, "SELECT count(*) FROM sockets WHERE +netns = %llu AND +protocol = 'route'", ino);
    assert_true(pushed >= 1);
    assert_int_equal(pushed, scanned);

    char *del[] = {"ip", "netns", "delete", name, NULL};
    testCommand(del, &r);
    assert_int_equal(r.status, 0);
    testCommandFree(&r);
}

/* ---- Pushdown equivalence ---- */

static const char eqCols[] = "netns, family, protocol, state, local_addr, local_port, "
                             "remote_addr, remote_port, inode, uid, path, peer_inode";

/*
** `col OP v` (OP "=" or "IN"; V formatted as printf does from FMT) against `(col OP v) IS TRUE`,
** and for a plain integer against `+col = v` too. Returns the number of rows.
*/
static int compare(sqlite3 *db, const char *own, const char *col, const char *op, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));
static int compare(sqlite3 *db, const char *own, const char *col, const char *op, const char *fmt,
                   ...)
{
    char value[4096]; /* the longest is an IN list of 300 ports */
    va_list ap;
    va_start(ap, fmt);
    assert_true(vsnprintf(value, sizeof value, fmt, ap) < (int)sizeof value);
    va_end(ap);
    char *pushed = sqlite3_mprintf("%s %s %s AND %s", col, op, value, own);
    char *plain = sqlite3_mprintf("(%s %s %s) IS TRUE AND %s", col, op, value, own);
    char *plus = sqlite3_mprintf("+%s %s %s AND %s", col, op, value, own);
    int rows = testSamePushed(db, "sockets", eqCols, "cookie", pushed, plain);
    if (strcmp(op, "=") == 0 && strspn(value, "0123456789") == strlen(value))
        testSamePushed(db, "sockets", eqCols, "cookie", pushed, plus);
    sqlite3_free(pushed);
    sqlite3_free(plain);
    sqlite3_free(plus);
    return rows;
}

/* The fixtures' own sockets, as a filter SQLite applies itself. */
static char *ownSockets(void)
{
    return sqlite3_mprintf(
        "(+inode IN (%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu) "
        "OR (+inode = 0 AND +local_port = %d))",
        F.listenIno, F.clientIno, F.serverIno, F.udpIno, F.udpConnIno, F.streamIno[0],
        F.streamIno[1], F.dgramIno[0], F.dgramIno[1], F.namedIno, F.abstractIno, F.netlinkIno,
        N.ino, N.ino, F.twPort);
}

static void text_pushdown_equivalence(void **state)
{
    sqlite3 *db = *state;
    char *own = ownSockets();
    /* Expected counts among the fixtures' 15 sockets. */
    assert_int_equal(compare(db, own, "state", "=", "'LISTEN'"), 4);
    assert_int_equal(compare(db, own, "state", "=", "'ESTABLISHED'"), 7);
    assert_int_equal(compare(db, own, "state", "=", "'IDLE'"), 2);
    assert_int_equal(compare(db, own, "state", "=", "'TIME_WAIT'"), 1);
    const char *noState[] = {"'LISTEN '", "'listen'",      "'BOGUS'", "1",
                             "NULL",      "x'4c4953544e'", "'CLOSE'"};
    for (size_t i = 0; i < sizeof noState / sizeof *noState; i++)
        assert_int_equal(compare(db, own, "state", "=", "%s", noState[i]), 0);
    assert_int_equal(compare(db, own, "state", "IN", "('LISTEN', 'IDLE')"), 6);
    assert_int_equal(compare(db, own, "state", "IN", "('TIME_WAIT', NULL, 'x', 'LISTEN')"), 5);

    assert_int_equal(compare(db, own, "family", "=", "'inet'"), 7);
    assert_int_equal(compare(db, own, "family", "=", "'unix'"), 6);
    assert_int_equal(compare(db, own, "family", "=", "'netlink'"), 1);
    assert_int_equal(compare(db, own, "family", "=", "'INET'"), 0);
    assert_int_equal(compare(db, own, "family", "=", "2"), 0);
    assert_int_equal(compare(db, own, "family", "=", "NULL"), 0);
    assert_int_equal(compare(db, own, "family", "IN", "('inet6', 'netlink', 'unix')"), 7);

    assert_int_equal(compare(db, own, "protocol", "=", "'tcp'"), 5);
    assert_int_equal(compare(db, own, "protocol", "=", "'udp'"), 2);
    assert_int_equal(compare(db, own, "protocol", "=", "'stream'"), 4);
    assert_int_equal(compare(db, own, "protocol", "=", "'dgram'"), 2);
    assert_int_equal(compare(db, own, "protocol", "=", "'route'"), 1);
    assert_int_equal(compare(db, own, "protocol", "=", "'TCP'"), 0);
    assert_int_equal(compare(db, own, "protocol", "=", "6"), 0);
    assert_int_equal(compare(db, own, "protocol", "=", "'raw'"), 0);
    assert_int_equal(compare(db, own, "protocol", "IN", "('udp', 'route', 'stream')"), 7);

    /* Under NOCASE the word is not pushed, and SQLite's own comparison decides. */
    assert_int_equal(compare(db, own, "state", "=", "'listen' COLLATE NOCASE"), 4);
    testExpectUnpushed(db, "SELECT * FROM sockets WHERE state = 'listen' COLLATE NOCASE", "state=");
    sqlite3_free(own);
}

static void integer_pushdown_equivalence(void **state)
{
    sqlite3 *db = *state;
    char *own = ownSockets();
    int lp = F.listenPort;
    /* local_port: the listener and the server end. */
    const char *fmts[] = {"%d", "'%d'", "%d.0", "' %d '"};
    for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++)
        assert_int_equal(compare(db, own, "local_port", "=", fmts[i], lp), 2);
    const char *none[] = {"'%dx'", "%d.5", "NULL", "-1", "70000", "x'31'"};
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        assert_int_equal(compare(db, own, "local_port", "=", none[i], lp), 0);
    assert_int_equal(compare(db, own, "local_port", "IN", "(%d, %d, 'junk', NULL)", lp, F.udpPort),
                     3);
    /* Long IN lists: up to 128 ports go to the kernel as bytecode, more are filtered after. */
    for (int n = 100; n <= 300; n += 200) {
        char *list = sqlite3_mprintf("(%d", lp);
        for (int i = 1; i < n; i++) {
            char *more = sqlite3_mprintf("%s, %d", list, i == n / 2 ? F.udpPort : 1000 + i);
            sqlite3_free(list);
            list = more;
        }
        char *closed = sqlite3_mprintf("%s)", list);
        assert_int_equal(compare(db, own, "local_port", "IN", "%s", closed), 3);
        sqlite3_free(list);
        sqlite3_free(closed);
    }
    /* TIME_WAIT, inode 0 */
    assert_int_equal(compare(db, own, "local_port", "=", "%d", F.twPort), 1);

    assert_int_equal(compare(db, own, "remote_port", "=", "%d", lp), 2); /* client and TIME_WAIT */
    assert_int_equal(compare(db, own, "remote_port", "=", "0"), 3);
    assert_int_equal(compare(db, own, "remote_port", "=", "'0'"), 3);
    assert_int_equal(compare(db, own, "remote_port", "IN", "(%d, %d)", lp, F.udpPort), 3);
    assert_int_equal(
        compare(db, own, "remote_port", "=", "%d AND local_port = %d", F.clientPort, lp), 1);

    assert_int_equal(compare(db, own, "inode", "=", "%llu", F.namedIno), 1);
    assert_int_equal(compare(db, own, "inode", "=", "'%llu'", F.namedIno), 1);
    assert_int_equal(compare(db, own, "inode", "=", "%llu.5", F.namedIno), 0);
    assert_int_equal(compare(db, own, "inode", "=", "0"), 1);
    assert_int_equal(compare(db, own, "inode", "IN", "(%llu, %llu, %llu, 'x')", F.listenIno, N.ino,
                             F.streamIno[1]),
                     3);

    assert_int_equal(compare(db, own, "netns", "=", "%llu", F.netns), 13);
    assert_int_equal(compare(db, own, "netns", "=", "'%llu'", N.netns), 1);
    assert_int_equal(compare(db, own, "netns", "=", "0"), 0);
    assert_int_equal(compare(db, own, "netns", "=", "NULL"), 0);
    assert_int_equal(compare(db, own, "netns", "IN", "(%llu, %llu)", F.netns, N.netns), 14);

    sqlite3_free(own);
}

static void explain_plans(void **state)
{
    sqlite3 *db = *state;
    static const struct test_plan cases[] = {
        {"SELECT * FROM sockets WHERE state = 'LISTEN'", ":state="},
        {"SELECT * FROM sockets WHERE family IN ('inet', 'unix')", "family IN"},
        {"SELECT * FROM sockets WHERE protocol = 'tcp' AND state = 'LISTEN'", "state= protocol="},
        {"SELECT * FROM sockets WHERE local_port = 22", "local_port="},
        {"SELECT * FROM sockets WHERE remote_port IN (22, 80)", "remote_port IN"},
        {"SELECT * FROM sockets WHERE inode = 5", "inode="},
        {"SELECT * FROM sockets WHERE netns = 5", "netns="},
        /* idxNum carries whether tcp_info is asked for (bit 16), interface names (bit 17), and
         * a column that a BPF record's socket fields do not give (bit 24). */
        {"SELECT inode, state FROM sockets WHERE state = 'LISTEN'", "INDEX 1:state="},
        {"SELECT inode FROM sockets WHERE state = 'LISTEN' AND cwnd > 1", "INDEX 16842753:state="},
        {"SELECT interface FROM sockets WHERE state = 'LISTEN'", "INDEX 16908289:state="},
    };
    testExpectPlans(db, cases, sizeof cases / sizeof *cases);
    testExpectUnpushed(db, "SELECT * FROM sockets WHERE +state = 'LISTEN'", "state=");
    /* The filtered side drives a join on inode; the other answers from its inode map. */
    char *plan =
        testExplain(db, "SELECT * FROM processes p JOIN sockets s ON s.inode = p.pid "
                        "JOIN sockets t ON t.inode = s.peer_inode WHERE s.state = 'LISTEN'");
    const char *s = strstr(plan, "SCAN s VIRTUAL TABLE INDEX");
    const char *t = strstr(plan, "SCAN t VIRTUAL TABLE INDEX");
    assert_non_null(s);
    assert_non_null(t);
    assert_true(s < t);
    assert_int_equal(strncmp(strchr(s, ':'), ":state=\n", 8), 0);
    assert_non_null(strstr(t, ":inode=\n"));
    free(plan);
}

/*
** One dump request (sendmsg) per family/protocol the filter needs and the namespace has
** sockets of, in the namespaces it needs;
** another namespace costs one setns (in the helper thread), the caller's none. `netns = own`
** looks at no process's namespace link.
*/
static void dumps_sent(void **state)
{
    (void)state;
    struct syscall_counts base, tcp, unixOnly, other, all, listening;
    testSyscalls("SELECT 1", &base);
    testSyscallsf(&tcp, "SELECT count(*) FROM sockets WHERE netns = %llu AND protocol = 'tcp'",
                  F.netns);
    testSyscallsf(&unixOnly,
                  "SELECT count(*) FROM sockets WHERE netns = %llu AND family = 'unix' "
                  "AND state = 'LISTEN'",
                  F.netns);
    testSyscallsf(&other,
                  "SELECT count(*) FROM sockets WHERE netns = %llu AND "
                  "family IN ('inet', 'inet6') AND local_port = %d",
                  N.netns, N.port);
    testSyscallsf(&all, "SELECT count(*) FROM sockets WHERE netns = %llu", N.netns);
    testSyscallsf(&listening,
                  "SELECT count(*) FROM sockets WHERE netns = %llu AND state = 'LISTEN' AND "
                  "family IN ('inet', 'inet6')",
                  N.netns);

    assert_int_equal(tcp.sendmsg - base.sendmsg, 1); /* inet and inet6 in one */
    assert_int_equal(tcp.setns, 0);
    assert_true(tcp.newfstatat - base.newfstatat <= 2);
    assert_int_equal(unixOnly.sendmsg - base.sendmsg, 1);
    /* N holds a TCP listener and a bound UDP socket: TCP (both families in one dump) and
     * inet UDP are asked; its counts show no UDPv6, UDP-Lite, raw, SCTP or MPTCP socket. */
    assert_int_equal(other.sendmsg - base.sendmsg, 2);
    assert_int_equal(other.setns, 1);
    assert_int_equal(all.sendmsg - base.sendmsg, 2 + 3); /* and unix, netlink, packet */
    assert_true(all.recvmsg - base.recvmsg >= 5);
    /* No UDP socket can listen: TCP alone. */
    assert_int_equal(listening.sendmsg - base.sendmsg, 1);
}

/* ---- Namespace hygiene ---- */

static int countFds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

static int tasksInNamespace(unsigned long long want)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int bad = 0, n = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/self/task/%s/ns/net", e->d_name);
        if (nsOf(path) != want) bad++;
        n++;
    }
    closedir(d);
    return bad ? -bad : n;
}

static void *idle(void *arg)
{
    (void)arg;
    pause();
    return NULL;
}

static void namespace_hygiene(void **state)
{
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, idle, NULL), 0);
    unsigned long long own = nsOf("/proc/self/ns/net");
    sqlite3 *db = *state;
    int fds = countFds();
    assert_int_equal(tasksInNamespace(own), 2);
    /* Visit every namespace, by scan and by inode map, with errors in between. */
    assert_true(testQueryInt(db, "SELECT count(DISTINCT netns) FROM sockets") >= 2);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM sockets WHERE inode = %llu", N.ino), 1);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM sockets WHERE netns = %llu AND "
                                  "protocol = 'tcp'",
                                  N.netns),
                     1);
    /* A statement that fails on its first row, inside the other namespace's scan. */
    char *err = testQueryError(db,
                               "SELECT * FROM sockets WHERE netns = %llu AND "
                               "abs(cookie * 0 - 9223372036854775807 - 1)",
                               N.netns);
    assert_non_null(err);
    assert_non_null(strstr(err, "integer overflow"));
    free(err);
    /* Two cursors on the table at once, one of them stopped half-way. */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT a.inode FROM sockets a, sockets b "
                                        "WHERE b.inode = a.inode",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_true(countFds() > fds); /* the scan's sock_diag socket */
    sqlite3_finalize(st);
    assert_int_equal(countFds(), fds);
    assert_int_equal(tasksInNamespace(own), 2);
    pthread_cancel(t);
    pthread_join(t, NULL);
}

/* A user without privilege sees its own namespace and no error. */
static void unprivileged(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
        sqlite3 *db = testOpenDb();
        sqlite3_stmt *st;
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT count(*) FROM sockets WHERE netns = %llu),"
                 " (SELECT count(*) FROM sockets WHERE inode = %llu)",
                 N.netns, F.listenIno);
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) _exit(3);
        if (sqlite3_step(st) != SQLITE_ROW) _exit(4);
        /* Its namespace is not ours to enter; the host's listener is still listed. */
        int ok = sqlite3_column_int(st, 0) == 0 && sqlite3_column_int(st, 1) == 1;
        sqlite3_finalize(st);
        sqlite3_close(db);
        _exit(ok ? 0 : 5);
    }
    fixtureWaitOk(pid);
}

TEST_MAIN("sockets", startFixtures, stopFixtures,
          {
              TEST_WITH_DB(tcp_rows),
              TEST_WITH_DB(udp_rows),
              TEST_WITH_DB(unix_and_netlink_rows),
              TEST_WITH_DB(namespaced_listener),
              TEST_WITH_DB(run_netns_namespace),
              TEST_WITH_DB(text_pushdown_equivalence),
              TEST_WITH_DB(integer_pushdown_equivalence),
              TEST_WITH_DB(explain_plans),
              cmocka_unit_test(dumps_sent),
              TEST_WITH_DB(namespace_hygiene),
              cmocka_unit_test(unprivileged),
          })
