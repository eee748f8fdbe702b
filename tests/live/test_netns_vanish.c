/*
** A network namespace that vanishes while a statement is stepping through the namespaces: the
** statement ends without error, the calling threads stay in their namespace, and no
** descriptor is left open.
*/
#include <dirent.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "testdb.h"
#include "testmain.h"

static int inNewNamespace(void *arg)
{
    (void)arg;
    if (unshare(CLONE_NEWNET) != 0) return -1;
    return socket(AF_UNIX, SOCK_STREAM, 0) < 0; /* a socket for its namespace to list */
}

static int countFds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Every thread's network namespace inode equals OWN. */
static void assertThreadsIn(ino_t own)
{
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char path[300];
        struct stat st;
        snprintf(path, sizeof path, "/proc/self/task/%s/ns/net", e->d_name);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_ino, own);
    }
    closedir(d);
}

static void namespace_vanishes_mid_statement(void **state)
{
    struct stat own;
    assert_int_equal(stat("/proc/self/ns/net", &own), 0);
    sqlite3 *db = *state;
    /* Counted after a first scan: the connection keeps the BPF programs it loads. */
    sqlite3_int64 before = testQueryInt(db, "SELECT count(*) FROM sockets");
    assert_true(before > 0);
    int fdsBefore = countFds();
    for (int round = 0; round < 3; round++) {
        struct fixture fx;
        fixtureStart(&fx, inNewNamespace, NULL);
        sqlite3_stmt *stmt;
        assert_int_equal(
            sqlite3_prepare_v2(db, "SELECT netns, family, inode FROM sockets", -1, &stmt, NULL),
            SQLITE_OK);
        int rc = sqlite3_step(stmt), rows = 0;
        fixtureStop(&fx); /* its namespace had no other member: it is gone */
        while (rc == SQLITE_ROW) {
            rows++;
            rc = sqlite3_step(stmt);
        }
        assert_int_equal(rc, SQLITE_DONE);
        assert_true(rows > 0);
        sqlite3_finalize(stmt);
        assertThreadsIn(own.st_ino);
    }
    assert_int_equal(countFds(), fdsBefore);
}

TEST_MAIN("netns vanishing", NULL, NULL,
          {
              TEST_WITH_DB(namespace_vanishes_mid_statement),
          })
