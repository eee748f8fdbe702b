/*
** The fds table where the host moves under it: a thread's id lists nothing, the rows never
** depend on which columns a statement uses (pid 1, which opens and closes fds as it works),
** an fd closed between its readlink and its other reads is skipped, and a process whose fd
** directory may not be read has no rows. The fixtures' own rows: test_fds.c.
*/
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "sqlsof.h"
#include "testdb.h"
#include "testmain.h"

static void thread_id_lists_nothing(void **state)
{
    long tid = fixtureStartThread();
    sqlite3 *db = *state;
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %ld", tid), 0);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE +pid = %ld", tid), 0);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds(%ld)", tid), 0);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %ld AND fd = 0", tid),
                     0);
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) - count(DISTINCT fd) FROM fds(%d)", getpid()), 0);
    assert_true(testQueryInt(db, "SELECT count(*) FROM fds(%d) WHERE fd <= 2", getpid()) == 3);
    fixtureStopThread();
}

/*
** Which columns a statement uses never changes which rows it gets. Pid 1 is the interesting
** case where the sandbox lists its fds but denies their links (EACCES): rows with NULLs. Pid 1
** opens and closes descriptors as it works, so each statement is checked against the fds that
** were open both before and after it (a round where one of those moved is retried).
*/
static void rows_do_not_depend_on_columns(void **state)
{
    sqlite3 *db = *state;
    const char *cols[] = {"fd", "target", "inode", "type", "pos", "lock", "*"};
    char *why = NULL;
    for (int round = 0; round < 5; round++) {
        sqlite3_free(why);
        why = NULL;
        assert_int_equal(sqlite3_exec(db,
                                      "DROP TABLE IF EXISTS temp.before;"
                                      " CREATE TEMP TABLE before AS SELECT fd FROM fds(1)",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        assert_true(testQueryInt(db, "SELECT count(*) FROM before") > 0);
        for (size_t i = 0; i < sizeof cols / sizeof *cols && !why; i++) {
            char *sql = sqlite3_mprintf("DROP TABLE IF EXISTS temp.got; CREATE TEMP TABLE got AS"
                                        " SELECT fd AS n, %s FROM fds(1);"
                                        " DROP TABLE IF EXISTS temp.after;"
                                        " CREATE TEMP TABLE after AS SELECT fd FROM fds(1)",
                                        cols[i]);
            assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
            sqlite3_free(sql);
            long missing = (long)testQueryInt(db, "SELECT count(*) FROM before WHERE fd IN"
                                                  " (SELECT fd FROM after) AND fd NOT IN"
                                                  " (SELECT n FROM got)");
            if (missing)
                why = sqlite3_mprintf("SELECT %s: %ld fds open before and after missing", cols[i],
                                      missing);
        }
        /* Pushed fds of pid 1 (lookups that may not read the link) are the listed ones. */
        long missing = (long)testQueryInt(
            db, "SELECT count(*) FROM before WHERE fd IN (SELECT fd FROM fds(1)) AND fd NOT IN"
                " (SELECT fd FROM fds(1) WHERE fd IN (SELECT fd FROM before))");
        if (!why && missing) why = sqlite3_mprintf("pushed fds: %ld missing", missing);
        if (!why) break;
    }
    if (why) fail_msg("%s", why);
}

/* Spins for about US microseconds: the churning child must not sleep between its steps. */
static void spin(long us)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_nsec - t0.tv_nsec) / 1000 < us);
}

/*
** An fd that closes between its readlink and the reads its used columns need is skipped, never
** returned with NULLs: which rows exist does not depend on the columns. A child keeps putting
** one of three flock'ed files on fd 100 and closing it again; each open one has a lock letter,
** a device and a size, so a row of fd 100 with NULL in them is a closed fd.
*/
static void fd_closed_after_its_link(void **state)
{
    enum { CHURN_FD = 100 };
    char churnDir[] = "/tmp/sqlsof-closing-XXXXXX", files[3][64];
    assert_non_null(mkdtemp(churnDir));
    for (int i = 0; i < 3; i++) {
        snprintf(files[i], sizeof files[i], "%s/f%d", churnDir, i);
        int fd = open(files[i], O_CREAT | O_WRONLY, 0600);
        assert_true(fd >= 0 && write(fd, "x", 1) == 1);
        close(fd);
    }
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int held[3];
        for (int i = 0; i < 3; i++)
            if ((held[i] = open(files[i], O_RDONLY)) < 0 || flock(held[i], LOCK_EX) != 0) _exit(2);
        for (int i = 0;; i = (i + 1) % 3) {
            if (dup2(held[i], CHURN_FD) != CHURN_FD) _exit(3);
            spin(20);
            close(CHURN_FD);
            spin(20);
        }
    }
    sqlite3 *db = *state;
    static const char *const checks[] = {"lock IS NULL", "device IS NULL", "size IS NULL",
                                         "deleted IS NULL", "mode IS NULL"};
    long seen = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int q = 0;; q++) {
        const char *check = checks[q % 5];
        /* The walk of the fd directory, and the lookup of the pushed fd. */
        const char *fd = q % 2 ? "+fd" : "fd";
        sqlite3_int64 bad = testQueryInt(db, "SELECT count(*) FROM fds(%d) WHERE %s = %d AND %s",
                                         pid, fd, CHURN_FD, check);
        if (bad) fail_msg("fd %d listed with %s (%s, query %d)", CHURN_FD, check, fd, q);
        seen += testQueryInt(db, "SELECT count(*) FROM fds(%d) WHERE fd = %d", pid, CHURN_FD);
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec >= 2 && q >= 100) break;
    }
    assert_true(seen > 0); /* the fd was there at times */
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    for (int i = 0; i < 3; i++) unlink(files[i]);
    rmdir(churnDir);
}

/* A process whose fd directory may not be read (EACCES) has no rows and causes no error. */
static void unreadable_process_has_no_rows(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
        sqlite3 *db = NULL;
        if (sqlite3_open(":memory:", &db) != SQLITE_OK) _exit(3);
        sqlite3_stmt *stmt;
        /* pid 1 is root's: its fd directory is closed to nobody. Our own is readable. */
        char buf[512];
        snprintf(buf, sizeof buf,
                 "SELECT (SELECT count(*) FROM fds WHERE pid = 1),"
                 " (SELECT count(*) FROM fds WHERE +pid = 1),"
                 " (SELECT count(*) FROM fds WHERE pid = 1 AND fd = 0),"
                 " (SELECT count(*) FROM fds WHERE inode = 1 AND +pid = 1),"
                 " (SELECT count(*) > 0 FROM fds(%d))",
                 getpid());
        if (sqlsof_register(db) != SQLITE_OK) _exit(4);
        if (sqlite3_prepare_v2(db, buf, -1, &stmt, NULL) != SQLITE_OK) _exit(5);
        if (sqlite3_step(stmt) != SQLITE_ROW) _exit(6);
        for (int i = 0; i < 4; i++)
            if (sqlite3_column_int(stmt, i) != 0) _exit(10 + i);
        if (sqlite3_column_int(stmt, 4) != 1) _exit(14);
        _exit(0);
    }
    fixtureWaitOk(pid);
}

TEST_MAIN("fds_races", NULL, NULL,
          {
              TEST_WITH_DB(thread_id_lists_nothing),
              cmocka_unit_test(unreadable_process_has_no_rows),
              TEST_WITH_DB(rows_do_not_depend_on_columns),
              TEST_WITH_DB(fd_closed_after_its_link),
          })
