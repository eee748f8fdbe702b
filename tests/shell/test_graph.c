/*
** `sqlsof --dot`: the DOT of three live processes talking over a pipe, a unix socket and
** loopback TCP (tests/lib/talkers.h), read back by Graphviz's dot; a hostile process name;
** the one-line errors of a wrong shape.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "command.h"
#include "shell.h"
#include "talkers.h"
#include "testmain.h"

#define GRAPH_ID "9a0f9a0f9a0f9a0f9a0f9a0f9a0f9a0f9a0f9a0f9a0f9a0f9a0f9a0f9a0f9a0f"
#define HOSTILE  "q\"b\\\n\x01z" /* a quote, a backslash, a newline, a control byte */

/* `sqlsof --dot` of the edges among T's processes over objects only they hold (not the stdout
 * they inherited from this test, say), which must succeed. */
static char *dotOf(const struct talkers *t)
{
    char sql[512];
    const char *list = talkersList(t);
    snprintf(sql, sizeof sql,
             "WITH e AS MATERIALIZED (SELECT * FROM endpoints WHERE pid IN %s)"
             " SELECT pid, peer_pid, kind FROM e WHERE peer_pid IN %s AND pid != peer_pid"
             " AND object NOT IN (SELECT object FROM e WHERE peer_pid NOT IN %s)",
             list, list, list);
    struct command_result r;
    testRunSqlsof(&r, "--dot", sql, NULL);
    assert_string_equal(r.err, "");
    assert_int_equal(r.status, 0);
    free(r.err);
    return r.out;
}

static void expectEdge(const char *dot, int x, int y, const char *kind)
{
    char line[96];
    snprintf(line, sizeof line, "  p%d -- p%d [label=\"%s\"];\n", x < y ? x : y, x < y ? y : x,
             kind);
    if (testCount(dot, line) != 1) fail_msg("not once in the DOT: %s\n%s", line, dot);
}

/* What dot makes of DOT (written to PATH first): its SVG. */
static char *svgOf(const char *dot, const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(dot, f);
    fclose(f);
    return testShellOk("dot -Tsvg %s", path);
}

static void three_talkers(void **state)
{
    (void)state;
    struct fixture fx;
    struct talkers t;
    talkersStart(&fx, &t, NULL);
    char *dot = dotOf(&t);
    fixtureStop(&fx);
    const int *p = t.pid;
    assert_true(!strncmp(dot, "graph sqlsof {\n", 15));
    assert_int_equal(testCount(dot, " [label=\"sqlsof-talk-"), 3);
    const char *names = "abc";
    for (int i = 0; i < 3; i++) {
        char node[80];
        snprintf(node, sizeof node, "  p%d [label=\"sqlsof-talk-%c\\n%d\"];\n", p[i], names[i],
                 p[i]);
        if (testCount(dot, node) != 1) fail_msg("not once in the DOT: %s\n%s", node, dot);
    }
    if (testCount(dot, " -- ") != 3) fail_msg("%s", dot);
    expectEdge(dot, p[0], p[1], "pipe");
    expectEdge(dot, p[1], p[2], "unix");
    expectEdge(dot, p[0], p[2], "tcp");
    /* dot reads it: a node per process, an edge per link */
    char *svg = svgOf(dot, "build/tests/graph.dot");
    for (int i = 0; i < 3; i++) {
        char title[40];
        snprintf(title, sizeof title, "<title>p%d</title>", p[i]);
        assert_int_equal(testCount(svg, title), 1);
    }
    assert_int_equal(testCount(svg, "<g id=\"node"), 3);
    assert_int_equal(testCount(svg, "<g id=\"edge"), 3);
    free(svg);
    free(dot);
}

static void hostile_name(void **state)
{
    (void)state;
    struct fixture fx;
    struct talkers t;
    talkersStart(&fx, &t, HOSTILE);
    char *dot = dotOf(&t);
    fixtureStop(&fx);
    /* the name stays inside its quotes, on its line: \" \\ and the controls as \xHH text */
    char node[80];
    snprintf(node, sizeof node, "  p%d [label=\"q\\\"b\\\\\\\\x0A\\\\x01z\\n%d\"];\n", t.pid[2],
             t.pid[2]);
    if (testCount(dot, node) != 1) fail_msg("not once in the DOT: %s\n%s", node, dot);
    assert_int_equal(testCount(dot, "\n"), 4 + 3 + 3 + 1);
    char *svg = svgOf(dot, "build/tests/graph-hostile.dot");
    assert_non_null(strstr(svg, ">q&quot;b\\\\x0A\\x01z</text>"));
    assert_int_equal(testCount(svg, "<g id=\"node"), 3);
    free(svg);
    free(dot);
}

/* The cgroup v2 hierarchy: /sys/fs/cgroup/unified on a hybrid host, else /sys/fs/cgroup. */
static const char *v2Root(void)
{
    struct stat st;
    return stat("/sys/fs/cgroup/unified/cgroup.procs", &st) == 0 ? "/sys/fs/cgroup/unified"
                                                                 : "/sys/fs/cgroup";
}

/* C moved into a docker container's cgroup (as test_container_forged makes one, under a parent
 * of the test's own) is drawn in that container's cluster, A and B outside it. */
static void container_cluster(void **state)
{
    (void)state;
    char dir[256];
    snprintf(dir, sizeof dir, "%s/sqlsof-test-graph.slice/docker-%s.scope", v2Root(), GRAPH_ID);
    struct fixture fx;
    struct talkers t;
    talkersStart(&fx, &t, NULL);
    free(testShellOk("mkdir -p '%s' && echo %d > '%s/cgroup.procs'", dir, t.pid[2], dir));
    char *dot = dotOf(&t);
    fixtureStop(&fx);
    /* C dies with A (PR_SET_PDEATHSIG): its cgroup can go once it has */
    free(testShellOk("for i in $(seq 100); do rmdir '%s' 2>/dev/null && break; sleep 0.05; done;"
                     " rmdir %s/sqlsof-test-graph.slice",
                     dir, v2Root()));
    char cluster[256];
    snprintf(cluster, sizeof cluster,
             "  subgraph cluster_1 {\n    label=\"%.12s\";\n"
             "    p%d [label=\"sqlsof-talk-c\\n%d\"];\n  }\n"
             "  p%d [label=\"sqlsof-talk-a\\n%d\"];\n  p%d [label=\"sqlsof-talk-b\\n%d\"];\n",
             GRAPH_ID, t.pid[2], t.pid[2], t.pid[0], t.pid[0], t.pid[1], t.pid[1]);
    if (testCount(dot, cluster) != 1) fail_msg("not once in the DOT: %s\n%s", cluster, dot);
    assert_int_equal(testCount(dot, "subgraph"), 1);
    free(dot);
}

static void expectError(const char *sql, const char *err)
{
    struct command_result r;
    testRunSqlsof(&r, "--dot", sql, NULL);
    assert_string_equal(r.err, err);
    assert_string_equal(r.out, "");
    assert_int_equal(r.status, 1);
    testCommandFree(&r);
}

static void wrong_shapes(void **state)
{
    (void)state;
    expectError("SELECT 1", "sqlsof: --dot: the graph's SELECT must return (pid, peer_pid[, "
                            "label]), not 1 column\n");
    expectError("SELECT 1, 2, 3, 4", "sqlsof: --dot: the graph's SELECT must return (pid, "
                                     "peer_pid[, label]), not 4 columns\n");
    expectError("SELECT 1, 2 UNION ALL SELECT 'init', 2",
                "sqlsof: --dot: row 2 of the graph's SELECT: pid and peer_pid must be integers\n");
    expectError("SELECT 1, 2; SELECT 3, 4",
                "sqlsof: --dot takes one SELECT of (pid, peer_pid[, label])\n");
    expectError("SELECT nosuch, 2", "sqlsof: no such column: nosuch\n");
    struct command_result r;
    testRunSqlsof(&r, "--dot", NULL);
    assert_string_equal(r.err, "sqlsof: --dot needs one SELECT of (pid, peer_pid[, label]) and "
                               "no other output mode\n");
    assert_int_equal(r.status, 1);
    testCommandFree(&r);
    /* past 2,000 rows the rest are left out, said on stderr */
    testRunSqlsof(&r, "--dot",
                  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)"
                  " SELECT 999000000 + i, 999900000 + i FROM n",
                  NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "sqlsof: --dot: 500 rows past the first 2000 left out\n");
    assert_int_equal(testCount(r.out, " -- "), 2000);
    assert_non_null(strstr(r.out, "  p999002000 -- p999902000;\n}\n"));
    testCommandFree(&r);
    /* NULL pids are no edge; the same pair is one edge whichever way round */
    testRunSqlsof(&r, "--dot",
                  "SELECT 999999999, NULL UNION ALL SELECT 999999998, 999999997"
                  " UNION ALL SELECT 999999997, 999999998",
                  NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(strstr(r.out, "  p999999997 ["), "  p999999997 [label=\"999999997\"];\n"
                                                         "  p999999998 [label=\"999999998\"];\n"
                                                         "  p999999997 -- p999999998;\n}\n");
    testCommandFree(&r);
}

/* A `-- graph:` section of --html takes any SELECT of the same shape, and says a wrong one in a
 * line, with no page. */
static void html_graph_section(void **state)
{
    (void)state;
    struct command_result r;
    testRunSqlsof(&r, "--html", "-- graph: Mine & <ours>\nSELECT 999999991, 999999992, 'x<y'",
                  NULL);
    assert_string_equal(r.err, "");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "<li><a href=\"#s1\">Mine &amp; &lt;ours&gt;</a></li>"));
    assert_non_null(strstr(r.out, "<section id=\"s1\">\n<h2>Mine &amp; &lt;ours&gt;</h2>\n"
                                  "<div class=\"graph\">\n<svg "));
    assert_int_equal(testCount(r.out, "<g id=\"node"), 2);
    assert_int_equal(testCount(r.out, "<title>p999999991&#45;&#45;p999999992</title>"), 1);
    assert_int_equal(testCount(r.out, ">x&lt;y</text>"), 1); /* dot escapes its XML */
    assert_non_null(strstr(r.out, "</svg>\n</div>\n<p class=\"rows\">2 processes</p>\n"
                                  "</section>\n"));
    testCommandFree(&r);
    testRunSqlsof(&r, "--html", "-- graph: g\nSELECT 1, 2 WHERE 0", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "<h2>g</h2>\n<p class=\"rows\">no edges</p>\n</section>\n"));
    testCommandFree(&r);
    testRunSqlsof(&r, "--html", "-- graph: g\nSELECT 'a', 'b'", NULL);
    assert_string_equal(r.err, "sqlsof: row 1 of the graph's SELECT: pid and peer_pid must be "
                               "integers\n");
    assert_string_equal(r.out, "");
    assert_int_equal(r.status, 1);
    testCommandFree(&r);
}

TEST_MAIN("graph", NULL, NULL,
          {
              cmocka_unit_test(three_talkers),
              cmocka_unit_test(hostile_name),
              cmocka_unit_test(container_cluster),
              cmocka_unit_test(wrong_shapes),
              cmocka_unit_test(html_graph_section),
          })
