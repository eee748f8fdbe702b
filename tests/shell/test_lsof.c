/*
** sqlsof in lsof mode against the real lsof, on the lsof tests' live fixtures (lsof_fixture.h):
** the same arguments on the same fixture must list the same files, field by field (COMMAND PID
** USER FD TYPE NODE NAME; DEVICE differs for unix sockets, whose kernel address sock_diag does
** not give). Where lsof cannot answer (-sUDP:IDLE, a socket in another network namespace) the
** expected rows are asserted directly. The sql/recipes/ files and the views are test_recipes.
*/
#include <fcntl.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "command.h"
#include "lsof_fixture.h"
#include "shell.h"
#include "testdb.h"
#include "testmain.h"

static int compareLines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
** A listing as sorted "COMMAND|PID|USER|FD|TYPE|NODE|NAME" lines (malloc'd), only of the rows
** whose PID is ONLYPID (0: all). Columns are found from the header: NODE is right-aligned
** under its title, NAME starts under its title, the first five are the first five words.
*/
static char *normalise(const char *listing, int onlyPid)
{
    const char *nl = strchr(listing, '\n');
    if (!nl) return strdup("");
    const char *node = strstr(listing, " NODE ");
    const char *name = strstr(listing, " NAME");
    assert_true(node && name && node < nl && name < nl);
    size_t nodeEnd = (size_t)(node - listing) + 5, nameAt = (size_t)(name - listing) + 1;

    char **rows = calloc(strlen(listing) / 10 + 1, sizeof *rows);
    size_t n = 0;
    for (const char *line = nl + 1; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *copy = strndup(line, len), *save, *f[5];
        char *tokens = strdup(copy);
        f[0] = strtok_r(tokens, " ", &save);
        for (int i = 1; i < 5; i++) f[i] = f[i - 1] ? strtok_r(NULL, " ", &save) : NULL;
        if (f[4] && len > nameAt && (!onlyPid || atoi(f[1]) == onlyPid)) {
            /* NODE: the word that ends under the title's end. */
            size_t e = nodeEnd < len ? nodeEnd : len, b = e;
            while (b > 0 && copy[b - 1] != ' ') b--;
            char *nameText = copy + nameAt;
            size_t nameLen = strlen(nameText);
            while (nameLen && nameText[nameLen - 1] == ' ') nameLen--; /* UDP's trailing blank */
            rows[n++] = sqlite3_mprintf("%s|%s|%s|%s|%s|%.*s|%.*s", f[0], f[1], f[2], f[3], f[4],
                                        (int)(e - b), copy + b, (int)nameLen, nameText);
        }
        free(tokens);
        free(copy);
        line = end ? end + 1 : line + len;
    }
    qsort(rows, n, sizeof *rows, compareLines);
    size_t total = 1;
    for (size_t i = 0; i < n; i++) total += strlen(rows[i]) + 1;
    char *out = malloc(total), *p = out;
    *p = '\0';
    for (size_t i = 0; i < n; i++) {
        p += sprintf(p, "%s\n", rows[i]);
        sqlite3_free(rows[i]);
    }
    free(rows);
    return out;
}

/* Runs sqlsof and lsof with -n -P and ARGS; both must list the same rows (of ONLYPID). */
static void expectAsLsof(const char *args, int onlyPid)
{
    struct command_result a, b;
    testShell(&a, "%s -n -P %s", testSqlsof(), args);
    testShell(&b, "lsof -n -P %s 2>/dev/null", args);
    assert_int_equal(a.status, b.status);
    char *x = normalise(a.out, onlyPid), *y = normalise(b.out, onlyPid);
    if (strcmp(x, y)) fail_msg("sqlsof %s\n--- sqlsof:\n%s--- lsof:\n%s", args, a.out, b.out);
    assert_true(strlen(x) > 0);
    free(x);
    free(y);
    testCommandFree(&a);
    testCommandFree(&b);
}

/* expectAsLsof with the arguments written as printf writes FMT. */
static void expectAsLsofOf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void expectAsLsofOf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *args = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    expectAsLsof(args, 0);
    sqlite3_free(args);
}

static void tcp_listeners_of_a_process(void **state)
{
    (void)state;
    expectAsLsofOf("-i -sTCP:LISTEN -a -p %d", lsofFx.pid);
}

static void established_of_a_process(void **state)
{
    (void)state;
    expectAsLsofOf("-i -sTCP:ESTABLISHED -a -p %d", lsofFx.pid);
}

static void one_fd_of_a_process(void **state)
{
    (void)state;
    expectAsLsofOf("-d %d -a -p %d", lsofHeld.file, lsofFx.pid);
    expectAsLsofOf("-d %d,%d -a -p %d", lsofHeld.pipeRead, lsofHeld.unixA, lsofFx.pid);
}

static void who_uses_a_port(void **state)
{
    (void)state;
    expectAsLsofOf("-i:%d", lsofHeld.port);
    char args[64];
    snprintf(args, sizeof args, "TCP:%d", lsofHeld.port);
    struct command_result r;
    char *argv[] = {testSqlsof(), "-i", args, "-t", NULL};
    testCommand(argv, &r);
    char expected[32];
    snprintf(expected, sizeof expected, "%d\n", lsofFx.pid);
    assert_string_equal(r.out, expected);
    testCommandFree(&r);
}

static void everything_of_a_process(void **state)
{
    (void)state;
    char args[64];
    snprintf(args, sizeof args, "-p %d", lsofFx.pid); /* cwd rtd txt mem and every fd */
    expectAsLsof(args, 0);
}

/* Two processes, the later one named first: each one's files that are no descriptors (cwd, rtd,
 * txt, mem) come from another statement than its descriptors, and the rows are put in lsof's
 * order by process, then by file. */
static void two_processes_in_pid_order(void **state)
{
    (void)state;
    struct fixture other;
    fixtureStart(&other, fixtureSetName, "lsoforder");
    int low = other.pid < lsofFx.pid ? other.pid : lsofFx.pid;
    int high = other.pid < lsofFx.pid ? lsofFx.pid : other.pid;
    expectAsLsofOf("-p %d,%d", high, low);
    fixtureStop(&other);
}

/* The fixture's setup: /dev/null at descriptors 10005 and 12345, past lsof's FD width. */
static int holdHighFds(void *arg)
{
    (void)arg;
    struct rlimit r = {.rlim_cur = 20000, .rlim_max = 20000};
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (setrlimit(RLIMIT_NOFILE, &r) != 0 || fd < 0) return -1;
    return dup2(fd, 10005) < 0 || dup2(fd, 12345) < 0 ? -1 : 0;
}

/* lsof writes a descriptor from 10000 on as '*' and its last three digits, in -F output too. */
static void wide_descriptor_numbers(void **state)
{
    (void)state;
    struct fixture high;
    fixtureStart(&high, holdHighFds, NULL);
    expectAsLsofOf("-d 10005,12345 -a -p %d", high.pid);
    char pid[16], expected[64];
    snprintf(pid, sizeof pid, "%d", high.pid);
    struct command_result r;
    char *argv[] = {testSqlsof(), "-F", "f", "-d", "12345", "-a", "-p", pid, NULL};
    testCommand(argv, &r);
    snprintf(expected, sizeof expected, "p%d\nf*345\n", high.pid);
    assert_string_equal(r.out, expected);
    testCommandFree(&r);
    fixtureStop(&high);
}

static void every_open_file(void **state)
{
    (void)state;
    /* The host changes between the two runs: compare the fixture's rows of each full list. */
    expectAsLsof("", lsofFx.pid);
}

/* -c compares bytes, as lsof does: "é" (two bytes) and even its first byte alone are prefixes of
 * "éxsleep". */
static void command_prefix_in_bytes(void **state)
{
    (void)state;
    struct fixture named;
    fixtureStart(&named, fixtureSetName, "\xc3\xa9xsleep"); /* a two-byte first character */
    static const char *const prefixes[] = {"\xc3\xa9", "\xc3\xa9xs", "\xc3"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        char args[64];
        snprintf(args, sizeof args, "-c '%s' -a -p %d", prefixes[i], named.pid);
        expectAsLsof(args, 0);
        struct command_result r;
        char pid[16], expected[32];
        snprintf(pid, sizeof pid, "%d", named.pid);
        char *argv[] = {testSqlsof(), "-c", (char *)prefixes[i], "-t", "-a", "-p", pid, NULL};
        testCommand(argv, &r);
        snprintf(expected, sizeof expected, "%d\n", named.pid);
        assert_string_equal(r.out, expected);
        testCommandFree(&r);
    }
    fixtureStop(&named);
}

/*
** lsof_unix_name upper-cases the protocol's ASCII letters only, byte for byte, whatever the
** host program's locale: in ISO-8859-1, toupper() would turn 0xE9 (é) into 0xC9 (and a plain
** char above 0x7f is no valid argument to it). The locale is made here with localedef.
*/
static void upper_case_is_ascii_only(void **state)
{
    char dir[] = "/tmp/sqlsof-locale-XXXXXX", cmd[256];
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "localedef -i fr_FR -f ISO-8859-1 %s/fr_FR.ISO-8859-1 2>/dev/null",
             dir);
    if (system(cmd) != 0) fail_msg("%s failed", cmd);
    setenv("LOCPATH", dir, 1);
    assert_non_null(setlocale(LC_CTYPE, "fr_FR.ISO-8859-1"));
    sqlite3 *db = *state;
    char *hex = testQueryText(db, "SELECT hex(lsof_unix_name(NULL, CAST(x'73E9FF7A' AS TEXT),"
                                  " NULL, NULL))");
    assert_string_equal(hex, "747970653D53E9FF5A"); /* "type=S", E9 FF unchanged, "Z" */
    free(hex);
    setlocale(LC_CTYPE, "C");
    unsetenv("LOCPATH");
    snprintf(cmd, sizeof cmd, "rm -r %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* lsof_inet_name's forms as lsof writes them, and an address no socket can have refused. */
static void inet_names(void **state)
{
    sqlite3 *db = *state;
    static const char *const cases[][2] = {
        {"'tcp', 'inet', '0.0.0.0', 22, '0.0.0.0', 0, 'LISTEN'", "*:22 (LISTEN)"},
        {"'tcp', 'inet6', '::1', 80, '::ffff:10.0.0.1', 5000, 'ESTABLISHED'",
         "[::1]:80->10.0.0.1:5000 (ESTABLISHED)"},
        {"'udp', 'inet', '127.0.0.1', 53, '0.0.0.0', 0, 'IDLE'", "127.0.0.1:53 "},
        {"'udp', 'inet6', '::', 0, '::', 0, 'IDLE'", "*:* "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = testQueryText(db, "SELECT lsof_inet_name(%s, 0)", cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
    char *err = testQueryError(db, "SELECT lsof_inet_name('tcp', 'inet', printf('%%.9000c', '1'),"
                                   " 1, '0.0.0.0', 0, 'LISTEN', 0)");
    assert_non_null(err);
    assert_non_null(strstr(err, "lsof_inet_name: an address or state too long"));
    free(err);
}

static void field_output(void **state)
{
    (void)state;
    char args[64];
    snprintf(args, sizeof args, "-a -p %d -d %d,%d -F pcuftaDsin", lsofFx.pid, lsofHeld.file,
             lsofHeld.listener);
    struct command_result a, b;
    testShell(&a, "%s -n -P %s", testSqlsof(), args);
    testShell(&b, "lsof -n -P %s", args);
    assert_string_equal(a.out, b.out);
    testCommandFree(&a);
    testCommandFree(&b);
}

static void endpoints(void **state)
{
    (void)state;
    expectAsLsofOf("-E -a -p %d -d %d,%d", lsofFx.pid, lsofHeld.pipeRead, lsofHeld.unixA);
}

/* -r: a listing every second, each followed by lsof's marker line, until stopped. */
static void repeat_mode(void **state)
{
    (void)state;
    char *cmd = sqlite3_mprintf("timeout 2.5 %s -n -P -r 1 -a -p %d -d %d", testSqlsof(),
                                lsofFx.pid, lsofHeld.file);
    char *argv[] = {"sh", "-c", cmd, NULL};
    struct command_result r;
    testCommand(argv, &r);
    assert_int_equal(r.status, 124); /* ended by timeout, not by itself */
    int listings = 0, markers = 0;
    for (char *p = r.out; (p = strstr(p, "COMMAND")); p++) listings++;
    for (char *p = r.out; (p = strstr(p, "=======\n")); p++) markers++;
    assert_in_range(listings, 2, 3);
    assert_int_equal(markers, listings);
    testCommandFree(&r);
    sqlite3_free(cmd);
}

/* lsof's Linux build has no UDP states; sqlsof lists the unconnected UDP socket. */
static void idle_udp_of_a_process(void **state)
{
    (void)state;
    char pid[16];
    snprintf(pid, sizeof pid, "%d", lsofFx.pid);
    struct command_result r;
    char *argv[] = {testSqlsof(), "-n", "-P", "-i", "-sUDP:IDLE", "-a", "-p", pid, NULL};
    testCommand(argv, &r);
    assert_int_equal(r.status, 0);
    char *rows = normalise(r.out, 0);
    char expected[256];
    snprintf(expected, sizeof expected, "sqlsof-ls|%d|root|%du|IPv4|UDP|127.0.0.1:%d\n", lsofFx.pid,
             lsofHeld.udpBound, lsofHeld.udpPort);
    assert_string_equal(rows, expected);
    free(rows);
    testCommandFree(&r);
}

/* lsof sees only "protocol: TCP" without nsenter; sqlsof shows the addresses. */
static void socket_in_another_namespace(void **state)
{
    (void)state;
    char pid[16], fds[32];
    snprintf(pid, sizeof pid, "%d", lsofNsFx.pid);
    snprintf(fds, sizeof fds, "%d,%d", lsofNsHeld.listener, lsofNsHeld.client);
    struct command_result r;
    char *argv[] = {testSqlsof(), "-n", "-P", "-d", fds, "-a", "-p", pid, NULL};
    testCommand(argv, &r);
    assert_int_equal(r.status, 0);
    char *rows = normalise(r.out, 0);
    char expected[512];
    snprintf(expected, sizeof expected,
             "sqlsof-ns|%d|root|%du|IPv4|TCP|127.0.0.1:%d (LISTEN)\n"
             "sqlsof-ns|%d|root|%du|IPv4|TCP|127.0.0.1:",
             lsofNsFx.pid, lsofNsHeld.listener, lsofNsHeld.port, lsofNsFx.pid, lsofNsHeld.client);
    if (strncmp(rows, expected, strlen(expected)) != 0) fail_msg("got:\n%s", r.out);
    char tail[64];
    snprintf(tail, sizeof tail, "->127.0.0.1:%d (ESTABLISHED)\n", lsofNsHeld.port);
    assert_non_null(strstr(rows, tail));
    free(rows);
    testCommandFree(&r);
}

static void nothing_found_exits_1(void **state)
{
    (void)state;
    struct command_result r;
    testRunSqlsof(&r, "-p", "999999999", NULL);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    testCommandFree(&r);
}

static void bad_flags(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"-Z", NULL, "sqlsof: illegal option character: Z\n"},
        {"-p", "x1", "sqlsof: illegal process ID: x1\n"},
        {"-i", "BOGUS:22", "sqlsof: unknown protocol name (BOGUS) in: -i BOGUS:22\n"},
        {"-sTCP:NOPE", "-i", "sqlsof: unknown tcp state name: NOPE\n"},
        {"-d", "x", "sqlsof: invalid file descriptor: x\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct command_result r;
        char *argv[] = {testSqlsof(), (char *)cases[i][0], (char *)cases[i][1], NULL};
        testCommand(argv, &r);
        assert_int_equal(r.status, 1);
        assert_string_equal(r.out, "");
        assert_string_equal(r.err, cases[i][2]);
        testCommandFree(&r);
    }
}

static void sql_shows_the_query(void **state)
{
    (void)state;
    struct command_result r;
    testRunSqlsof(&r, "--sql", "-i", "-sTCP:LISTEN", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "FROM lsof_sockets"));
    assert_non_null(strstr(r.out, "state IN ('LISTEN')"));
    testCommandFree(&r);
    /* What runs is two statements, lsof_proc_files and lsof_fds; what is shown is the one
     * equivalent query, in lsof's order. */
    testRunSqlsof(&r, "--sql", "-p", "1", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(
        strstr(r.out, "FROM lsof x\nWHERE ((pid IN (1)))\nORDER BY pid, fd_order, fd_num;"));
    testCommandFree(&r);
}

TEST_MAIN("lsof mode", lsofFixturesStart, lsofFixturesStop,
          {
              cmocka_unit_test(tcp_listeners_of_a_process),
              cmocka_unit_test(established_of_a_process),
              cmocka_unit_test(one_fd_of_a_process),
              cmocka_unit_test(who_uses_a_port),
              cmocka_unit_test(everything_of_a_process),
              cmocka_unit_test(two_processes_in_pid_order),
              cmocka_unit_test(wide_descriptor_numbers),
              cmocka_unit_test(every_open_file),
              cmocka_unit_test(field_output),
              cmocka_unit_test(command_prefix_in_bytes),
              TEST_WITH_DB(upper_case_is_ascii_only),
              TEST_WITH_DB(inet_names),
              cmocka_unit_test(idle_udp_of_a_process),
              cmocka_unit_test(endpoints),
              cmocka_unit_test(repeat_mode),
              cmocka_unit_test(socket_in_another_namespace),
              cmocka_unit_test(nothing_found_exits_1),
              cmocka_unit_test(bad_flags),
              cmocka_unit_test(sql_shows_the_query),
          })
