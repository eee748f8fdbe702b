/*
** `sqlsof --html`: the page's structure and escaping (exact text), errors, and the host report
** of sql/report.sql rendered by headless Chromium with live fixture children in it, one of
** them named like markup.
*/
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <cmocka.h>

#include "fixture.h"
#include "shell.h"
#include "talkers.h"
#include "testmain.h"

#define SQLSOF      "build/sqlsof"
#define REPORT      "build/tests/report.html"
#define GRAPH       "build/tests/report-graph.html"
#define HOSTILE     "<script>&'\""
#define HOSTILE_DOM "&lt;script&gt;&amp;'\"" /* as Chromium serialises that text */

static char *html(const char *sql)
{
    struct command_result r;
    char *argv[] = {SQLSOF, "--html", (char *)sql, NULL};
    testCommand(argv, &r);
    assert_string_equal(r.err, "");
    assert_int_equal(r.status, 0);
    free(r.err);
    return r.out;
}

static void sections_and_escaping(void **state)
{
    (void)state;
    char *page = html("CREATE TEMP TABLE t(a);\n"
                      "-- section: not this one\n"
                      "INSERT INTO t VALUES ('<b>\"x\" & ''y''</b>');\n"
                      "-- section: A & <B>\n"
                      "SELECT a AS \"<c>\", NULL AS n, 42 AS i, 2.5 AS r,"
                      " CAST(x'41ff0942' AS TEXT) AS bytes FROM t;\n"
                      "SELECT 1 AS untitled WHERE 0");
    assert_true(
        !strncmp(page, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">",
                 strlen("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")));
    assert_non_null(strstr(page, "<style>"));
    /* The contents lists titled sections only; statements without columns make no table. */
    assert_non_null(
        strstr(page, "<nav><ol>\n<li><a href=\"#s1\">A &amp; &lt;B&gt;</a></li>\n</ol></nav>"));
    assert_int_equal(testCount(page, "<table>"), 2);
    assert_null(strstr(page, "not this one"));
    assert_non_null(strstr(page, "<section id=\"s1\">\n<h2>A &amp; &lt;B&gt;</h2>\n<table>\n"
                                 "<thead><tr><th>&lt;c&gt;</th><th>n</th><th>i</th><th>r</th>"
                                 "<th>bytes</th></tr></thead>\n<tbody>\n"
                                 "<tr><td>&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;</td>"
                                 "<td class=\"null\"></td><td class=\"num\">42</td>"
                                 "<td class=\"num\">2.5</td><td>A\xEF\xBF\xBD\\x09B</td></tr>\n"
                                 "</tbody>\n</table>\n<p class=\"rows\">1 row</p>\n</section>\n"));
    assert_non_null(strstr(page, "<section id=\"s2\">\n<table>\n<thead><tr><th>untitled</th>"
                                 "</tr></thead>\n<tbody>\n</tbody>\n</table>\n"
                                 "<p class=\"rows\">0 rows</p>\n</section>\n"));
    /* Nothing the page needs comes from elsewhere, and it runs nothing. */
    assert_null(strstr(page, "<script"));
    assert_null(strstr(page, "src="));
    assert_null(strstr(page, "http"));
    assert_true(strlen(page) > 20 && !strcmp(page + strlen(page) - 16, "</body>\n</html>\n"));
    free(page);
}

static void error_prints_no_page(void **state)
{
    (void)state;
    struct command_result r;
    char *argv[] = {SQLSOF, "--html", "\n-- section: ok\nSELECT 1;\n-- section: bad\nSELECT nosuch",
                    NULL};
    testCommand(argv, &r);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "sqlsof: no such column: nosuch\n");
    testCommandFree(&r);
}

static int named(void *arg)
{
    return prctl(PR_SET_NAME, (const char *)arg);
}

/* The titles of sql/report.sql's sections, in order, each as "<h2>Title</h2>". */
static char **reportTitles(void)
{
    char *sql = testReadFile("sql/report.sql");
    char **titles = calloc(64, sizeof *titles);
    size_t n = 0;
    for (char *line = strtok(sql, "\n"); line && n < 63; line = strtok(NULL, "\n"))
        if (!strncmp(line, "-- section: ", 12))
            assert_true(asprintf(&titles[n++], "<h2>%s</h2>", line + 12) > 0);
    free(sql);
    assert_true(n >= 3);
    return titles;
}

/* What a browser makes of the page at PATH: the DOM after parsing, from a fresh profile,
 * offline. */
static char *domOf(const char *path)
{
    return testShellOk(
        "profile=$(mktemp -d) && "
        "chromium --headless --no-sandbox --disable-gpu --disable-background-networking "
        "--disable-component-update --disable-sync --disable-quic --no-first-run "
        "--user-data-dir=\"$profile\" --dump-dom \"file://$PWD/%s\" 2>/dev/null; "
        "status=$?; rm -rf \"$profile\"; exit $status",
        path);
}

static void report_in_chromium(void **state)
{
    (void)state;
    struct fixture plain, hostile;
    fixtureStart(&plain, named, "sqlsof-html-fx");
    fixtureStart(&hostile, named, HOSTILE);
    free(testShellOk(SQLSOF " --html > " REPORT));
    int plainPid = plain.pid, hostilePid = hostile.pid;
    fixtureStop(&plain);
    fixtureStop(&hostile);

    char *dom = domOf(REPORT);
    char **titles = reportTitles();
    size_t sections = 0;
    for (char **t = titles; *t; t++, sections++) {
        if (!strstr(dom, *t)) fail_msg("no %s in the rendered report", *t);
        free(*t);
    }
    free(titles);
    assert_int_equal(testCount(dom, "<table>"), sections);
    assert_int_equal(testCount(dom, "</table>"), sections);
    assert_non_null(strstr(dom, "<title>sqlsof report: "));
    /* The fixtures are among the recently started processes, the hostile name as text. */
    char cell[64];
    snprintf(cell, sizeof cell, "<td class=\"num\">%d</td><td>sqlsof-html-fx</td>", plainPid);
    assert_non_null(strstr(dom, cell));
    snprintf(cell, sizeof cell, "<td class=\"num\">%d</td><td>" HOSTILE_DOM "</td>", hostilePid);
    assert_non_null(strstr(dom, cell));
    assert_null(strstr(dom, "<script"));
    free(dom);
}

/* The report's graph of three processes talking over a pipe, a unix socket and TCP, one named
 * like markup: in the browser's DOM, an SVG with a node per process and the three edges. */
static void graph_in_chromium(void **state)
{
    (void)state;
    struct fixture fx;
    struct talkers t;
    talkersStart(&fx, &t, HOSTILE);
    /* stdin closed, as under some schedulers: the graph is still drawn */
    free(testShellOk(SQLSOF " --html <&- > " GRAPH));
    fixtureStop(&fx);
    char *dom = domOf(GRAPH);
    const char *graph = strstr(dom, "<h2>Who talks to whom</h2>\n<div class=\"graph\">\n<svg ");
    if (!graph) fail_msg("no graph in the rendered report");
    assert_int_equal(testCount(graph, "<svg "), 1);
    const int *p = t.pid;
    char title[64];
    for (int i = 0; i < 3; i++) {
        snprintf(title, sizeof title, "<title>p%d</title>", p[i]);
        assert_int_equal(testCount(graph, title), 1);
        snprintf(title, sizeof title, ">%s</text>",
                 i < 2 ? (i ? "sqlsof-talk-b" : "sqlsof-talk-a") : HOSTILE_DOM);
        assert_int_equal(testCount(graph, title), 1);
    }
    static const int ends[3][2] = {{0, 1}, {1, 2}, {0, 2}};
    static const char *const kinds[3] = {"pipe", "unix", "tcp"};
    for (int i = 0; i < 3; i++) {
        int a = p[ends[i][0]], b = p[ends[i][1]];
        /* dot's edge title is "pA--pB", its label the kind */
        snprintf(title, sizeof title, "<title>p%d--p%d</title>", a < b ? a : b, a < b ? b : a);
        const char *edge = strstr(graph, title);
        if (!edge) fail_msg("no edge %s in the graph", title);
        snprintf(title, sizeof title, ">%s</text>", kinds[i]);
        const char *label = strstr(edge, title), *next = strstr(edge, "</g>");
        assert_true(label && next && label < next);
    }
    assert_null(strstr(dom, "<script"));
    free(dom);
}

/* A stand-in for dot in build/tests/fake-dot-NAME/ running the shell script BODY; returns that
 * directory (static storage), for PATH. */
static const char *fakeDot(const char *name, const char *body)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "build/tests/fake-dot-%s", name);
    free(testShellOk("mkdir -p %s && printf '#!/bin/sh\\n%%s\\n' '%s' > %s/dot && chmod +x %s/dot",
                     dir, body, dir, dir));
    return dir;
}

/* Without Graphviz, or with a dot that fails, hangs or floods, the report is the same but for
 * one line; a dot past its time is killed and reaped. The fixture makes sure there are edges. */
static void graph_without_dot(void **state)
{
    (void)state;
    struct {
        const char *path, *why;
    } cases[4] = {{"/nonexistent", "dot was not found"},
                  {fakeDot("fail", "exit 3"), "dot failed (exit status 3)"},
                  {NULL, "dot took longer than 10 s"},
                  {NULL, "dot wrote more than 16 MiB"}};
    cases[1].path = strdup(cases[1].path);
    cases[2].path =
        strdup(fakeDot("slow", "echo $$ > build/tests/fake-dot-slow/pid; exec /bin/sleep 60"));
    cases[3].path = strdup(fakeDot("flood", "exec /usr/bin/yes"));
    struct fixture fx;
    struct talkers t;
    talkersStart(&fx, &t, NULL);
    char **titles = reportTitles();
    for (size_t c = 0; c < 4; c++) {
        char *page = testShellOk("PATH=%s " SQLSOF " --html", cases[c].path);
        char note[160];
        snprintf(note, sizeof note,
                 "<h2>Who talks to whom</h2>\n<p class=\"note\">The graph needs Graphviz "
                 "(<code>dot</code>): %s.</p>\n</section>\n",
                 cases[c].why);
        if (testCount(page, note) != 1) fail_msg("not once in the page: %s", note);
        assert_null(strstr(page, "<svg"));
        size_t sections = 0;
        for (char **s = titles; *s; s++, sections++) assert_non_null(strstr(page, *s));
        assert_int_equal(testCount(page, "<table>"), sections);
        free(page);
    }
    fixtureStop(&fx);
    char *pid = testReadFile("build/tests/fake-dot-slow/pid");
    assert_int_equal(kill(atoi(pid), 0), -1); /* the slow dot was killed, and reaped */
    assert_int_equal(errno, ESRCH);
    free(pid);
    for (char **s = titles; *s; s++) free(*s);
    free(titles);
    for (size_t c = 1; c < 4; c++) free((char *)cases[c].path);
}

TEST_MAIN("html", NULL, NULL,
          {
              cmocka_unit_test(sections_and_escaping),
              cmocka_unit_test(error_prints_no_page),
              cmocka_unit_test(report_in_chromium),
              cmocka_unit_test(graph_in_chromium),
              cmocka_unit_test(graph_without_dot),
          })
