/*
** The sockets table's rows against live fixtures (sock_fixture.h): every column of one socket
** of each kind the test knows exactly — TCP in each state, UDP, unix, netlink, packet. Other
** tests may run on the host at the same time, so every comparison is limited to the fixtures'
** own sockets. Pushdown: test_sockets_pushdown; namespaces and dumps: test_sockets_netns.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>

#include "sock_fixture.h"
#include "testdb.h"
#include "testmain.h"

static int kernelAtLeast(int major, int minor)
{
    struct utsname u;
    int ma = 0, mi = 0;
    if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2) return 0;
    return ma > major || (ma == major && mi >= minor);
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
    assertRow(db, sockFx.listenIno,
              "%llu|inet|tcp|LISTEN|127.0.0.1|%d|0.0.0.0|0|%llu|%d|1|%d|NULL|NULL|NULL|off|0",
              sockFx.netns, sockFx.listenPort, sockFx.listenIno, getuid(), sockFx.listenBacklog);
    assertRow(
        db, sockFx.clientIno,
        "%llu|inet|tcp|ESTABLISHED|127.0.0.1|%d|127.0.0.1|%d|%llu|%d|0|0|NULL|NULL|NULL|off|0",
        sockFx.netns, sockFx.clientPort, sockFx.listenPort, sockFx.clientIno, getuid());
    assertRow(
        db, sockFx.serverIno,
        "%llu|inet|tcp|ESTABLISHED|127.0.0.1|%d|127.0.0.1|%d|%llu|%d|0|0|NULL|NULL|NULL|off|0",
        sockFx.netns, sockFx.listenPort, sockFx.clientPort, sockFx.serverIno, getuid());

    /*
    ** Bound only: TCP_CLOSE, found by the kernel's bound-inactive walk, which Linux 6.5 added;
    ** an older kernel cannot list such a socket at all.
    */
    int listed = kernelAtLeast(6, 5);
    if (listed)
        assertRow(db, sockFx.boundIno,
                  "%llu|inet|tcp|CLOSE|127.0.0.1|%d|0.0.0.0|0|%llu|%d|0|0|NULL|NULL|NULL|off|0",
                  sockFx.netns, sockFx.boundPort, sockFx.boundIno, getuid());
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM sockets WHERE state = 'CLOSE' AND "
                                  "local_port = %d AND protocol = 'tcp'",
                                  sockFx.boundPort),
                     listed);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM sockets WHERE +state = 'CLOSE' AND "
                                  "+local_port = %d AND +protocol = 'tcp'",
                                  sockFx.boundPort),
                     listed);

    /* A request socket: SYN_RECV, no inode, no owner; state = 'SYN_RECV' finds it too. */
    const char *reqSql = "SELECT %s FROM sockets WHERE %sstate = 'SYN_RECV' AND %slocal_port = %d";
    snprintf(want, sizeof want,
             "%llu|inet|tcp|SYN_RECV|127.0.0.1|%d|127.0.0.1|%d|0|NULL|0|0|NULL|NULL|NULL|on|0\n",
             sockFx.netns, sockFx.deferPort, sockFx.halfOpenPort);
    for (int plus = 0; plus < 2; plus++) {
        char *got =
            testQueryRows(db, reqSql, rowCols, plus ? "+" : "", plus ? "+" : "", sockFx.deferPort);
        assert_string_equal(got, want);
        free(got);
    }

    /* inet6: the loopback listener, and a v4-mapped client of the inet listener. */
    assertRow(db, sockFx.listen6Ino,
              "%llu|inet6|tcp|LISTEN|::1|%d|::|0|%llu|%d|0|2|NULL|NULL|NULL|off|0", sockFx.netns,
              sockFx.listen6Port, sockFx.listen6Ino, getuid());
    assertRow(db, sockFx.mappedIno,
              "%llu|inet6|tcp|ESTABLISHED|::ffff:127.0.0.1|%d|::ffff:127.0.0.1|%d|%llu|%d|0|0|NULL|"
              "NULL|NULL|off|0",
              sockFx.netns, sockFx.mappedPort, sockFx.listenPort, sockFx.mappedIno, getuid());

    /* tcp_info: there for an established socket, NULL for UDP and TIME_WAIT. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT rtt_us > 0 AND rttvar_us >= 0 AND cwnd > 0 AND "
                                  "ssthresh > 0 AND total_retrans = 0 AND bytes_acked >= 0 AND "
                                  "bytes_received >= 0 AND length(congestion) > 0 AND "
                                  "last_data_sent_ms >= 0 AND last_data_recv_ms >= 0 AND "
                                  "last_ack_recv_ms >= 0 "
                                  "FROM sockets WHERE inode = %llu",
                                  sockFx.clientIno),
                     1);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM sockets WHERE inode IN (%llu, %llu) AND "
                                  "rtt_us IS NULL AND cwnd IS NULL AND congestion IS NULL AND "
                                  "bytes_acked IS NULL AND timer IS NULL AND retrans IS NULL AND "
                                  "last_data_recv_ms IS NULL AND last_ack_recv_ms IS NULL",
                                  sockFx.udpIno, sockFx.udpConnIno),
                     2);

    /* TIME_WAIT: inode 0, no owner, its addresses, a timewait timer under a minute. */
    char *tw = testQueryRows(db,
                             "SELECT %s, expires_ms BETWEEN 0 AND 60000, rtt_us, congestion "
                             "FROM sockets WHERE state = 'TIME_WAIT' AND local_port = %d",
                             rowCols, sockFx.twPort);
    snprintf(want, sizeof want,
             "%llu|inet|tcp|TIME_WAIT|127.0.0.1|%d|127.0.0.1|%d|0|NULL|0|0|NULL|NULL|NULL|"
             "timewait|0|1|NULL|NULL\n",
             sockFx.netns, sockFx.twPort, sockFx.listenPort);
    assert_string_equal(tw, want);
    free(tw);
}

static void udp_rows(void **state)
{
    sqlite3 *db = *state;
    assertRow(db, sockFx.udpIno,
              "%llu|inet|udp|IDLE|127.0.0.1|%d|0.0.0.0|0|%llu|%d|0|0|NULL|NULL|NULL|NULL|NULL",
              sockFx.netns, sockFx.udpPort, sockFx.udpIno, getuid());
    assertRow(db, sockFx.udpConnIno,
              "%llu|inet|udp|ESTABLISHED|127.0.0.1|%d|127.0.0.1|%d|%llu|%d|0|0|NULL|NULL|NULL|"
              "NULL|NULL",
              sockFx.netns, sockFx.udpConnPort, sockFx.udpPort, sockFx.udpConnIno, getuid());
}

static void unix_and_netlink_rows(void **state)
{
    sqlite3 *db = *state;
    char want[512];
    for (int i = 0; i < 2; i++) {
        assertRow(db, sockFx.streamIno[i],
                  "%llu|unix|stream|ESTABLISHED|NULL|NULL|NULL|NULL|%llu|%d|0|0|NULL|NULL|%llu|"
                  "NULL|NULL",
                  sockFx.netns, sockFx.streamIno[i], getuid(), sockFx.streamIno[1 - i]);
        assertRow(db, sockFx.dgramIno[i],
                  "%llu|unix|dgram|ESTABLISHED|NULL|NULL|NULL|NULL|%llu|%d|0|0|NULL|NULL|%llu|"
                  "NULL|NULL",
                  sockFx.netns, sockFx.dgramIno[i], getuid(), sockFx.dgramIno[1 - i]);
    }
    assertRow(db, sockFx.namedIno,
              "%llu|unix|stream|LISTEN|NULL|NULL|NULL|NULL|%llu|%d|0|%d|NULL|%s|NULL|NULL|NULL",
              sockFx.netns, sockFx.namedIno, getuid(), sockFx.namedBacklog, sockFx.namedPath);
    assertRow(db, sockFx.abstractIno,
              "%llu|unix|stream|LISTEN|NULL|NULL|NULL|NULL|%llu|%d|0|3|NULL|@%s|NULL|NULL|NULL",
              sockFx.netns, sockFx.abstractIno, getuid(), sockFx.abstractName);
    assertRow(db, sockFx.netlinkIno,
              "%llu|netlink|route|IDLE|NULL|NULL|NULL|NULL|%llu|NULL|0|0|NULL|NULL|NULL|NULL|NULL",
              sockFx.netns, sockFx.netlinkIno);

    /* A packet socket for one ethertype, bound to lo. */
    assertRow(db, sockFx.packetIno,
              "%llu|packet|0x88b5|IDLE|NULL|NULL|NULL|NULL|%llu|%d|0|0|lo|NULL|NULL|NULL|NULL",
              sockFx.netns, sockFx.packetIno, getuid());

    /* A self-join on peer_inode finds the other end, through the inode map. */
    char *pair = testQueryRows(db,
                               "SELECT a.inode, b.inode, b.peer_inode FROM sockets a "
                               "JOIN sockets b ON b.inode = a.peer_inode "
                               "WHERE a.family = 'unix' AND a.state = 'ESTABLISHED' "
                               "AND +a.inode IN (%llu, %llu) ORDER BY a.inode",
                               sockFx.streamIno[0], sockFx.dgramIno[0]);
    snprintf(want, sizeof want, "%llu|%llu|%llu\n", sockFx.streamIno[0], sockFx.streamIno[1],
             sockFx.streamIno[0]);
    char want2[256];
    snprintf(want2, sizeof want2, "%llu|%llu|%llu\n", sockFx.dgramIno[0], sockFx.dgramIno[1],
             sockFx.dgramIno[0]);
    char both[1024];
    if (sockFx.streamIno[0] < sockFx.dgramIno[0])
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

TEST_MAIN("sockets", sockFixturesStart, sockFixturesStop,
          {
              TEST_WITH_DB(tcp_rows),
              TEST_WITH_DB(udp_rows),
              TEST_WITH_DB(unix_and_netlink_rows),
          })
