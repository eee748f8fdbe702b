/*
** The lsof questions, asked two ways on live fixtures: the sql/recipes/ files, with their
** results checked, and sqlsof in lsof mode against the real lsof: the same arguments on the same
** fixture must list the same files, field by field (COMMAND PID USER FD TYPE NODE NAME; DEVICE differs for unix
** sockets, whose kernel address sock_diag does not give). Where lsof cannot answer
** (-sUDP:IDLE, a socket in another network namespace) the expected rows are asserted directly.
*/
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "command.h"
#include "fixture.h"
#include "shell.h"
#include "testdb.h"
#include "testmain.h"

/* What the fixture child holds, by fd number. */
struct held {
    int file, listener, client, server, udpBound, udpConnected, pipeRead, unixA, unixB, deleted;
    int port, udpPort;
};

#define DELETED_PATH "/tmp/sqlsof-recipe-deleted"
#define DELETED_SIZE 12345
#define REPEATS      60 /* extra descriptors of /etc/hostname: an fd leak */

static struct fixture fx, nsfx;
static struct held held, nsheld;

static int listenLoopback(int *port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 4) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) != 0)
        return -1;
    *port = ntohs(a.sin_port);
    return s;
}

static int connectLoopback(int port, int type)
{
    int s = socket(AF_INET, type, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                            .sin_port = htons((uint16_t)port)};
    return s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0 ? s : -1;
}

/* The fixture: a file, TCP listener and both ends of a connection, UDP bound and connected,
 * a pipe and a unix socketpair. */
static int holdSockets(void *arg)
{
    struct held *h = arg;
    prctl(PR_SET_NAME, "sqlsof-lsof-fx");
    h->file = open("/etc/hostname", O_RDONLY);
    h->listener = listenLoopback(&h->port);
    h->client = connectLoopback(h->port, SOCK_STREAM);
    h->server = accept(h->listener, NULL, NULL);
    h->udpBound = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(h->udpBound, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(h->udpBound, (struct sockaddr *)&a, &len) != 0)
        return -1;
    h->udpPort = ntohs(a.sin_port);
    h->udpConnected = connectLoopback(h->udpPort, SOCK_DGRAM);
    int p[2], u[2];
    if (pipe(p) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, u) != 0) return -1;
    h->pipeRead = p[0];
    h->unixA = u[0];
    h->unixB = u[1];
    h->deleted = open(DELETED_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (h->deleted < 0 || ftruncate(h->deleted, DELETED_SIZE) != 0 || unlink(DELETED_PATH) != 0)
        return -1;
    for (int i = 0; i < REPEATS; i++)
        if (dup(h->file) < 0) return -1;
    fixtureReport(h, sizeof *h);
    return h->file < 0 || h->listener < 0 || h->client < 0 || h->server < 0 || h->udpConnected < 0;
}

/* The same listener and connection, inside a network namespace of its own. */
static int holdInNamespace(void *arg)
{
    struct held *h = arg;
    if (unshare(CLONE_NEWNET) != 0) return -1;
    struct ifreq ifr = {0};
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    strcpy(ifr.ifr_name, "lo");
    ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) return -1;
    close(s);
    prctl(PR_SET_NAME, "sqlsof-ns-fx");
    h->listener = listenLoopback(&h->port);
    h->client = connectLoopback(h->port, SOCK_STREAM);
    h->server = accept(h->listener, NULL, NULL);
    fixtureReport(h, sizeof *h);
    return h->listener < 0 || h->client < 0 || h->server < 0;
}

static int setup(void **state)
{
    (void)state;
    fixtureStartReport(&fx, holdSockets, &held, &held, sizeof held);
    fixtureStartReport(&nsfx, holdInNamespace, &nsheld, &nsheld, sizeof nsheld);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fixtureStop(&fx);
    fixtureStop(&nsfx);
    return 0;
}

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
    expectAsLsofOf("-i -sTCP:LISTEN -a -p %d", fx.pid);
}

static void established_of_a_process(void **state)
{
    (void)state;
    expectAsLsofOf("-i -sTCP:ESTABLISHED -a -p %d", fx.pid);
}

static void one_fd_of_a_process(void **state)
{
    (void)state;
    expectAsLsofOf("-d %d -a -p %d", held.file, fx.pid);
    expectAsLsofOf("-d %d,%d -a -p %d", held.pipeRead, held.unixA, fx.pid);
}

static void who_uses_a_port(void **state)
{
    (void)state;
    expectAsLsofOf("-i:%d", held.port);
    char args[64];
    snprintf(args, sizeof args, "TCP:%d", held.port);
    struct command_result r;
    char *argv[] = {testSqlsof(), "-i", args, "-t", NULL};
    testCommand(argv, &r);
    char expected[32];
    snprintf(expected, sizeof expected, "%d\n", fx.pid);
    assert_string_equal(r.out, expected);
    testCommandFree(&r);
}

static void everything_of_a_process(void **state)
{
    (void)state;
    char args[64];
    snprintf(args, sizeof args, "-p %d", fx.pid); /* cwd rtd txt mem and every fd */
    expectAsLsof(args, 0);
}

static void every_open_file(void **state)
{
    (void)state;
    /* The host changes between the two runs: compare the fixture's rows of each full list. */
    expectAsLsof("", fx.pid);
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

static void field_output(void **state)
{
    (void)state;
    char args[64];
    snprintf(args, sizeof args, "-a -p %d -d %d,%d -F pcuftaDsin", fx.pid, held.file,
             held.listener);
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
    expectAsLsofOf("-E -a -p %d -d %d,%d", fx.pid, held.pipeRead, held.unixA);
}

/* -r: a listing every second, each followed by lsof's marker line, until stopped. */
static void repeat_mode(void **state)
{
    (void)state;
    char *cmd = sqlite3_mprintf("timeout 2.5 %s -n -P -r 1 -a -p %d -d %d", testSqlsof(), fx.pid,
                                held.file);
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
    snprintf(pid, sizeof pid, "%d", fx.pid);
    struct command_result r;
    char *argv[] = {testSqlsof(), "-n", "-P", "-i", "-sUDP:IDLE", "-a", "-p", pid, NULL};
    testCommand(argv, &r);
    assert_int_equal(r.status, 0);
    char *rows = normalise(r.out, 0);
    char expected[256];
    snprintf(expected, sizeof expected, "sqlsof-ls|%d|root|%du|IPv4|UDP|127.0.0.1:%d\n", fx.pid,
             held.udpBound, held.udpPort);
    assert_string_equal(rows, expected);
    free(rows);
    testCommandFree(&r);
}

/* lsof sees only "protocol: TCP" without nsenter; sqlsof shows the addresses. */
static void socket_in_another_namespace(void **state)
{
    (void)state;
    char pid[16], fds[32];
    snprintf(pid, sizeof pid, "%d", nsfx.pid);
    snprintf(fds, sizeof fds, "%d,%d", nsheld.listener, nsheld.client);
    struct command_result r;
    char *argv[] = {testSqlsof(), "-n", "-P", "-d", fds, "-a", "-p", pid, NULL};
    testCommand(argv, &r);
    assert_int_equal(r.status, 0);
    char *rows = normalise(r.out, 0);
    char expected[512];
    snprintf(expected, sizeof expected,
             "sqlsof-ns|%d|root|%du|IPv4|TCP|127.0.0.1:%d (LISTEN)\n"
             "sqlsof-ns|%d|root|%du|IPv4|TCP|127.0.0.1:",
             nsfx.pid, nsheld.listener, nsheld.port, nsfx.pid, nsheld.client);
    if (strncmp(rows, expected, strlen(expected)) != 0) fail_msg("got:\n%s", r.out);
    char tail[64];
    snprintf(tail, sizeof tail, "->127.0.0.1:%d (ESTABLISHED)\n", nsheld.port);
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
}

static char *param(char *buf, size_t len, const char *name, long value)
{
    snprintf(buf, len, "%s=%ld", name, value);
    return buf;
}

static void recipes_of_sockets(void **state)
{
    (void)state;
    char a[64], b[64], expected[512];
    char *out = testRecipe("tcp-listeners-of-process.sql", param(a, sizeof a, "pid", fx.pid), NULL);
    snprintf(expected, sizeof expected,
             "fd,family,local_addr,local_port,netns\r\n%d,inet,127.0.0.1,%d,", held.listener,
             held.port);
    assert_memory_equal(out, expected, strlen(expected));
    free(out);

    out = testRecipe("tcp-connections-of-process.sql", param(a, sizeof a, "pid", fx.pid), NULL);
    snprintf(expected, sizeof expected, "\r\n%d,127.0.0.1,", held.client);
    assert_non_null(strstr(out, expected));
    snprintf(expected, sizeof expected, "\r\n%d,127.0.0.1,%d,127.0.0.1,", held.server, held.port);
    assert_non_null(strstr(out, expected));
    free(out);

    out = testRecipe("idle-udp-of-process.sql", param(a, sizeof a, "pid", fx.pid), NULL);
    snprintf(expected, sizeof expected,
             "fd,family,local_addr,local_port\r\n%d,inet,127.0.0.1,%d\r\n", held.udpBound,
             held.udpPort);
    assert_string_equal(out, expected);
    free(out);

    /* The listener and both ends of the connection; other namespaces may use the port too. */
    out = testRecipe("port-users.sql", param(a, sizeof a, "port", held.port), NULL);
    int ours[] = {held.listener, held.client, held.server};
    for (int i = 0; i < 3; i++) {
        snprintf(expected, sizeof expected, "\r\n%d,sqlsof-lsof-fx,root,%d,tcp,", fx.pid, ours[i]);
        if (!strstr(out, expected)) fail_msg("port-users lacks fd %d:\n%s", ours[i], out);
    }
    free(out);

    /* The whole host's unix sockets: a dump is no snapshot, and one taken while other programs
     * make and close sockets may skip some, so a run that misses the fixture's pair is redone. */
    snprintf(expected, sizeof expected, "%d,sqlsof-lsof-fx,%d,,stream,%d,sqlsof-lsof-fx,%d\r\n",
             fx.pid, held.unixA, fx.pid, held.unixB);
    int found = 0;
    for (int run = 0; run < 5 && !found; run++) {
        out = testRecipe("unix-socket-peers.sql", NULL);
        found = strstr(out, expected) != NULL;
        free(out);
    }
    assert_true(found);

    out = testRecipe("process-sockets-any-namespace.sql", param(a, sizeof a, "pid", nsfx.pid),
                     param(b, sizeof b, "self", getpid()), NULL);
    snprintf(expected, sizeof expected, "%d,LISTEN,127.0.0.1,%d,0.0.0.0,0,", nsheld.listener,
             nsheld.port);
    assert_non_null(strstr(out, expected));
    assert_non_null(strstr(out, ",1\r\n")); /* another namespace */
    free(out);
}

static void recipes_of_files(void **state)
{
    (void)state;
    char a[64], b[64], expected[512];
    char *out = testRecipe("fd-of-process.sql", param(a, sizeof a, "pid", fx.pid),
                           param(b, sizeof b, "fd", held.file), NULL);
    snprintf(expected, sizeof expected, "\r\n%d,%d,REG,r,/etc/hostname,/etc/hostname,0,", fx.pid,
             held.file);
    assert_non_null(strstr(out, expected));
    free(out);

    out = testRecipe("open-files-of-process.sql", param(a, sizeof a, "pid", fx.pid), NULL);
    assert_memory_equal(out, "fd,type,device,size_off,node,name\r\ncwd,DIR,", 41);
    assert_non_null(strstr(out, "\r\nrtd,DIR,"));
    assert_non_null(strstr(out, "\r\ntxt,REG,"));
    assert_non_null(strstr(out, "\r\nmem,REG,"));
    snprintf(expected, sizeof expected, "\r\n%dr,REG,", held.file);
    assert_non_null(strstr(out, expected));
    free(out);

    out = testRecipe("deleted-open-files.sql", NULL);
    snprintf(expected, sizeof expected, "%d,sqlsof-lsof-fx,%d,%s,%d\r\n", fx.pid, held.deleted,
             DELETED_PATH, DELETED_SIZE);
    assert_non_null(strstr(out, expected));
    free(out);

    out = testRecipe("fd-leak-suspects.sql", param(a, sizeof a, "min_repeats", REPEATS), NULL);
    snprintf(expected, sizeof expected, "%d,sqlsof-lsof-fx,", fx.pid);
    char *row = strstr(out, expected);
    assert_non_null(row);
    assert_non_null(strstr(row, ",/etc/hostname,61,0\r\n"));
    free(out);

    out = testRecipe("process-tree-fd-counts.sql", param(a, sizeof a, "pid", getpid()), NULL);
    snprintf(expected, sizeof expected, "\r\n1,%d,  sqlsof-lsof-fx,%d\r\n", fx.pid,
             fixtureCountFds(fx.pid));
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
                        fx.pid, fx.pid, fx.pid, fx.pid);
    struct command_result r;
    testRunSqlsof(&r, "--csv", sql, NULL);
    /* listener, both ends, two UDP, the unix pair: 7 socket rows, and no difference */
    assert_string_equal(r.out, "count(*)\r\n7\r\ncount(*)\r\n7\r\ncount(*)\r\n0\r\n");
    testCommandFree(&r);
    sqlite3_free(sql);
}

TEST_MAIN("lsof mode", setup, teardown,
          {
              cmocka_unit_test(views_keep_pushdown),
              cmocka_unit_test(socket_view_matches_fd_view),
              cmocka_unit_test(recipes_of_sockets),
              cmocka_unit_test(recipes_of_files),
              cmocka_unit_test(tcp_listeners_of_a_process),
              cmocka_unit_test(established_of_a_process),
              cmocka_unit_test(one_fd_of_a_process),
              cmocka_unit_test(who_uses_a_port),
              cmocka_unit_test(everything_of_a_process),
              cmocka_unit_test(every_open_file),
              cmocka_unit_test(field_output),
              cmocka_unit_test(command_prefix_in_bytes),
              TEST_WITH_DB(upper_case_is_ascii_only),
              cmocka_unit_test(idle_udp_of_a_process),
              cmocka_unit_test(endpoints),
              cmocka_unit_test(repeat_mode),
              cmocka_unit_test(socket_in_another_namespace),
              cmocka_unit_test(nothing_found_exits_1),
              cmocka_unit_test(bad_flags),
              cmocka_unit_test(sql_shows_the_query),
          })
