/*
** `sqlsof --prom` and `--prom-dir`: the exposition writer's escaping and numbers (exact text),
** declarations good and bad, a metric that fails while running, the atomic file, and the
** default metrics of sql/metrics.sql on a live child (a listener, a connection to it, a
** deleted file, its own fd limit), checked by promtool.
*/
#include <arpa/inet.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "report/prom.h"
#include "shell.h"
#include "sockets.h"
#include "testmain.h"

#define DIR          "build/tests/prom"
#define CHILD_NAME   "sqlsof-prom-t"
#define CHILD_LIMIT  321
#define DELETED_SIZE 12345

/* What F writes to a memory stream, NUL-terminated (malloc'd). */
#define CAPTURE(text, call)                                                                        \
    do {                                                                                           \
        size_t len_;                                                                               \
        FILE *out = open_memstream(&(text), &len_);                                                \
        assert_non_null(out);                                                                      \
        call;                                                                                      \
        fclose(out);                                                                               \
    } while (0)

static void label_and_help_escaping(void **state)
{
    (void)state;
    char *text;
    CAPTURE(text, promLabelValue(out, (const unsigned char *)"a\\b\"c\nd\te\xff"
                                                             "f\xc3\xa9"));
    assert_string_equal(text, "a\\\\b\\\"c\\nd\xEF\xBF\xBD"
                              "e\xEF\xBF\xBD"
                              "f\xc3\xa9");
    free(text);
    /* Not UTF-8 by Table 3-7 (a surrogate, an overlong form, past U+10FFFF), and controls C0,
     * DEL and C1 (U+009B, CSI), each U+FFFD: node_exporter takes the file. */
    CAPTURE(text, promLabelValue(out, (const unsigned char *)"\xed\xa0\x80|\xe0\x80\x80|"
                                                             "\xf4\x90\x80\x80|\x1b\x7f\xc2\x9b|"
                                                             "\xf0\x9f\x98\x80"));
    assert_string_equal(text, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
                              "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
                              "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
                              "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|\xf0\x9f\x98\x80");
    free(text);
    /* HELP escapes backslash and newline only: a quote stays. */
    CAPTURE(text, promHelpText(out, (const unsigned char *)"say \"x\\y\"\nz"));
    assert_string_equal(text, "say \"x\\\\y\"\\nz");
    free(text);
}

static void numbers(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *text;
    } cases[] = {{1, "1"},          {0.5, "0.5"},       {0.1, "0.1"},
                 {-2.25, "-2.25"},  {1e-7, "1e-07"},    {1.0 / 3, "0.33333333333333331"},
                 {1e300, "1e+300"}, {HUGE_VAL, "+Inf"}, {-HUGE_VAL, "-Inf"},
                 {NAN, "NaN"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *text;
        CAPTURE(text, promNumber(out, cases[i].v));
        assert_string_equal(text, cases[i].text);
        free(text);
    }
}

static void declarations(void **state)
{
    (void)state;
    struct prom_decl d;
    char good[] = "  sqlsof_x:y_total counter  Things \"counted\", so far ";
    assert_null(promParseDecl(good, &d));
    assert_string_equal(d.name, "sqlsof_x:y_total");
    assert_string_equal(d.type, "counter");
    assert_string_equal(d.help, "Things \"counted\", so far ");
    static const char *bad[] = {
        "", "9lives gauge help", "a-b gauge help", "x", "x summary help", "x gauge", "x gauge   "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char line[64];
        strcpy(line, bad[i]);
        assert_non_null(promParseDecl(line, &d));
    }
    assert_true(promLabelName("_a1") && promLabelName("process"));
    assert_false(promLabelName("__name__") || promLabelName("a:b") || promLabelName("1a") ||
                 promLabelName(""));
    assert_true(promMetricName(":a:b_1") && !promMetricName("a b") && !promMetricName("é"));
}

/* Runs `sqlsof --prom SQL` (or with more arguments before SQL). */
static void prom(struct command_result *r, const char *option, const char *arg, const char *sql)
{
    char *argv[] = {testSqlsof(), (char *)option, (char *)arg, (char *)sql, NULL};
    if (!arg) argv[2] = (char *)sql, argv[3] = NULL;
    testCommand(argv, r);
}

/* TEXT without its sqlsof_collect_duration_seconds sample line, which varies (in place). */
static char *withoutDuration(char *text)
{
    char *line = strstr(text, "\nsqlsof_collect_duration_seconds ");
    assert_non_null(line);
    char *end = strchr(line + 1, '\n');
    memmove(line, end, strlen(end) + 1);
    return text;
}

#define OWN_METRICS                                                                                \
    "# HELP sqlsof_collect_duration_seconds How long this collection took.\n"                      \
    "# TYPE sqlsof_collect_duration_seconds gauge\n"                                               \
    "# HELP sqlsof_collect_errors Metrics left out of this collection (their statement failed or " \
    "gave a value that is not a number), rows merged into another of the same labels, and what "   \
    "the metrics' SQL counted (process names folded into other, sources that failed).\n"           \
    "# TYPE sqlsof_collect_errors gauge\n"

static const char exposition_sql[] =
    "CREATE TEMP TABLE t(k, v);\n"
    "INSERT INTO t VALUES ('a\\\"b' || char(10) || 'c', 1), (NULL, 2.5), ('skip', NULL);\n"
    "-- metric: test_info gauge First \\ line\n"
    "SELECT k AS key, 'x' AS other, v AS value FROM t ORDER BY v;\n"
    "-- metric: test_total counter No labels.\n"
    "SELECT 42 AS value;\n"
    "-- metric: test_empty untyped Nothing: HELP and TYPE all the same.\n"
    "SELECT 'l' AS label, 1 AS value WHERE 0;\n";

static void exposition(void **state)
{
    (void)state;
    struct command_result r;
    prom(&r, "--prom", NULL, exposition_sql);
    assert_string_equal(r.err, "");
    assert_int_equal(r.status, 0);
    assert_string_equal(withoutDuration(r.out),
                        "# HELP test_info First \\\\ line\n"
                        "# TYPE test_info gauge\n"
                        "test_info{key=\"a\\\\\\\"b\\nc\",other=\"x\"} 1\n"
                        "test_info{key=\"\",other=\"x\"} 2.5\n"
                        "# HELP test_total No labels.\n"
                        "# TYPE test_total counter\n"
                        "test_total 42\n"
                        "# HELP test_empty Nothing: HELP and TYPE all the same.\n"
                        "# TYPE test_empty untyped\n" OWN_METRICS "sqlsof_collect_errors 0\n");
    testCommandFree(&r);
}

/* Each bad declaration: exit 1, one line on stderr naming it, nothing on stdout. */
static void bad_declarations(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *err;
    } cases[] = {
        {"SELECT 1 AS value", "sqlsof: a SELECT without a `-- metric: NAME TYPE HELP` line: "
                              "SELECT 1 AS value\n"},
        {"-- metric: 1x gauge h\nSELECT 1 AS value",
         "sqlsof: metric 1x: not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)\n"},
        {"-- metric: x histogram h\nSELECT 1 AS value",
         "sqlsof: metric x: the type must be counter, gauge or untyped\n"},
        {"-- metric: x gauge\nSELECT 1 AS value",
         "sqlsof: metric x: no help text after the type\n"},
        {"-- metric: x gauge h\nSELECT 1 AS v", "sqlsof: metric x: no column named value\n"},
        {"-- metric: x gauge h\nSELECT 1 AS \"a b\", 1 AS value",
         "sqlsof: metric x: a column that is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, no "
         "leading __)\n"},
        {"-- metric: x gauge h\nSELECT 1 AS __name__, 1 AS value",
         "sqlsof: metric x: a column that is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, no "
         "leading __)\n"},
        {"-- metric: x gauge h\nSELECT 1 AS a, 2 AS a, 1 AS value",
         "sqlsof: metric x: a column name twice\n"},
        {"-- metric: x gauge h\nSELECT 1 AS value;\n-- metric: x gauge again\nSELECT 2 AS value",
         "sqlsof: metric x: declared twice\n"},
        {"-- metric: sqlsof_collect_errors gauge mine\nSELECT 1 AS value",
         "sqlsof: metric sqlsof_collect_errors: declared twice\n"},
        {"-- metric: x gauge h\nSELECT 1 AS value FROM no_such_table",
         "sqlsof: metric x: no such table: no_such_table\n"},
        {"-- merge: avg\n-- metric: x gauge h\nSELECT 1 AS value",
         "sqlsof: metric x: the merge rule must be sum, max or min\n"},
        {"-- metric: x gauge h\nCREATE TEMP TABLE y(a)",
         "sqlsof: metric x: its statement returns no columns\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct command_result r;
        prom(&r, "--prom", NULL, cases[i].sql);
        assert_string_equal(r.err, cases[i].err);
        assert_int_equal(r.status, 1);
        assert_string_equal(r.out, "");
        testCommandFree(&r);
    }
}

/* A statement that fails while stepping or a value that is no number: that metric is left out,
 * counted and named; the rest is written. Rows of one series (node_exporter refuses a file with
 * a repeated series) are merged by the metric's rule, counted and named, never left out. */
static void failing_metric(void **state)
{
    (void)state;
    struct command_result r;
    prom(&r, "--prom", NULL,
         "-- metric: good gauge g\nSELECT 1 AS value;\n"
         "-- metric: overflow gauge o\nSELECT 'a' AS l, 1 AS value UNION ALL "
         "SELECT 'b', abs(-9223372036854775807 - 1);\n"
         "-- metric: text gauge t\nSELECT 'many' AS value;\n"
         "-- metric: twice gauge t\nSELECT 'a b' AS l, 1 AS value UNION ALL SELECT 'a b', 2;\n"
         "-- metric: unlabelled gauge u\nSELECT 1 AS value UNION ALL SELECT 2;\n"
         "-- metric: near gauge n\nSELECT 'a' AS l, 1 AS value UNION ALL SELECT 'a ', 2;\n"
         "-- merge: max\n-- metric: most gauge m\nSELECT 'x' AS l, 3 AS value UNION ALL "
         "SELECT 'y', 1 UNION ALL SELECT CAST(x'ff' AS TEXT), 5 UNION ALL SELECT CAST(x'fe' AS "
         "TEXT), 7 "
         "UNION ALL SELECT 'x', 4.5;\n"
         "-- merge: min\n-- metric: least gauge l\nSELECT 2 AS value UNION ALL SELECT -1;\n");
    assert_string_equal(r.err, "sqlsof: metric overflow: integer overflow\n"
                               "sqlsof: metric text: value is not a number\n"
                               "sqlsof: metric twice: 1 row merged into another of the same "
                               "labels (sum)\n"
                               "sqlsof: metric unlabelled: 1 row merged into another of the same "
                               "labels (sum)\n"
                               "sqlsof: metric most: 2 rows merged into another of the same "
                               "labels (max)\n"
                               "sqlsof: metric least: 1 row merged into another of the same "
                               "labels (min)\n");
    assert_int_equal(r.status, 0);
    /* Labels that differ by a blank are two series; \xff and \xfe are both U+FFFD: one. */
    assert_string_equal(withoutDuration(r.out),
                        "# HELP good g\n# TYPE good gauge\ngood 1\n"
                        "# HELP twice t\n# TYPE twice gauge\ntwice{l=\"a b\"} 3\n"
                        "# HELP unlabelled u\n# TYPE unlabelled gauge\nunlabelled 3\n"
                        "# HELP near n\n# TYPE near gauge\nnear{l=\"a\"} 1\nnear{l=\"a \"} 2\n"
                        "# HELP most m\n# TYPE most gauge\nmost{l=\"x\"} 4.5\nmost{l=\"y\"} 1\n"
                        "most{l=\"\xEF\xBF\xBD\"} 7\n"
                        "# HELP least l\n# TYPE least gauge\nleast -1\n" OWN_METRICS
                        "sqlsof_collect_errors 7\n");
    testCommandFree(&r);
}

/* --prom-dir: the same text as --prom, in a file node_exporter can read, with no temporary
 * file left; a failure (a bad declaration, no directory, a full disk) leaves the previous file
 * as it was. */
static void prom_dir(void **state)
{
    (void)state;
    free(testShellOk("rm -rf " DIR " && mkdir -p " DIR));
    struct command_result r;
    prom(&r, "--prom-dir", DIR, exposition_sql);
    assert_string_equal(r.err, "");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    testCommandFree(&r);
    struct stat st;
    assert_int_equal(stat(DIR "/sqlsof.prom", &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    char *written = withoutDuration(testReadFile(DIR "/sqlsof.prom"));
    prom(&r, "--prom", NULL, exposition_sql);
    assert_string_equal(written, withoutDuration(r.out));
    testCommandFree(&r);
    char *listing = testShellOk("ls -A " DIR);
    assert_string_equal(listing, "sqlsof.prom\n");
    free(listing);

    /* A bad declaration: the file stays, byte for byte. */
    char *before = testReadFile(DIR "/sqlsof.prom");
    prom(&r, "--prom-dir", DIR, "SELECT 1 AS value");
    assert_int_equal(r.status, 1);
    assert_string_equal(r.err, "sqlsof: a SELECT without a `-- metric: NAME TYPE HELP` line: "
                               "SELECT 1 AS value\n");
    char *after = testReadFile(DIR "/sqlsof.prom");
    assert_string_equal(before, after);
    testCommandFree(&r);
    free(after);

    /* No such directory, or not a directory: one line each. */
    prom(&r, "--prom-dir", DIR "/none", exposition_sql);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.err, "sqlsof: cannot write " DIR
                               "/none/sqlsof.prom: No such file or directory\n");
    testCommandFree(&r);
    prom(&r, "--prom-dir", DIR "/sqlsof.prom", exposition_sql);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.err,
                        "sqlsof: cannot write " DIR "/sqlsof.prom/sqlsof.prom: Not a directory\n");
    testCommandFree(&r);
    after = testReadFile(DIR "/sqlsof.prom");
    assert_string_equal(before, after);
    listing = testShellOk("ls -A " DIR);
    assert_string_equal(listing, "sqlsof.prom\n");
    free(listing);

    /* A full file system (a 2-page tmpfs, in a mount namespace of its own): the write fails,
     * the old file stays and no temporary file is left. */
    char *full =
        testShellOk("unshare -m sh -c 'mount -t tmpfs -o size=8k none " DIR " && printf old > " DIR
                    "/sqlsof.prom && head -c 4096 /dev/zero > " DIR "/fill; %s --prom-dir " DIR
                    "; echo status=$?; cat " DIR "/sqlsof.prom; echo; ls -A " DIR "' 2>&1",
                    testSqlsof());
    assert_string_equal(full, "sqlsof: cannot write " DIR "/sqlsof.prom: No space left on device\n"
                              "status=1\nold\nfill\nsqlsof.prom\n");
    free(full);
    free(before);
    free(after);
    free(written);
}

/* The child: a listener on 127.0.0.1, a connection to it (both ends), a deleted file. */
struct held {
    int port;
    char deletedPath[64];
};

static int holdThings(void *arg)
{
    struct held *h = arg;
    prctl(PR_SET_NAME, CHILD_NAME);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1;
    rl.rlim_cur = CHILD_LIMIT;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) return 1;
    if (tcpLoopbackPair(&h->port) < 0) return 1;
    snprintf(h->deletedPath, sizeof h->deletedPath, "/tmp/sqlsof-prom-%d", getpid());
    int f = open(h->deletedPath, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (f < 0 || ftruncate(f, DELETED_SIZE) != 0 || unlink(h->deletedPath) != 0) return 1;
    fixtureReport(h, sizeof *h);
    return 0;
}

static int countFds(int pid)
{
    char *n = testShellOk("ls /proc/%d/fd | wc -l", pid);
    int count = atoi(n);
    free(n);
    return count;
}

static void assertHas(const char *text, const char *line)
{
    if (!strstr(text, line)) fail_msg("no line %s in:\n%s", line, text);
}

static void default_metrics(void **state)
{
    (void)state;
    struct fixture fx;
    struct held h = {0};
    fixtureStartReport(&fx, holdThings, &h, &h, sizeof h);
    free(testShellOk("rm -rf " DIR " && mkdir -p " DIR));
    char *argv[] = {testSqlsof(), "--prom-dir", DIR, NULL};
    struct command_result r;
    testCommand(argv, &r);
    assert_string_equal(r.err, "");
    assert_int_equal(r.status, 0);
    testCommandFree(&r);
    int fds = countFds(fx.pid);
    char *text = testReadFile(DIR "/sqlsof.prom"), line[256];

    snprintf(line, sizeof line,
             "\nsqlsof_listening_socket_info{protocol=\"tcp\",address=\"127.0.0.1\",port=\"%d\","
             "process=\"" CHILD_NAME "\",user=\"root\"} 1\n",
             h.port);
    assertHas(text, line);
    /* The accepted end is on the listening port; the connecting end's port is ephemeral. */
    snprintf(line, sizeof line,
             "\nsqlsof_connections{protocol=\"tcp\",state=\"ESTABLISHED\",port=\"%d\",process="
             "\"" CHILD_NAME "\"} 1\n",
             h.port);
    assertHas(text, line);
    assertHas(text, "\nsqlsof_connections{protocol=\"tcp\",state=\"ESTABLISHED\",port=\"\","
                    "process=\"" CHILD_NAME "\"} 1\n");
    snprintf(line, sizeof line,
             "\nsqlsof_process_open_fds{process=\"" CHILD_NAME "\",user=\"root\"} %d\n", fds);
    assertHas(text, line);
    assertHas(text, "\nsqlsof_process_fd_limit{process=\"" CHILD_NAME "\",user=\"root\"} 321\n");
    assertHas(text, "\nsqlsof_processes_with_fds{process=\"" CHILD_NAME "\",user=\"root\"} 1\n");
    assertHas(text, "\nsqlsof_deleted_files{process=\"" CHILD_NAME "\",user=\"root\"} 1\n");
    assertHas(text,
              "\nsqlsof_deleted_file_bytes{process=\"" CHILD_NAME "\",user=\"root\"} 12345\n");
    assertHas(text, "\nsqlsof_collect_errors "); /* not 0 where other users' names are folded */

    /* Bounded cardinality: the child's pid, port of its outgoing end, or file name is no label;
     * the label names are the documented few. */
    snprintf(line, sizeof line, "\"%d\"", fx.pid);
    assert_null(strstr(text, line));
    assert_null(strstr(text, h.deletedPath));
    char *names = testShellOk("grep -v '^#' " DIR "/sqlsof.prom | grep -o '[{,][a-z_]*=' | "
                              "tr -d '{,=' | sort -u | tr '\\n' ' '");
    assert_string_equal(names, "address port process protocol state user ");
    free(names);

    /* promtool's own parser and linter accept it. */
    free(testShellOk("promtool check metrics < " DIR "/sqlsof.prom"));
    fixtureStop(&fx);
    free(text);
}

TEST_MAIN("prom", NULL, NULL,
          {
              cmocka_unit_test(label_and_help_escaping),
              cmocka_unit_test(numbers),
              cmocka_unit_test(declarations),
              cmocka_unit_test(exposition),
              cmocka_unit_test(bad_declarations),
              cmocka_unit_test(failing_metric),
              cmocka_unit_test(prom_dir),
              cmocka_unit_test(default_metrics),
          })
