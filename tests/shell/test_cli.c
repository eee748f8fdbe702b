/* The sqlsof command in SQL mode: each output format, exact text; errors and exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "sqlsof.h"

#include "command.h"
#include "fixture.h"
#include "shell.h"
#include "testmain.h"

#define KNOWN                                                                                      \
    "SELECT 1 AS n, 'a,b \"q\"' AS s, NULL AS z, 2.5 AS r UNION ALL SELECT 22, 'é', 'x', -1"

static void expectOutput(const char *mode, const char *sql, const char *expected)
{
    struct command_result r;
    testRunSqlsof(&r, mode, sql, NULL);
    assert_string_equal(r.err, "");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, expected);
    testCommandFree(&r);
}

static void table_mode(void **state)
{
    (void)state;
    expectOutput("--table", KNOWN,
                 " n  s        z    r\n"
                 "--  -------  -  ---\n"
                 " 1  a,b \"q\"     2.5\n"
                 "22  é        x   -1\n");
}

static void csv_mode(void **state)
{
    (void)state;
    expectOutput("--csv", KNOWN,
                 "n,s,z,r\r\n"
                 "1,\"a,b \"\"q\"\"\",,2.5\r\n"
                 "22,é,x,-1\r\n");
}

static void json_mode(void **state)
{
    (void)state;
    expectOutput("--json", KNOWN,
                 "[\n"
                 "{\"n\":1,\"s\":\"a,b \\\"q\\\"\",\"z\":null,\"r\":2.5},\n"
                 "{\"n\":22,\"s\":\"é\",\"z\":\"x\",\"r\":-1}\n"
                 "]\n");
    expectOutput("--json", "SELECT 1 WHERE 0", "[]\n");
}

static void jsonl_mode(void **state)
{
    (void)state;
    expectOutput("--jsonl", KNOWN,
                 "{\"n\":1,\"s\":\"a,b \\\"q\\\"\",\"z\":null,\"r\":2.5}\n"
                 "{\"n\":22,\"s\":\"é\",\"z\":\"x\",\"r\":-1}\n");
}

static void control_characters(void **state)
{
    (void)state;
    /* The table keeps one value on one line; JSON escapes; CSV quotes. */
    const char *sql = "SELECT 'a' || char(10) || 'b' || char(9) || char(1) AS v";
    expectOutput("--table", sql, "v\n----------\na\\nb\\t\\x01\n");
    expectOutput("--json", sql, "[\n{\"v\":\"a\\nb\\t\\u0001\"}\n]\n");
    expectOutput("--csv", sql, "v\r\n\"a\nb\t\x01\"\r\n");
    /* Bytes that are not UTF-8 stay valid JSON. */
    expectOutput("--jsonl", "SELECT CAST(x'41ff42' AS TEXT) AS v", "{\"v\":\"A\\u00ffB\"}\n");
}

/* Text that is not UTF-8 by the Unicode Standard's Table 3-7, and C1 controls: JSON writes the
 * bytes as \u00XX and the C1 controls escaped, the table escapes both, and Python's strict
 * decoders take the JSON. */
#define HOSTILE_TEXT                                                                               \
    "SELECT CAST(x'eda080' || x'7c' || x'e08080' || x'7c' || x'f4908080' || x'7c' || x'c29b' "     \
    "|| x'9b' || x'7c' || x'fffe' || x'e282ac' || x'e282' AS TEXT) AS v"

static void strict_utf8(void **state)
{
    (void)state;
    expectOutput("--jsonl", HOSTILE_TEXT,
                 "{\"v\":\"\\u00ed\\u00a0\\u0080|\\u00e0\\u0080\\u0080|"
                 "\\u00f4\\u0090\\u0080\\u0080|\\u009b\\u009b|\\u00ff\\u00fe\xe2\x82\xac"
                 "\\u00e2\\u0082\"}\n");
    expectOutput("--table", HOSTILE_TEXT,
                 "v\n"
                 "-----------------------------------------------------------------------\n"
                 "\\xed\\xa0\\x80|\\xe0\\x80\\x80|\\xf4\\x90\\x80\\x80|\\u009b\\x9b|\\xff\\xfe"
                 "\xe2\x82\xac\\xe2\\x82\n");
    struct command_result r;
    for (int i = 0; i < 2; i++) {
        testShell(
            &r,
            "%s %s \"%s\" | python3 -c 'import sys, json; "
            "json.loads(sys.stdin.buffer.read().decode(\"utf-8\", \"strict\")); print(\"ok\")'",
            testSqlsof(), i ? "--json" : "--jsonl", HOSTILE_TEXT);
        assert_string_equal(r.out, "ok\n");
        testCommandFree(&r);
    }
}

static void live_row(void **state)
{
    (void)state;
    struct fixture fx;
    fixtureStart(&fx, fixtureSetName, "sqlsof-cli-fx");
    char sql[128], expected[128];
    snprintf(sql, sizeof sql, "SELECT pid, name FROM processes WHERE pid = %d", fx.pid);
    snprintf(expected, sizeof expected, "[\n{\"pid\":%d,\"name\":\"sqlsof-cli-fx\"}\n]\n", fx.pid);
    expectOutput("--json", sql, expected);
    fixtureStop(&fx);
}

static void several_statements(void **state)
{
    (void)state;
    expectOutput("--csv", "CREATE TEMP TABLE t(a); INSERT INTO t VALUES (7); SELECT a FROM t",
                 "a\r\n7\r\n");
    expectOutput("--table", "SELECT 1 AS a; SELECT 2 AS b", "a\n-\n1\n\nb\n-\n2\n");
}

/* The views of sql/ are made for a statement that names one (in any case) or lists the schema,
 * and not parsed for one that does neither. */
static void views_when_named(void **state)
{
    (void)state;
    expectOutput("--csv", "SELECT count(*) >= 0 AS n FROM Listening", "n\r\n1\r\n");
    expectOutput("--csv", "SELECT count(*) >= 8 AS n FROM temp.sqlite_master WHERE type = 'view'",
                 "n\r\n1\r\n");
    expectOutput("--csv", "SELECT count(*) >= 8 AS n FROM pragma_table_list WHERE schema = 'temp'",
                 "n\r\n1\r\n");
    expectOutput("--csv", "SELECT 'lsof_fds' AS n", "n\r\nlsof_fds\r\n");
}

static void sql_error_exits_1(void **state)
{
    (void)state;
    struct command_result r;
    testRunSqlsof(&r, "SELECT nosuch FROM processes", NULL);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "sqlsof: no such column: nosuch\n");
    testCommandFree(&r);

    testRunSqlsof(&r, "--bogus", "SELECT 1", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "unknown option --bogus"));
    testCommandFree(&r);
}

/* --shell: the system's sqlite3 with the extension loaded and the views created. */
static void interactive_shell(void **state)
{
    (void)state;
    char *cmd = sqlite3_mprintf("echo 'SELECT count(*) > 0 FROM lsof WHERE pid = %d;\n.mode csv\n"
                                "SELECT sqlsof_version();' | %s --shell",
                                getpid(), "build/sqlsof"); /* loads into the system sqlite3: not
                                                              the sanitized build */
    char *argv[] = {"sh", "-c", cmd, NULL};
    struct command_result r;
    testCommand(argv, &r);
    assert_int_equal(r.status, 0);
    char expected[64];
    snprintf(expected, sizeof expected, "1\n%s\r\n", SQLSOF_VERSION); /* csv ends lines with CRLF */
    assert_string_equal(r.out, expected);
    testCommandFree(&r);
    sqlite3_free(cmd);
}

static void help_and_version(void **state)
{
    (void)state;
    struct command_result r;
    testRunSqlsof(&r, "--help", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "usage: sqlsof"));
    assert_non_null(strstr(r.out, "--jsonl"));
    testCommandFree(&r);
}

TEST_MAIN("cli", NULL, NULL,
          {
              cmocka_unit_test(table_mode),
              cmocka_unit_test(csv_mode),
              cmocka_unit_test(json_mode),
              cmocka_unit_test(jsonl_mode),
              cmocka_unit_test(strict_utf8),
              cmocka_unit_test(control_characters),
              cmocka_unit_test(live_row),
              cmocka_unit_test(several_statements),
              cmocka_unit_test(views_when_named),
              cmocka_unit_test(sql_error_exits_1),
              cmocka_unit_test(interactive_shell),
              cmocka_unit_test(help_and_version),
          })
