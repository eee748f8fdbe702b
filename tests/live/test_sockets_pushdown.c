/*
** The sockets table's pushdown never changes the answer: each pushed column (state, family,
** protocol, local_port, remote_port, inode, netns) in every shape of value against the filter
** SQLite applies itself, on the fixtures' own sockets (sock_fixture.h); and the plans that show
** what was pushed.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sock_fixture.h"
#include "testdb.h"
#include "testmain.h"

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
        sockFx.listenIno, sockFx.clientIno, sockFx.serverIno, sockFx.udpIno, sockFx.udpConnIno,
        sockFx.streamIno[0], sockFx.streamIno[1], sockFx.dgramIno[0], sockFx.dgramIno[1],
        sockFx.namedIno, sockFx.abstractIno, sockFx.netlinkIno, nsFx.ino, nsFx.ino, sockFx.twPort);
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
    int lp = sockFx.listenPort;
    /* local_port: the listener and the server end. */
    const char *fmts[] = {"%d", "'%d'", "%d.0", "' %d '"};
    for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++)
        assert_int_equal(compare(db, own, "local_port", "=", fmts[i], lp), 2);
    const char *none[] = {"'%dx'", "%d.5", "NULL", "-1", "70000", "x'31'"};
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        assert_int_equal(compare(db, own, "local_port", "=", none[i], lp), 0);
    assert_int_equal(
        compare(db, own, "local_port", "IN", "(%d, %d, 'junk', NULL)", lp, sockFx.udpPort), 3);
    /* Long IN lists: up to 128 ports go to the kernel as bytecode, more are filtered after. */
    for (int n = 100; n <= 300; n += 200) {
        char *list = sqlite3_mprintf("(%d", lp);
        for (int i = 1; i < n; i++) {
            char *more = sqlite3_mprintf("%s, %d", list, i == n / 2 ? sockFx.udpPort : 1000 + i);
            sqlite3_free(list);
            list = more;
        }
        char *closed = sqlite3_mprintf("%s)", list);
        assert_int_equal(compare(db, own, "local_port", "IN", "%s", closed), 3);
        sqlite3_free(list);
        sqlite3_free(closed);
    }
    /* TIME_WAIT, inode 0 */
    assert_int_equal(compare(db, own, "local_port", "=", "%d", sockFx.twPort), 1);

    assert_int_equal(compare(db, own, "remote_port", "=", "%d", lp), 2); /* client and TIME_WAIT */
    assert_int_equal(compare(db, own, "remote_port", "=", "0"), 3);
    assert_int_equal(compare(db, own, "remote_port", "=", "'0'"), 3);
    assert_int_equal(compare(db, own, "remote_port", "IN", "(%d, %d)", lp, sockFx.udpPort), 3);
    assert_int_equal(
        compare(db, own, "remote_port", "=", "%d AND local_port = %d", sockFx.clientPort, lp), 1);

    assert_int_equal(compare(db, own, "inode", "=", "%llu", sockFx.namedIno), 1);
    assert_int_equal(compare(db, own, "inode", "=", "'%llu'", sockFx.namedIno), 1);
    assert_int_equal(compare(db, own, "inode", "=", "%llu.5", sockFx.namedIno), 0);
    assert_int_equal(compare(db, own, "inode", "=", "0"), 1);
    assert_int_equal(compare(db, own, "inode", "IN", "(%llu, %llu, %llu, 'x')", sockFx.listenIno,
                             nsFx.ino, sockFx.streamIno[1]),
                     3);

    assert_int_equal(compare(db, own, "netns", "=", "%llu", sockFx.netns), 13);
    assert_int_equal(compare(db, own, "netns", "=", "'%llu'", nsFx.netns), 1);
    assert_int_equal(compare(db, own, "netns", "=", "0"), 0);
    assert_int_equal(compare(db, own, "netns", "=", "NULL"), 0);
    assert_int_equal(compare(db, own, "netns", "IN", "(%llu, %llu)", sockFx.netns, nsFx.netns), 14);

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

TEST_MAIN("sockets_pushdown", sockFixturesStart, sockFixturesStop,
          {
              TEST_WITH_DB(text_pushdown_equivalence),
              TEST_WITH_DB(integer_pushdown_equivalence),
              TEST_WITH_DB(explain_plans),
          })
