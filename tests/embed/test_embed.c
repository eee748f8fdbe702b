/*
** Embedding: the extension loaded by Python's sqlite3 module, by Node.js's better-sqlite3, and
** linked into a C program through pkg-config. Each runs tests/embed/query.sql; each output must
** equal the sqlite3 shell's for the same query, and hold a row for the fixture child. The
** programs are the README's "Embedding" snippets, byte for byte.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "shell.h"
#include "testmain.h"

#define QUERY        "tests/embed/query.sql"
#define FIXTURE_NAME "sqlsof-embed"
#define PREFIX       "build/tests/embed-prefix" /* `make install` target for the C program */

/* The fixture: a named child listening on a loopback TCP port, for query.sql to find whether
 * it asks for processes or for listening sockets. Reports the port. */
static int namedListener(void *arg)
{
    (void)arg;
    if (prctl(PR_SET_NAME, FIXTURE_NAME) != 0) return -1;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 8) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) != 0)
        return -1;
    int port = ntohs(a.sin_port);
    fixtureReport(&port, sizeof port);
    return 0;
}

static struct fixture fx;
static int fixturePort;
static char *reference; /* the sqlite3 shell's output for query.sql */

/* Does LINE (no newline) have FIELD as one of its '|'-separated fields? */
static int hasField(const char *line, size_t len, const char *field)
{
    size_t flen = strlen(field);
    for (const char *f = line; f <= line + len;) {
        const char *end = memchr(f, '|', (size_t)(line + len - f));
        if (!end) end = line + len;
        if ((size_t)(end - f) == flen && !memcmp(f, field, flen)) return 1;
        f = end + 1;
    }
    return 0;
}

/* Checks that OUT has a row for the fixture: its name, and its pid or its port. */
static void expectFixtureRow(const char *out)
{
    char pid[16], port[16];
    snprintf(pid, sizeof pid, "%d", fx.pid);
    snprintf(port, sizeof port, "%d", fixturePort);
    for (const char *line = out; *line;) {
        size_t len = strcspn(line, "\n");
        if (hasField(line, len, FIXTURE_NAME) &&
            (hasField(line, len, pid) || hasField(line, len, port)))
            return;
        line += len + (line[len] == '\n');
    }
    fail_msg("no row with %s and pid %s or port %s in:\n%s", FIXTURE_NAME, pid, port, out);
}

static int setup(void **state)
{
    (void)state;
    fixtureStartReport(&fx, namedListener, NULL, &fixturePort, sizeof fixturePort);
    reference = testShellOk("sqlite3 :memory: -cmd '.load build/sqlsof' < " QUERY);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fixtureStop(&fx);
    free(reference);
    return 0;
}

/* Runs an embedding program; its output must be the reference's. */
static void expectSameRows(const char *line)
{
    struct command_result r;
    testShell(&r, "%s < " QUERY, line);
    if (r.status != 0) fail_msg("%s: exit status %d; stderr:\n%s", line, r.status, r.err);
    assert_string_equal(r.err, "");
    assert_string_equal(r.out, reference);
    testCommandFree(&r);
}

static void reference_has_fixture(void **state)
{
    (void)state;
    expectFixtureRow(reference);
}

static void python_sqlite3(void **state)
{
    (void)state;
    expectSameRows("/usr/bin/python3 tests/embed/embed.py build/sqlsof");
    /* With or without ".so", relative or absolute, as sqlite3_load_extension() takes it. */
    expectSameRows("/usr/bin/python3 tests/embed/embed.py \"$PWD/build/sqlsof.so\"");
}

static void node_better_sqlite3(void **state)
{
    (void)state;
    char *version = testShellOk(
        "node -p 'require(\"./build/node/node_modules/better-sqlite3/package.json\").version'");
    assert_true(!strncmp(version, "12.", 3));
    free(version);
    expectSameRows("NODE_PATH=build/node/node_modules node tests/embed/embed.js build/sqlsof.so");
}

static void c_pkg_config(void **state)
{
    (void)state;
    /* Installed under a prefix of its own, so that the .pc file points where the files are. */
    free(testShellOk("rm -rf " PREFIX " && make -s install PREFIX=\"$PWD/" PREFIX "\""));
    char *flags = testShellOk("PKG_CONFIG_PATH=" PREFIX "/lib/pkgconfig "
                              "pkg-config --cflags --static --libs sqlsof");
    assert_non_null(strstr(flags, "/" PREFIX "/include"));
    assert_non_null(strstr(flags, "-lsqlsof"));
    free(flags);
    free(testShellOk("cc -Wall -Wextra -Werror -o " PREFIX "/embed tests/embed/embed.c "
                     "$(PKG_CONFIG_PATH=" PREFIX "/lib/pkgconfig "
                     "pkg-config --cflags --static --libs sqlsof)"));
    /* Statically linked: it runs without the build tree or the .so. */
    char *needed = testShellOk("objdump -p " PREFIX "/embed | grep NEEDED");
    assert_null(strstr(needed, "sqlsof"));
    free(needed);
    expectSameRows(PREFIX "/embed");
    free(testShellOk("make -s uninstall PREFIX=\"$PWD/" PREFIX "\""));
}

/* The README shows each program exactly as tested, in a fenced block of its language. */
static void readme_snippets(void **state)
{
    (void)state;
    static const char *const programs[][2] = {
        {"tests/embed/embed.c", "```c\n"},
        {"tests/embed/embed.py", "```python\n"},
        {"tests/embed/embed.js", "```js\n"},
    };
    char *readme = testReadFile("README.md");
    const char *embedding = strstr(readme, "\n## Embedding\n");
    assert_non_null(embedding);
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
        char *code = testReadFile(programs[i][0]), *block = NULL;
        assert_true(asprintf(&block, "%s%s```\n", programs[i][1], code) > 0);
        if (!strstr(embedding, block)) fail_msg("README.md does not show %s as is", programs[i][0]);
        free(block);
        free(code);
    }
    free(readme);
}

TEST_MAIN("embed", setup, teardown,
          {
              cmocka_unit_test(reference_has_fixture),
              cmocka_unit_test(python_sqlite3),
              cmocka_unit_test(node_better_sqlite3),
              cmocka_unit_test(c_pkg_config),
              cmocka_unit_test(readme_snippets),
          })
