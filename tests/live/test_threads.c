/* The threads table against a live child whose second thread the test has blocked in read(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <asm/unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "strace.h"
#include "testdb.h"
#include "testmain.h"
#include "sqlsof.h"

#define READER_NAME "sqlsof-reader"

/* What the child reports: the descriptor its reader thread reads, and that thread's id. */
struct reader_report {
    int fd;
    int tid;
};

static volatile int readerTid;

static void *reader(void *arg)
{
    int fd = *(int *)arg;
    char c;
    prctl(PR_SET_NAME, READER_NAME);
    readerTid = (int)syscall(SYS_gettid);
    for (;;) (void)!read(fd, &c, 1); /* the other end never writes */
    return NULL;
}

static int startReader(void *arg)
{
    (void)arg;
    static int pair[2];
    pthread_t t;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return 1;
    if (pthread_create(&t, NULL, reader, &pair[0]) != 0) return 1;
    while (!readerTid) usleep(1000);
    struct reader_report r = {pair[0], readerTid};
    fixtureReport(&r, sizeof r);
    return 0;
}

/* Starts the child and waits (up to 2 s) until its reader sits in read(). */
static void startFixture(sqlite3 *db, struct fixture *fx, struct reader_report *r)
{
    fixtureStartReport(fx, startReader, NULL, r, sizeof *r);
    for (int i = 0; i < 2000; i++) {
        if (testQueryInt(db, "SELECT count(*) FROM threads WHERE tid = %d AND syscall_nr = %d",
                         r->tid, __NR_read) == 1)
            return;
        usleep(1000);
    }
    fail_msg("the reader thread %d never blocked in read()", r->tid);
}

static void reader_columns(void **state)
{
    sqlite3 *db = *state;
    struct fixture fx;
    struct reader_report r;
    startFixture(db, &fx, &r);

    char want[256];
    snprintf(want, sizeof want, "%d|%d|" READER_NAME "|S|read|%d|%d\n", fx.pid, r.tid, __NR_read,
             r.fd);
    char *got = testQueryRows(
        db, "SELECT pid, tid, name, state, syscall, syscall_nr, fd FROM threads WHERE tid = %d",
        r.tid);
    assert_string_equal(got, want);
    free(got);
    /* The raw arguments: the fd first, in the kernel's hex; the count of one byte third. */
    snprintf(want, sizeof want, "0x%x ", r.fd);
    got = testQueryText(db, "SELECT args FROM threads WHERE tid = %d", r.tid);
    assert_non_null(got);
    assert_memory_equal(got, want, strlen(want));
    assert_int_equal(testQueryInt(db,
                                  "SELECT args LIKE '0x%% 0x%% 0x1 %%' FROM threads "
                                  "WHERE tid = %d",
                                  r.tid),
                     1);
    free(got);
    /* A sleeping thread has a wchan, a stack and a program counter. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT wchan IS NOT NULL AND sp <> 0 AND pc <> 0 "
                                  "FROM threads WHERE tid = %d",
                                  r.tid),
                     1);

    /* The main thread: the leader, in pause() (ppoll where the architecture has no pause). */
#ifdef __NR_pause
    const char *paused = "pause";
#else
    const char *paused = "ppoll";
#endif
    got = testQueryText(db, "SELECT syscall FROM threads WHERE pid = %d AND tid = %d", fx.pid,
                        fx.pid);
    assert_string_equal(got, paused);
    free(got);
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) FROM threads WHERE pid = %d AND fd IS NULL", fx.pid), 1);

    /* The fd joins the process's descriptor: the reader's end of the socket pair. */
    got = testQueryText(db,
                        "SELECT f.type FROM threads t JOIN fds f ON f.pid = t.pid AND f.fd = t.fd "
                        "WHERE t.pid = %d",
                        fx.pid);
    assert_string_equal(got, "unix");
    free(got);
    /* This thread reads its own syscall file: read(), on the file's fd. */
    assert_int_equal(testQueryInt(db, "SELECT syscall_nr FROM threads WHERE tid = %ld",
                                  (long)syscall(SYS_gettid)),
                     __NR_read);

    fixtureStop(&fx);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM threads WHERE pid = %d", fx.pid), 0);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM threads WHERE tid = %d", r.tid), 0);
}

/*
** Pushdown never changes the answer: `col = v` against `(col = v) IS TRUE`, which SQLite
** evaluates itself, for pid, tid and arg_pid, with values of every type; a thread's id as pid
** names no process.
*/
static void pushdown_equivalence(void **state)
{
    sqlite3 *db = *state;
    struct fixture fx;
    struct reader_report r;
    startFixture(db, &fx, &r);
    const char *cols = "pid, tid, name, syscall, fd";
    const char *forms[] = {"%d", "'%d'", "%d.0", "' %d '", "'%dx'", "%d.5", "x'31'", "NULL"};
    int ids[] = {fx.pid, r.tid, -1, 0};
    const char *columns[] = {"pid", "tid"};
    for (size_t c = 0; c < 2; c++)
        for (size_t f = 0; f < sizeof forms / sizeof *forms; f++)
            for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
                char *v = sqlite3_mprintf(forms[f], ids[i]);
                char *pushed = testQueryRows(
                    db, "SELECT %s FROM threads WHERE %s = %s ORDER BY tid", cols, columns[c], v);
                char *plain =
                    testQueryRows(db, "SELECT %s FROM threads WHERE (%s = %s) IS TRUE ORDER BY tid",
                                  cols, columns[c], v);
                assert_string_equal(pushed, plain);
                free(pushed);
                free(plain);
                sqlite3_free(v);
            }
    /* Lists, both columns at once, the table-valued form, and the +col references. */
    const char *pairs[][2] = {
        {"pid IN (%d, %d, -5)", "+pid IN (%d, %d, -5)"},
        {"tid IN (%d, %d, -5)", "+tid IN (%d, %d, -5)"},
        {"pid = %d AND tid = %d", "+pid = %d AND +tid = %d"},
        {"tid = %d AND pid = %d", "+tid = %d AND +pid = %d"},
        {"pid IN (%d) AND tid IN (%d, 1)", "+pid IN (%d) AND +tid IN (%d, 1)"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        for (int swap = 0; swap < 2; swap++) {
            int a = swap ? r.tid : fx.pid, b = swap ? fx.pid : r.tid;
            char *wp = sqlite3_mprintf(pairs[i][0], a, b), *wr = sqlite3_mprintf(pairs[i][1], a, b);
            char *pushed =
                testQueryRows(db, "SELECT %s FROM threads WHERE %s ORDER BY tid", cols, wp);
            char *plain =
                testQueryRows(db, "SELECT %s FROM threads WHERE %s ORDER BY tid", cols, wr);
            assert_string_equal(pushed, plain);
            free(pushed);
            free(plain);
            sqlite3_free(wp);
            sqlite3_free(wr);
        }
    }
    char *fn = testQueryRows(db, "SELECT %s FROM threads(%d) ORDER BY tid", cols, fx.pid);
    char *plain =
        testQueryRows(db, "SELECT %s FROM threads WHERE +pid = %d ORDER BY tid", cols, fx.pid);
    assert_string_equal(fn, plain);
    assert_non_null(strstr(fn, READER_NAME));
    free(fn);
    free(plain);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM threads(%d)", r.tid), 0);
    fixtureStop(&fx);
}

/* As another user: every thread is listed, its name read, the ptrace-only syscall columns NULL. */
static void unprivileged_sees_null(void **state)
{
    sqlite3 *db = *state;
    struct fixture fx;
    struct reader_report r;
    startFixture(db, &fx, &r);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *child = NULL;
        sqlite3_stmt *stmt = NULL;
        char *sql = sqlite3_mprintf("SELECT count(*), count(name), count(syscall), count(fd),"
                                    " count(args) FROM threads WHERE pid = %d",
                                    fx.pid);
        int ok = setgid(65534) == 0 && setuid(65534) == 0 &&
                 sqlite3_open(":memory:", &child) == SQLITE_OK && sqlsof_register(child) == 0 &&
                 sqlite3_prepare_v2(child, sql, -1, &stmt, NULL) == SQLITE_OK &&
                 sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 2 &&
                 sqlite3_column_int(stmt, 1) == 2 && sqlite3_column_int(stmt, 2) == 0 &&
                 sqlite3_column_int(stmt, 3) == 0 && sqlite3_column_int(stmt, 4) == 0;
        _exit(ok ? 0 : 1);
    }
    fixtureWaitOk(pid);
    fixtureStop(&fx);
}

static void plans(void **state)
{
    sqlite3 *db = *state;
    const struct test_plan want[] = {
        {"SELECT * FROM threads WHERE pid = 1", "pid="},
        {"SELECT * FROM threads WHERE pid IN (1, 2)", "pid IN"},
        {"SELECT * FROM threads WHERE tid = 1", "tid="},
        {"SELECT * FROM threads WHERE tid IN (1, 2)", "tid IN"},
        {"SELECT * FROM threads WHERE pid = 1 AND tid = 1", "pid= tid="},
        {"SELECT * FROM threads(1)", "arg_pid="},
    };
    testExpectPlans(db, want, sizeof want / sizeof *want);
    testExpectUnpushed(db, "SELECT * FROM threads WHERE +pid = 1", "pid=");
    testExpectUnpushed(db, "SELECT * FROM threads WHERE +tid = 1", "tid=");
}

/* The threads of one process cost its task directory (and its status, to check it is a
 * process); no column file is read for tid alone, for any thread of the host. */
static void lazy_columns(void **state)
{
    (void)state;
    struct syscall_counts base, one, all;
    testSyscalls("SELECT 1", &base);
    testSyscallsf(&one, "SELECT count(tid) FROM threads WHERE pid = %d", getpid());
    testSyscalls("SELECT count(tid) FROM threads", &all);
    assert_true(one.value >= 1);
    assert_true(one.openat - base.openat <= 3);
    assert_true(one.getdents64 - base.getdents64 <= 2);
    assert_int_equal(one.readlinkat, base.readlinkat);
    /* A whole scan: /proc and each process's task directory, never a thread's files. */
    assert_true(all.value > 5);
    assert_true(all.openat - base.openat <= all.value + 2);
    assert_int_equal(all.readlinkat, base.readlinkat);
}

TEST_MAIN("threads", NULL, NULL,
          {
              TEST_WITH_DB(reader_columns),
              TEST_WITH_DB(pushdown_equivalence),
              TEST_WITH_DB(unprivileged_sees_null),
              TEST_WITH_DB(plans),
              cmocka_unit_test(lazy_columns),
          })
