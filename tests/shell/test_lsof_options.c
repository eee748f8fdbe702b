/*
** lsof's option semantics in lsof mode, each against what the installed lsof 4.95 does with the
** same arguments on the same live fixture (make_fd.h: a FIFO, a unix socket, an eventfd, locks).
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

#include "command.h"
#include "fixture.h"
#include "listing.h"
#include "make_fd.h"
#include "shell.h"
#include "testmain.h"

static struct fixture fx;
static struct made_fds made;
static const struct made_fd *fifo, *unixs, *eventfd, *locks;
static char symlinkPath[64];

static int setup(void **state)
{
    (void)state;
    makeFdStart(&fx, &made, "eventfd,fifo,unix,locks");
    fifo = madeFd(&made, "fifo");
    unixs = madeFd(&made, "unix");
    eventfd = madeFd(&made, "eventfd");
    locks = madeFd(&made, "locks");
    snprintf(symlinkPath, sizeof symlinkPath, "/tmp/sqlsof-symlink-%d", fx.pid);
    return !fifo || !unixs || !eventfd || !locks || symlink(fifo->path, symlinkPath) != 0;
}

static int teardown(void **state)
{
    (void)state;
    makeFdStop(&fx, &made);
    unlink(symlinkPath);
    return 0;
}

/* sqlsof and lsof with ARGS print exactly the same, and exit alike. DROPK: lsof's k (link
 * count) fields removed first, which sqlsof does not print. */
static void expectSameOutput(const char *args, int dropK)
{
    struct command_result a, b;
    testShell(&a, "%s %s", testSqlsof(), args);
    testShell(&b, "lsof %s%s", args, dropK ? " | tr '\\0' '\\n' | grep -v '^k'" : "");
    char *ours = a.out;
    if (dropK) {
        struct command_result c;
        testShell(&c, "%s %s | tr '\\0' '\\n'", testSqlsof(), args);
        testCommandFree(&a);
        a = c;
        ours = a.out;
    }
    if (strcmp(ours, b.out)) fail_msg("%s\n--- sqlsof:\n%s--- lsof:\n%s", args, ours, b.out);
    assert_true(strlen(b.out) > 0);
    if (!dropK) assert_int_equal(a.status, b.status);
    testCommandFree(&a);
    testCommandFree(&b);
}

/* Both list the same lines (listing.h), both exit 0. */
static void expectSameListing(const char *sqlsofArgs, const char *lsofArgs)
{
    char *ours = testShellOk("%s -n -P %s", testSqlsof(), sqlsofArgs);
    char *theirs = testShellOk("lsof -n -P %s", lsofArgs);
    char *x = listingColumns(ours, fx.pid), *y = listingColumns(theirs, fx.pid);
    if (strcmp(x, y)) fail_msg("%s\n--- sqlsof:\n%s--- lsof:\n%s", sqlsofArgs, ours, theirs);
    assert_true(strlen(x) > 0);
    free(x), free(y), free(ours), free(theirs);
}

static void field_sets(void **state)
{
    (void)state;
    char sel[96];
    snprintf(sel, sizeof sel, "-a -p %d -d %d,%d,%d,%d,cwd", fx.pid, fifo->fd[0], fifo->fd[1],
             eventfd->fd[0], locks->fd[0]);
    static const char *const sets[] = {"-Fn",     "-Fc",  "-Fpcfnalt", "-F pcfnaltGo",
                                       "-Fn -Ft", "-Fal", "-F0n",      NULL};
    for (int i = 0; sets[i]; i++) {
        char args[160];
        snprintf(args, sizeof args, "%s %s", sets[i], sel);
        expectSameOutput(args, 0);
    }
    /* The default set, with -F alone or -F0: the same but for lsof's link count. */
    char args[160];
    snprintf(args, sizeof args, "-F %s", sel);
    expectSameOutput(args, 1);
    snprintf(args, sizeof args, "-F0 %s", sel);
    expectSameOutput(args, 1);
}

static void names_select_by_identity(void **state)
{
    (void)state;
    char args[160];
    /* A path first is lsof mode; "--" ends options; another spelling, a symlink, a relative
     * name find the same file. */
    expectSameListing(fifo->path, fifo->path);
    snprintf(args, sizeof args, "-- %s", fifo->path);
    expectSameListing(args, args);
    snprintf(args, sizeof args, "/%s", fifo->path);
    expectSameListing(args, args);
    expectSameListing(symlinkPath, symlinkPath);
    snprintf(args, sizeof args, "-a -p %d %s", fx.pid, fifo->path + strlen("/tmp/"));
    char *ours = testShellOk("s=$(realpath %s) && cd /tmp && $s -n -P %s", testSqlsof(), args);
    char *theirs = testShellOk("cd /tmp && lsof -n -P %s", args);
    char *x = listingColumns(ours, fx.pid), *y = listingColumns(theirs, fx.pid);
    assert_string_equal(x, y);
    assert_true(strlen(x) > 0);
    free(x), free(y), free(ours), free(theirs);
    /* A unix socket's path selects the sockets bound to it. */
    expectSameListing(unixs->path, unixs->path);
}

static void missing_file(void **state)
{
    (void)state;
    char name[64];
    snprintf(name, sizeof name, "/tmp/sqlsof-missing-%d", fx.pid);
    struct command_result a, b;
    testShell(&a, "%s %s", testSqlsof(), name);
    testShell(&b, "lsof %s", name);
    assert_string_equal(a.err, b.err);
    assert_int_equal(a.status, b.status);
    assert_int_equal(a.status, 1);
    assert_string_equal(a.out, "");
    testCommandFree(&a);
    testCommandFree(&b);
}

/* -r 1c2: two passes, each with its marker, then the command exits by itself. (lsof 4.95
 * prints no listing in these passes; sqlsof prints it.) */
static void repeat_count(void **state)
{
    (void)state;
    char args[96];
    snprintf(args, sizeof args, "-r 1c2 -a -p %d -d %d", fx.pid, fifo->fd[0]);
    struct command_result a, b;
    testShell(&a, "timeout 10 %s %s", testSqlsof(), args);
    testShell(&b, "timeout 10 lsof %s", args);
    assert_int_not_equal(a.status, 124);
    assert_int_not_equal(b.status, 124);
    int markersA = 0, markersB = 0, listings = 0;
    for (char *p = a.out; (p = strstr(p, "=======\n")); p++) markersA++;
    for (char *p = b.out; (p = strstr(p, "=======\n")); p++) markersB++;
    for (char *p = a.out; (p = strstr(p, "COMMAND")); p++) listings++;
    assert_int_equal(markersA, markersB);
    assert_int_equal(markersA, 2);
    assert_int_equal(listings, 2);
    testCommandFree(&a);
    testCommandFree(&b);
}

static void fd_lists(void **state)
{
    (void)state;
    char args[96];
    snprintf(args, sizeof args, "-a -p %d -d fd", fx.pid); /* every fd, no cwd txt mem */
    expectSameListing(args, args);
    snprintf(args, sizeof args, "-w -a -p %d -d %d-%d", fx.pid, fifo->fd[0], fifo->fd[1]);
    expectSameListing(args, args);
    snprintf(args, sizeof args, "-a -p %d -d ^0-2,^cwd", fx.pid);
    expectSameListing(args, args);
    /* A list that both includes and excludes is refused, by both. */
    struct command_result a, b;
    testShell(&a, "%s -p %d -d 1,^2", testSqlsof(), fx.pid);
    testShell(&b, "lsof -p %d -d 1,^2", fx.pid);
    assert_int_equal(a.status, 1);
    assert_int_equal(b.status, 1);
    assert_non_null(strstr(a.err, "exclude in an include -d list: ^2"));
    assert_non_null(strstr(b.err, "exclude in an include -d list: ^2"));
    assert_string_equal(a.out, "");
    testCommandFree(&a);
    testCommandFree(&b);
}

/* The command's own inherited descriptors are not listed as its own (lsof closes them). */
static void inherited_descriptors(void **state)
{
    (void)state;
    struct command_result a, b;
    testShell(&a, "exec 7</etc/hostname; exec %s -a -p $$ -d 7", testSqlsof());
    testShell(&b, "exec 7</etc/hostname; exec lsof -a -p $$ -d 7");
    assert_string_equal(a.out, b.out);
    assert_string_equal(a.out, "");
    testCommandFree(&a);
    testCommandFree(&b);
}

/* POSIX locks give lsof's letters (W whole file, r part); an OFD lock, none, as lsof shows. */
static void lock_letters(void **state)
{
    (void)state;
    char args[96];
    snprintf(args, sizeof args, "-a -p %d -d %d,%d,%d", fx.pid, locks->fd[0], locks->fd[1],
             locks->fd[2]);
    expectSameListing(args, args);
    char fields[128];
    snprintf(fields, sizeof fields, "-Fl %s", args);
    expectSameOutput(fields, 0);
    char *out = testShellOk("%s -n -P %s", testSqlsof(), args);
    char want[32];
    snprintf(want, sizeof want, " %duW ", locks->fd[0]);
    assert_non_null(strstr(out, want));
    snprintf(want, sizeof want, " %dur ", locks->fd[1]);
    assert_non_null(strstr(out, want));
    free(out);
}

TEST_MAIN("lsof_options", setup, teardown,
          {cmocka_unit_test(field_sets), cmocka_unit_test(names_select_by_identity),
           cmocka_unit_test(missing_file), cmocka_unit_test(repeat_count),
           cmocka_unit_test(fd_lists), cmocka_unit_test(inherited_descriptors),
           cmocka_unit_test(lock_letters)})
