/*
** --watch (watch.h). Each run's rows go into a TEMP table; the difference with the run before
** is two EXCEPTs, so rows compare as SQLite compares them (NULLs equal) and a row seen twice in
** one run counts once.
*/
#include "watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOW "temp.sqlsof_watch_now"
#define WAS "temp.sqlsof_watch_was"

/* The rows that appeared, then those that went, each with the run's time (?1). */
static const char diffSql[] =
    "SELECT ?1 AS time, '+' AS change, * FROM (SELECT * FROM " NOW " EXCEPT SELECT * FROM " WAS ")"
    " UNION ALL "
    "SELECT ?1, '-', * FROM (SELECT * FROM " WAS " EXCEPT SELECT * FROM " NOW ")";

static int fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "sqlsof: --watch: %s: %s\n", what, sqlite3_errmsg(db));
    return 1;
}

/* The SQL without the blanks and semicolons that end it (malloc'd), to nest as a subquery. */
static char *trimmed(const char *sql)
{
    size_t n = strlen(sql);
    while (n > 0 && strchr(" \t\r\n;", sql[n - 1])) n--;
    char *s = malloc(n + 1);
    if (!s) outputOutOfMemory();
    memcpy(s, sql, n);
    s[n] = '\0';
    return s;
}

/* Runs the user's statement into NOW. */
static int runOnce(sqlite3 *db, const char *select, const struct watch *w)
{
    if (sqlite3_exec(db, "DROP TABLE IF EXISTS " NOW, NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "cannot drop the last run's rows");
    char *sql = sqlite3_mprintf("CREATE TABLE " NOW " AS SELECT * FROM (%s\n)", select);
    if (!sql) outputOutOfMemory();
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) return fail(db, "the SQL must be one SELECT");
    if (w->bind && w->bind(stmt, w->bindCtx) != 0) {
        sqlite3_finalize(stmt);
        return 1;
    }
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : fail(db, "the SQL failed");
}

/* The run's time, UTC with milliseconds: 2026-12-03T06:31:02.123Z. */
static void stamp(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Prints what changed between WAS and NOW; *PRINTED counts the batches printed so far. */
static int printChanges(sqlite3 *db, const struct watch *w, int *printed)
{
    char when[40];
    stamp(when, sizeof when);
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, diffSql, -1, &stmt, NULL) != SQLITE_OK)
        return fail(db, "cannot compare two runs");
    sqlite3_bind_text(stmt, 1, when, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        sqlite3_reset(stmt);
        if (*printed && w->mode == OUTPUT_TABLE) putchar('\n');
        rc = outputRows(stdout, stmt, w->mode, *printed == 0);
        ++*printed;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return fail(db, "cannot compare two runs");
    return fflush(stdout) == 0 ? 0 : 1;
}

/* Sleeps until START + SECONDS (CLOCK_MONOTONIC): runs keep their period, however long each. */
static void sleepUntil(const struct timespec *start, double seconds)
{
    struct timespec until = *start;
    long long ns = (long long)(seconds * 1e9) + until.tv_nsec;
    until.tv_sec += (time_t)(ns / 1000000000);
    until.tv_nsec = (long)(ns % 1000000000);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR) {
    }
}

int watchMain(sqlite3 *db, const char *sql, const struct watch *w)
{
    char *select = trimmed(sql);
    int status = 0, printed = 0;
    for (long run = 0; !status && (w->count == 0 || run < w->count); run++) {
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        status = runOnce(db, select, w);
        if (!status && run == 0 &&
            sqlite3_exec(db, "CREATE TABLE " WAS " AS SELECT * FROM " NOW " LIMIT 0", NULL, NULL,
                         NULL) != SQLITE_OK)
            status = fail(db, "cannot keep the rows");
        if (!status) status = printChanges(db, w, &printed);
        if (!status &&
            sqlite3_exec(db, "DROP TABLE " WAS "; ALTER TABLE " NOW " RENAME TO sqlsof_watch_was",
                         NULL, NULL, NULL) != SQLITE_OK)
            status = fail(db, "cannot keep the rows");
        if (!status && (w->count == 0 || run + 1 < w->count)) sleepUntil(&start, w->seconds);
    }
    free(select);
    return status;
}
