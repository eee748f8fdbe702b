/*
** Bad input to SQL: wrong types and NULLs as table-valued arguments, negative and huge pids,
** fds and inodes, IN lists of thousands of values, LIMIT 0, ORDER BY on every column. Each
** gives the rows SQLite's own comparison would keep (often none) or a clear error, never a
** crash; the sanitized pass runs the same cases under ASan+UBSan.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "testdb.h"
#include "testmain.h"

static const char *const tables[] = {"processes", "fds", "maps"};
#define NTABLES (sizeof tables / sizeof *tables)

/* Arguments that equal no integer, and so no pid: each gives no row in every table. */
static void wrong_types_as_arguments(void **state)
{
    sqlite3 *db = *state;
    static const char *const args[] = {"NULL", "'abc'", "x'00'", "x'31'", "''",          "'1x'",
                                       "1.5",  "' '",   "'0x1'", "-0.5",  "zeroblob(8)", "char(0)"};
    for (size_t t = 0; t < NTABLES; t++)
        for (size_t a = 0; a < sizeof args / sizeof *args; a++) {
            sqlite3_int64 n = testQueryInt(db, "SELECT count(*) FROM %s(%s)", tables[t], args[a]);
            if (n != 0) fail_msg("%s(%s) gave %lld rows", tables[t], args[a], (long long)n);
        }
    /* A text that is a number is that number, as `pid = '123'` compares in SQLite. */
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM processes('%d')", getpid()), 1);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM processes(' %d ')", getpid()), 1);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM processes(%d.0)", getpid()), 1);
    assert_true(testQueryInt(db, "SELECT count(*) FROM fds('%d')", getpid()) >= 3);
    assert_true(testQueryInt(db, "SELECT count(*) FROM maps('%d')", getpid()) > 0);
}

static void too_many_arguments(void **state)
{
    sqlite3 *db = *state;
    for (size_t t = 0; t < NTABLES; t++) {
        char *err = testQueryError(db, "SELECT * FROM %s(1, 2)", tables[t]);
        assert_non_null(err);
        assert_non_null(strstr(err, "too many arguments"));
        free(err);
    }
    char *err = testQueryError(db, "SELECT * FROM file_stat('/', '/')");
    assert_non_null(strstr(err, "too many arguments"));
    free(err);
}

/*
** file_stat's argument is read as a TEXT column reads a value: a number is its text (42 is the
** file "42"), while NULL, a blob (even one that holds a path) and a text with a NUL byte in it
** name no file.
*/
static void file_stat_arguments(void **state)
{
    sqlite3 *db = *state;
    char dir[] = "/tmp/sqlsof-bad-XXXXXX", cwd[4096];
    assert_non_null(mkdtemp(dir));
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    int fd = open("42", O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    close(fd);

    static const char *const none[] = {
        "NULL",        "x'3432'",          "x'2f00'",        "x'2f'",          "''",
        "zeroblob(0)", "'/nonexistent/x'", "'/etc/hosts/x'", "'/' || char(0)", "'42' || char(0)"};
    for (size_t a = 0; a < sizeof none / sizeof *none; a++) {
        sqlite3_int64 n = testQueryInt(db, "SELECT count(*) FROM file_stat(%s)", none[a]);
        if (n != 0) fail_msg("file_stat(%s) gave %lld rows", none[a], (long long)n);
    }
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM file_stat('42')"), 1);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM file_stat(42)"), 1);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM file_stat(42)"), 1);
    /* A path longer than PATH_MAX is no file, not an error. */
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM file_stat('/' || zeroblob(5000))"), 0);
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) FROM file_stat(replace(hex(zeroblob(2000)), '0', '/'))"),
        1);

    assert_int_equal(unlink("42"), 0);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* Without a path file_stat has nothing to stat: one line says so, as fileio's fsdir does. */
static void file_stat_needs_a_path(void **state)
{
    sqlite3 *db = *state;
    static const char *const sql[] = {"SELECT count(*) FROM file_stat",
                                      "SELECT * FROM file_stat WHERE path IS NULL",
                                      "SELECT * FROM file_stat WHERE path LIKE '/etc%'"};
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
        char *err = testQueryError(db, "%s", sql[i]);
        if (!err) fail_msg("%s: no error", sql[i]);
        assert_string_equal(err, "file_stat: a path is required, as in file_stat('/etc/hosts')");
        free(err);
    }
}

/*
** Each path is its own row, whatever branch of an OR finds it: SQLite's MULTI-INDEX OR drops a
** row whose rowid an earlier branch returned, so the rowid is a key of the row (its path).
*/
static void file_stat_or_branches(void **state)
{
    sqlite3 *db = *state;
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM file_stat WHERE (path = '/etc' AND"
                                      " type = 'DIR') OR path = '/tmp'"),
                     2);
    /* Two paths to one file are two rows. */
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM file_stat WHERE (path = '/etc' AND"
                                      " type = 'DIR') OR path = '/etc/'"),
                     2);
    char *plan = testExplain(db, "SELECT count(*) FROM file_stat WHERE (path = '/etc' AND"
                                 " type = 'DIR') OR path = '/tmp'");
    assert_non_null(strstr(plan, "MULTI-INDEX OR"));
    free(plan);
}

/*
** Pids, fds and inodes out of range: negative, zero, past 2^31 and 2^32 (which must not wrap
** onto a real pid or fd), the int64 limits, floats. Each is checked pushed and with the unary
** plus that keeps SQLite from pushing it: both give no row.
*/
static void out_of_range_numbers(void **state)
{
    sqlite3 *db = *state;
    char values[16][64];
    int n = 0;
    static const char *const fixed[] = {"-1",
                                        "0",
                                        "2147483648",
                                        "4294967296",
                                        "9223372036854775807",
                                        "-9223372036854775808",
                                        "1e300",
                                        "-1e300",
                                        "9.3e18",
                                        "'9223372036854775808'"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        snprintf(values[n++], sizeof values[0], "%s", fixed[i]);
    /* 2^32 + our pid and 2^32 + 1: a pid truncated to 32 bits would find us, or init. */
    snprintf(values[n++], sizeof values[0], "%lld", (1LL << 32) + getpid());
    snprintf(values[n++], sizeof values[0], "%lld", (1LL << 32) + 1);
    snprintf(values[n++], sizeof values[0], "%lld", -(1LL << 32) + getpid());

    for (int i = 0; i < n; i++) {
        const char *v = values[i];
        for (size_t t = 0; t < NTABLES; t++) {
            sqlite3_int64 pushed =
                testQueryInt(db, "SELECT count(*) FROM %s WHERE pid = %s", tables[t], v);
            sqlite3_int64 plain =
                testQueryInt(db, "SELECT count(*) FROM %s WHERE +pid = %s", tables[t], v);
            if (pushed != 0 || plain != 0)
                fail_msg("%s pid = %s: %lld rows (unpushed %lld)", tables[t], v, (long long)pushed,
                         (long long)plain);
        }
        /* Our own fds with a bad fd number (0 is a good one); any inode with a bad one. */
        if (strcmp(v, "0") == 0) continue;
        assert_int_equal(
            testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d AND fd = %s", getpid(), v),
            0);
        assert_int_equal(
            testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d AND fd IN (%s)", getpid(), v),
            0);
        assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE inode = %s", v), 0);
    }
    /* fd 0 exists (the one value above that names something), and 2^32 does not wrap onto it. */
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d AND fd IN (0, %lld, %lld)",
                     getpid(), 1LL << 32, -(1LL << 32)),
        1);
}

/* "v, v, ..." with N values from FN. */
static char *valueList(int n, long long (*fn)(int i))
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    for (int i = 0; i < n; i++) fprintf(f, "%s%lld", i ? ", " : "", fn(i));
    fclose(f);
    return out;
}

/* Our pid once, then pids no process can have (above the kernel's PID_MAX_LIMIT, 2^22). */
static long long ownThenImpossible(int i)
{
    return i == 0 ? getpid() : (1LL << 22) + i;
}

static pid_t childPid;

static long long childRepeated(int i)
{
    (void)i;
    return childPid;
}

/* A child holding a few more fds than stdio: its fd table does not change while it sleeps
 * (our own would: a scan of our fd directory lists the directory fd the scan opened). */
static int openSome(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++)
        if (open("/dev/null", O_RDONLY) < 0) return -1;
    return dup2(0, 1000) == 1000 ? 0 : -1;
}

static long long fdNumber(int i)
{
    return i - 100;
}

static void huge_in_lists(void **state)
{
    sqlite3 *db = *state;
    /* A literal list of 5,000 values, one of them us. */
    char *list = valueList(5000, ownThenImpossible);
    for (size_t t = 0; t < NTABLES; t++) {
        sqlite3_int64 pushed = testQueryInt(
            db, "SELECT count(DISTINCT pid) FROM %s WHERE pid IN (%s)", tables[t], list);
        assert_int_equal(pushed, 1);
    }
    free(list);

    /* The same pid 3,000 times: one process, its rows once. */
    struct fixture fx;
    fixtureStart(&fx, openSome, NULL);
    childPid = fx.pid;
    list = valueList(3000, childRepeated);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM processes WHERE pid IN (%s)", list), 1);
    sqlite3_int64 all = testQueryInt(db, "SELECT count(*) FROM fds WHERE +pid = %d", fx.pid);
    assert_true(all >= 9);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE pid IN (%s)", list), all);
    free(list);

    /* fd IN (-100 .. 2899): every fd of the child below 2900 (under valgrind it has more, at
     * the top of the fd range), fd 1000 too. */
    list = valueList(3000, fdNumber);
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d AND fd IN (%s)", fx.pid, list),
        testQueryInt(db, "SELECT count(*) FROM fds WHERE +pid = %d AND +fd < 2900", fx.pid));
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE pid = %d AND fd IN (%s)"
                                  " AND fd = 1000",
                                  fx.pid, list),
                     1);
    free(list);
    fixtureStop(&fx);

    /* A 10,000-row IN subquery from a recursive CTE, with our pid and mixed types in it. */
    const char *cte =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000)"
        " SELECT CASE x %% 4 WHEN 0 THEN x + 4194304 WHEN 1 THEN 'p' || x"
        " WHEN 2 THEN x + 0.5 ELSE NULL END FROM c UNION ALL SELECT %d";
    for (size_t t = 0; t < NTABLES; t++) {
        char *sql = sqlite3_mprintf(cte, getpid());
        assert_int_equal(testQueryInt(db, "SELECT count(DISTINCT pid) FROM %s WHERE pid IN (%s)",
                                      tables[t], sql),
                         1);
        sqlite3_free(sql);
    }
    /* The CTE's whole 1..10000 range: the same processes SQLite itself keeps. */
    assert_int_equal(
        testQueryInt(db,
                     "SELECT count(*) FROM processes WHERE pid IN (WITH RECURSIVE c(x) AS "
                     "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000) SELECT x FROM c)"
                     " AND pid = %d",
                     getpid()),
        getpid() <= 10000);
}

static void limit_zero_and_offsets(void **state)
{
    sqlite3 *db = *state;
    for (size_t t = 0; t < NTABLES; t++) {
        char *rows = testQueryRows(db, "SELECT * FROM %s LIMIT 0", tables[t]);
        assert_true(rows == NULL || rows[0] == '\0');
        free(rows);
        rows = testQueryRows(db, "SELECT * FROM %s WHERE pid = %d LIMIT 0", tables[t], getpid());
        assert_true(rows == NULL || rows[0] == '\0');
        free(rows);
        assert_int_equal(testQueryInt(db,
                                      "SELECT count(*) FROM (SELECT * FROM %s LIMIT 1 OFFSET "
                                      "9223372036854775807)",
                                      tables[t]),
                         0);
        assert_int_equal(testQueryInt(db, "SELECT count(*) FROM (SELECT pid FROM %s(%d) LIMIT -1)",
                                      tables[t], getpid()),
                         testQueryInt(db, "SELECT count(*) FROM %s(%d)", tables[t], getpid()));
    }
    char *rows = testQueryRows(db, "SELECT * FROM file_stat('/') LIMIT 0");
    assert_true(rows == NULL || rows[0] == '\0');
    free(rows);
}

/*
** Every row of STMT is in order: each value compares <= (>= for DESC) the next, with SQLite's
** own comparison of values (NULLs first).
*/
static void checkSorted(sqlite3 *db, const char *table, const char *column, int desc)
{
    char *sql = sqlite3_mprintf("SELECT \"%w\" FROM %s ORDER BY 1 %s", column, table,
                                desc ? "DESC" : "ASC");
    sqlite3_stmt *stmt, *cmp;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT ?1 IS NULL OR (?2 IS NOT NULL AND ?1 <= ?2)",
                                        -1, &cmp, NULL),
                     SQLITE_OK);
    sqlite3_value *prev = NULL;
    int rc;
    long rows = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        sqlite3_value *v = sqlite3_value_dup(sqlite3_column_value(stmt, 0));
        if (prev) {
            sqlite3_bind_value(cmp, desc ? 2 : 1, prev);
            sqlite3_bind_value(cmp, desc ? 1 : 2, v);
            assert_int_equal(sqlite3_step(cmp), SQLITE_ROW);
            if (!sqlite3_column_int(cmp, 0)) fail_msg("%s: row %ld out of order", sql, rows);
            sqlite3_reset(cmp);
        }
        sqlite3_value_free(prev);
        prev = v;
        rows++;
    }
    if (rc != SQLITE_DONE) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (rows == 0) fail_msg("%s: no rows", sql);
    sqlite3_value_free(prev);
    sqlite3_finalize(cmp);
    sqlite3_finalize(stmt);
    sqlite3_free(sql);
}

/* ORDER BY each column, both ways, of every table: no error, and the rows come sorted. */
static void order_by_every_column(void **state)
{
    sqlite3 *db = *state;
    static const char *const scans[] = {"processes", "fds", "maps", "file_stat('/etc/hosts')",
                                        "threads"};
    static const char *const names[] = {"processes", "fds", "maps", "file_stat", "threads"};
    for (size_t t = 0; t < sizeof scans / sizeof *scans; t++) {
        sqlite3_stmt *cols;
        char *sql =
            sqlite3_mprintf("SELECT name FROM pragma_table_xinfo(%Q) WHERE hidden = 0", names[t]);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &cols, NULL), SQLITE_OK);
        sqlite3_free(sql);
        int ncols = 0;
        while (sqlite3_step(cols) == SQLITE_ROW) {
            const char *col = (const char *)sqlite3_column_text(cols, 0);
            checkSorted(db, scans[t], col, 0);
            checkSorted(db, scans[t], col, 1);
            ncols++;
        }
        sqlite3_finalize(cols);
        assert_true(ncols >= 9);
    }
}

/* NULL and IS NULL on pushed columns: SQLite's `= NULL` is never true. */
static void null_comparisons(void **state)
{
    sqlite3 *db = *state;
    for (size_t t = 0; t < NTABLES; t++) {
        assert_int_equal(testQueryInt(db, "SELECT count(*) FROM %s WHERE pid = NULL", tables[t]),
                         0);
        assert_int_equal(testQueryInt(db, "SELECT count(*) FROM %s WHERE pid IS NULL", tables[t]),
                         0);
        assert_int_equal(
            testQueryInt(db, "SELECT count(*) FROM %s WHERE pid IN (NULL, NULL)", tables[t]), 0);
    }
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d AND fd = NULL", getpid()), 0);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE inode IN (NULL, 'x', x'00')"),
                     0);
}

TEST_MAIN("bad_input", NULL, NULL,
          {
              TEST_WITH_DB(wrong_types_as_arguments),
              TEST_WITH_DB(too_many_arguments),
              TEST_WITH_DB(file_stat_arguments),
              TEST_WITH_DB(file_stat_needs_a_path),
              TEST_WITH_DB(file_stat_or_branches),
              TEST_WITH_DB(out_of_range_numbers),
              TEST_WITH_DB(huge_in_lists),
              TEST_WITH_DB(limit_zero_and_offsets),
              TEST_WITH_DB(order_by_every_column),
              TEST_WITH_DB(null_comparisons),
          })
