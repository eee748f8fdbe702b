/*
** `sqlsof --html`: the page's structure and escaping (exact text), errors, and the host report
** of sql/report.sql rendered by headless Chromium with live fixture children in it, one of
** them named like markup.
*/
#include <setjmp.h>
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
#include "testmain.h"

#define SQLSOF      "build/sqlsof"
#define REPORT      "build/tests/report.html"
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

static size_t count(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
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
    assert_int_equal(count(page, "<table>"), 2);
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

    /* What a browser makes of it: the DOM after parsing, from a fresh profile, offline. */
    char *dom = testShellOk(
        "profile=$(mktemp -d) && "
        "chromium --headless --no-sandbox --disable-gpu --disable-background-networking "
        "--disable-component-update --disable-sync --disable-quic --no-first-run "
        "--user-data-dir=\"$profile\" --dump-dom \"file://$PWD/" REPORT "\" 2>/dev/null; "
        "status=$?; rm -rf \"$profile\"; exit $status");
    char **titles = reportTitles();
    size_t sections = 0;
    for (char **t = titles; *t; t++, sections++) {
        if (!strstr(dom, *t)) fail_msg("no %s in the rendered report", *t);
        free(*t);
    }
    free(titles);
    assert_int_equal(count(dom, "<table>"), sections);
    assert_int_equal(count(dom, "</table>"), sections);
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

TEST_MAIN("html", NULL, NULL,
          {
              cmocka_unit_test(sections_and_escaping),
              cmocka_unit_test(error_prints_no_page),
              cmocka_unit_test(report_in_chromium),
          })
