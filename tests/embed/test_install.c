/*
** `make install` / `make uninstall`, the pkg-config file, the man page and the version: the
** installed tree holds exactly the expected files, pkg-config answers from it, uninstall leaves
** no file behind, and the man page renders without warnings and documents every table and
** column of the extension, in the order of the README's list of tables.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shell.h"
#include "sqlsof.h"
#include "testdb.h"
#include "testmain.h"

#define DESTDIR "build/tests/destdir"
#define PREFIX  "build/tests/install-prefix"
#define PC_PATH "PKG_CONFIG_PATH=" DESTDIR "/usr/local/lib/pkgconfig "

static void destdir_tree(void **state)
{
    (void)state;
    free(testShellOk("rm -rf " DESTDIR " && make -s install DESTDIR=" DESTDIR));
    /* Every installed file with its mode; the sql/ files, subdirectories included. */
    char *tree = testShellOk("cd " DESTDIR " && find . -type f -printf '%%m %%p\\n' | sort -k2");
    char *sql =
        testShellOk("find sql -name '*.sql' | sort | sed 's|^sql/|644 ./usr/local/share/sqlsof/|'");
    char *expected = NULL;
    assert_true(asprintf(&expected,
                         "755 ./usr/local/bin/sqlsof\n"
                         "644 ./usr/local/include/sqlsof.h\n"
                         "644 ./usr/local/lib/libsqlsof.a\n"
                         "644 ./usr/local/lib/pkgconfig/sqlsof.pc\n"
                         "644 ./usr/local/lib/sqlsof.so\n"
                         "644 ./usr/local/share/man/man1/sqlsof.1\n"
                         "%s",
                         sql) > 0);
    assert_string_equal(tree, expected);
    free(tree);
    free(sql);
    free(expected);
    /* Installed as built, byte for byte. */
    free(testShellOk("cmp build/sqlsof " DESTDIR "/usr/local/bin/sqlsof && "
                     "cmp build/sqlsof.so " DESTDIR "/usr/local/lib/sqlsof.so && "
                     "cmp build/libsqlsof.a " DESTDIR "/usr/local/lib/libsqlsof.a && "
                     "cmp ext/sqlsof.h " DESTDIR "/usr/local/include/sqlsof.h && "
                     "cmp build/sqlsof.1 " DESTDIR "/usr/local/share/man/man1/sqlsof.1 && "
                     "for f in $(cd sql && find . -name '*.sql'); do "
                     "cmp sql/$f " DESTDIR "/usr/local/share/sqlsof/$f || exit 1; done"));

    /* pkg-config from the installed .pc: the prefix, the version, static link flags. */
    char *out = testShellOk(PC_PATH "pkg-config --modversion sqlsof");
    assert_string_equal(out, SQLSOF_VERSION "\n");
    free(out);
    out = testShellOk(PC_PATH "pkg-config --cflags --libs sqlsof");
    assert_string_equal(out, "-I/usr/local/include -L/usr/local/lib -lsqlsof -lsqlite3 \n");
    free(out);
    out = testShellOk(PC_PATH "pkg-config --static --libs sqlsof");
    assert_non_null(strstr(out, "-L/usr/local/lib -lsqlsof "));
    assert_non_null(strstr(out, " -lmnl"));
    assert_non_null(strstr(out, " -lpthread"));
    free(out);
    out = testShellOk(PC_PATH "pkg-config --variable=prefix sqlsof");
    assert_string_equal(out, "/usr/local\n");
    free(out);

    /* Uninstall removes every file, and the directory that was sqlsof's own. */
    free(testShellOk("make -s uninstall DESTDIR=" DESTDIR));
    out = testShellOk("find " DESTDIR " -not -type d");
    assert_string_equal(out, "");
    free(out);
    out = testShellOk("find " DESTDIR " -path '*sqlsof*'");
    assert_string_equal(out, "");
    free(out);
}

/* Installed under PREFIX: the sqlite3 shell loads the extension from lib/, `man` finds the
 * page, the command runs, and all three tell the same version. */
static void prefix_works(void **state)
{
    (void)state;
    free(testShellOk("rm -rf " PREFIX " && make -s install PREFIX=\"$PWD/" PREFIX "\""));
    char *out = testShellOk("sqlite3 :memory: -cmd \".load $PWD/" PREFIX "/lib/sqlsof\" "
                            "'SELECT sqlsof_version(), count(*) > 0 FROM processes WHERE pid = 1'");
    assert_string_equal(out, SQLSOF_VERSION "|1\n");
    free(out);
    out = testShellOk(PREFIX "/bin/sqlsof --version");
    assert_true(!strncmp(out, "sqlsof " SQLSOF_VERSION " (SQLite ",
                         strlen("sqlsof " SQLSOF_VERSION " (SQLite ")));
    free(out);
    out = testShellOk(PREFIX "/bin/sqlsof --csv 'SELECT sqlsof_version() AS v'");
    assert_string_equal(out, "v\r\n" SQLSOF_VERSION "\r\n");
    free(out);
    out = testShellOk("MANPATH=\"$PWD/" PREFIX "/share/man\" man -w sqlsof");
    assert_non_null(strstr(out, PREFIX "/share/man/man1/sqlsof.1"));
    free(out);
    out = testShellOk("MANPATH=\"$PWD/" PREFIX
                      "/share/man\" MANWIDTH=80 man sqlsof 2>&1 | tail -n 1");
    assert_non_null(strstr(out, "sqlsof " SQLSOF_VERSION));
    free(out);
    free(testShellOk("make -s uninstall PREFIX=\"$PWD/" PREFIX "\""));
    out = testShellOk("find " PREFIX " -not -type d");
    assert_string_equal(out, "");
    free(out);
}

static void man_renders_cleanly(void **state)
{
    (void)state;
    struct command_result r;
    testShell(&r, "MANWIDTH=80 man --warnings -l build/sqlsof.1 > /dev/null");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    testCommandFree(&r);
    testShell(&r, "groff -man -ww -z build/sqlsof.1");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    testCommandFree(&r);
}

/*
** The columns the man page lists for TABLE, comma-separated (malloc'd), or NULL when it has no
** `.SS TABLE` in its TABLES section. A column is a `.B name` right after a `.TP`.
*/
static char *manColumns(const char *man, const char *table)
{
    const char *tables = strstr(man, "\n.SH TABLES\n");
    assert_non_null(tables);
    const char *end = strstr(tables + 1, "\n.SH ");
    char heading[128];
    snprintf(heading, sizeof heading, "\n.SS %s\n", table);
    const char *p = strstr(tables, heading);
    if (!p || (end && p > end)) return NULL;
    p += strlen(heading);
    const char *next = strstr(p, "\n.S");
    char *cols = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&cols, &len);
    for (const char *tp; (tp = strstr(p, "\n.TP\n.B ")) && (!next || tp < next);) {
        tp += strlen("\n.TP\n.B ");
        fprintf(f, "%s%.*s", len ? "," : "", (int)strcspn(tp, "\n"), tp);
        fflush(f);
        p = tp;
    }
    fclose(f);
    return cols;
}

/* The names of the man page's `.SS` subsections of TABLES, comma-separated (malloc'd). */
static char *manTables(const char *man)
{
    const char *p = strstr(man, "\n.SH TABLES\n");
    assert_non_null(p);
    const char *end = strstr(p + 1, "\n.SH ");
    char *names = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&names, &len);
    while ((p = strstr(p + 1, "\n.SS ")) && (!end || p < end)) {
        p += strlen("\n.SS ");
        fprintf(f, "%s%.*s", len ? "," : "", (int)strcspn(p, "\n"), p);
        fflush(f);
    }
    fclose(f);
    return names;
}

/*
** The README's table of tables (rows "| `name` | ..." or "| `a`, `b` | ..." under "## Tables")
** names the tables of the man page, the one column reference, in its order.
*/
static void man_documents_readme_tables(void **state)
{
    (void)state;
    char *man = testReadFile("build/sqlsof.1"), *readme = testReadFile("README.md");
    const char *p = strstr(readme, "\n## Tables\n");
    assert_non_null(p);
    const char *end = strstr(p + 1, "\n## ");
    char *listed = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&listed, &len);
    while ((p = strstr(p + 1, "\n| `")) && (!end || p < end)) {
        const char *cell = p + strlen("\n| "), *cellEnd = strstr(cell, " |");
        assert_non_null(cellEnd);
        for (const char *q = cell; q < cellEnd && (q = strchr(q, '`')) && q < cellEnd;) {
            q++;
            fprintf(f, "%s%.*s", len ? "," : "", (int)strcspn(q, "`"), q);
            fflush(f);
            q += strcspn(q, "`") + 1;
        }
    }
    fclose(f);
    char *documented = manTables(man);
    if (strcmp(documented, listed))
        fail_msg("README lists the tables %s\nman page has %s", listed, documented);
    free(documented);
    free(listed);
    free(man);
    free(readme);
}

/* The lines of ALL that are not lines of BASE, as a NULL-terminated array (malloc'd). */
static char **linesNotIn(char *all, const char *base)
{
    char **extra = calloc(strlen(all) + 1, sizeof *extra);
    size_t n = 0;
    for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
        char needle[256];
        snprintf(needle, sizeof needle, "\n%s\n", line);
        if (!strstr(base, needle)) extra[n++] = line;
    }
    return extra;
}

/* Every table and function the extension registers is in the man page, with every column. */
static void man_documents_extension(void **state)
{
    (void)state;
    char *man = testReadFile("build/sqlsof.1");
    sqlite3 *plain = NULL, *db = testOpenDb();
    assert_int_equal(sqlite3_open(":memory:", &plain), SQLITE_OK);
    /* sqlsof's own: the modules and functions a plain connection lacks. */
    static const char *const lists[] = {
        "SELECT '' UNION SELECT name FROM pragma_module_list UNION SELECT ''",
        "SELECT '' UNION SELECT name FROM pragma_function_list UNION SELECT ''",
    };
    int tables = 0;
    for (int kind = 0; kind < 2; kind++) {
        char *base = testQueryRows(plain, "%s", lists[kind]);
        char *ours = testQueryRows(db, "%s", lists[kind]);
        char **names = linesNotIn(ours, base);
        for (char **name = names; *name; name++) {
            if (kind == 1) {
                char entry[256];
                snprintf(entry, sizeof entry, "\n.B %s()\n", *name);
                if (!strstr(man, entry)) fail_msg("the man page lacks the function %s()", *name);
                continue;
            }
            tables++;
            char *documented = manColumns(man, *name);
            char *columns = testQueryText(
                db, "SELECT group_concat(name, ',') FROM pragma_table_info(%Q)", *name);
            if (!documented) fail_msg("the man page has no table %s", *name);
            if (strcmp(documented, columns))
                fail_msg("%s: the table has %s\nman page has %s", *name, columns, documented);
            free(documented);
            free(columns);
        }
        free(names);
        free(base);
        free(ours);
    }
    assert_true(tables >= 1);
    sqlite3_close(plain);
    sqlite3_close(db);
    free(man);
}

TEST_MAIN("install", NULL, NULL,
          {
              cmocka_unit_test(destdir_tree),
              cmocka_unit_test(prefix_works),
              cmocka_unit_test(man_renders_cleanly),
              cmocka_unit_test(man_documents_readme_tables),
              cmocka_unit_test(man_documents_extension),
          })
