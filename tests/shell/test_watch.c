/*
** sqlsof --watch: the rows that came and went between runs, in each output mode, on live
** fixtures the test changes between two runs (it waits for the first run's output first).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "command.h"
#include "fixture.h"
#include "testmain.h"

/* The test's own children only: another run of this test may have its own on the host. */
#define WATCHED                                                                                    \
    "SELECT pid, name FROM processes WHERE ppid = %d AND name LIKE 'sqlsof-watch-%%' ORDER BY pid"

/* A running `sqlsof --watch 1 --watch-count 3 MODE WATCHED` and its standard output. */
struct watcher {
    pid_t pid;
    FILE *out;
};

static void startWatcher(struct watcher *w, const char *mode)
{
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    char *sqlsof = testSqlsof();
    char watched[160];
    snprintf(watched, sizeof watched, WATCHED, (int)getpid());
    w->pid = fork();
    assert_true(w->pid >= 0);
    if (w->pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        close(pipefd[1]);
        execl(sqlsof, sqlsof, "--watch", "1", "--watch-count", "3", mode, watched, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    w->out = fdopen(pipefd[0], "r");
    assert_non_null(w->out);
}

/* The next line of the watcher's output (malloc'd), or NULL at its end. */
static char *nextLine(struct watcher *w)
{
    char *line = NULL;
    size_t cap = 0;
    if (getline(&line, &cap, w->out) < 0) {
        free(line);
        return NULL;
    }
    return line;
}

/* Fails unless the rest of the output is exactly WANT; then reaps the watcher (exit 0). */
static void expectRest(struct watcher *w, const char *want)
{
    char rest[4096];
    size_t n = fread(rest, 1, sizeof rest - 1, w->out);
    rest[n] = '\0';
    fclose(w->out);
    fixtureWaitOk(w->pid);
    assert_string_equal(rest, want);
}

/* LINE without its time stamp (the text up to the first SEP), which must be ISO 8601 UTC. */
static const char *unstamped(const char *line, char sep)
{
    const char *p = line + (line[0] == '"' || line[0] == '{' ? strcspn(line, "0123456789") : 0);
    assert_true(strlen(p) > 24);
    assert_true(p[4] == '-' && p[10] == 'T' && p[23] == 'Z');
    const char *after = strchr(p + 23, sep);
    assert_non_null(after);
    return after + 1;
}

/* Run 1 lists A; A ends and B starts; run 2 gives +B and -A; run 3, nothing. */
static void csv_came_and_went(void **state)
{
    (void)state;
    struct fixture a, b;
    char want[512], *line;
    fixtureStart(&a, fixtureSetName, "sqlsof-watch-a");
    struct watcher w;
    startWatcher(&w, "--csv");
    line = nextLine(&w);
    assert_string_equal(line, "time,change,pid,name\r\n");
    free(line);
    line = nextLine(&w);
    snprintf(want, sizeof want, "+,%d,sqlsof-watch-a\r\n", a.pid);
    assert_string_equal(unstamped(line, ','), want);
    free(line);
    int aPid = a.pid; /* fixtureStop forgets it */
    fixtureStop(&a);
    fixtureStart(&b, fixtureSetName, "sqlsof-watch-b");
    line = nextLine(&w);
    snprintf(want, sizeof want, "+,%d,sqlsof-watch-b\r\n", b.pid);
    assert_string_equal(unstamped(line, ','), want);
    free(line);
    line = nextLine(&w);
    snprintf(want, sizeof want, "-,%d,sqlsof-watch-a\r\n", aPid);
    assert_string_equal(unstamped(line, ','), want);
    free(line);
    expectRest(&w, ""); /* the third run changed nothing */
    fixtureStop(&b);
}

/* JSON lines: one object per change, the time and the change first. */
static void jsonl_objects(void **state)
{
    (void)state;
    struct fixture a;
    char want[512];
    fixtureStart(&a, fixtureSetName, "sqlsof-watch-j");
    struct watcher w;
    startWatcher(&w, "--jsonl");
    char *line = nextLine(&w);
    assert_non_null(line);
    assert_memory_equal(line, "{\"time\":\"", 9);
    snprintf(want, sizeof want, "\"change\":\"+\",\"pid\":%d,\"name\":\"sqlsof-watch-j\"}\n",
             a.pid);
    assert_string_equal(unstamped(line, ','), want);
    free(line);
    int aPid = a.pid; /* fixtureStop forgets it */
    fixtureStop(&a);
    line = nextLine(&w);
    snprintf(want, sizeof want, "\"change\":\"-\",\"pid\":%d,\"name\":\"sqlsof-watch-j\"}\n", aPid);
    assert_string_equal(unstamped(line, ','), want);
    free(line);
    expectRest(&w, "");
}

/* A table per run and a JSON array per run; an unchanged run prints nothing. */
static void table_and_json(void **state)
{
    (void)state;
    struct command_result r;
    testRunSqlsof(&r, "--watch", "0.05", "--watch-count", "2", "SELECT 7 AS a", NULL);
    assert_int_equal(r.status, 0);
    assert_memory_equal(r.out, "time                      change  a\n", 35);
    assert_non_null(strstr(r.out, "Z  +       7\n"));
    assert_null(strstr(strstr(r.out, "Z  +") + 1, "Z  +")); /* the second run: nothing */
    testCommandFree(&r);
    testRunSqlsof(&r, "--json", "--watch", "0.05", "--watch-count", "2", "SELECT 7 AS a", NULL);
    assert_int_equal(r.status, 0);
    assert_memory_equal(r.out, "[\n{\"time\":\"", 11);
    assert_non_null(strstr(r.out, "Z\",\"change\":\"+\",\"a\":7}\n]\n"));
    assert_int_equal(strlen(strstr(r.out, "]")), 2);
    testCommandFree(&r);
}

/* Bad uses: one line, exit 1. */
static void bad_arguments(void **state)
{
    (void)state;
    const char *const cases[][4] = {
        {"--watch", "0", "SELECT 1", "--watch needs a number"},
        {"--watch", "x", "SELECT 1", "--watch needs a number"},
        {"--watch-count", "2", "SELECT 1", "--watch-count goes with --watch"},
        {"--watch", "1", "DELETE FROM sockets", "the SQL must be one SELECT"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct command_result r;
        testRunSqlsof(&r, "--watch-count", "1", cases[i][0], cases[i][1], cases[i][2], NULL);
        assert_int_equal(r.status, 1);
        assert_non_null(strstr(r.err, cases[i][3]));
        assert_ptr_equal(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
        testCommandFree(&r);
    }
}

TEST_MAIN("watch", NULL, NULL,
          {
              cmocka_unit_test(csv_came_and_went),
              cmocka_unit_test(jsonl_objects),
              cmocka_unit_test(table_and_json),
              cmocka_unit_test(bad_arguments),
          })
