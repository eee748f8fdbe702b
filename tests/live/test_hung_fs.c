/*
** A hung file system does not hang a question about something else: a process works in a
** directory of a FUSE mount whose server reads GETATTR and never answers
** (tests/lib/fuse_fixture.h), and holds a file there, a local file and a POSIX message queue.
** `SELECT * FROM fds` of that process (both sources), a whole-host walk that reads a stat
** column, file_stat of its cwd, `sqlsof -p PID` and `sqlsof --prom` all finish within a bound;
** the stuck file's row is there with its stat columns NULL, the local file's and the queue's
** with their values (the queue's mount is one no mountinfo lists, so it too is asked through
** the guard, and answers).
** The commands run under `timeout -s KILL`, so a regression fails rather than hangs the suite.
** At the end the server dies, the connection aborts, and the helpers left stuck exit.
*/
#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "command.h"
#include "fixture.h"
#include "fuse_fixture.h"
#include "testdb.h"
#include "testmain.h"

#define HOLDER_FUSE_FD  40 /* the file on the FUSE mount */
#define HOLDER_LOCAL_FD 41 /* a file of /tmp, of LOCAL_SIZE bytes */
#define HOLDER_QUEUE_FD 42 /* a POSIX message queue */
#define LOCAL_SIZE      1234
#define BOUND_MS        4000 /* what any one question may take, with the 500 ms default */

static struct fuse_fixture fuse;
static struct fixture holder;
static char localPath[64];
static struct stat localSt;

static int holdFiles(void *arg)
{
    (void)arg;
    char name[32];
    snprintf(name, sizeof name, "/sqlsof-hung-%d", getpid());
    int a = open(fuse.file, O_RDONLY), b = open(localPath, O_RDONLY);
    mqd_t q = mq_open(name, O_CREAT | O_RDWR, 0600, NULL);
    if (a < 0 || b < 0 || q < 0 || dup2(a, HOLDER_FUSE_FD) < 0 || dup2(b, HOLDER_LOCAL_FD) < 0 ||
        dup2(q, HOLDER_QUEUE_FD) < 0 || chdir(fuse.dir) != 0)
        return 1;
    mq_unlink(name); /* the descriptor keeps the queue */
    close(a);
    close(b);
    close(q);
    return 0;
}

static long long nowMs(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int setup(void **state)
{
    (void)state;
    prctl(PR_SET_CHILD_SUBREAPER, 1); /* the stat helpers are ours to find and reap */
    fuseFixtureNamespace();
    fuseFixtureStart(&fuse);
    snprintf(localPath, sizeof localPath, "/tmp/sqlsof-hung-XXXXXX");
    int fd = mkstemp(localPath);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, LOCAL_SIZE), 0);
    assert_int_equal(fstat(fd, &localSt), 0);
    close(fd);
    fixtureStart(&holder, holdFiles, NULL);
    return 0;
}

/* The pids of this process's children named sqlsof-stat (helpers reparented to us). */
static int statHelpers(pid_t *pids, int cap)
{
    char path[64], comm[32];
    int n = 0;
    DIR *d = opendir("/proc");
    for (struct dirent *e; d && (e = readdir(d)) && n < cap;) {
        int pid = atoi(e->d_name);
        if (pid <= 0) continue;
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        FILE *f = fopen(path, "r");
        int ppid = 0;
        if (f && fscanf(f, "%*d (%31[^)]) %*c %d", comm, &ppid) == 2 && ppid == getpid() &&
            strcmp(comm, "sqlsof-stat") == 0)
            pids[n++] = pid;
        if (f) fclose(f);
    }
    if (d) closedir(d);
    return n;
}

static int teardown(void **state)
{
    (void)state;
    fixtureStop(&holder);
    unlink(localPath);
    fuseFixtureStop(&fuse); /* aborts the connection: the stuck stats return */
    pid_t pids[64];
    int n = statHelpers(pids, 64);
    for (int i = 0; i < n; i++) waitpid(pids[i], NULL, 0);
    return 0;
}

/* Before the hang: the FUSE file's stat goes through the guard and says what the server says. */
static void answered_through_guard(void **state)
{
    sqlite3 *db = *state;
    char *rows =
        testQueryRows(db, "SELECT type, size, inode, device FROM fds WHERE pid = %d AND fd = %d",
                      holder.pid, HOLDER_FUSE_FD);
    char want[128];
    snprintf(want, sizeof want, "REG|%d|%lu|%u,%u\n", FUSE_FIXTURE_SIZE, fuse.ino, major(fuse.dev),
             minor(fuse.dev));
    assert_string_equal(rows, want);
    free(rows);
}

/* The holder's two rows: the stuck one NULL but there, the local one right. */
static void checkHolderRows(sqlite3 *db, const char *source)
{
    free(testQueryText(db, "SELECT sqlsof_fds_source('%s')", source));
    long long t0 = nowMs();
    char *rows = testQueryRows(db,
                               "SELECT fd, type, size, inode, device IS NULL, deleted, target,"
                               " mnt_id > 0 FROM fds WHERE pid = %d AND fd IN (%d, %d) ORDER BY fd",
                               holder.pid, HOLDER_FUSE_FD, HOLDER_LOCAL_FD);
    long long took = nowMs() - t0;
    char want[512];
    snprintf(want, sizeof want, "%d|unknown|NULL|NULL|1|NULL|%s|1\n%d|REG|%d|%llu|0|0|%s|1\n",
             HOLDER_FUSE_FD, fuse.file, HOLDER_LOCAL_FD, LOCAL_SIZE,
             (unsigned long long)localSt.st_ino, localPath);
    assert_string_equal(rows, want);
    free(rows);
    assert_true(took < BOUND_MS);
    rows = testQueryRows(db, "SELECT type FROM fds WHERE pid = %d AND fd = %d", holder.pid,
                         HOLDER_QUEUE_FD);
    assert_string_equal(rows, "PSXMQ\n");
    free(rows);
    /* SELECT * of the process finishes too, with every row. */
    t0 = nowMs();
    sqlite3_int64 n =
        testQueryInt(db, "SELECT count(*) FROM (SELECT * FROM fds WHERE pid = %d)", holder.pid);
    assert_int_equal(n, fixtureCountFds(holder.pid));
    assert_true(nowMs() - t0 < BOUND_MS);
}

static void hung_file_proc_and_bpf(void **state)
{
    sqlite3 *db = *state;
    fuseFixtureHang(&fuse);
    long long t0 = nowMs();
    checkHolderRows(db, "proc");
    long long first = nowMs() - t0;
    /* The mount is known hung now: the next questions do not wait for it again. */
    t0 = nowMs();
    checkHolderRows(db, "bpf");
    long long again = nowMs() - t0;
    assert_true(first >= 400); /* one wait of the 500 ms default */
    assert_true(again < 300);
    /* Whole-host walks that read stat columns (the kernel walk in 'auto' and 'bpf', /proc in
     * 'proc'): every row of the holder, the stuck one without a size or type. */
    const char *sources[] = {"auto", "proc"};
    for (int i = 0; i < 2; i++) {
        free(testQueryText(db, "SELECT sqlsof_fds_source('%s')", sources[i]));
        t0 = nowMs();
        char *rows = testQueryRows(db,
                                   "SELECT count(*), count(size), sum(type = 'unknown'),"
                                   " sum(size = %d AND inode = %llu) FROM fds WHERE +pid = %d",
                                   LOCAL_SIZE, (unsigned long long)localSt.st_ino, holder.pid);
        char want[64];
        snprintf(want, sizeof want, "%d|2|1|1\n", fixtureCountFds(holder.pid)); /* local, queue */
        assert_string_equal(rows, want);
        free(rows);
        assert_true(nowMs() - t0 < BOUND_MS);
    }
}

/* file_stat of the holder's cwd, of its file on the mount (by path and by its fd link) and of a
 * path under the mount: no row, within the bound; the local file's row as before. */
static void hung_file_stat(void **state)
{
    sqlite3 *db = *state;
    fuseFixtureHang(&fuse);
    long long t0 = nowMs();
    sqlite3_int64 n = testQueryInt(db,
                                   "SELECT (SELECT count(*) FROM file_stat('/proc/%d/cwd'))"
                                   " + (SELECT count(*) FROM file_stat('/proc/%d/fd/%d'))"
                                   " + (SELECT count(*) FROM file_stat('%s'))",
                                   holder.pid, holder.pid, HOLDER_FUSE_FD, fuse.file);
    assert_int_equal(n, 0);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM file_stat('%s/none')", fuse.dir), 0);
    assert_true(nowMs() - t0 < BOUND_MS);
    assert_int_equal(testQueryInt(db, "SELECT size FROM file_stat('/proc/%d/fd/%d')", holder.pid,
                                  HOLDER_LOCAL_FD),
                     LOCAL_SIZE);
    assert_int_equal(testQueryInt(db, "SELECT size FROM file_stat('%s')", localPath), LOCAL_SIZE);
}

/* Runs the sqlsof command with ARGS under `timeout -s KILL 20`; returns how long it took. */
static long long runBounded(struct command_result *r, const char *a1, const char *a2)
{
    char *argv[] = {"timeout", "-s", "KILL", "20", testSqlsof(), (char *)a1, (char *)a2, NULL};
    long long t0 = nowMs();
    testCommand(argv, r);
    return nowMs() - t0;
}

static void hung_file_commands(void **state)
{
    (void)state;
    fuseFixtureHang(&fuse);
    char pid[16], line[160];
    snprintf(pid, sizeof pid, "%d", holder.pid);
    struct command_result r;
    long long took = runBounded(&r, "-p", pid);
    assert_int_equal(r.status, 0);
    assert_true(took < BOUND_MS);
    snprintf(line, sizeof line, "%d", LOCAL_SIZE);
    assert_non_null(strstr(r.out, localPath));
    assert_non_null(strstr(r.out, line));
    assert_non_null(strstr(r.out, fuse.file));
    snprintf(line, sizeof line, " %s\n", fuse.dir); /* the cwd line, without a stat */
    assert_non_null(strstr(r.out, line));
    testCommandFree(&r);
    /* It exited although its helper is still stuck in the stat. */
    pid_t pids[64];
    assert_true(statHelpers(pids, 64) >= 1);

    took = runBounded(&r, "--prom", NULL);
    assert_int_equal(r.status, 0);
    assert_true(took < BOUND_MS);
    assert_non_null(strstr(r.out, "sqlsof_process_open_fds"));
    testCommandFree(&r);

    took = runBounded(&r, "--csv", "SELECT count(*), count(size) FROM fds");
    assert_int_equal(r.status, 0);
    assert_true(took < BOUND_MS);
    testCommandFree(&r);
}

/* The loadable extension in the sqlite3 shell and in Python: each answers and exits while
 * the helper it started stays stuck. */
static void hung_file_embedded(void **state)
{
    (void)state;
    fuseFixtureHang(&fuse);
    char sql[160], want[64];
    snprintf(sql, sizeof sql,
             "SELECT fd, size FROM fds WHERE pid = %d AND fd IN (%d, %d) ORDER BY fd", holder.pid,
             HOLDER_FUSE_FD, HOLDER_LOCAL_FD);
    snprintf(want, sizeof want, "%d|\n%d|%d\n", HOLDER_FUSE_FD, HOLDER_LOCAL_FD, LOCAL_SIZE);
    char *shell[] = {"timeout", "-s",       "KILL", "20",
                     "sqlite3", ":memory:", "-cmd", ".load build/sqlsof",
                     sql,       NULL};
    char py[512];
    snprintf(py, sizeof py,
             "import sqlite3\nc = sqlite3.connect(':memory:')\nc.enable_load_extension(True)\n"
             "c.load_extension('build/sqlsof')\nfor r in c.execute('%s'):\n"
             "    print('|'.join('' if v is None else str(v) for v in r))\n",
             sql);
    char *python[] = {"timeout", "-s", "KILL", "20", "/usr/bin/python3", "-c", py, NULL};
    char *const *argvs[] = {shell, python};
    for (int i = 0; i < 2; i++) {
        struct command_result r;
        long long t0 = nowMs();
        testCommand(argvs[i], &r);
        assert_int_equal(r.status, 0);
        assert_true(nowMs() - t0 < BOUND_MS);
        assert_string_equal(r.out, want);
        testCommandFree(&r);
    }
}

TEST_MAIN("hung_fs", setup, teardown,
          {TEST_WITH_DB(answered_through_guard), TEST_WITH_DB(hung_file_proc_and_bpf),
           TEST_WITH_DB(hung_file_stat), cmocka_unit_test(hung_file_commands),
           cmocka_unit_test(hung_file_embedded)})
