/*
** The fds table against a live child that opens one descriptor of every kind the table tells
** apart (fds_fixture.h): every column of each from every plan, pushdown equivalence and the
** plans, and a process that exits mid-scan. What each column costs in syscalls: test_fds_costs.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "fds_fixture.h"
#include "fixture.h"
#include "sqlsof.h"
#include "testdb.h"
#include "testmain.h"

static char *devText(unsigned long long dev)
{
    return sqlite3_mprintf("%u,%u", major(dev), minor(dev));
}

/* The expected row of `SELECT * FROM fds`, as testQueryRows prints it. */
static char *expectedRow(int pid, int i, const struct obj *o)
{
    static const char *const types[OBJ_COUNT] = {
        [OBJ_REG] = "REG",     [OBJ_GONE] = "REG",        [OBJ_DIR] = "DIR",
        [OBJ_NULL] = "CHR",    [OBJ_PIPE_R] = "FIFO",     [OBJ_PIPE_W] = "FIFO",
        [OBJ_UNIX_A] = "unix", [OBJ_UNIX_B] = "unix",     [OBJ_TCP] = "IPv4",
        [OBJ_UDP] = "IPv4",    [OBJ_EVENTFD] = "a_inode", [OBJ_EPOLL] = "a_inode",
        [OBJ_LOCKED] = "REG",  [OBJ_PARTIAL] = "REG",     [OBJ_NAMED_DELETED] = "REG",
    };
    static const char modes[OBJ_COUNT] = {
        [OBJ_REG] = 'u',    [OBJ_GONE] = 'r',    [OBJ_DIR] = 'r',           [OBJ_NULL] = 'w',
        [OBJ_PIPE_R] = 'r', [OBJ_PIPE_W] = 'w',  [OBJ_UNIX_A] = 'u',        [OBJ_UNIX_B] = 'u',
        [OBJ_TCP] = 'u',    [OBJ_UDP] = 'u',     [OBJ_EVENTFD] = 'u',       [OBJ_EPOLL] = 'u',
        [OBJ_LOCKED] = 'u', [OBJ_PARTIAL] = 'r', [OBJ_NAMED_DELETED] = 'r',
    };
    const char *lock = i == OBJ_LOCKED ? "W" : i == OBJ_PARTIAL ? "r" : "NULL";
    const struct obj *x = &o[i];
    char *target, *path, *dev, *size;
    int isFile = fdsPaths[i][0] != 0;
    if (isFile) {
        /* Files: everything from the stat made before the child opened them. */
        const struct stat *st = &fdsBefore[i];
        target = sqlite3_mprintf(i == OBJ_GONE ? "%s (deleted)" : "%s", fdsPaths[i]);
        path = sqlite3_mprintf("%s", fdsPaths[i]);
        dev = devText(i == OBJ_NULL ? st->st_rdev : st->st_dev);
        size = i == OBJ_NULL ? sqlite3_mprintf("NULL")
                             : sqlite3_mprintf("%lld", (long long)st->st_size);
        assert_int_equal(st->st_ino, x->ino); /* the child opened what was stat'ed */
    } else {
        const char *fmt = S_ISSOCK(x->mode)   ? "socket:[%llu]"
                          : S_ISFIFO(x->mode) ? "pipe:[%llu]"
                          : i == OBJ_EVENTFD  ? "anon_inode:[eventfd]"
                                              : "anon_inode:[eventpoll]";
        target = sqlite3_mprintf(fmt, x->ino);
        path = sqlite3_mprintf("NULL");
        dev = devText(x->dev);
        size = sqlite3_mprintf("NULL");
    }
    char *row = sqlite3_mprintf("%d|%d|%s|%c|%s|%s|%d|%llu|%s|%s|%lld|%d|%d|%s\n", pid, x->fd,
                                types[i], modes[i], target, path, i == OBJ_GONE, x->ino, dev, size,
                                i == OBJ_REG ? 7LL : 0LL, x->flags, x->mntId, lock);
    sqlite3_free(target);
    sqlite3_free(path);
    sqlite3_free(dev);
    sqlite3_free(size);
    return row;
}

static void every_column_of_every_kind(void **state)
{
    struct fixture fx;
    const struct obj *o = fdsChildStart(&fx);
    sqlite3 *db = *state;
    for (int i = 0; i < OBJ_COUNT; i++) {
        char *want = expectedRow(fx.pid, i, o);
        char *got =
            testQueryRows(db, "SELECT * FROM fds WHERE pid = %d AND fd = %d", fx.pid, o[i].fd);
        assert_string_equal(got, want);
        /* The same row from a full walk, from fds(PID), and from the inode map. */
        char *walked =
            testQueryRows(db, "SELECT * FROM fds WHERE +pid = %d AND +fd = %d", fx.pid, o[i].fd);
        assert_string_equal(walked, want);
        char *tvf = testQueryRows(db, "SELECT * FROM fds(%d) WHERE +fd = %d", fx.pid, o[i].fd);
        assert_string_equal(tvf, want);
        char *mapped =
            testQueryRows(db, "SELECT * FROM fds WHERE inode = %llu AND +pid = %d AND +fd = %d",
                          o[i].ino, fx.pid, o[i].fd);
        assert_string_equal(mapped, want);
        sqlite3_free(want);
        free(got);
        free(walked);
        free(tvf);
        free(mapped);
    }
    /* Every fd of the child, no more: what its fd directory lists. */
    long n = fixtureCountFds(fx.pid);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d", fx.pid), n);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE +pid = %d", fx.pid), n);
    fixtureStop(&fx);
}

/*
** Each pushed form against the filter SQLite applies itself (see test_processes.c): the WHERE
** clauses PUSHED and PLAIN write from the same arguments, as printf does; VALUE names the case.
*/
static void compare(sqlite3 *db, const char *cols, const char *value, const char *pushed,
                    const char *plain, ...)
{
    va_list ap, again;
    va_start(ap, plain);
    va_copy(again, ap);
    char *w = sqlite3_vmprintf(pushed, ap);
    char *p = sqlite3_vmprintf(plain, again);
    va_end(again);
    va_end(ap);
    (void)value; /* the failure shows both WHERE clauses, which hold it */
    testSamePushed(db, "fds", cols, "pid, fd", w, p);
    sqlite3_free(w);
    sqlite3_free(p);
}

static void pushdown_equivalence(void **state)
{
    struct fixture fx;
    const struct obj *o = fdsChildStart(&fx);
    sqlite3 *db = *state;
    const char *cols = "pid, fd, type, target, inode, lock";
    int pid = fx.pid, fd = o[OBJ_TCP].fd;
    unsigned long long ino = o[OBJ_PIPE_R].ino;
    const char *shapes[] = {"%lld", "'%lld'", "%lld.0", "' %lld '", "'%lldx'",    "%lld.5",
                            "NULL", "x'31'",  "-1",     "0",        "99999999999"};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        char *vPid = sqlite3_mprintf(shapes[s], (long long)pid);
        char *vFd = sqlite3_mprintf(shapes[s], (long long)fd);
        char *vIno = sqlite3_mprintf(shapes[s], (long long)ino);
        compare(db, cols, vPid, "pid = %s", "(pid = %s) IS TRUE", vPid);
        compare(db, cols, vFd, "pid = %d AND fd = %s", "+pid = %d AND (fd = %s) IS TRUE", pid, vFd);
        /* fd alone: all pids */
        compare(db, cols, vFd, "fd = %s AND +pid = %d", "(fd = %s) IS TRUE AND +pid = %d", vFd,
                pid);
        compare(db, cols, vIno, "inode = %s", "(inode = %s) IS TRUE", vIno);
        compare(db, cols, vIno, "pid = %d AND inode = %s", "+pid = %d AND (inode = %s) IS TRUE",
                pid, vIno);
        sqlite3_free(vPid);
        sqlite3_free(vFd);
        sqlite3_free(vIno);
    }
    /* IN lists, with duplicates and junk, and integers against their +col forms. */
    compare(db, cols, "IN", "pid IN (%d, '%d', 'junk', NULL, 1)",
            "(pid IN (%d, '%d', 'junk', NULL, 1)) IS TRUE", pid, pid);
    compare(db, cols, "IN", "pid = %d AND fd IN (%d, %d, '%d', 9999)",
            "+pid = %d AND +fd IN (%d, %d, %d, 9999)", pid, fd, o[OBJ_DIR].fd, fd);
    compare(db, cols, "IN", "inode IN (%llu, %llu, '%llu', 0)", "+inode IN (%llu, %llu, %llu, 0)",
            ino, o[OBJ_REG].ino, o[OBJ_UDP].ino);
    compare(db, cols, "+inode", "inode = %llu", "+inode = %llu", ino);
    /* fds(X) and pid = Y both hold: the intersection. */
    long all = (long)testQueryInt(db, "SELECT count(*) FROM fds WHERE +pid = %d", pid);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds(%d) WHERE pid = %d", pid, getpid()),
                     0);
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) FROM fds(%d) WHERE pid IN (%d, %d)", pid, pid, getpid()),
        all);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds('%d')", pid), all);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds('%dx')", pid), 0);

    /* ORDER BY pid, fd is consumed: /proc/PID/fd lists fds in numeric order (10 after 9). */
    char *ordered =
        testQueryRows(db, "SELECT pid, fd FROM fds WHERE pid = %d ORDER BY pid, fd", pid);
    char *sorted =
        testQueryRows(db, "SELECT pid, fd FROM fds WHERE pid = %d ORDER BY pid + 0, fd + 0", pid);
    assert_string_equal(ordered, sorted);
    free(ordered);
    free(sorted);
    char *order = testExplain(db, "SELECT pid, fd FROM fds ORDER BY pid, fd");
    assert_null(strstr(order, "ORDER BY"));
    free(order);
    char *rows = testQueryRows(db, "SELECT fd FROM fds WHERE inode = %llu ORDER BY fd", ino);
    char *want = sqlite3_mprintf("%d\n%d\n", o[OBJ_PIPE_R].fd, o[OBJ_PIPE_W].fd);
    assert_string_equal(rows, want); /* only the child has this pipe */
    free(rows);
    sqlite3_free(want);

    /* EXPLAIN QUERY PLAN shows each pushdown, and its absence. */
    static const struct test_plan plans[] = {
        {"SELECT * FROM fds WHERE pid = 1", "pid="},
        {"SELECT * FROM fds WHERE pid IN (1, 2)", "pid IN"},
        {"SELECT * FROM fds WHERE pid = 1 AND fd = 2", "pid= fd="},
        {"SELECT * FROM fds WHERE pid = 1 AND fd IN (1, 2)", "pid= fd IN"},
        {"SELECT * FROM fds WHERE fd = 2", "fd="},
        {"SELECT * FROM fds WHERE inode = 5", "inode="},
        {"SELECT * FROM fds WHERE inode IN (5, 6)", "inode IN"},
        {"SELECT * FROM fds(1)", "arg_pid="},
    };
    testExpectPlans(db, plans, sizeof plans / sizeof *plans);
    testExpectUnpushed(db, "SELECT * FROM fds WHERE +pid = 1 AND +fd = 2 AND +inode = 3", "=");
    /* A point lookup is the inner side of a join on (pid, fd). */
    sqlite3_exec(db, "CREATE TEMP TABLE want(pid INTEGER, fd INTEGER)", NULL, NULL, NULL);
    char *plan =
        testExplain(db, "SELECT * FROM want w JOIN fds f ON f.pid = w.pid AND f.fd = w.fd");
    if (!strstr(plan, "SCAN w") || !strstr(plan, "pid= fd=")) fail_msg("plan: %s", plan);
    free(plan);
    fixtureStop(&fx);
}

/* A process that exits while a statement is stepping is skipped, with no error. */
static void process_gone_mid_scan(void **state)
{
    sqlite3 *db = *state;
    const char *forms[] = {"SELECT pid, fd, target, inode FROM fds WHERE pid IN (%d, %d)",
                           "SELECT pid, fd, target, inode FROM fds WHERE +pid IN (%d, %d)"};
    for (int f = 0; f < 2; f++) {
        struct fixture a, b;
        fdsChildStart(&a);
        fdsChildStart(&b);
        struct fixture *first = a.pid < b.pid ? &a : &b, *later = first == &a ? &b : &a;
        int laterPid = later->pid;
        char *sql = sqlite3_mprintf(forms[f], first->pid, laterPid);
        sqlite3_stmt *stmt;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(stmt, 0), first->pid);
        fixtureStop(later); /* gone (reaped) before the scan reaches it */
        int rc, rowsOfGone = 0, rowsOfFirst = 1;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            rowsOfGone += sqlite3_column_int(stmt, 0) == laterPid;
            rowsOfFirst += sqlite3_column_int(stmt, 0) == first->pid;
        }
        assert_int_equal(rc, SQLITE_DONE);
        assert_int_equal(rowsOfGone, 0);
        assert_true(rowsOfFirst >= OBJ_COUNT);
        sqlite3_finalize(stmt);
        sqlite3_free(sql);
        /* And between statements: gone from every plan. */
        assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d", laterPid), 0);
        assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE +pid = %d", laterPid), 0);
        assert_int_equal(
            testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d AND fd = 3", laterPid), 0);
        fixtureStop(first);
    }
}

TEST_MAIN("fds", fdsFilesMake, fdsFilesRemove,
          {
              TEST_WITH_DB(every_column_of_every_kind),
              TEST_WITH_DB(pushdown_equivalence),
              TEST_WITH_DB(process_gone_mid_scan),
          })
