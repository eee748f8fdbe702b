/*
** sqlsof — run SQL over the host's processes, open files and sockets.
**
**   sqlsof [--table|--csv|--json|--jsonl] "SQL"     SQL mode
**   sqlsof [--sql] [lsof options]                    lsof mode (no arguments: every open file)
**   sqlsof --shell [sqlite3 arguments]               the sqlite3 shell, sqlsof loaded
**   sqlsof --prom [--prom-dir DIR] ["SQL"]           Prometheus metrics (sql/metrics.sql)
**   sqlsof --watch SECS [--watch-count N] "SQL"      rows that came and went, every SECS
**
** The statements run on an in-memory database with the sqlsof tables registered and the files
** of sql/ (compiled in) loaded. Our long options are listed below; any other argument that
** starts with '-' or '+' and holds no blank is an lsof option, and switches to lsof mode.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "database.h"
#include "report/graph.h"
#include "report/html.h"
#include "interactive.h"
#include "lsof/lsof.h"
#include "output.h"
#include "report/prom.h"
#include "sql_files.h"
#include "sqlsof.h"
#include "watch.h"

static const char usage[] =
    "usage: sqlsof [--table|--csv|--json|--jsonl] \"SQL\"\n"
    "       sqlsof [--sql] [lsof options]\n"
    "       sqlsof --shell [sqlite3 arguments]\n"
    "       sqlsof --prom [--prom-dir DIR] [\"SQL\"]\n"
    "       sqlsof --dot \"SELECT pid, peer_pid[, label] ...\"\n"
    "       sqlsof --watch SECS [--watch-count N] \"SQL\"\n"
    "\n"
    "Runs SQL over the live state of this host: the tables processes, threads, fds, sockets,\n"
    "maps, and the views of sql/ (lsof, listening, connections, ...).\n"
    "\n"
    "With lsof's options (-i -s -a -p -d -u -c -U -t -n -P -l -F -r -w +E -E +c) and file\n"
    "names, or none, it answers as lsof does, in lsof's format; --sql prints the query\n"
    "instead.\n"
    "\n"
    "  --table    an aligned table with a header (the default)\n"
    "  --csv      RFC 4180 CSV with a header\n"
    "  --json     a JSON array of objects, one per row\n"
    "  --jsonl    one JSON object per line\n"
    "  --html     an HTML report of the host (sql/report.sql), or of the SQL given\n"
    "  --dot      Graphviz DOT of the edges the SELECT returns: rows of (pid, peer_pid[, label]),\n"
    "             by position, pids as integers; processes become nodes, by container\n"
    "  --prom     Prometheus text format from the metrics of sql/metrics.sql, or of the SQL given\n"
    "  --prom-dir DIR  write them to DIR/sqlsof.prom atomically (node_exporter's textfiles)\n"
    "  --param NAME=VALUE  the value of the statements' :NAME parameter (repeatable)\n"
    "  --allow-kill  let DELETE FROM sockets WHERE ... close the sockets it selects\n"
    "  --watch SECS  run the SELECT every SECS seconds; print rows that came (+) and went (-)\n"
    "  --watch-count N  stop --watch after N runs\n"
    "  --sql      with lsof options: print the SQL they stand for\n"
    "  --shell    the sqlite3 shell with sqlsof loaded and the views created\n"
    "  --version  print the version\n"
    "  --help     print this help\n"
    "\n"
    "Example:\n"
    "  sqlsof \"SELECT pid, name, user FROM processes WHERE name = 'sshd'\"\n";

/* --param NAME=VALUE: values for the statements' :NAME parameters. */
struct params {
    char **v; /* "NAME=VALUE" */
    int n;
    size_t cap;
};

/* Binds every parameter of STMT from P: integers as integers, the rest as text. */
static int bindParams(sqlite3_stmt *stmt, const struct params *p)
{
    for (int i = 1; i <= sqlite3_bind_parameter_count(stmt); i++) {
        const char *name = sqlite3_bind_parameter_name(stmt, i);
        const char *value = NULL;
        for (int k = 0; name && k < p->n && !value; k++) {
            size_t len = strcspn(p->v[k], "=");
            if (strlen(name + 1) == len && !strncmp(name + 1, p->v[k], len))
                value = p->v[k] + len + 1;
        }
        if (!value) {
            fprintf(stderr, "sqlsof: no value for %s (give it with --param %s=VALUE)\n",
                    name ? name : "?", name ? name + 1 : "NAME");
            return 1;
        }
        char *end;
        long long n = strtoll(value, &end, 10);
        if (*value && !*end)
            sqlite3_bind_int64(stmt, i, n);
        else
            sqlite3_bind_text(stmt, i, value, -1, SQLITE_STATIC);
    }
    return 0;
}

/* Runs every statement of SQL, printing each result set. Returns the exit status. */
static int runSql(sqlite3 *db, const char *sql, enum output_mode mode, const struct params *params)
{
    int sets = 0; /* result sets printed so far */
    while (sql && *sql) {
        sqlite3_stmt *stmt = NULL;
        const char *tail = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &stmt, &tail) != SQLITE_OK) {
            fprintf(stderr, "sqlsof: %s\n", sqlite3_errmsg(db));
            return 1;
        }
        sql = tail;
        if (!stmt) continue; /* whitespace or a comment */
        if (bindParams(stmt, params) != 0) {
            sqlite3_finalize(stmt);
            return 1;
        }
        int rc;
        if (sqlite3_column_count(stmt) > 0) {
            if (sets++ && mode == OUTPUT_TABLE) putchar('\n');
            rc = outputStatement(stdout, stmt, mode);
        } else {
            rc = sqlite3_step(stmt);
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE) {
            fprintf(stderr, "sqlsof: %s\n", sqlite3_errmsg(db));
            return 1;
        }
    }
    return 0;
}

/* STATUS, or 1 when what was written to stdout did not all get there (a full disk): one line. */
static int flushed(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("sqlsof: cannot write the output");
        return 1;
    }
    return status ? 1 : 0;
}

static int bindWatch(sqlite3_stmt *stmt, const void *params)
{
    return bindParams(stmt, params);
}

/*
** The number after option NAME at argv[*I] (advanced), at least MIN (1: a whole number, a count),
** or -1 with one line when it is none.
*/
static double optionNumber(int argc, char **argv, int *i, const char *name, double min)
{
    char *end = NULL;
    double v = *i + 1 < argc ? strtod(argv[*i + 1], &end) : 0;
    int whole = min >= 1;
    if (!end || end == argv[*i + 1] || *end || !(v >= min) || v > 1e9 || (whole && v != (long)v)) {
        fprintf(stderr, "sqlsof: %s needs %s (at least %g)\n", name,
                whole ? "a whole number" : "a number", min);
        return -1;
    }
    ++*i;
    return v;
}

/* An lsof option: '-' or '+' and a letter, no blanks (SQL text may start "-- comment"). */
static int isLsofOption(const char *arg)
{
    return (arg[0] == '-' || arg[0] == '+') && arg[1] && arg[1] != '-' && !strpbrk(arg, " \t\n");
}

/* An lsof file name ("/dev/null": no SQL starts with '/'), or lsof's "--" before names. */
static int isLsofName(const char *arg)
{
    return arg[0] == '/' || !strcmp(arg, "--");
}

int main(int argc, char **argv)
{
    enum output_mode mode = OUTPUT_TABLE;
    const char *sql = NULL;
    int html = 0, dot = 0, printSql = 0, prom = 0, allowKill = 0;
    struct watch watch = {.seconds = 0};
    const char *promDir = NULL;
    struct params params = {0};

    configureSqlite();
    /* A listing of 100,000 rows into a file or pipe: 64 KiB writes, not one per 4 KiB. */
    if (!isatty(STDOUT_FILENO)) setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    if (argc == 1) return flushed(lsofMain(0, argv + 1, 0)); /* `lsof` alone: every open file */
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "-h") || !strcmp(arg, "-?") || !strcmp(arg, "--help")) {
            fputs(usage, stdout);
            return 0;
        }
        if (isLsofOption(arg) || isLsofName(arg))
            return flushed(lsofMain(argc - i, argv + i, printSql));
        if (!strcmp(arg, "--table"))
            mode = OUTPUT_TABLE;
        else if (!strcmp(arg, "--csv"))
            mode = OUTPUT_CSV;
        else if (!strcmp(arg, "--json"))
            mode = OUTPUT_JSON;
        else if (!strcmp(arg, "--jsonl"))
            mode = OUTPUT_JSONL;
        else if (!strcmp(arg, "--html"))
            html = 1;
        else if (!strcmp(arg, "--dot"))
            dot = 1;
        else if (!strcmp(arg, "--prom"))
            prom = 1;
        else if (!strcmp(arg, "--prom-dir")) {
            if (i + 1 == argc || !argv[i + 1][0]) {
                fprintf(stderr, "sqlsof: --prom-dir needs a directory\n");
                return 1;
            }
            prom = 1;
            promDir = argv[++i];
        } else if (!strcmp(arg, "--sql"))
            printSql = 1;
        else if (!strcmp(arg, "--allow-kill"))
            allowKill = 1;
        else if (!strcmp(arg, "--watch")) {
            if ((watch.seconds = optionNumber(argc, argv, &i, arg, 0.01)) < 0) return 1;
        } else if (!strcmp(arg, "--watch-count")) {
            double n = optionNumber(argc, argv, &i, arg, 1);
            if (n < 0) return 1;
            watch.count = (long)n;
        } else if (!strcmp(arg, "--param")) {
            if (i + 1 == argc || !strchr(argv[i + 1], '=')) {
                fprintf(stderr, "sqlsof: --param needs NAME=VALUE\n");
                return 1;
            }
            params.v = outputGrow(params.v, &params.cap, (size_t)params.n + 1, sizeof *params.v);
            params.v[params.n++] = argv[++i];
        } else if (!strcmp(arg, "--shell"))
            return shellMain(argc - i - 1, argv + i + 1);
        else if (!strcmp(arg, "--version")) {
            printf("sqlsof %s (SQLite %s)\n", SQLSOF_VERSION, sqlite3_libversion());
            return 0;
        } else if (arg[0] == '-' && arg[1] == '-' && !strpbrk(arg, " \t\n")) {
            fprintf(stderr, "sqlsof: unknown option %s (see sqlsof --help)\n", arg);
            return 1;
        } else if (sql) {
            fprintf(stderr, "sqlsof: one SQL argument only; put several statements in it\n");
            return 1;
        } else {
            sql = arg;
        }
    }
    if (printSql)
        return flushed(lsofMain(0, argv + argc, 1)); /* --sql alone: the query of plain lsof */
    if (watch.count && !watch.seconds) {
        fprintf(stderr, "sqlsof: --watch-count goes with --watch SECS\n");
        return 1;
    }
    if (watch.seconds && (!sql || html || prom)) {
        fprintf(stderr, "sqlsof: --watch needs one SELECT to run (and no --html or --prom)\n");
        return 1;
    }
    if (dot && (!sql || html || prom || watch.seconds)) {
        fprintf(stderr, "sqlsof: --dot needs one SELECT of (pid, peer_pid[, label]) and no other "
                        "output mode\n");
        return 1;
    }
    if (!sql && !html && !prom) {
        fputs(usage, stderr);
        return 1;
    }

    /* What the chosen mode will run: its views are made only when it may use them. */
    const char *text = sql ? sql : html ? reportFiles[0].text : metricFiles[0].text;
    sqlite3 *db = openDatabase(text);
    if (!db) return 1;
    if (allowKill && sqlsof_allow_kill(db, 1) != SQLITE_OK) {
        fprintf(stderr, "sqlsof: --allow-kill: %s\n", sqlite3_errmsg(db));
        sqlite3_close(db);
        return 1;
    }
    const char *metrics = sql ? sql : metricFiles[0].text;
    watch.mode = mode, watch.bind = bindWatch, watch.bindCtx = &params;
    int status = watch.seconds ? watchMain(db, sql, &watch)
                 : promDir     ? promWriteDir(promDir, db, metrics)
                 : prom        ? promReport(stdout, db, metrics)
                 : dot         ? graphDot(stdout, db, sql)
                 : html        ? htmlReport(stdout, db, sql ? sql : reportFiles[0].text)
                               : runSql(db, sql, mode, &params);
    sqlite3_close(db);
    free(params.v);
    return flushed(status);
}
