/*
** The fds table's two sources give the same rows: every statement here runs once through the
** BPF iterator (sqlsof_fds_source('bpf'), which fails rather than fall back, so a kernel source
** that does not load as root fails the test) and once through /proc, on live children
** (fds_bpf_fixture.h) that hold one descriptor of every kind the table tells apart, plus the
** cases where a kernel walk could differ: unlinked files, another mount and network namespace,
** a thread with its own fd table, fds >= 10000, /proc and sysfs directories (whose getattr
** differs from the inode's), locks, an fd closed after its record, and processes that exit while
** the walk runs. Which source a statement uses: test_fds_source.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fds_bpf_fixture.h"
#include "fds_fixture.h"
#include "testdb.h"

#ifdef SQLSOF_BPF
/* Every column of every fd of both children, and each column alone (the lazy paths). */
static void every_column_same(void **state)
{
    (void)state;
    sqlite3 *db = testOpenDb();
    size_t n;
    char *rows =
        testSameOnBoth(db, &n, "SELECT * FROM fds WHERE +pid IN (%s) ORDER BY pid, fd", bpfPids);
    /* The kinds child holds 40 fds or so, the netns child a few: all of them, not a subset. */
    sqlite3_int64 want = testQueryInt(db, "SELECT count(*) FROM fds WHERE pid IN (%s)", bpfPids);
    assert_true(want > 40);
    assert_int_equal(n, want);
    free(rows);
    static const char *const cols[] = {"type",   "mode", "target", "path",  "deleted", "inode",
                                       "device", "size", "pos",    "flags", "mnt_id",  "lock"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
        free(testSameOnBoth(db, &n,
                            "SELECT pid, fd, %s FROM fds WHERE +pid IN (%s) ORDER BY pid, fd",
                            cols[i], bpfPids));
        assert_int_equal(n, want);
    }
    free(testSameOnBoth(db, &n, "SELECT pid, fd FROM fds WHERE +pid IN (%s) ORDER BY pid, fd",
                        bpfPids));
    assert_int_equal(n, want);
    sqlite3_close(db);
}

/* What a kernel walk could get wrong, asserted on values the child made. */
static void the_hard_cases(void **state)
{
    (void)state;
    sqlite3 *db = testOpenDb();
    free(testQueryText(db, "SELECT sqlsof_fds_source('bpf')"));
    int p = bpfKinds.pid;
    /* fds >= 10000, with the position the original fd has. */
    assert_int_equal(testQueryInt(db, "SELECT pos FROM fds WHERE +pid = %d AND fd = 12345", p), 3);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND +fd = 10000"
                                  " AND type = 'FIFO'",
                                  p),
                     1);
    /* The thread's own table is not the process's: its fd is not listed (it reuses a number
     * the leader may have, so compare inodes: /etc/hostname is not open in the leader). */
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND path ="
                                  " '/etc/hostname'",
                                  p),
                     0);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE +pid = %ld", bpfHeld->ownTid),
                     0);
    /* The unlinked file, the file named like one, the lock, the other mount namespace. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND deleted AND"
                                  " path = '%s/gone'",
                                  p, bpfDir),
                     1);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND NOT deleted"
                                  " AND path = '%s/x (deleted)'",
                                  p, bpfDir),
                     1);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND lock = 'W'"
                                  " AND path = '%s/locked'",
                                  p, bpfDir),
                     1);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND path ="
                                  " '%s/in-ns'",
                                  p, bpfDir),
                     1);
    /* Close-on-exec from the fd table: 02000000 in flags. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT flags & 0x80000 FROM fds WHERE +pid = %d AND"
                                  " path = '%s/gone'",
                                  p, bpfDir),
                     0x80000);
    /* The socket types from the proto names, in the other network namespace too. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND type IN"
                                  " ('IPv4', 'IPv6', 'unix')",
                                  bpfNetns.pid),
                     3);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(DISTINCT type) FROM fds WHERE +pid = %d AND"
                                  " target LIKE 'socket:%%'",
                                  p),
                     5); /* unix IPv4/6 netlink pack */
    char *src = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_string_equal(src, "bpf");
    free(src);
    sqlite3_close(db);
}

/* The inode map (inode pushed without pid) built from one kernel pass answers as /proc does,
 * and so does the listening join through it. */
static void inode_map_same(void **state)
{
    (void)state;
    sqlite3 *db = testOpenDb();
    size_t n;
    free(testSameOnBoth(db, &n,
                        "SELECT pid, fd, inode FROM fds WHERE inode IN (%llu, %llu)"
                        " AND +pid = %d ORDER BY fd",
                        bpfHeld->tcpIno, bpfHeld->fileIno, bpfKinds.pid));
    assert_int_equal(n, 3); /* the socket, the file and its dup at 12345 */
    free(testSameOnBoth(db, &n,
                        "SELECT f.pid, f.fd, s.local_port FROM sockets s JOIN fds f"
                        " USING(inode) WHERE s.state = 'LISTEN' AND +f.pid IN (%s)"
                        " ORDER BY f.pid, f.fd",
                        bpfPids));
    assert_int_equal(n, 2); /* the loopback listener and the one in the other netns */
    /* Every fd of the children, found again by its inode through the map. */
    free(testSameOnBoth(db, &n,
                        "SELECT a.pid, a.fd, b.pid, b.fd FROM fds a JOIN fds b"
                        " ON b.inode = a.inode AND +b.pid = a.pid AND +b.fd = a.fd"
                        " WHERE a.pid IN (%s) ORDER BY 1, 2",
                        bpfPids));
    assert_true(n > 40);
    sqlite3_close(db);
}

/* Processes that come and go during the walk change nothing for the ones that stay. */
static void churn_mid_scan(void **state)
{
    (void)state;
    sqlite3 *db = testOpenDb();
    size_t n;
    for (int i = 0; i < 5; i++)
        free(testSameOnBoth(db, &n, "SELECT * FROM fds WHERE +pid IN (%s) ORDER BY pid, fd",
                            bpfPids));
    /* And a whole-host walk with them succeeds on both sources. */
    free(testQueryText(db, "SELECT sqlsof_fds_source('bpf')"));
    assert_true(testQueryInt(db, "SELECT count(*) FROM fds WHERE target IS NOT NULL") > 40);
    free(testQueryText(db, "SELECT sqlsof_fds_source('proc')"));
    assert_true(testQueryInt(db, "SELECT count(*) FROM fds WHERE target IS NOT NULL") > 40);
    sqlite3_close(db);
}

/*
** A record that needs a read from /proc (fdinfo, for a locked file) of an fd that closed after
** the iterator wrote it: the row is skipped, as the /proc walk skips an fd that closed after its
** readlink, never returned with NULL columns. The test's own locked fd is closed after the
** walk has read this process's records.
*/
static void closed_after_record(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/closing", bpfDir);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    assert_int_equal(dup2(fd, 777), 777);
    close(fd); /* before the lock: closing any fd of the file drops the process's locks on it */
    assert_int_equal(testLockRange(777, F_WRLCK, 0, 0), 0);
    sqlite3 *db = testOpenDb();
    free(testQueryText(db, "SELECT sqlsof_fds_source('bpf')"));
    sqlite3_stmt *stmt;
    char *sql = sqlite3_mprintf("SELECT fd, mode FROM fds WHERE +pid = %d", getpid());
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    close(777);
    int rc, rowsOf777 = 0;
    do {
        assert_true(sqlite3_column_type(stmt, 1) != SQLITE_NULL);
        rowsOf777 += sqlite3_column_int(stmt, 0) == 777;
    } while ((rc = sqlite3_step(stmt)) == SQLITE_ROW);
    assert_int_equal(rc, SQLITE_DONE);
    assert_int_equal(rowsOf777, 0);
    sqlite3_finalize(stmt);
    sqlite3_free(sql);
    sqlite3_close(db);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_column_same),   cmocka_unit_test(the_hard_cases),
        cmocka_unit_test(inode_map_same),      cmocka_unit_test(churn_mid_scan),
        cmocka_unit_test(closed_after_record),
    };
    return cmocka_run_group_tests(tests, bpfFixturesStart, bpfFixturesStop);
}
#else
/* Built with BPF=0 there is no kernel source to compare with /proc; test_fds_source checks what
 * asking for it says. */
int main(void)
{
    puts("fds_bpf: built with BPF=0, no kernel source to compare");
    return 0;
}
#endif
