/*
** The sql/recipes/ files and the lsof views, on the lsof tests' live fixtures (lsof_fixture.h):
** each recipe run through the command with its parameters and its result checked against what
** the fixture children hold; the views' query plans keep the tables' pushdown, and lsof_sockets
** agrees with lsof_fds on the socket rows. The comparisons with the real lsof are test_lsof.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "command.h"
#include "fixture.h"
#include "lsof_fixture.h"
#include "testdb.h"
#include "testmain.h"

static char *param(char *buf, size_t len, const char *name, long value)
{
    snprintf(buf, len, "%s=%ld", name, value);
    return buf;
}

static void recipes_of_sockets(void **state)
{
    (void)state;
    char a[64], b[64], expected[512];
    char *out =
        testRecipe("tcp-listeners-of-process.sql", param(a, sizeof a, "pid", lsofFx.pid), NULL);
    snprintf(expected, sizeof expected,
             "fd,family,local_addr,local_port,netns\r\n%d,inet,127.0.0.1,%d,", lsofHeld.listener,
             lsofHeld.port);
    assert_memory_equal(out, expected, strlen(expected));
    free(out);

    out = testRecipe("tcp-connections-of-process.sql", param(a, sizeof a, "pid", lsofFx.pid), NULL);
    snprintf(expected, sizeof expected, "\r\n%d,127.0.0.1,", lsofHeld.client);
    assert_non_null(strstr(out, expected));
    snprintf(expected, sizeof expected, "\r\n%d,127.0.0.1,%d,127.0.0.1,", lsofHeld.server,
             lsofHeld.port);
    assert_non_null(strstr(out, expected));
    free(out);

    out = testRecipe("idle-udp-of-process.sql", param(a, sizeof a, "pid", lsofFx.pid), NULL);
    snprintf(expected, sizeof expected,
             "fd,family,local_addr,local_port\r\n%d,inet,127.0.0.1,%d\r\n", lsofHeld.udpBound,
             lsofHeld.udpPort);
    assert_string_equal(out, expected);
    free(out);

    /* The listener and both ends of the connection; other namespaces may use the port too. */
    out = testRecipe("port-users.sql", param(a, sizeof a, "port", lsofHeld.port), NULL);
    int ours[] = {lsofHeld.listener, lsofHeld.client, lsofHeld.server};
    for (int i = 0; i < 3; i++) {
        snprintf(expected, sizeof expected, "\r\n%d,sqlsof-lsof-fx,root,%d,tcp,", lsofFx.pid,
                 ours[i]);
        if (!strstr(out, expected)) fail_msg("port-users lacks fd %d:\n%s", ours[i], out);
    }
    free(out);

    /* The whole host's unix sockets: a dump is no snapshot, and one taken while other programs
     * make and close sockets may skip some, so a run that misses the fixture's pair is redone. */
    snprintf(expected, sizeof expected, "%d,sqlsof-lsof-fx,%d,,stream,%d,sqlsof-lsof-fx,%d\r\n",
             lsofFx.pid, lsofHeld.unixA, lsofFx.pid, lsofHeld.unixB);
    int found = 0;
    for (int run = 0; run < 5 && !found; run++) {
        out = testRecipe("unix-socket-peers.sql", NULL);
        found = strstr(out, expected) != NULL;
        free(out);
    }
    assert_true(found);

    out = testRecipe("process-sockets-any-namespace.sql", param(a, sizeof a, "pid", lsofNsFx.pid),
                     param(b, sizeof b, "self", getpid()), NULL);
    snprintf(expected, sizeof expected, "%d,LISTEN,127.0.0.1,%d,0.0.0.0,0,", lsofNsHeld.listener,
             lsofNsHeld.port);
    assert_non_null(strstr(out, expected));
    assert_non_null(strstr(out, ",1\r\n")); /* another namespace */
    free(out);
}

static void recipes_of_files(void **state)
{
    (void)state;
    char a[64], b[64], expected[512];
    char *out = testRecipe("fd-of-process.sql", param(a, sizeof a, "pid", lsofFx.pid),
                           param(b, sizeof b, "fd", lsofHeld.file), NULL);
    snprintf(expected, sizeof expected, "\r\n%d,%d,REG,r,/etc/hostname,/etc/hostname,0,",
             lsofFx.pid, lsofHeld.file);
    assert_non_null(strstr(out, expected));
    free(out);

    out = testRecipe("open-files-of-process.sql", param(a, sizeof a, "pid", lsofFx.pid), NULL);
    assert_memory_equal(out, "fd,type,device,size_off,node,name\r\ncwd,DIR,", 41);
    assert_non_null(strstr(out, "\r\nrtd,DIR,"));
    assert_non_null(strstr(out, "\r\ntxt,REG,"));
    assert_non_null(strstr(out, "\r\nmem,REG,"));
    snprintf(expected, sizeof expected, "\r\n%dr,REG,", lsofHeld.file);
    assert_non_null(strstr(out, expected));
    free(out);

    out = testRecipe("deleted-open-files.sql", NULL);
    snprintf(expected, sizeof expected, "%d,sqlsof-lsof-fx,%d,%s,%d\r\n", lsofFx.pid,
             lsofHeld.deleted, LSOF_DELETED_PATH, LSOF_DELETED_SIZE);
    assert_non_null(strstr(out, expected));
    free(out);

    out = testRecipe("fd-leak-suspects.sql", param(a, sizeof a, "min_repeats", LSOF_REPEATS), NULL);
    snprintf(expected, sizeof expected, "%d,sqlsof-lsof-fx,", lsofFx.pid);
    char *row = strstr(out, expected);
    assert_non_null(row);
    assert_non_null(strstr(row, ",/etc/hostname,61,0\r\n"));
    free(out);

    out = testRecipe("process-tree-fd-counts.sql", param(a, sizeof a, "pid", getpid()), NULL);
    snprintf(expected, sizeof expected, "\r\n1,%d,  sqlsof-lsof-fx,%d\r\n", lsofFx.pid,
             fixtureCountFds(lsofFx.pid));
    assert_non_null(strstr(out, expected));
    free(out);
}

/* The views keep the tables' pushdown: the plan through each shows the pushed constraint. */
static void views_keep_pushdown(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"SELECT * FROM lsof WHERE pid = 1", "SCAN f VIRTUAL TABLE INDEX :pid="},
        {"SELECT * FROM lsof WHERE pid = 1", "SCAN p VIRTUAL TABLE INDEX :pid="},
        {"SELECT * FROM lsof_fds WHERE pid = 1 AND fd_num = 3", "pid= fd="},
        {"SELECT * FROM lsof_sockets WHERE state = 'LISTEN'", "SCAN s VIRTUAL TABLE INDEX :state="},
        {"SELECT * FROM lsof_sockets WHERE state = 'LISTEN'", "SCAN f VIRTUAL TABLE INDEX :inode="},
        {"SELECT * FROM lsof_sockets WHERE local_port = 22",
         "SCAN s VIRTUAL TABLE INDEX :local_port="},
        {"SELECT * FROM listening WHERE port = 22", "state IN family IN local_port="},
        {"SELECT * FROM connections WHERE remote_port = 443", "remote_port="},
        {"SELECT * FROM process_tree WHERE pid = 1", "pid="},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", cases[i][0]);
        char *argv[] = {testSqlsof(), "--csv", sql, NULL};
        struct command_result r;
        testCommand(argv, &r);
        testDropIdxNum(r.out);
        if (!strstr(r.out, cases[i][1]))
            fail_msg("%s: plan lacks \"%s\":\n%s%s", cases[i][0], cases[i][1], r.out, r.err);
        testCommandFree(&r);
        sqlite3_free(sql);
    }
}

/* lsof_sockets repeats lsof_fds's columns for the socket rows: the two must agree. */
static void socket_view_matches_fd_view(void **state)
{
    (void)state;
    char *sql =
        sqlite3_mprintf("SELECT count(*) FROM lsof_sockets WHERE pid = %d;"
                        "SELECT count(*) FROM lsof_fds WHERE pid = %d AND protocol IS NOT NULL;"
                        "SELECT count(*) FROM (SELECT * FROM lsof_sockets WHERE pid = %d EXCEPT "
                        "SELECT * FROM lsof_fds WHERE pid = %d)",
                        lsofFx.pid, lsofFx.pid, lsofFx.pid, lsofFx.pid);
    struct command_result r;
    testRunSqlsof(&r, "--csv", sql, NULL);
    /* listener, both ends, two UDP, the unix pair: 7 socket rows, and no difference */
    assert_string_equal(r.out, "count(*)\r\n7\r\ncount(*)\r\n7\r\ncount(*)\r\n0\r\n");
    testCommandFree(&r);
    sqlite3_free(sql);
}

TEST_MAIN("recipes and views", lsofFixturesStart, lsofFixturesStop,
          {
              cmocka_unit_test(views_keep_pushdown),
              cmocka_unit_test(socket_view_matches_fd_view),
              cmocka_unit_test(recipes_of_sockets),
              cmocka_unit_test(recipes_of_files),
          })
