/*
** What the fds table's plans and columns cost, counted with strace on a live child holding one
** descriptor of every kind (fds_fixture.h): a join on inode walks /proc once, and each column
** makes only the syscalls it needs.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fds_fixture.h"
#include "fixture.h"
#include "sqlsof.h"
#include "strace.h"
#include "testdb.h"
#include "testmain.h"

/* The inode map: a join on inode does one walk of /proc, not one per outer row. */
static void inode_join_walks_once(void **state)
{
    struct fixture fx;
    fdsChildStart(&fx);
    sqlite3 *db = *state;
    char *join = sqlite3_mprintf("SELECT t.fd, f.pid, f.fd FROM (SELECT fd, inode FROM fds WHERE "
                                 "pid = %d) t JOIN fds f ON f.inode = t.inode",
                                 fx.pid);
    char *plan = testExplain(db, "%s", join);
    /* The child's fds outside (pid=), fds by inode inside. */
    const char *outer = strstr(plan, "pid=");
    const char *inner = strstr(plan, "inode=");
    if (!outer || !inner || inner < outer) fail_msg("join plan:\n%s", plan);
    free(plan);

    /* Same answer as the join SQLite does without pushdown (the walk finds the same fds). */
    char *a = testQueryRows(db, "%s WHERE f.pid = %d ORDER BY 1, 2, 3", join, fx.pid);
    char *b =
        testQueryRows(db,
                      "SELECT t.fd, f.pid, f.fd FROM (SELECT fd, inode FROM fds WHERE pid = %d)"
                      " t JOIN fds f ON +f.inode = t.inode WHERE +f.pid = %d ORDER BY 1, 2, 3",
                      fx.pid, fx.pid);
    assert_string_equal(a, b);
    free(a);
    free(b);
    long outerRows = (long)testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d", fx.pid);
    assert_true(outerRows >= OBJ_COUNT);

    struct syscall_counts walk, joined;
    char *count = sqlite3_mprintf("SELECT count(*) FROM (%s)", join);
    testSyscalls("SELECT count(*) FROM fds", &walk);
    testSyscalls(count, &joined);
    /* One full walk (as many getdents64 as a plain scan, give or take the child's own fd dir
     * and the processes that come and go on a busy host), where a walk per outer row would be
     * outerRows times. */
    if (joined.getdents64 > walk.getdents64 * 3 / 2 + 12 || joined.getdents64 < walk.getdents64 / 2)
        fail_msg("join getdents64 %ld, one walk %ld, outer rows %ld", joined.getdents64,
                 walk.getdents64, outerRows);
    sqlite3_free(count);
    sqlite3_free(join);
    fixtureStop(&fx);
}

/* Columns cost only what they need, counted with strace on the child's fds. */
static void lazy_columns(void **state)
{
    struct fixture fx;
    const struct obj *o = fdsChildStart(&fx);
    sqlite3 *db = *state;
    long n = (long)testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d", fx.pid);
    /* The fds whose inode is not in the link text: paths and anon inodes. */
    long statted =
        (long)testQueryInt(db,
                           "SELECT count(*) FROM fds WHERE pid = %d AND (target LIKE '/%%'"
                           " OR target LIKE 'anon_inode:%%')",
                           fx.pid);
    long paths = (long)testQueryInt(
        db, "SELECT count(*) FROM fds WHERE pid = %d AND target LIKE '/%%'", fx.pid);
    long sockets = (long)testQueryInt(
        db, "SELECT count(*) FROM fds WHERE pid = %d AND target LIKE 'socket:%%'", fx.pid);

    struct syscall_counts base, ids, targets, inodes, types, infos;
    char sql[256];
    /* The /proc walk's costs (the fixture inherits a large fd table: 'auto' may read it
     * through BPF, whose rows test_socket_fields compares). */
    setenv("SQLSOF_FDS_SOURCE", "proc", 1);
    testSyscalls("SELECT 1", &base);
    snprintf(sql, sizeof sql, "SELECT count(fd) FROM fds WHERE pid = %d", fx.pid);
    testSyscalls(sql, &ids);
    snprintf(sql, sizeof sql, "SELECT count(target) FROM fds WHERE pid = %d", fx.pid);
    testSyscalls(sql, &targets);
    snprintf(sql, sizeof sql, "SELECT count(inode) FROM fds WHERE pid = %d", fx.pid);
    testSyscalls(sql, &inodes);
    snprintf(sql, sizeof sql, "SELECT count(type) FROM fds WHERE pid = %d", fx.pid);
    testSyscalls(sql, &types);
    snprintf(sql, sizeof sql, "SELECT count(pos) FROM fds WHERE pid = %d", fx.pid);
    testSyscalls(sql, &infos);
    unsetenv("SQLSOF_FDS_SOURCE");

    /* pid, fd: the fd directory's listing; no readlink, stat, getxattr. /proc, status, fd dir. */
    assert_int_equal(ids.readlinkat, base.readlinkat);
    assert_int_equal(ids.newfstatat, base.newfstatat);
    assert_int_equal(ids.getxattr, 0);
    assert_true(ids.openat - base.openat <= 3);
    /* target: one readlink per fd, nothing else. */
    assert_int_equal(targets.readlinkat - base.readlinkat, n);
    assert_int_equal(targets.newfstatat, base.newfstatat);
    assert_int_equal(targets.openat, ids.openat);
    assert_int_equal(targets.getxattr, 0);
    /* inode: a stat only for paths and anon inodes, none for sockets and pipes; no fdinfo.
     * Before the first path's stat, the process's mount namespace is told (a stat of its
     * ns/mnt) and its mountinfo read once: it has no mount that may hang (fd/fd_mounts.h). */
    assert_int_equal(inodes.readlinkat - base.readlinkat, n);
    assert_int_equal(inodes.newfstatat - base.newfstatat, statted + 1);
    assert_int_equal(inodes.openat, ids.openat + 1);
    assert_int_equal(inodes.getxattr, 0);
    /* type: a getxattr per socket only; stats for paths (anon inodes and pipes need none),
     * and the namespace's, as above. */
    assert_int_equal(types.getxattr, sockets);
    assert_int_equal(types.newfstatat - base.newfstatat, paths + 1);
    /* pos: the fdinfo directory once, then one open and one read per fd; no stat. */
    assert_int_equal(infos.openat - ids.openat, n + 1);
    assert_int_equal(infos.read - ids.read, n);
    assert_int_equal(infos.newfstatat, base.newfstatat);
    assert_int_equal(infos.getxattr, 0);

    /* pid and fd: a point lookup, one readlink and no directory listing at all. */
    struct syscall_counts point;
    snprintf(sql, sizeof sql, "SELECT target FROM fds WHERE pid = %d AND fd = %d", fx.pid,
             o[OBJ_TCP].fd);
    testSyscalls(sql, &point);
    assert_int_equal(point.getdents64, base.getdents64);
    assert_int_equal(point.readlinkat - base.readlinkat, 1);
    assert_true(point.openat - base.openat <= 2); /* /proc and the pid's status */
    assert_int_equal(point.getxattr, 0);
    fixtureStop(&fx);
}

TEST_MAIN("fds_costs", fdsFilesMake, fdsFilesRemove,
          {
              TEST_WITH_DB(inode_join_walks_once),
              TEST_WITH_DB(lazy_columns),
          })
