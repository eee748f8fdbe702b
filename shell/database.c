#include "database.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql_files.h"
#include "sqlsof.h"

static void freeRegex(void *re)
{
    regfree(re);
    sqlite3_free(re);
}

/* lsof_regexp(pattern, text): POSIX extended regular expressions, for lsof's -c /regex/. */
static void lsofRegexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *pattern = (const char *)sqlite3_value_text(argv[0]);
    const char *text = (const char *)sqlite3_value_text(argv[1]);
    if (!pattern || !text) return;
    regex_t *re = sqlite3_get_auxdata(ctx, 0); /* compiled once per statement */
    int cached = re != NULL;
    if (!cached) {
        re = sqlite3_malloc(sizeof *re);
        if (!re || regcomp(re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
            sqlite3_free(re);
            sqlite3_result_error(ctx, "invalid regular expression", -1);
            return;
        }
    }
    sqlite3_result_int(ctx, regexec(re, text, 0, NULL, 0) == 0);
    if (!cached) sqlite3_set_auxdata(ctx, 0, re, freeRegex);
}

void configureSqlite(void)
{
    /* The command is one thread (the namespace helper runs while the caller waits): no mutex
     * around every sqlite3_column_*() call, no global lock around every malloc for statistics
     * nobody reads. */
    sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int isNameChar(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Whether SQL holds NAME (LEN bytes) as a whole word, in any case. */
static int holdsWord(const char *sql, const char *name, size_t len)
{
    for (const char *at = sql; *at; at++)
        if (!strncasecmp(at, name, len) && !isNameChar(at[len]) &&
            (at == sql || !isNameChar(at[-1])))
            return 1;
    return 0;
}

/*
** Whether SQL may use what the files of sql/ create: it names one of their views (each "VIEW
** IF NOT EXISTS name"), or a table or pragma that lists the schema. A name in a string or a
** comment counts too; making the views when they are not used costs time, never an answer.
*/
static int usesViews(const char *sql)
{
    static const char marker[] = "VIEW IF NOT EXISTS ";
    static const char *const schema[] = {
        "sqlite_master", "sqlite_schema",     "sqlite_temp_master", "sqlite_temp_schema",
        "table_list",    "pragma_table_list", "table_info",         "pragma_table_info",
        "table_xinfo",   "pragma_table_xinfo"};
    for (size_t i = 0; i < sizeof schema / sizeof *schema; i++)
        if (holdsWord(sql, schema[i], strlen(schema[i]))) return 1;
    for (const struct sql_file *f = sqlFiles; f->name; f++)
        for (const char *at = strstr(f->text, marker); at; at = strstr(at, marker)) {
            at += sizeof marker - 1;
            size_t len = 0;
            while (isNameChar(at[len])) len++;
            if (len && holdsWord(sql, at, len)) return 1;
        }
    return 0;
}

sqlite3 *openDatabase(const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || sqlsof_register(db) != SQLITE_OK ||
        sqlite3_create_function(db, "lsof_regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                lsofRegexp, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlsof: cannot set up the database: %s\n", sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    /* Parsing the views is most of the command's start (~0.8 ms): only for a question that may
     * use them. */
    for (const struct sql_file *f = sqlFiles; f->name && (!sql || usesViews(sql)); f++) {
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
