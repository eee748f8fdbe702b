/*
** Which source the fds table's rows come from: BPF for whole-host walks in 'auto', /proc for
** lookups and when forced by sqlsof_fds_source() or SQLSOF_FDS_SOURCE; built with BPF=0, the
** error asking for the kernel source gives. That both give the same rows: test_fds_bpf.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fds_bpf_fixture.h"
#include "testdb.h"

#ifdef SQLSOF_BPF
/* Which source runs: BPF for whole-host walks in 'auto', /proc for lookups and when forced. */
static void source_choice(void **state)
{
    (void)state;
    sqlite3 *db = testOpenDb();
    char *s = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_null(s); /* no scan yet */
    testQueryInt(db, "SELECT count(*) FROM fds");
    s = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_string_equal(s, "bpf");
    free(s);
    testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d", bpfKinds.pid);
    s = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_string_equal(s, "proc");
    free(s);
    s = testQueryError(db, "SELECT sqlsof_fds_source('kernel')");
    assert_string_equal(s, "sqlsof_fds_source: 'kernel' is not a mode: 'auto', 'proc', 'bpf'");
    free(s);
    s = testQueryText(db, "SELECT sqlsof_fds_source('proc')");
    assert_string_equal(s, "{\"mode\":\"proc\",\"last\":\"proc\"}");
    free(s);
    sqlite3_close(db);
    /* The environment sets a new connection's mode; it is read once, when the state is made. */
    setenv("SQLSOF_FDS_SOURCE", "proc", 1);
    db = testOpenDb();
    unsetenv("SQLSOF_FDS_SOURCE");
    testQueryInt(db, "SELECT count(*) FROM fds");
    s = testQueryText(db, "SELECT sqlsof_fds_source()");
    assert_string_equal(s, "{\"mode\":\"proc\",\"last\":\"proc\"}");
    free(s);
    sqlite3_close(db);
}

#else
/* Built with BPF=0: the kernel source says why it is missing, and /proc answers. */
static void built_without_bpf(void **state)
{
    (void)state;
    sqlite3 *db = testOpenDb();
    free(testQueryText(db, "SELECT sqlsof_fds_source('bpf')"));
    char *err = testQueryError(db, "SELECT count(*) FROM fds");
    assert_string_equal(err, "fds: built without BPF (make BPF=0)");
    free(err);
    free(testQueryText(db, "SELECT sqlsof_fds_source('auto')"));
    assert_true(testQueryInt(db, "SELECT count(*) FROM fds") > 0);
    char *s = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_string_equal(s, "proc");
    free(s);
    sqlite3_close(db);
}
#endif

int main(void)
{
#ifdef SQLSOF_BPF
    const struct CMUnitTest tests[] = {cmocka_unit_test(source_choice)};
    return cmocka_run_group_tests(tests, bpfFixturesStart, bpfFixturesStop);
#else
    const struct CMUnitTest tests[] = {cmocka_unit_test(built_without_bpf)};
    return cmocka_run_group_tests(tests, NULL, NULL);
#endif
}
