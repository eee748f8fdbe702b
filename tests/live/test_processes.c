/* The processes table against live children whose name, argv and nice value the test chose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "strace.h"
#include "testdb.h"

#define CHILD_NAME "sqlsof a) (b"

static char ownCmdline[4096];

static int nameAndNice(void *arg)
{
    (void)arg;
    prctl(PR_SET_NAME, CHILD_NAME);
    return setpriority(PRIO_PROCESS, 0, 7);
}

/* The soft fd limit the child runs with: its own, below the hard limit this test inherits. */
#define CHILD_FD_LIMIT 123

static int lowFdLimit(void *arg)
{
    (void)arg;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1;
    rl.rlim_cur = CHILD_FD_LIMIT;
    return setrlimit(RLIMIT_NOFILE, &rl);
}

static long long nsInode(const char *ns)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/self/ns/%s", ns);
    assert_int_equal(stat(path, &st), 0);
    return (long long)st.st_ino;
}

static void child_columns(void **state)
{
    struct fixture fx;
    fixtureStart(&fx, nameAndNice, NULL);
    sqlite3 *db = *state;
    int pid = fx.pid;

    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM processes WHERE pid = %d", pid), 1);
    assert_int_equal(testQueryInt(db, "SELECT ppid FROM processes WHERE pid = %d", pid), getpid());
    assert_int_equal(testQueryInt(db, "SELECT pgid FROM processes(%d)", pid), getpgid(0));
    assert_int_equal(testQueryInt(db, "SELECT sid FROM processes(%d)", pid), getsid(0));

    char *text = testQueryText(db, "SELECT name FROM processes WHERE pid = %d", pid);
    assert_string_equal(text, CHILD_NAME);
    free(text);
    /* The child's command line and executable as the kernel shows them. Under valgrind they
     * are valgrind's own (valgrind fakes only /proc/self for the program it runs), ending with
     * our argv. */
    char kernelCmdline[4096], exe[4096] = {0}, cwd[4096], path[64];
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(kernelCmdline, 1, sizeof kernelCmdline - 1, f);
    fclose(f);
    while (n > 0 && kernelCmdline[n - 1] == '\0') n--;
    for (size_t i = 0; i < n; i++)
        if (kernelCmdline[i] == '\0') kernelCmdline[i] = ' ';
    kernelCmdline[n] = '\0';
    size_t argvLen = strlen(ownCmdline);
    assert_true(n >= argvLen && strcmp(kernelCmdline + n - argvLen, ownCmdline) == 0);
    text = testQueryText(db, "SELECT cmdline FROM processes WHERE pid = %d", pid);
    assert_string_equal(text, kernelCmdline);
    free(text);

    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    assert_true(readlink(path, exe, sizeof exe - 1) > 0);
    assert_non_null(getcwd(cwd, sizeof cwd));
    text = testQueryText(db, "SELECT exe FROM processes WHERE pid = %d", pid);
    assert_string_equal(text, exe);
    free(text);
    text = testQueryText(db, "SELECT cwd FROM processes WHERE pid = %d", pid);
    assert_string_equal(text, cwd);
    free(text);
    text = testQueryText(db, "SELECT root FROM processes WHERE pid = %d", pid);
    assert_string_equal(text, "/");
    free(text);
    text = testQueryText(db, "SELECT state FROM processes WHERE pid = %d", pid);
    assert_string_equal(text, "S");
    free(text);

    assert_int_equal(testQueryInt(db, "SELECT uid FROM processes(%d)", pid), getuid());
    assert_int_equal(testQueryInt(db, "SELECT euid FROM processes(%d)", pid), geteuid());
    assert_int_equal(testQueryInt(db, "SELECT gid FROM processes(%d)", pid), getgid());
    assert_int_equal(testQueryInt(db, "SELECT egid FROM processes(%d)", pid), getegid());
    text = testQueryText(db, "SELECT user FROM processes(%d)", pid);
    assert_string_equal(text, getpwuid(getuid())->pw_name);
    free(text);

    assert_int_equal(testQueryInt(db, "SELECT threads FROM processes(%d)", pid), 1);
    assert_int_equal(testQueryInt(db, "SELECT nice FROM processes(%d)", pid), 7);
    /* Started within the last minute, by the wall clock. */
    assert_int_equal(testQueryInt(db, "SELECT abs(start_time - %lld) < 60 FROM processes(%d)",
                                  (long long)time(NULL), pid),
                     1);
    assert_int_equal(
        testQueryInt(db, "SELECT utime >= 0 AND stime >= 0 AND utime < 60 FROM processes(%d)", pid),
        1);
    /* The child is a fork of this process: its sizes are this process's, to the page. */
    assert_int_equal(testQueryInt(db, "SELECT rss > 0 AND rss %% %ld = 0 FROM processes(%d)",
                                  sysconf(_SC_PAGESIZE), pid),
                     1);
    assert_int_equal(testQueryInt(db, "SELECT vsize >= rss FROM processes(%d)", pid), 1);

    assert_int_equal(testQueryInt(db, "SELECT netns FROM processes(%d)", pid), nsInode("net"));
    assert_int_equal(testQueryInt(db, "SELECT pidns FROM processes(%d)", pid), nsInode("pid"));
    assert_int_equal(testQueryInt(db, "SELECT mntns FROM processes(%d)", pid), nsInode("mnt"));
    text = testQueryText(db, "SELECT cgroup FROM processes(%d)", pid);
    char *own = testQueryText(db, "SELECT cgroup FROM processes(%d)", getpid());
    assert_non_null(text);
    assert_string_equal(text, own);
    assert_true(text[0] == '/');
    free(text);
    free(own);

    fixtureStop(&fx);
    /* Reaped: gone, with and without pushdown. */
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM processes WHERE pid = %d", pid), 0);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM processes WHERE +pid = %d", pid), 0);
}

/* fd_limit is the soft RLIMIT_NOFILE of each process, from /proc/PID/limits. */
static void fd_limit_column(void **state)
{
    struct fixture fx;
    fixtureStart(&fx, lowFdLimit, NULL);
    sqlite3 *db = *state;
    struct rlimit own;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &own), 0);
    assert_int_equal(testQueryInt(db, "SELECT fd_limit FROM processes(%d)", fx.pid),
                     CHILD_FD_LIMIT);
    assert_int_equal(testQueryInt(db, "SELECT fd_limit FROM processes(%d)", getpid()),
                     (long long)own.rlim_cur);
    /* Pushed and unpushed, the same value. */
    assert_int_equal(testQueryInt(db, "SELECT fd_limit FROM processes WHERE +pid = %d", fx.pid),
                     CHILD_FD_LIMIT);
    fixtureStop(&fx);
}

static void kernel_thread_has_no_cmdline(void **state)
{
    sqlite3 *db = *state;
    /* kthreadd is pid 2 wherever the kernel is in charge of pid 1's namespace. */
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM processes WHERE pid = 2 AND "
                                      "name = 'kthreadd' AND cmdline IS NULL"),
                     1);
}

/*
** Pushdown never changes the answer. Each pushed form is compared with the same filter that
** SQLite evaluates itself: `+pid` for integers; `(pid = v) IS TRUE` for values of other types,
** because unary + also drops the column's affinity ('5' = +pid is false, '5' = pid is true).
*/
static void pid_pushdown_equivalence(void **state)
{
    struct fixture fx;
    fixtureStart(&fx, nameAndNice, NULL);
    sqlite3 *db = *state;
    int me = getpid(), pid = fx.pid;
    const char *cols = "pid, ppid, name, state, uid, cmdline";
    char *values[] = {
        sqlite3_mprintf("%d", pid),     sqlite3_mprintf("'%d'", pid),
        sqlite3_mprintf("%d.0", pid),   sqlite3_mprintf("' %d '", pid),
        sqlite3_mprintf("'%dx'", pid),  sqlite3_mprintf("%d.5", pid),
        sqlite3_mprintf("NULL"),        sqlite3_mprintf("x'31'"),
        sqlite3_mprintf("-1"),          sqlite3_mprintf("0"),
        sqlite3_mprintf("99999999999"),
    };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        char *pushed =
            testQueryRows(db, "SELECT %s FROM processes WHERE pid = %s", cols, values[i]);
        char *plain =
            testQueryRows(db, "SELECT %s FROM processes WHERE (pid = %s) IS TRUE", cols, values[i]);
        assert_string_equal(pushed, plain);
        free(pushed);
        free(plain);
        sqlite3_free(values[i]);
    }
    const char *lists[] = {"(%d, %d, 1)", "(%d, '%d', 'junk', NULL)", "(%d, %d, %d, %d)"};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        char *list = sqlite3_mprintf(lists[i], pid, me, pid, me);
        char *pushed =
            testQueryRows(db, "SELECT %s FROM processes WHERE pid IN %s ORDER BY pid", cols, list);
        char *plain = testQueryRows(
            db, "SELECT %s FROM processes WHERE (pid IN %s) IS TRUE ORDER BY pid", cols, list);
        assert_string_equal(pushed, plain);
        assert_non_null(strstr(pushed, CHILD_NAME));
        free(pushed);
        free(plain);
        sqlite3_free(list);
    }
    char *pushed =
        testQueryRows(db, "SELECT %s FROM processes WHERE pid IN (%d, %d)", cols, pid, me);
    char *unpushed =
        testQueryRows(db, "SELECT %s FROM processes WHERE +pid IN (%d, %d)", cols, pid, me);
    assert_string_equal(pushed, unpushed);
    free(pushed);
    free(unpushed);
    pushed = testQueryRows(db, "SELECT %s FROM processes WHERE pid = %d", cols, pid);
    unpushed = testQueryRows(db, "SELECT %s FROM processes WHERE +pid = %d", cols, pid);
    assert_string_equal(pushed, unpushed);
    assert_non_null(strstr(pushed, CHILD_NAME));
    free(pushed);
    free(unpushed);

    /* The table-valued form is the same filter. */
    char *tvf = testQueryRows(db, "SELECT %s FROM processes(%d)", cols, pid);
    char *plain = testQueryRows(db, "SELECT %s FROM processes WHERE +pid = %d", cols, pid);
    assert_string_equal(tvf, plain);
    free(tvf);
    free(plain);

    /* EXPLAIN QUERY PLAN shows the pushdown, and its absence. */
    static const struct test_plan plans[] = {
        {"SELECT * FROM processes WHERE pid = 1", "pid="},
        {"SELECT * FROM processes WHERE pid IN (1, 2)", "pid IN"},
        {"SELECT * FROM processes(1)", "arg_pid="},
    };
    testExpectPlans(db, plans, sizeof plans / sizeof *plans);
    testExpectUnpushed(db, "SELECT * FROM processes WHERE +pid = 1", "pid=");

    fixtureStop(&fx);
}

/* /proc/TID opens for a thread too; a pushed pid must still list leaders only. */
static void thread_id_is_not_a_process(void **state)
{
    long tid = fixtureStartThread();
    sqlite3 *db = *state;
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM processes WHERE pid = %ld", tid), 0);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM processes WHERE +pid = %ld", tid), 0);
    assert_int_equal(testQueryInt(db, "SELECT threads FROM processes(%d)", getpid()), 2);
    fixtureStopThread();
}

/* SELECT pid reads no per-process file; each used column adds only its own file. */
static void lazy_columns(void **state)
{
    (void)state;
    struct syscall_counts base, ids, names, cwds, limits;
    /* Each statement prints how many processes it listed: the host's count changes between runs
     * (other work starts and ends processes), so each run is measured against its own rows. A
     * process that ends mid-scan costs what was tried and gives no row: SLACK allows for those. */
    testSyscalls("SELECT 1", &base);
    testSyscalls("SELECT count(pid) FROM processes", &ids);
    testSyscalls("SELECT count(name IS NULL) FROM processes", &names);
    testSyscalls("SELECT count(cwd IS NULL) FROM processes", &cwds);
    testSyscalls("SELECT count(fd_limit IS NULL) FROM processes", &limits);
#define SLACK(n) ((n) / 10 + 10)
    assert_true(names.value > 5 && cwds.value > 5 && limits.value > 5);

    /* /proc itself and its listing; nothing per process. */
    assert_true(ids.openat - base.openat <= 2);
    assert_int_equal(ids.readlinkat, base.readlinkat);
    /* name: /proc/PID and its stat, for each process. */
    assert_in_range(names.openat - base.openat, 2 * names.value,
                    2 * names.value + 2 + 2 * SLACK(names.value));
    assert_int_equal(names.readlinkat, base.readlinkat);
    /* cwd: a readlink each, and the /proc/PID directory. */
    assert_in_range(cwds.readlinkat - base.readlinkat, cwds.value, cwds.value + SLACK(cwds.value));
    assert_true(cwds.openat - base.openat <= cwds.value + SLACK(cwds.value) + 2);
    /* fd_limit: /proc/PID and its limits, for each process; nothing else. */
    assert_in_range(limits.openat - base.openat, 2 * limits.value,
                    2 * limits.value + 2 + 2 * SLACK(limits.value));
    assert_int_equal(limits.readlinkat, base.readlinkat);
#undef SLACK
}

/*
** The inner side of a join on pid is asked for the same process once per outer row: it is
** read once per statement, and the rows are those of the unpushed join.
*/
static void join_reads_each_pid_once(void **state)
{
    struct fixture fx;
    fixtureStart(&fx, nameAndNice, NULL);
    sqlite3 *db = *state;
    /* 200 outer rows, all naming the child; then the child's ppid (this process) too. */
    const char *outer = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                        "WHERE i < 200) SELECT %d AS pid FROM n UNION ALL SELECT %d";
    const char *select = "SELECT p.pid, p.name, p.uid, p.ppid FROM (%z) o JOIN processes p ON "
                         "%sp.pid = o.pid ORDER BY 1";
    char *pushed = sqlite3_mprintf(select, sqlite3_mprintf(outer, fx.pid, getpid()), "");
    char *unpushed = sqlite3_mprintf(select, sqlite3_mprintf(outer, fx.pid, getpid()), "+");
    char *a = testQueryRows(db, "%s", pushed), *b = testQueryRows(db, "%s", unpushed);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, CHILD_NAME));
    char *plan = testExplain(db, "%s", pushed);
    assert_non_null(strstr(plan, "pid="));
    struct syscall_counts base, join;
    testSyscalls("SELECT 1", &base);
    testSyscalls(pushed, &join);
    /* Two processes: /proc/PID, status and stat of each, not of each of the 201 rows. */
    assert_true(join.openat - base.openat <= 2 * 3 + 2);
    free(plan);
    free(a);
    free(b);
    sqlite3_free(pushed);
    sqlite3_free(unpushed);
    fixtureStop(&fx);
}

int main(int argc, char **argv)
{
    /* The children are forks of this program: their cmdline is ours. */
    for (int i = 0; i < argc; i++) {
        if (i) strcat(ownCmdline, " ");
        strncat(ownCmdline, argv[i], sizeof ownCmdline - strlen(ownCmdline) - 2);
    }
    const struct CMUnitTest tests[] = {
        TEST_WITH_DB(child_columns),
        TEST_WITH_DB(fd_limit_column),
        TEST_WITH_DB(kernel_thread_has_no_cmdline),
        TEST_WITH_DB(pid_pushdown_equivalence),
        TEST_WITH_DB(thread_id_is_not_a_process),
        cmocka_unit_test(lazy_columns),
        TEST_WITH_DB(join_reads_each_pid_once),
    };
    return cmocka_run_group_tests_name("processes", tests, NULL, NULL);
}
