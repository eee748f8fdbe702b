/*
** A small namespace's sockets read from its processes' descriptors (sock/sock_held.h) against
** the dumps: each child makes a namespace of its own with one case of what its counts must
** catch, and each case gives the rows that sqlsof_socket_source('dumps') gives, with the netns
** pushed and with it left to SQLite. Where every socket is held the dumps are not sent (the
** "held" counter grows by the namespace's rows); an unaccepted connection, a TIME_WAIT socket,
** a half-open connection and a socket held from outside the namespace each send them.
*/
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "fixture.h"
#include "sockets.h"
#include "testdb.h"
#include "testmain.h"

enum held_case { ALL_HELD, QUEUED, TIME_WAIT, HALF_OPEN, HELD_OUTSIDE, HELD_CASES };

struct held_report {
    unsigned long long netns, ino; /* the namespace; the case's own socket (HELD_OUTSIDE) */
};

static struct fixture children[HELD_CASES];
static struct held_report reports[HELD_CASES];

/* Every socket held: a listener, a connection and its accepted end, a TCP socket bound and
 * neither listening nor connected, UDP bound in both families, and one never bound (no row). */
static int makeAllHeld(void)
{
    int port, bound = socket(AF_INET, SOCK_STREAM, 0), udp6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(0);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
    if (tcpLoopbackPair(&port) < 0 || bound < 0 || bind(bound, (struct sockaddr *)&a, sizeof a) ||
        udp6 < 0 || bind(udp6, (struct sockaddr *)&a6, sizeof a6))
        return -1;
    int udp = socket(AF_INET, SOCK_DGRAM, 0);
    if (udp < 0 || bind(udp, (struct sockaddr *)&a, sizeof a) || socket(AF_INET, SOCK_DGRAM, 0) < 0)
        return -1;
    return 0;
}

/* A connection the listener has not accepted: a socket no descriptor holds. */
static int makeQueued(void)
{
    int port;
    return tcpListen(4, &port) < 0 || tcpConnect(port) < 0 ? -1 : 0;
}

/* A connection closed from the client's end first: the client's side waits in TIME_WAIT. */
static int makeTimeWait(void)
{
    int port, l = tcpListen(4, &port), c = tcpConnect(port), s = l < 0 ? -1 : accept(l, NULL, NULL);
    if (c < 0 || s < 0) return -1;
    close(c);
    usleep(20000);
    close(s);
    usleep(20000);
    return 0;
}

/* A listener that defers accepting until data comes: the handshake stays a request socket. */
static int makeHalfOpen(void)
{
    int port, secs = 30, l = tcpListen(4, &port);
    if (l < 0 || setsockopt(l, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof secs)) return -1;
    return tcpConnect(port) < 0 ? -1 : 0;
}

/* A listener of the namespace held by this child once it has gone back to the caller's
 * namespace, while a second process stays in the new one holding a bound UDP socket. */
static int makeHeldOutside(int home, struct held_report *r)
{
    int port, l = tcpListen(4, &port);
    if (l < 0) return -1;
    r->ino = inodeOf(l);
    pid_t stay = fork();
    if (stay < 0) return -1;
    if (stay == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(l);
        struct sockaddr_in a = loopback(0);
        int udp = socket(AF_INET, SOCK_DGRAM, 0);
        if (udp < 0 || bind(udp, (struct sockaddr *)&a, sizeof a)) _exit(1);
        for (;;) pause();
    }
    return setns(home, CLONE_NEWNET);
}

static int makeCase(void *arg)
{
    enum held_case c = (enum held_case)(long)arg;
    struct held_report r = {0};
    int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (home < 0 || unshare(CLONE_NEWNET) || loopbackUp()) return -1;
    r.netns = nsOf("/proc/self/ns/net");
    int rc = c == ALL_HELD    ? makeAllHeld()
             : c == QUEUED    ? makeQueued()
             : c == TIME_WAIT ? makeTimeWait()
             : c == HALF_OPEN ? makeHalfOpen()
                              : makeHeldOutside(home, &r);
    if (rc) return -1;
    fixtureReport(&r, sizeof r);
    return 0;
}

static int startChildren(void **state)
{
    (void)state;
    for (long c = 0; c < HELD_CASES; c++)
        fixtureStartReport(&children[c], makeCase, (void *)c, &reports[c], sizeof reports[c]);
    return 0;
}

static int stopChildren(void **state)
{
    (void)state;
    for (int c = 0; c < HELD_CASES; c++) fixtureStop(&children[c]);
    return 0;
}

static const char cols[] = "netns, family, protocol, state, local_addr, local_port, remote_addr,"
                           " remote_port, inode, uid, cookie, path";

/* The inet rows of namespace NETNS (WHERE: "netns" pushed, "+netns" not) in MODE, and how many
 * of them the held sockets answered. (Its netlink rows include each statement's own sock_diag
 * socket.) */
static char *rowsIn(sqlite3 *db, const char *mode, const char *where, unsigned long long netns,
                    sqlite3_int64 *held)
{
    free(testQueryText(db, "SELECT sqlsof_socket_source('%s')", mode));
    sqlite3_int64 before = testQueryInt(db, "SELECT sqlsof_socket_source() ->> '$.held'");
    char *rows = testQueryRows(db,
                               "SELECT %s FROM sockets WHERE %s = %llu AND family LIKE 'inet%%'"
                               " ORDER BY cookie",
                               cols, where, netns);
    *held = testQueryInt(db, "SELECT sqlsof_socket_source() ->> '$.held'") - before;
    return rows;
}

/* Case C's rows are the dumps' with the netns pushed and not; returns how many rows the held
 * sockets answered with it pushed. */
static sqlite3_int64 sameAsDumps(sqlite3 *db, enum held_case c)
{
    sqlite3_int64 held, heldScan, none;
    static const char *const where[] = {"netns", "+netns"};
    sqlite3_int64 answered[2];
    /* A socket gets its cookie when sock_diag first reports it; until then BPF cannot describe
     * it, and its namespace is dumped. This dump gives the case's sockets theirs, so that what
     * follows is decided by the counts. */
    free(rowsIn(db, "dumps", "netns", reports[c].netns, &none));
    for (int w = 0; w < 2; w++) {
        char *got = rowsIn(db, "auto", where[w], reports[c].netns, &answered[w]);
        char *want = rowsIn(db, "dumps", where[w], reports[c].netns, &none);
        assert_int_equal(none, 0);
        assert_string_equal(got, want);
        assert_true(strlen(got) > 0);
        free(got);
        free(want);
    }
    held = answered[0], heldScan = answered[1];
    free(testQueryText(db, "SELECT sqlsof_socket_source('auto')"));
    /* The whole-host scan reads the namespace the same way as the one pushed. */
    assert_true(heldScan >= held);
    return held;
}

/* The rows of case C's namespace that COND keeps. */
static sqlite3_int64 rowsWhere(sqlite3 *db, enum held_case c, const char *cond)
{
    return testQueryInt(db, "SELECT count(*) FROM sockets WHERE netns = %llu AND %s",
                        reports[c].netns, cond);
}

static void all_held_sockets_need_no_dump(void **state)
{
    sqlite3 *db = *state;
    /* listener, client, accepted end, the bound one; UDP in both families */
    assert_int_equal(sameAsDumps(db, ALL_HELD), 6);
    assert_int_equal(rowsWhere(db, ALL_HELD, "protocol = 'tcp' AND state = 'CLOSE'"), 1);
    assert_int_equal(rowsWhere(db, ALL_HELD, "protocol = 'udp'"), 2);
}

/* Case C's namespace is dumped (no held socket answers) and shows the one row COND keeps. */
static void dumpedWith(void **state, enum held_case c, const char *cond)
{
    sqlite3 *db = *state;
    assert_int_equal(sameAsDumps(db, c), 0);
    assert_int_equal(rowsWhere(db, c, cond), 1);
}

/* The queued end has no socket inode yet: only the dump lists it. */
static void unaccepted_connection_is_dumped(void **state)
{
    dumpedWith(state, QUEUED, "inode = 0 AND state = 'ESTABLISHED'");
}

static void time_wait_is_dumped(void **state)
{
    dumpedWith(state, TIME_WAIT, "state = 'TIME_WAIT'");
}

static void half_open_connection_is_dumped(void **state)
{
    dumpedWith(state, HALF_OPEN, "state = 'SYN_RECV'");
}

static void socket_held_outside_is_dumped(void **state)
{
    sqlite3 *db = *state;
    /* The namespace's UDP socket is its process's and comes from it; its listener does not. */
    assert_int_equal(sameAsDumps(db, HELD_OUTSIDE), 1);
    char cond[64];
    snprintf(cond, sizeof cond, "inode = %llu AND state = 'LISTEN'", reports[HELD_OUTSIDE].ino);
    assert_int_equal(rowsWhere(db, HELD_OUTSIDE, cond), 1);
}

/* A column that only sock_diag gives sends the dumps, held sockets or not. */
static void diag_columns_are_dumped(void **state)
{
    sqlite3 *db = *state;
    sqlite3_int64 before = testQueryInt(db, "SELECT sqlsof_socket_source() ->> '$.held'");
    assert_int_equal(rowsWhere(db, ALL_HELD, "protocol = 'tcp' AND recv_q IS NOT NULL"), 4);
    assert_int_equal(testQueryInt(db, "SELECT sqlsof_socket_source() ->> '$.held'"), before);
}

TEST_MAIN("sockets_held", startChildren, stopChildren,
          {
              TEST_WITH_DB(all_held_sockets_need_no_dump),
              TEST_WITH_DB(unaccepted_connection_is_dumped),
              TEST_WITH_DB(time_wait_is_dumped),
              TEST_WITH_DB(half_open_connection_is_dumped),
              TEST_WITH_DB(socket_held_outside_is_dumped),
              TEST_WITH_DB(diag_columns_are_dumped),
          })
