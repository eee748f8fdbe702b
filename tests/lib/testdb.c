#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlsof.h"

sqlite3 *testOpenDb(void)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlsof_register(db), SQLITE_OK);
    return db;
}

int testDbSetup(void **state)
{
    *state = testOpenDb();
    return 0;
}

int testDbTeardown(void **state)
{
    sqlite3_close(*state);
    return 0;
}

/* PREFIX ("" or "EXPLAIN QUERY PLAN ") and FMT formatted with AP, prepared; fails the test on
 * an error. */
static sqlite3_stmt *prepare(sqlite3 *db, const char *prefix, const char *fmt, va_list ap)
{
    char *body = sqlite3_vmprintf(fmt, ap);
    char *sql = sqlite3_mprintf("%s%s", prefix, body);
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("prepare failed: %s\n  in: %s", sqlite3_errmsg(db), sql);
    sqlite3_free(body);
    sqlite3_free(sql);
    return stmt;
}

sqlite3_int64 testQueryInt(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *stmt = prepare(db, "", fmt, ap);
    va_end(ap);
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) fail_msg("expected a row, got %d: %s", rc, sqlite3_errmsg(db));
    sqlite3_int64 v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

char *testQueryText(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *stmt = prepare(db, "", fmt, ap);
    va_end(ap);
    char *out = NULL;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
        out = strdup((const char *)sqlite3_column_text(stmt, 0));
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        fail_msg("query failed: %s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return out;
}

static char *collectRows(sqlite3 *db, sqlite3_stmt *stmt)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(stmt); i++) {
            if (i) fputc('|', f);
            if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
                fputs("NULL", f);
            else
                fputs((const char *)sqlite3_column_text(stmt, i), f);
        }
        fputc('\n', f);
    }
    if (rc != SQLITE_DONE) fail_msg("query failed: %s", sqlite3_errmsg(db));
    fclose(f);
    sqlite3_finalize(stmt);
    return out;
}

char *testQueryRows(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = collectRows(db, prepare(db, "", fmt, ap));
    va_end(ap);
    return out;
}

int testSamePushed(sqlite3 *db, const char *table, const char *cols, const char *order,
                   const char *pushed, const char *plain)
{
    const char *sql = "SELECT %s FROM %s WHERE %s ORDER BY %s";
    char *a = testQueryRows(db, sql, cols, table, pushed, order);
    char *b = testQueryRows(db, sql, cols, table, plain, order);
    if (strcmp(a, b) != 0) fail_msg("pushed %s:\n%s\nplain %s:\n%s", pushed, a, plain, b);
    int rows = 0;
    for (const char *p = a; *p; p++) rows += *p == '\n';
    free(a);
    free(b);
    return rows;
}

char *testExplain(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *stmt = prepare(db, "EXPLAIN QUERY PLAN ", fmt, ap);
    va_end(ap);
    /* Its rows' fourth column, the detail, one line each. */
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    while (sqlite3_step(stmt) == SQLITE_ROW) fprintf(f, "%s\n", sqlite3_column_text(stmt, 3));
    fclose(f);
    sqlite3_finalize(stmt);
    return out;
}

char *testQueryError(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    char *err = NULL, *out = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) out = strdup(err ? err : "?");
    sqlite3_free(err);
    sqlite3_free(sql);
    return out;
}

char *testDropIdxNum(char *plan)
{
    char *out = plan;
    for (const char *p = plan; *p;) {
        if (!strncmp(p, "INDEX ", 6)) {
            memcpy(out, "INDEX ", 6), out += 6, p += 6;
            while (*p >= '0' && *p <= '9') p++;
        } else {
            *out++ = *p++;
        }
    }
    *out = '\0';
    return plan;
}

void testExpectUnpushed(sqlite3 *db, const char *sql, const char *text)
{
    char *plan = testExplain(db, "%s", sql);
    if (strstr(plan, text)) fail_msg("%s: plan %s", sql, plan);
    free(plan);
}

void testExpectPlans(sqlite3 *db, const struct test_plan *plans, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *plan = testExplain(db, "%s", plans[i].sql);
        if (!strstr(plan, plans[i].want)) fail_msg("%s: plan %s", plans[i].sql, plan);
        free(plan);
    }
}
