/*
** sqlsof — run SQL over the host's processes, open files and sockets.
**
**   sqlsof [--table|--csv|--json|--jsonl] "SQL"
**
** The statements run on an in-memory database with the sqlsof tables registered and the files
** of sql/ (compiled in) loaded. Long `--` options are ours; anything else that starts with '-'
** or '+' is an lsof option.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "output.h"
#include "sql_files.h"
#include "sqlsof.h"

static const char usage[] =
    "usage: sqlsof [--table|--csv|--json|--jsonl] \"SQL\"\n"
    "\n"
    "Runs SQL over the live state of this host: the tables processes, fds and sockets,\n"
    "and the views of sql/ (lsof, listening, connections, ...).\n"
    "\n"
    "  --table    an aligned table with a header (the default)\n"
    "  --csv      RFC 4180 CSV with a header\n"
    "  --json     a JSON array of objects, one per row\n"
    "  --jsonl    one JSON object per line\n"
    "  --html     an HTML report of the host (sql/report.sql), or of the SQL given\n"
    "  --version  print the version\n"
    "  --help     print this help\n"
    "\n"
    "Example:\n"
    "  sqlsof \"SELECT pid, name, user FROM processes WHERE name = 'sshd'\"\n";

/* Opens the database every mode works on: tables registered, sql/ loaded. */
static sqlite3 *openDatabase(void)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || sqlsof_register(db) != SQLITE_OK) {
        fprintf(stderr, "sqlsof: cannot set up the database: %s\n", sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    for (const struct sql_file *f = sqlFiles; f->name; f++) {
        char *err = NULL;
        if (sqlite3_exec(db, f->text, NULL, NULL, &err) != SQLITE_OK) {
            fprintf(stderr, "sqlsof: sql/%s: %s\n", f->name, err);
            sqlite3_free(err);
            sqlite3_close(db);
            return NULL;
        }
    }
    return db;
}

/* Runs every statement of SQL, printing each result set. Returns the exit status. */
static int runSql(sqlite3 *db, const char *sql, enum output_mode mode)
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

int main(int argc, char **argv)
{
    enum output_mode mode = OUTPUT_TABLE;
    const char *sql = NULL;
    int html = 0;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
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
        else if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(arg, "--version")) {
            printf("sqlsof %s (SQLite %s)\n", SQLSOF_VERSION, sqlite3_libversion());
            return 0;
        } else if (arg[0] == '-' && arg[1] == '-') {
            fprintf(stderr, "sqlsof: unknown option %s (see sqlsof --help)\n", arg);
            return 1;
        } else if (arg[0] == '-' || arg[0] == '+') {
            fprintf(stderr, "sqlsof: lsof option %s is not supported (see sqlsof --help)\n", arg);
            return 1;
        } else if (sql) {
            fprintf(stderr, "sqlsof: one SQL argument only; put several statements in it\n");
            return 1;
        } else {
            sql = arg;
        }
    }
    if (!sql && !html) {
        fputs(usage, stderr);
        return 1;
    }

    sqlite3 *db = openDatabase();
    if (!db) return 1;
    int status =
        html ? htmlReport(stdout, db, sql ? sql : reportFiles[0].text) : runSql(db, sql, mode);
    sqlite3_close(db);
    if (fflush(stdout) != 0) status = 1;
    return status;
}
