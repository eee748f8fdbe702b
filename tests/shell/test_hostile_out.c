/*
** Hostile process names against every output: processes of nobody's named with a surrogate, an
** overlong form, a code point past U+10FFFF, \xff\xfe and \xfe\xff, C0 and C1 controls,
** "x (deleted)", "-> y", HTML and a CSV formula, each holding a listener, a connection to it and
** a deleted file. The collector's file passes promtool with every default family present; the
** process label's cardinality is bounded. Through a pty, table and lsof mode write no raw C0 or
** C1 control and nothing that is not UTF-8; JSON and JSONL parse with Python's strict decoders,
** the HTML parses with no markup but the page's own, CSV parses back to the exact bytes, and -F
** records split exactly into each process's fields.
*/
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"
#include "lsof/lsof_escape.h"
#include "shell.h"
#include "sockets.h"
#include "testmain.h"

#define NOBODY 65534
#define DIR    "build/tests/hostile-out"

/* Comms: 15 bytes at most (the kernel keeps no more). */
static const char *const comms[] = {
    "\xed\xa0\x80sur",  /* U+D800, a surrogate */
    "\xe0\x80\x80over", /* overlong U+0000 */
    "\xf4\x90\x80\x80"
    "big",      /* U+110000 */
    "\xff\xfe", /* these two both become U+FFFD U+FFFD */
    "\xfe\xff",
    "c0\x1b[31m\x07\x08", /* ESC, BEL, BS */
    "c1\xc2\x9b\x9b",     /* CSI as U+009B and as a raw byte */
    "x (deleted)",
    "-> y",
    "<b>&amp;\"'",
    "=cmd|'/C calc'",
    "nl\nt\tcr\r",
    "sp ace",
};
#define NCOMMS (sizeof comms / sizeof *comms)

static struct fixture children[NCOMMS];

/* In a child: nobody for good, named COMM. */
static int becomeNobody(const char *comm)
{
    if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0) return -1;
    return prctl(PR_SET_NAME, comm);
}

/* The child: a listener on 127.0.0.1, a connection to it (both ends), a deleted file. */
static int holdThings(void *arg)
{
    int port;
    if (becomeNobody(arg) != 0 || tcpLoopbackPair(&port) < 0) return -1;
    char path[64];
    snprintf(path, sizeof path, "/tmp/sqlsof-hostile-out-%d", getpid());
    int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (f < 0 || write(f, "1234", 4) != 4 || unlink(path) != 0) return -1;
    return 0;
}

static int startChildren(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCOMMS; i++) fixtureStart(&children[i], holdThings, (void *)comms[i]);
    return 0;
}

static int stopChildren(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCOMMS; i++) fixtureStop(&children[i]);
    return 0;
}

/* Whether TEXT has a line that starts with PREFIX. */
static int hasLine(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, prefix, n)) return 1;
    return 0;
}

static const char *const families[] = {
    "sqlsof_listening_socket_info", "sqlsof_connections",        "sqlsof_process_open_fds",
    "sqlsof_process_fd_limit",      "sqlsof_processes_with_fds", "sqlsof_deleted_files",
    "sqlsof_deleted_file_bytes",    "sqlsof_collect_errors",
};

/* The collector's file: promtool takes it, every family is there with nobody's samples, the
 * two names that become one label value are one series, merged by each metric's rule. */
static void collector_survives(void **state)
{
    (void)state;
    free(testShellOk("rm -rf " DIR " && mkdir -p " DIR));
    struct command_result r;
    char *argv[] = {testSqlsof(), "--prom-dir", DIR, NULL};
    testCommand(argv, &r);
    assert_int_equal(r.status, 0);
    testCommandFree(&r);
    free(testShellOk("promtool check metrics < " DIR "/sqlsof.prom"));
    char *text = testReadFile(DIR "/sqlsof.prom");
    for (size_t i = 0; i < sizeof families / sizeof *families; i++) {
        char line[128];
        snprintf(line, sizeof line, "# TYPE %s ", families[i]);
        if (!hasLine(text, line)) fail_msg("no family %s", families[i]);
    }
    /* \xff\xfe and \xfe\xff: one series, two processes, the most fds of the two, both files. */
#define FFFD2 "\xEF\xBF\xBD\xEF\xBF\xBD"
    assert_true(
        hasLine(text, "sqlsof_processes_with_fds{process=\"" FFFD2 "\",user=\"nobody\"} 2\n"));
    assert_true(hasLine(text, "sqlsof_deleted_files{process=\"" FFFD2 "\",user=\"nobody\"} 2\n"));
    assert_true(
        hasLine(text, "sqlsof_deleted_file_bytes{process=\"" FFFD2 "\",user=\"nobody\"} 8\n"));
    assert_true(hasLine(text, "sqlsof_process_open_fds{process=\"" FFFD2 "\",user=\"nobody\"} "));
    assert_true(hasLine(text, "sqlsof_connections{protocol=\"tcp\",state=\"ESTABLISHED\",port=\"\","
                              "process=\"" FFFD2 "\"} 2\n"));
    /* Controls are U+FFFD too: no raw ESC, CSI or CR anywhere in the file. */
    assert_null(strpbrk(text, "\x1b\x07\x08\r\x9b"));
    assert_true(hasLine(text, "sqlsof_processes_with_fds{process=\"c0\xEF\xBF\xBD[31m\xEF\xBF\xBD"
                              "\xEF\xBF\xBD\",user=\"nobody\"} 1\n"));
    assert_true(
        hasLine(text, "sqlsof_processes_with_fds{process=\"x (deleted)\",user=\"nobody\"} 1\n"));
    free(text);
}

/* Past 20 names that only other users' processes have, the rest are `other`, counted. */
static void process_names_bounded(void **state)
{
    (void)state;
    enum { EXTRA = 25 };
    struct fixture extra[EXTRA];
    char names[EXTRA][16];
    for (int i = 0; i < EXTRA; i++) {
        snprintf(names[i], sizeof names[i], "sqlsof-fold-%02u", (unsigned)i % 100);
        fixtureStart(&extra[i], (int (*)(void *))becomeNobody, names[i]);
    }
    char *argv[] = {testSqlsof(), "--prom", NULL};
    struct command_result r;
    testCommand(argv, &r);
    assert_int_equal(r.status, 0);
    for (int i = 0; i < EXTRA; i++) fixtureStop(&extra[i]);
    int labels = 0;
    for (const char *p = r.out; (p = strstr(p, "\nsqlsof_processes_with_fds{")); p++) {
        const char *end = strchr(p + 1, '\n');
        const char *user = strstr(p, ",user=\"nobody\"}");
        labels += user && user < end;
    }
    /* 38 names of nobody's here: 20 kept, and other. */
    assert_int_equal(labels, 21);
    assert_true(hasLine(r.out, "sqlsof_processes_with_fds{process=\"other\",user=\"nobody\"} "));
    const char *errors = strstr(r.out, "\nsqlsof_collect_errors ");
    assert_non_null(errors);
    assert_true(atoi(errors + 23) >= (int)NCOMMS + EXTRA - 20);
    testCommandFree(&r);
}

/* The children's pids, comma-separated (static). */
static const char *pidList(void)
{
    static char list[NCOMMS * 12];
    char *p = list;
    for (size_t i = 0; i < NCOMMS; i++) p += sprintf(p, "%s%d", i ? "," : "", children[i].pid);
    return list;
}

/* Runs `sqlsof ARGS` (a shell word list) under script(1), on a pty, and checks with Python that
 * what the terminal got is UTF-8 with no C0 control but CR and LF and no C1 control. */
static void assertTerminalSafe(const char *args)
{
    char *ok = testShellOk("script -qec '%s %s' /dev/null | python3 -c '"
                           "import sys, unicodedata\n"
                           "t = sys.stdin.buffer.read().decode(\"utf-8\", \"strict\")\n"
                           "bad = [hex(ord(c)) for c in t if unicodedata.category(c) == \"Cc\" and "
                           "c not in \"\\r\\n\"]\n"
                           "print(\"ok\" if not bad and len(t) > 100 else bad or t)'",
                           testSqlsof(), args);
    assert_string_equal(ok, "ok\n");
    free(ok);
}

static void terminal_gets_no_control(void **state)
{
    (void)state;
    char args[1024];
    snprintf(args, sizeof args, "-p %s", pidList());
    assertTerminalSafe(args);
    snprintf(args, sizeof args, "+c0 -p %s", pidList());
    assertTerminalSafe(args);
    snprintf(args, sizeof args,
             "\"SELECT p.name, p.cmdline, f.target FROM processes p JOIN fds f USING (pid) "
             "WHERE pid IN (%s)\"",
             pidList());
    assertTerminalSafe(args);
}

/* Python reads the SQL mode's output of the children's names and checks it as FORMAT says. */
static void assertParses(const char *option, const char *check)
{
    char *ok =
        testShellOk("%s %s \"SELECT pid, name FROM processes WHERE pid IN (%s) ORDER BY pid\" | "
                    "python3 -c 'import sys, json, csv, io, html.parser\n"
                    "raw = sys.stdin.buffer.read()\n%s'",
                    testSqlsof(), option, pidList(), check);
    assert_string_equal(ok, "ok\n");
    free(ok);
}

static void formats_parse(void **state)
{
    (void)state;
    char check[512];
    /* Every name comes back with its bytes; \u00XX stands for a byte that is not UTF-8. */
    snprintf(check, sizeof check,
             "rows = json.loads(raw.decode(\"utf-8\", \"strict\"))\n"
             "print(\"ok\" if len(rows) == %zu and all(isinstance(r[\"name\"], str) for r in rows) "
             "else rows)",
             NCOMMS);
    assertParses("--json", check);
    snprintf(check, sizeof check,
             "rows = [json.loads(l) for l in raw.decode(\"utf-8\", \"strict\").splitlines()]\n"
             "print(\"ok\" if len(rows) == %zu else rows)",
             NCOMMS);
    assertParses("--jsonl", check);
    /* CSV: the names' exact bytes (surrogateescape keeps what is not UTF-8). */
    snprintf(check, sizeof check,
             "rows = list(csv.reader(io.StringIO(raw.decode(\"utf-8\", \"surrogateescape\"), "
             "newline=\"\")))\n"
             "names = sorted(r[1].encode(\"utf-8\", \"surrogateescape\") for r in rows[1:])\n"
             "print(\"ok\" if len(rows) == %zu and b\"=cmd|\\x27/C calc\\x27\" in names "
             "and b\"nl\\nt\\tcr\\r\" in names else rows)",
             NCOMMS + 1);
    assertParses("--csv", check);
    /* HTML: valid UTF-8, only the page's own tags, the markup in a name shown as text. */
    assertParses("--html",
                 "class P(html.parser.HTMLParser):\n"
                 "  tags = set(); text = \"\"\n"
                 "  def handle_starttag(self, t, a): self.tags.add(t)\n"
                 "  def handle_data(self, d): self.text += d\n"
                 "p = P(); p.feed(raw.decode(\"utf-8\", \"strict\"))\n"
                 "own = {\"html\", \"head\", \"meta\", \"title\", \"style\", \"body\", \"header\", "
                 "\"h1\", \"h2\", \"main\", \"nav\", \"ol\", \"li\", \"a\", \"p\", \"section\", "
                 "\"table\", \"thead\", \"tbody\", \"tr\", \"th\", \"td\"}\n"
                 "print(\"ok\" if p.tags <= own and \"<b>&amp;\" in p.text else (p.tags, p.text))");
}

/* -F pcn: per process, exactly a p line, a c line with lsof's escapes, then f and n lines. */
static void field_records_split(void **state)
{
    (void)state;
    struct command_result r;
    char pids[1024];
    snprintf(pids, sizeof pids, "%s", pidList());
    testRunSqlsof(&r, "-F", "pcn", "-p", pids, NULL);
    assert_int_equal(r.status, 0);
    size_t processes = 0;
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strchr("pcfn", line[0])) fail_msg("a line that is no field: %s", line);
        processes += line[0] == 'p';
    }
    assert_int_equal(processes, NCOMMS);
    testCommandFree(&r);
    for (size_t i = 0; i < NCOMMS; i++) {
        char pid[16], *want = lsofEscape(comms[i], 0, 0), *expect;
        snprintf(pid, sizeof pid, "%d", children[i].pid);
        testRunSqlsof(&r, "-F", "pc", "-p", pid, NULL);
        assert_true(asprintf(&expect, "p%s\nc%s\n", pid, want) > 0);
        if (strncmp(r.out, expect, strlen(expect)) != 0)
            fail_msg("-F pc of %s: %s, not %s", pid, r.out, expect);
        testCommandFree(&r);
        free(want);
        free(expect);
    }
}

TEST_MAIN("hostile_out", startChildren, stopChildren,
          {cmocka_unit_test(collector_survives), cmocka_unit_test(process_names_bounded),
           cmocka_unit_test(terminal_gets_no_control), cmocka_unit_test(formats_parse),
           cmocka_unit_test(field_records_split)})
