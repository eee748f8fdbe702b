/*
** --prom-dir into a directory another user can write (mode 0777, nobody's), attacked as that
** user would: sqlsof.prom a symbolic link or a hard link to a file outside, links and files
** planted at the temporary name, DIR itself a link to another directory, a read-only file
** system. Nothing outside DIR is created, replaced or chmodded; a failure leaves the previous
** sqlsof.prom, exits 1 and says why in one line.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "report/prom.h"
#include "shell.h"
#include "testmain.h"

#define BASE    "build/tests/prom-dir"
#define W       BASE "/w"       /* the directory others may write */
#define OUTSIDE BASE "/outside" /* what they aim at */
#define SQL     "-- metric: t gauge t\nSELECT 1 AS value"

static int reset(void **state)
{
    (void)state;
    free(testShellOk("rm -rf " BASE " && mkdir -p " W " " OUTSIDE " && chown nobody " W
                     " && chmod 0777 " W " && printf victim > " OUTSIDE
                     "/victim && chown nobody " OUTSIDE "/victim && chmod 0600 " OUTSIDE
                     "/victim"));
    return 0;
}

/* Runs sqlsof --prom-dir DIR SQL. */
static void promDir(struct command_result *r, const char *dir)
{
    testRunSqlsof(r, "--prom-dir", dir, SQL, NULL);
}

/* The victim outside is as it was: its bytes, mode and owner. */
static void assertVictimIntact(void)
{
    char *text = testReadFile(OUTSIDE "/victim");
    assert_string_equal(text, "victim");
    free(text);
    struct stat st;
    assert_int_equal(lstat(OUTSIDE "/victim", &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_uid, 65534);
    char *listing = testShellOk("ls -A " OUTSIDE);
    assert_string_equal(listing, "victim\n");
    free(listing);
}

/* sqlsof.prom a symbolic link, then a hard link, to the victim: replaced, the victim not. */
static void links_at_the_file(void **state)
{
    (void)state;
    struct command_result r;
    static const char *const plant[] = {"ln -s ../outside/victim " W "/sqlsof.prom",
                                        "ln " OUTSIDE "/victim " W "/sqlsof.prom"};
    for (size_t i = 0; i < sizeof plant / sizeof *plant; i++) {
        free(testShellOk("rm -f " W "/sqlsof.prom && su -s /bin/sh nobody -c '%s'", plant[i]));
        promDir(&r, W);
        assert_string_equal(r.err, "");
        assert_int_equal(r.status, 0);
        testCommandFree(&r);
        struct stat st;
        assert_int_equal(lstat(W "/sqlsof.prom", &st), 0);
        assert_true(S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        assertVictimIntact();
    }
    char *listing = testShellOk("ls -A " W);
    assert_string_equal(listing, "sqlsof.prom\n"); /* no temporary file left */
    free(listing);
}

/* A link or a file at the temporary name is never followed nor opened: another name is used. */
static void planted_at_the_temporary_name(void **state)
{
    (void)state;
    int dirfd = open(W, O_RDONLY | O_DIRECTORY);
    assert_true(dirfd >= 0);
    assert_int_equal(symlinkat("../outside/made", dirfd, ".sqlsof.prom.x"), 0);
    assert_int_equal(promTempOpen(dirfd, ".sqlsof.prom.x"), -EEXIST);
    assert_int_equal(access(OUTSIDE "/made", F_OK), -1); /* not created through the link */
    assert_int_equal(symlinkat("../outside/victim", dirfd, ".sqlsof.prom.y"), 0);
    assert_int_equal(promTempOpen(dirfd, ".sqlsof.prom.y"), -EEXIST);
    free(testShellOk("printf mine > " W "/.sqlsof.prom.z"));
    assert_int_equal(promTempOpen(dirfd, ".sqlsof.prom.z"), -EEXIST);
    char *mine = testReadFile(W "/.sqlsof.prom.z");
    assert_string_equal(mine, "mine");
    free(mine);
    assert_int_equal(promReplaceAt(dirfd, "t 1\n", 4), 0);
    char *text = testReadFile(W "/sqlsof.prom");
    assert_string_equal(text, "t 1\n");
    free(text);
    close(dirfd);
    assertVictimIntact();
}

/* DIR a symbolic link to another directory: refused, nothing written there. */
static void directory_is_a_link(void **state)
{
    (void)state;
    free(testShellOk("su -s /bin/sh nobody -c 'ln -s ../outside " W "/d'"));
    struct command_result r;
    promDir(&r, W "/d");
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "sqlsof: cannot write " W "/d/sqlsof.prom: the directory is a "
                               "symbolic link (refused: its target may be anywhere)\n");
    testCommandFree(&r);
    assertVictimIntact();
}

/* A read-only file system: the old file stays, one line, exit 1. */
static void read_only(void **state)
{
    (void)state;
    char *out =
        testShellOk("unshare -m sh -c 'mount -t tmpfs none " W " && printf old > " W
                    "/sqlsof.prom && mount -o remount,ro " W " && %s --prom-dir " W " \"" SQL
                    "\"; echo status=$?; cat " W "/sqlsof.prom; echo; ls -A " W "' 2>&1",
                    testSqlsof());
    assert_string_equal(out, "sqlsof: cannot write " W "/sqlsof.prom: Read-only file system\n"
                             "status=1\nold\nsqlsof.prom\n");
    free(out);
}

TEST_MAIN("prom_dir", NULL, NULL,
          {cmocka_unit_test_setup(links_at_the_file, reset),
           cmocka_unit_test_setup(planted_at_the_temporary_name, reset),
           cmocka_unit_test_setup(directory_is_a_link, reset),
           cmocka_unit_test_setup(read_only, reset)})
