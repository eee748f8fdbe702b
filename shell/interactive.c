/*
** sqlsof --shell execs the real sqlite3 so that its history, .mode and .schema all work. The
** extension is found beside the command (build/sqlsof.so), in ../lib (an installed
** PREFIX/bin/sqlsof next to PREFIX/lib/sqlsof.so) or in ../lib/sqlsof (Debian's
** /usr/lib/sqlsof/sqlsof.so); the views are passed as -cmd SQL. A database whose own table or
** view has the name of one of ours is refused: SQLite finds a schema's table before an
** eponymous virtual table, so it would answer in their place, and the views would read it.
*/
#include "interactive.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sql_files.h"
#include "sqlsof.h"

/* The path of sqlsof.so that belongs with this command, or NULL. */
static char *findExtension(void)
{
    static const char *const candidates[] = {"%s/sqlsof.so", "%s/../lib/sqlsof.so",
                                             "%s/../lib/sqlsof/sqlsof.so"};
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return NULL;
    exe[n] = '\0';
    const char *dir = dirname(exe);
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
        char *path = sqlite3_mprintf(candidates[i], dir);
        if (path && access(path, R_OK) == 0) return path;
        sqlite3_free(path);
    }
    return NULL;
}

/* The .load command for PATH, quoted as sqlite3's dot-commands read an argument. */
static char *loadCommand(const char *path)
{
    if (!strchr(path, '\'')) return sqlite3_mprintf(".load '%s'", path);
    sqlite3_str *s = sqlite3_str_new(NULL);
    sqlite3_str_appendall(s, ".load \"");
    for (const char *p = path; *p; p++) {
        if (*p == '"' || *p == '\\') sqlite3_str_appendchar(s, 1, '\\');
        sqlite3_str_appendchar(s, 1, *p);
    }
    sqlite3_str_appendchar(s, 1, '"');
    return sqlite3_str_finish(s);
}

/* The database file among sqlite3's arguments (the first that is no option), or NULL. */
static const char *databaseArgument(int argc, char **argv)
{
    static const char *const withValue[] = {"-cmd",  "-separator", "-newline",  "-nullvalue",
                                            "-vfs",  "-init",      "-mmap",     "-lookaside",
                                            "-heap", "-maxsize",   "-pagecache"};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i][0] == '-' && argv[i][1] == '-' ? argv[i] + 1 : argv[i];
        if (a[0] != '-') return argv[i];
        for (size_t k = 0; k < sizeof withValue / sizeof *withValue; k++)
            if (!strcmp(a, withValue[k])) i++;
    }
    return NULL;
}

/* The name of a table or view of the database at PATH that one of sqlsof's tables has
 * (malloc'd), or NULL: the modules sqlsof_register() adds, looked for in the file's schema. A
 * file that is no database is sqlite3's to report. */
static char *shadowingName(const char *path)
{
    sqlite3 *db = NULL;
    char *name = NULL;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_exec(db, "CREATE TEMP TABLE plain AS SELECT name FROM pragma_module_list", NULL,
                     NULL, NULL) == SQLITE_OK &&
        sqlsof_register(db) == SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT name FROM main.sqlite_schema WHERE type IN ('table', 'view') "
                           "AND lower(name) IN (SELECT lower(name) FROM pragma_module_list "
                           "EXCEPT SELECT lower(name) FROM temp.plain)",
                           -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        name = strdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return name;
}

int shellMain(int argc, char **argv)
{
    char *extension = findExtension();
    if (!extension) {
        fprintf(stderr, "sqlsof: cannot find sqlsof.so beside this command, in ../lib or in "
                        "../lib/sqlsof\n");
        return 1;
    }
    const char *database = databaseArgument(argc, argv);
    char *shadow = database && access(database, F_OK) == 0 ? shadowingName(database) : NULL;
    if (shadow) {
        fprintf(stderr,
                "sqlsof: %s has its own table or view %s, which would answer in place of "
                "sqlsof's: open another database, or rename it\n",
                database, shadow);
        free(shadow);
        sqlite3_free(extension);
        return 1;
    }
    sqlite3_str *views = sqlite3_str_new(NULL);
    for (const struct sql_file *f = sqlFiles; f->name; f++) sqlite3_str_appendall(views, f->text);

    char **args = calloc((size_t)argc + 6, sizeof *args);
    if (!args) return 1;
    int n = 0;
    args[n++] = "sqlite3";
    args[n++] = "-cmd";
    args[n++] = loadCommand(extension);
    args[n++] = "-cmd";
    args[n++] = sqlite3_str_finish(views);
    for (int i = 0; i < argc; i++) args[n++] = argv[i];
    execvp("sqlite3", args);
    fprintf(stderr, "sqlsof: cannot run sqlite3: %s\n", strerror(errno));
    return 1;
}
