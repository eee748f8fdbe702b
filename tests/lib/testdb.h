/*
** Helpers for tests that query sqlsof: an in-memory database with the tables registered, and
** queries that return one value or the whole result as text, failing the test on any error.
*/
#ifndef SQLSOF_TESTDB_H
#define SQLSOF_TESTDB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

/* A fresh :memory: database with sqlsof registered. Close with sqlite3_close(). */
sqlite3 *testOpenDb(void);

/*
** A test on a fresh database: TEST_WITH_DB(fn) in TEST_MAIN's list runs FN with *state a
** database from testOpenDb(), closed after FN, whether it passed or failed.
*/
int testDbSetup(void **state);
int testDbTeardown(void **state);
#define TEST_WITH_DB(fn) cmocka_unit_test_setup_teardown(fn, testDbSetup, testDbTeardown)

/* The single integer the query returns; fails the test when it returns no row or an error. */
sqlite3_int64 testQueryInt(sqlite3 *db, const char *fmt, ...);

/* The first column of the first row as text (malloc'd), or NULL for SQL NULL or no row. */
char *testQueryText(sqlite3 *db, const char *fmt, ...);

/*
** Every row, one line each, columns separated by '|', NULL written as "NULL" (malloc'd).
** Rows keep the query's order: give it an ORDER BY when comparing two queries.
*/
char *testQueryRows(sqlite3 *db, const char *fmt, ...);

/*
** The pushdown equivalence check every pushed column has: SELECT COLS FROM TABLE WHERE PUSHED
** returns the rows that the same WHERE written as PLAIN does — a form SQLite filters itself,
** `(col = v) IS TRUE` or `+col = v` — both in ORDER. Fails the test showing both sets
** otherwise; returns the number of rows.
*/
int testSamePushed(sqlite3 *db, const char *table, const char *cols, const char *order,
                   const char *pushed, const char *plain);

/* The EXPLAIN QUERY PLAN details of the query, one line each (malloc'd). */
char *testExplain(sqlite3 *db, const char *fmt, ...);

/* A statement and a text its EXPLAIN QUERY PLAN must contain ("pid= fd=", "inode IN"). */
struct test_plan {
    const char *sql, *want;
};

/* Fails the test, naming the statement and its plan, when a plan lacks its text. */
void testExpectPlans(sqlite3 *db, const struct test_plan *plans, size_t n);

/* Fails the test, naming the statement and its plan, when the plan of SQL contains TEXT: the
 * form that must not be pushed ("+pid = 1" has no "pid="). */
void testExpectUnpushed(sqlite3 *db, const char *sql, const char *text);

/* Removes the idxNum numbers from PLAN in place ("INDEX 65537:pid=" becomes "INDEX :pid="):
 * they hold each table's own bits; the text after the colon names what was pushed. */
char *testDropIdxNum(char *plan);

/* The error message the query fails with (malloc'd), or NULL when it succeeds. */
char *testQueryError(sqlite3 *db, const char *fmt, ...);

#endif
