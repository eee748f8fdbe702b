/*
** fds JOIN sockets USING(inode): the join that answers "who owns this socket". Whichever side
** SQLite puts outside, the inner side builds its inode map once: one /proc walk, one set of
** sock_diag dumps per statement. Both orders return the same rows.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "strace.h"
#include "testdb.h"
#include "testmain.h"

static char *explain(sqlite3 *db, const char *sql)
{
    return testDropIdxNum(testExplain(db, "%s", sql));
}

static void plan_puts_the_filtered_side_outside(void **state)
{
    sqlite3 *db = *state;
    char *plan = explain(db, "SELECT * FROM fds JOIN sockets USING(inode) WHERE state = 'LISTEN'");
    assert_string_equal(plan, "SCAN sockets VIRTUAL TABLE INDEX :state=\n"
                              "SCAN fds VIRTUAL TABLE INDEX :inode=\n");
    free(plan);
    plan = explain(db, "SELECT * FROM sockets JOIN fds USING(inode) WHERE fds.pid = 1");
    assert_string_equal(plan, "SCAN fds VIRTUAL TABLE INDEX :pid=\n"
                              "SCAN sockets VIRTUAL TABLE INDEX :inode=\n");
    free(plan);
}

static void one_walk_one_dump_either_way(void **state)
{
    (void)state;
    struct syscall_counts walk, dump, fdsInner, socketsInner;
    /* With the BPF source (the default here, as root): the inner fds builds its map from one
     * iterator, as the walk reads one, not one iterator per row. */
#ifdef SQLSOF_BPF
    testSyscalls("SELECT count(*) FROM fds", &walk);
    testSyscalls("SELECT count(*) FROM sockets CROSS JOIN fds USING(inode)", &fdsInner);
    assert_true(walk.bpf > 0);
    /* The map's own walk, and at most the busy processes' iterators its hits read (fds_cache:
     * a program load and two calls per process of 256 fds or more), and two per process of
     * the small namespaces whose sockets the scan reads from their descriptors (sock_held.h);
     * never one per row. */
    sqlite3 *db = testOpenDb();
    sqlite3_int64 away = testQueryInt(db,
                                      "SELECT count(*) FROM processes WHERE netns IS NOT"
                                      " (SELECT netns FROM processes WHERE pid = %d)",
                                      (int)getpid());
    sqlite3_close(db);
    assert_true(fdsInner.bpf >= walk.bpf);
    assert_true(fdsInner.bpf <= walk.bpf + 64 + 2 * away);
#endif
    /* The /proc walk: counted in directory reads. */
    setenv("SQLSOF_FDS_SOURCE", "proc", 1);
    testSyscalls("SELECT count(*) FROM fds", &walk);
    testSyscalls("SELECT count(*) FROM sockets", &dump);
    testSyscalls("SELECT count(*) FROM sockets CROSS JOIN fds USING(inode)", &fdsInner);
    testSyscalls("SELECT count(*) FROM fds CROSS JOIN sockets USING(inode)", &socketsInner);
    unsetenv("SQLSOF_FDS_SOURCE");
    /* fds inside: one walk of /proc, give or take the processes and namespaces that come and go
     * between two runs on a busy host; a walk per outer row would be hundreds of times more. */
    assert_in_range(fdsInner.getdents64, walk.getdents64 / 2, walk.getdents64 * 3 / 2 + 20);
    /* sockets inside: the dumps of one full listing, not one per fd. */
    assert_in_range(socketsInner.sendmsg, dump.sendmsg / 2, dump.sendmsg * 3 / 2 + 2);
}

static void both_orders_same_rows(void **state)
{
    /* Sockets this process holds: stable while the test runs. */
    int pair[2], tcp = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    assert_true(tcp >= 0 && listen(tcp, 1) == 0);
    sqlite3 *db = *state;
    /* (The sockets table's own sock_diag socket is there only while sockets is outside.) */
    const char *q = "SELECT f.fd, s.family, s.protocol, s.state, s.inode FROM %s WHERE f.pid = %d "
                    "AND s.protocol IS NOT 'sock_diag' ORDER BY f.fd, s.inode";
    char *a = testQueryRows(db, q, "fds f CROSS JOIN sockets s ON s.inode = f.inode", getpid());
    char *b = testQueryRows(db, q, "sockets s CROSS JOIN fds f ON f.inode = s.inode", getpid());
    char *c = testQueryRows(db, q, "fds f CROSS JOIN sockets s ON s.inode = +f.inode", getpid());
    assert_string_equal(a, b);
    assert_string_equal(a, c);
    int rows = 0;
    for (char *p = a; (p = strchr(p, '\n')); p++) rows++;
    assert_int_equal(rows, 3);
    free(a);
    free(b);
    free(c);
    close(pair[0]);
    close(pair[1]);
    close(tcp);
}

TEST_MAIN("join", NULL, NULL,
          {
              TEST_WITH_DB(plan_puts_the_filtered_side_outside),
              cmocka_unit_test(one_walk_one_dump_either_way),
              TEST_WITH_DB(both_orders_same_rows),
          })
