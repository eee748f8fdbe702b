/*
** One process read through a BPF iterator bound to it (fds_sock), against the reference:
**   - its fds rows equal /proc's (sqlsof_fds_source('bpf') against 'proc'), on the host and in
**     a namespace of its own, with pid and inode pushed together too;
**   - the sockets its records carry fields for (TCP, UDP, UDP-Lite, unix) are answered from
**     those fields with no request (sqlsof_socket_source() counts them as "fields"), and give
**     the rows the whole-host map of dumps gives (sqlsof_socket_source('dumps')), filters
**     pushed on the sockets side included;
**   - a statement that uses a column only sock_diag gives (recv_q) never takes them;
**   - 'auto' reads a process through BPF only when it holds many fds.
** Each comparison is limited to the fixtures' own rows.
*/
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "holders.h"
#include "sockets.h"
#include "strace.h"
#include "testdb.h"
#include "testmain.h"

static struct fixture hostChild, nsChild, manyChild, busyChild;
static struct holder H, N;
static int busyPort;

/* A busy server in one process: a listener, 130 connections to it and their accepted ends:
 * over the 256 fds from which 'auto' reads a process through BPF. */
static int makeBusy(void *arg)
{
    (void)arg;
    int port, l = tcpListen(256, &port);
    if (l < 0) return -1;
    for (int i = 0; i < 130; i++)
        if (tcpConnect(port) < 0 || accept(l, NULL, NULL) < 0) return -1;
    fixtureReport(&port, sizeof port);
    return 0;
}

/* A process with many descriptors (300 of /dev/null): 'auto' reads it through BPF. */
static int makeMany(void *arg)
{
    (void)arg;
    for (int i = 0; i < 300; i++)
        if (open("/dev/null", O_RDONLY) < 0) return -1;
    return 0;
}

static int startFixtures(void **state)
{
    (void)state;
    static enum holderKind host = HOLDER_HOST, away = HOLDER_NAMESPACED;
    fixtureStartReport(&hostChild, makeHolder, &host, &H, sizeof H);
    fixtureStartReport(&nsChild, makeHolder, &away, &N, sizeof N);
    fixtureStart(&manyChild, makeMany, NULL);
    fixtureStartReport(&busyChild, makeBusy, NULL, &busyPort, sizeof busyPort);
    return 0;
}

static int stopFixtures(void **state)
{
    (void)state;
    fixtureStop(&hostChild);
    fixtureStop(&nsChild);
    fixtureStop(&manyChild);
    fixtureStop(&busyChild);
    holderCleanup(hostChild.pid);
    return 0;
}

/* The fds table's source for the connection, and what the latest scan read (malloc'd). */
static char *fdsSourceAfter(sqlite3 *db, const char *mode, const char *sql)
{
    free(testQueryText(db, "SELECT sqlsof_fds_source('%s')", mode));
    free(testQueryRows(db, "%s", sql));
    return testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
}

/* One holder's fds rows through BPF and through /proc: the same. */
static void compareFds(sqlite3 *db, int pid)
{
    char *viaBpf = NULL, *viaProc = NULL;
    const char *sql = "SELECT * FROM fds WHERE pid = %d ORDER BY fd";
    free(testQueryText(db, "SELECT sqlsof_fds_source('bpf')"));
    viaBpf = testQueryRows(db, sql, pid);
    char *last = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_string_equal(last, "bpf");
    free(last);
    free(testQueryText(db, "SELECT sqlsof_fds_source('proc')"));
    viaProc = testQueryRows(db, sql, pid);
    assert_string_equal(viaBpf, viaProc);
    assert_true(strlen(viaBpf) > 0);
    free(viaBpf);
    free(viaProc);
    free(testQueryText(db, "SELECT sqlsof_fds_source('auto')"));
}

static void fds_rows_same(void **state)
{
    sqlite3 *db = *state;
    compareFds(db, hostChild.pid);
    compareFds(db, nsChild.pid);
}

static void pid_and_inode(void **state)
{
    sqlite3 *db = *state;
    free(testQueryText(db, "SELECT sqlsof_fds_source('bpf')"));
    const char *cols = "pid, fd, type, inode, target";
    char *pushed = sqlite3_mprintf("pid = %d AND inode = %llu", hostChild.pid, H.listenIno[0]);
    char *plain = sqlite3_mprintf("pid = %d AND +inode = %llu", hostChild.pid, H.listenIno[0]);
    assert_int_equal(testSamePushed(db, "fds", cols, "pid, fd", pushed, plain), 1);
    sqlite3_free(pushed);
    sqlite3_free(plain);
}

/* The columns a record's socket fields give. */
static const char fieldCols[] = "f.fd, s.netns, s.family, s.protocol, s.state, s.local_addr,"
                                " s.local_port, s.remote_addr, s.remote_port, s.inode, s.uid,"
                                " s.cookie, s.path";
static const char socketTypes[] = "('IPv4', 'IPv6', 'unix', 'netlink', 'pack', 'sock')";

/* The holder's sockets through SOURCE (the fds side through BPF); *FIELDS: how many were
 * answered from fields. */
static char *socketRows(sqlite3 *db, const char *source, const char *cols, const char *more,
                        int pid, long long *fields)
{
    free(testQueryText(db, "SELECT sqlsof_fds_source('bpf')"));
    free(testQueryText(db, "SELECT sqlsof_socket_source('%s')", source));
    long long before = testQueryInt(db, "SELECT sqlsof_socket_source() ->> '$.fields'");
    char *rows = testQueryRows(db,
                               "SELECT %s FROM fds f JOIN sockets s USING(inode) WHERE f.pid = %d"
                               " AND f.type IN %s%s ORDER BY f.fd",
                               cols, pid, socketTypes, more);
    *fields = testQueryInt(db, "SELECT sqlsof_socket_source() ->> '$.fields'") - before;
    free(testQueryText(db, "SELECT sqlsof_socket_source('auto')"));
    return rows;
}

static void compareSockets(sqlite3 *db, int pid, unsigned long long netns)
{
    long long fields;
    /* The reference first: its dumps make every socket's cookie, which fields then carry. */
    char *want = socketRows(db, "dumps", fieldCols, "", pid, &fields);
    assert_int_equal(fields, 0);
    char *got = socketRows(db, "auto", fieldCols, "", pid, &fields);
    assert_string_equal(got, want);
    assert_true(fields >= 15); /* TCP, UDP and unix of the holder's kinds */
    char *last = testQueryText(db, "SELECT sqlsof_socket_source() ->> '$.last'");
    assert_non_null(last);
    free(last);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds f JOIN sockets s USING(inode)"
                                  " WHERE f.pid = %d AND s.family = 'unix' AND s.netns = %llu",
                                  pid, netns) > 0,
                     1);
    free(want);
    free(got);
}

static void fields_answer_sockets(void **state)
{
    sqlite3 *db = *state;
    compareSockets(db, hostChild.pid, H.netns);
    compareSockets(db, nsChild.pid, N.netns);
}

/* recv_q is sock_diag's alone: the same rows, none of them from fields. */
static void diag_only_column(void **state)
{
    sqlite3 *db = *state;
    long long fields;
    char cols[sizeof fieldCols + 16];
    snprintf(cols, sizeof cols, "%s, s.recv_q", fieldCols);
    char *want = socketRows(db, "dumps", cols, " AND s.state = 'LISTEN'", hostChild.pid, &fields);
    char *got = socketRows(db, "auto", cols, " AND s.state = 'LISTEN'", hostChild.pid, &fields);
    assert_int_equal(fields, 0);
    assert_string_equal(got, want);
    assert_true(strlen(got) > 0);
    free(want);
    free(got);
}

/* Filters pushed into the sockets side hold on rows made from fields as on dumped ones. */
static void pushed_filters_on_fields(void **state)
{
    sqlite3 *db = *state;
    free(testQueryText(db, "SELECT sqlsof_fds_source('bpf')"));
    free(testQueryRows(db, "SELECT count(*) FROM sockets")); /* every socket's cookie made */
    const char *table = "fds f JOIN sockets s USING(inode)";
    int pid = hostChild.pid;
    struct {
        const char *pushed, *plain;
        int rows;
    } cases[] = {
        {"s.state = 'LISTEN'", "(s.state = 'LISTEN') IS TRUE", 4},
        {"s.state IN ('ESTABLISHED', 'IDLE')", "(s.state IN ('ESTABLISHED', 'IDLE')) IS TRUE", -1},
        {"s.family = 'unix'", "(s.family = 'unix') IS TRUE", -1},
        {"s.protocol = 'udp'", "(s.protocol = 'udp') IS TRUE", 4},
        {"s.local_port = %d", "+s.local_port = %d", 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *pushed = sqlite3_mprintf("f.pid = %d AND f.type IN %s AND ", pid, socketTypes);
        char *p = sqlite3_mprintf(cases[i].pushed, H.reusePort);
        char *q = sqlite3_mprintf(cases[i].plain, H.reusePort);
        char *a = sqlite3_mprintf("%s%s", pushed, p), *b = sqlite3_mprintf("%s%s", pushed, q);
        int rows = testSamePushed(db, table, fieldCols, "f.fd", a, b);
        if (cases[i].rows >= 0) assert_int_equal(rows, cases[i].rows);
        assert_true(rows > 0);
        sqlite3_free(pushed), sqlite3_free(p), sqlite3_free(q), sqlite3_free(a), sqlite3_free(b);
    }
    free(testQueryText(db, "SELECT sqlsof_fds_source('auto')"));
}

/* 'auto' reads a pushed process through BPF when it holds many fds, through /proc else. */
static void auto_follows_the_process(void **state)
{
    sqlite3 *db = *state;
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT fd, target FROM fds WHERE pid = %d", manyChild.pid);
    char *last = fdsSourceAfter(db, "auto", sql);
    assert_string_equal(last, "bpf");
    free(last);
    snprintf(sql, sizeof sql, "SELECT fd, target FROM fds WHERE pid = %d", hostChild.pid);
    last = fdsSourceAfter(db, "auto", sql); /* a few dozen fds */
    assert_string_equal(last, "proc");
    free(last);
    snprintf(sql, sizeof sql, "SELECT fd, target FROM fds WHERE pid = %d", manyChild.pid);
    last = fdsSourceAfter(db, "proc", sql);
    assert_string_equal(last, "proc");
    free(last);
    free(testQueryText(db, "SELECT sqlsof_fds_source('auto')"));
}

/*
** The inode map's hits in a busy process come from its records, read once through BPF
** (fd/fds_cache.h): every fds column equals /proc's, with the sockets side outside (a port).
*/
static void map_hits_from_records(void **state)
{
    sqlite3 *db = *state;
    const char *sql = "SELECT s.inode, s.state, f.* FROM sockets s JOIN fds f USING(inode)"
                      " WHERE (s.local_port = %d OR s.remote_port = %d) AND +f.pid = %d"
                      " ORDER BY f.fd";
    free(testQueryText(db, "SELECT sqlsof_fds_source('proc')"));
    char *want = testQueryRows(db, sql, busyPort, busyPort, busyChild.pid);
    free(testQueryText(db, "SELECT sqlsof_fds_source('auto')"));
    char *got = testQueryRows(db, sql, busyPort, busyPort, busyChild.pid);
    assert_string_equal(got, want);
    int rows = 0;
    for (const char *p = got; *p; p++) rows += *p == '\n';
    assert_int_equal(rows, 261); /* the listener, 130 clients, 130 accepted ends */
    char *plan = testExplain(db, sql, busyPort, busyPort, busyChild.pid);
    assert_non_null(strstr(plan, "inode=")); /* fds inside, asked by inode: the map */
    free(plan);
    /* No /proc read per hit: /proc's plan reads each of the 261 again, the records' none. */
    struct syscall_counts viaRecords, viaProc;
    const char *count = "SELECT count(f.mode || f.type || f.pos) FROM sockets s JOIN fds f"
                        " USING(inode) WHERE (s.local_port = %d OR s.remote_port = %d)"
                        " AND +f.pid = %d";
    testSyscallsf(&viaRecords, count, busyPort, busyPort, busyChild.pid);
    setenv("SQLSOF_FDS_SOURCE", "proc", 1);
    testSyscallsf(&viaProc, count, busyPort, busyPort, busyChild.pid);
    unsetenv("SQLSOF_FDS_SOURCE");
    assert_int_equal(viaRecords.value, 261);
    assert_int_equal(viaProc.value, 261);
    assert_int_equal(viaRecords.getxattr, 0);
    assert_true(viaProc.getxattr >= 261);
    assert_true(viaRecords.readlinkat + 261 <= viaProc.readlinkat);
    free(want);
    free(got);
}

/* A whole-host walk of fds joined to sockets reads every socket's fields too (fds_sock on a
 * link for every task): the inner sockets answer from them, with the reference's rows. */
static void host_walk_carries_fields(void **state)
{
    sqlite3 *db = *state;
    char *sql = sqlite3_mprintf(
        "SELECT %s FROM fds f CROSS JOIN sockets s USING(inode) WHERE +f.pid IN (%d, %d)"
        " AND f.type IN %s ORDER BY f.pid, f.fd",
        fieldCols, hostChild.pid, nsChild.pid, socketTypes);
    free(testQueryText(db, "SELECT sqlsof_socket_source('dumps')"));
    char *want = testQueryRows(db, "%s", sql);
    free(testQueryText(db, "SELECT sqlsof_socket_source('auto')"));
    long long before = testQueryInt(db, "SELECT sqlsof_socket_source() ->> '$.fields'");
    char *got = testQueryRows(db, "%s", sql);
    long long fields = testQueryInt(db, "SELECT sqlsof_socket_source() ->> '$.fields'") - before;
    char *last = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_string_equal(last, "bpf");
    assert_string_equal(got, want);
    assert_true(fields >= 30); /* the two holders' TCP, UDP and unix sockets, at least */
    free(last);
    free(want);
    free(got);
    sqlite3_free(sql);
}

/* A port question joined to its holders (lsof -i:PORT): with the fields of a BPF walk, fds is
 * the outer loop and its sockets answer from the fields; with /proc, sockets is, through its dumps. The
 * rows are the reference's (/proc and the dumps) either way. */
static void port_question_walks_holders(void **state)
{
    sqlite3 *db = *state;
    char *sql = sqlite3_mprintf(
        "SELECT f.pid, f.fd, s.state, s.local_port, s.remote_port FROM fds f JOIN sockets s"
        " ON s.inode = f.inode WHERE (s.local_port = %d OR s.remote_port = %d)"
        " ORDER BY 1, 2",
        busyPort, busyPort);
    free(testQueryText(db, "SELECT sqlsof_fds_source('proc')"));
    free(testQueryText(db, "SELECT sqlsof_socket_source('dumps')"));
    char *want = testQueryRows(db, "%s", sql);
    char *plan = testExplain(db, "%s", sql);
    assert_non_null(strstr(plan, "SCAN s VIRTUAL TABLE INDEX 8:local_port="));
    free(plan);
    free(testQueryText(db, "SELECT sqlsof_fds_source('auto')"));
    free(testQueryText(db, "SELECT sqlsof_socket_source('auto')"));
    plan = testExplain(db, "%s", sql);
    assert_true(strstr(plan, "SCAN f VIRTUAL TABLE") < strstr(plan, "SCAN s VIRTUAL TABLE"));
    assert_non_null(strstr(plan, ":inode="));
    long long before = testQueryInt(db, "SELECT sqlsof_socket_source() ->> '$.fields'");
    char *got = testQueryRows(db, "%s", sql);
    assert_true(testQueryInt(db, "SELECT sqlsof_socket_source() ->> '$.fields'") - before >= 261);
    assert_string_equal(got, want);
    int lines = 0;
    for (const char *c = got; *c; c++) lines += *c == '\n';
    assert_true(lines >= 261); /* the listener, 130 connections, their accepted ends */
    free(plan);
    free(want);
    free(got);
    sqlite3_free(sql);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST_WITH_DB(fds_rows_same),
        TEST_WITH_DB(pid_and_inode),
        TEST_WITH_DB(fields_answer_sockets),
        TEST_WITH_DB(diag_only_column),
        TEST_WITH_DB(pushed_filters_on_fields),
        TEST_WITH_DB(auto_follows_the_process),
        TEST_WITH_DB(map_hits_from_records),
        TEST_WITH_DB(host_walk_carries_fields),
        TEST_WITH_DB(port_question_walks_holders),
    };
    return cmocka_run_group_tests_name("socket_fields", tests, startFixtures, stopFixtures);
}
