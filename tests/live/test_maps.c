/* The maps table against a child that maps known files: kept, unlinked, and misleadingly named. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "testdb.h"
#include "testmain.h"

#define DIR_TEMPLATE "/tmp/sqlsof-maps-XXXXXX"

struct mapped {
    char dir[sizeof DIR_TEMPLATE];
    unsigned long kept, gone, named; /* their start addresses */
};

static unsigned long mapFile(const char *path, int unlinkAfter)
{
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0 || ftruncate(fd, 8192) != 0) return 0;
    void *p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (unlinkAfter) unlink(path);
    return p == MAP_FAILED ? 0 : (unsigned long)p;
}

static int mapThree(void *arg)
{
    struct mapped *m = arg;
    char path[128];
    snprintf(path, sizeof path, "%s/kept", m->dir);
    m->kept = mapFile(path, 0);
    snprintf(path, sizeof path, "%s/gone", m->dir);
    m->gone = mapFile(path, 1);
    snprintf(path, sizeof path, "%s/named (deleted)", m->dir);
    m->named = mapFile(path, 0);
    fixtureReport(m, sizeof *m);
    return !(m->kept && m->gone && m->named);
}

static void known_mappings(void **state)
{
    struct mapped m;
    strcpy(m.dir, DIR_TEMPLATE);
    assert_non_null(mkdtemp(m.dir));
    struct fixture fx;
    fixtureStartReport(&fx, mapThree, &m, &m, sizeof m);
    sqlite3 *db = *state;

    char kept[128], named[128];
    snprintf(kept, sizeof kept, "%s/kept", m.dir);
    snprintf(named, sizeof named, "%s/named (deleted)", m.dir);
    struct stat st;
    assert_int_equal(stat(kept, &st), 0);
    char *row = testQueryRows(db,
                              "SELECT start, \"end\" - start, perms, offset, device, inode, path,"
                              " deleted FROM maps WHERE pid = %d AND start = %lu",
                              fx.pid, m.kept);
    char expected[512];
    snprintf(expected, sizeof expected, "%lu|8192|r--s|0|%u,%u|%llu|%s|0\n", m.kept,
             major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino, kept);
    assert_string_equal(row, expected);
    free(row);

    /* Unlinked: the path without the kernel's marker, deleted = 1. */
    char *path = testQueryText(db,
                               "SELECT path FROM maps WHERE pid = %d AND start = %lu AND "
                               "deleted = 1",
                               fx.pid, m.gone);
    char gone[128];
    snprintf(gone, sizeof gone, "%s/gone", m.dir);
    assert_string_equal(path, gone);
    free(path);

    /* Named " (deleted)" but present: not deleted, and its path is its real name. */
    path = testQueryText(db,
                         "SELECT path FROM maps WHERE pid = %d AND start = %lu AND "
                         "deleted = 0",
                         fx.pid, m.named);
    assert_string_equal(path, named);
    free(path);

    /* Pushdown never changes the answer. Anonymous mappings are left out of the comparison: a
     * sanitized process's shadow regions move between two reads of its maps. */
    const char *cols = "pid, start, perms, inode, path, deleted";
    char *pushed =
        testQueryRows(db, "SELECT %s FROM maps WHERE pid = %d AND path NOT NULL", cols, fx.pid);
    char *plain =
        testQueryRows(db, "SELECT %s FROM maps WHERE +pid = %d AND path NOT NULL", cols, fx.pid);
    assert_string_equal(pushed, plain);
    free(plain);
    plain = testQueryRows(db, "SELECT %s FROM maps(%d) WHERE path NOT NULL", cols, fx.pid);
    assert_string_equal(pushed, plain);
    free(plain);
    free(pushed);
    /* pid 1 rather than this process: our own mappings change as the test allocates. */
    pushed = testQueryRows(
        db, "SELECT %s FROM maps WHERE pid IN (%d, '1', 'x') AND path NOT NULL ORDER BY 1, 2", cols,
        fx.pid);
    plain = testQueryRows(
        db,
        "SELECT %s FROM maps WHERE (pid IN (%d, '1', 'x')) IS TRUE AND path NOT NULL ORDER BY 1, 2",
        cols, fx.pid);
    assert_string_equal(pushed, plain);
    free(plain);
    free(pushed);
    char *plan = testExplain(db, "SELECT * FROM maps WHERE pid = %d", fx.pid);
    assert_non_null(strstr(plan, "pid="));
    free(plan);

    fixtureStop(&fx);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM maps WHERE pid = %d", fx.pid), 0);
    unlink(kept);
    unlink(named);
    rmdir(m.dir);
}

static void *orBase; /* three adjacent pages mapped apart: X, A, B */
static long orPage;

/* drop_below(): unmaps page X under A, once; true. */
static void dropBelow(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    if (orBase) munmap(orBase, (size_t)orPage);
    orBase = NULL;
    sqlite3_result_int(ctx, 1);
}

/*
** Each OR branch re-reads the maps file: a mapping that goes away between two branches must not
** make a row of the second branch look like one the first returned (SQLite's MULTI-INDEX OR drops
** rows by rowid), so the rowid is the row's key, (pid, start), not its line in the file.
*/
static void or_branches_keep_every_row(void **state)
{
    orPage = sysconf(_SC_PAGESIZE);
    char *base = mmap(NULL, 3 * (size_t)orPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(base != MAP_FAILED);
    /* Different protections keep the three pages three mappings. */
    assert_int_equal(mprotect(base + orPage, (size_t)orPage, PROT_READ | PROT_WRITE), 0);
    orBase = base;
    sqlite3 *db = *state;
    assert_int_equal(
        sqlite3_create_function(db, "drop_below", 0, SQLITE_UTF8, NULL, dropBelow, NULL, NULL),
        SQLITE_OK);
    const char *sql = "SELECT count(*) FROM maps WHERE (pid = %d AND start = %lld AND drop_below())"
                      " OR (arg_pid = %d AND start = %lld)";
    char *plan = testExplain(db, sql, getpid(), (long long)(base + orPage), getpid(),
                             (long long)(base + 2 * orPage));
    assert_non_null(strstr(plan, "MULTI-INDEX OR"));
    free(plan);
    assert_int_equal(testQueryInt(db, sql, getpid(), (long long)(base + orPage), getpid(),
                                  (long long)(base + 2 * orPage)),
                     2);
    assert_null(orBase); /* X went between the two branches */
    munmap(base + orPage, 2 * (size_t)orPage);
}

TEST_MAIN("maps", NULL, NULL,
          {
              TEST_WITH_DB(known_mappings),
              TEST_WITH_DB(or_branches_keep_every_row),
          })
