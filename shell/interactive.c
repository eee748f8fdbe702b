/*
** sqlsof --shell execs the real sqlite3 so that its history, .mode and .schema all work. The
** extension is found beside the command (build/sqlsof.so) or in ../lib (an installed
** PREFIX/bin/sqlsof next to PREFIX/lib/sqlsof.so); the views are passed as -cmd SQL.
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

/* The path of sqlsof.so that belongs with this command, or NULL. */
static char *findExtension(void)
{
    static const char *const candidates[] = {"%s/sqlsof.so", "%s/../lib/sqlsof.so"};
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

int shellMain(int argc, char **argv)
{
    char *extension = findExtension();
    if (!extension) {
        fprintf(stderr, "sqlsof: cannot find sqlsof.so beside this command or in ../lib\n");
        return 1;
    }
    sqlite3_str *views = sqlite3_str_new(NULL);
    for (const struct sql_file *f = sqlFiles; f->name; f++) sqlite3_str_appendall(views, f->text);

    char **args = calloc((size_t)argc + 6, sizeof *args);
    if (!args) return 1;
    int n = 0;
    args[n++] = "sqlite3";
    args[n++] = "-cmd";
    args[n++] = sqlite3_mprintf(".load %s", extension);
    args[n++] = "-cmd";
    args[n++] = sqlite3_str_finish(views);
    for (int i = 0; i < argc; i++) args[n++] = argv[i];
    execvp("sqlite3", args);
    fprintf(stderr, "sqlsof: cannot run sqlite3: %s\n", strerror(errno));
    return 1;
}
