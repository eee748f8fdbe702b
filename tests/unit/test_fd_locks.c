/* /proc/locks lines to lsof's lock letters, and the sorted per-holder lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>

#include <cmocka.h>

#include "fd_locks.h"

static int line(const char *text, struct fd_lock *l)
{
    return fdLockParseLine(text, strlen(text), l);
}

static void letters(void **state)
{
    (void)state;
    struct fd_lock l;
    assert_int_equal(line("1: POSIX  ADVISORY  WRITE 14785 fe:00:10953059 0 EOF", &l), 1);
    assert_int_equal(l.pid, 14785);
    assert_int_equal(l.major, 0xfe);
    assert_int_equal(l.minor, 0);
    assert_int_equal(l.inode, 10953059);
    assert_int_equal(l.letter, 'W');
    assert_int_equal(line("2: POSIX  ADVISORY  WRITE 7 08:01:5 0 9", &l), 1);
    assert_int_equal(l.letter, 'w');
    assert_int_equal(line("3: FLOCK  ADVISORY  READ  7 08:01:5 0 EOF", &l), 1);
    assert_int_equal(l.letter, 'R');
    assert_int_equal(line("4: POSIX  ADVISORY  READ  7 08:01:5 10 EOF", &l), 1);
    assert_int_equal(l.letter, 'r');
    assert_int_equal(line("5: LEASE  BREAKING  UNLCK  7 08:01:5 0 EOF", &l), 1);
    assert_int_equal(l.letter, 'U');
    assert_int_equal(line("6: OFDLCK ADVISORY  READ  -1 00:2a:99 0 EOF", &l), 1);
    assert_int_equal(l.pid, -1);
    assert_int_equal(l.minor, 0x2a);
    /* A waiter holds nothing. */
    assert_int_equal(line("7: -> POSIX  ADVISORY  WRITE 8 08:01:5 0 EOF", &l), 0);
}

static void garbled_lines(void **state)
{
    (void)state;
    struct fd_lock l;
    const char *bad[] = {
        "",
        "1:",
        "1: POSIX  ADVISORY  WRITE",
        "1: POSIX  ADVISORY  WRITE x 08:01:5 0 EOF",
        "1: POSIX  ADVISORY  WRITE 7 08:01 0 EOF",
        "1: POSIX  ADVISORY  WRITE 7 0g:01:5 0 EOF",
        "1: POSIX  ADVISORY  WRITE 7 08:01:5x 0 EOF",
        "1: POSIX  ADVISORY  WRITE 7 08:01:5 0",
        "1: POSIX  ADVISORY  WRITE 7 08:01:5 0 EOX",
        "1 POSIX  ADVISORY  WRITE 7 08:01:5 0 EOF",
        "1: POSIX  ADVISORY  WRITE 99999999999 08:01:5 0 EOF",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(line(bad[i], &l), -EINVAL);
}

static void table_combines_and_finds(void **state)
{
    (void)state;
    const char *text = "1: POSIX  ADVISORY  WRITE 30 08:01:5 0 9\n"
                       "2: POSIX  ADVISORY  READ  30 08:01:5 20 29\n" /* same file: u */
                       "3: FLOCK  ADVISORY  WRITE 10 08:01:6 0 EOF\n"
                       "4: POSIX  ADVISORY  WRITE 20 08:02:5 0 5\n"
                       "5: POSIX  ADVISORY  WRITE 20 08:02:5 6 EOF\n" /* both partial: w */
                       "6: -> FLOCK  ADVISORY  WRITE 40 08:01:6 0 EOF\n"
                       "garbage line\n"
                       "7: OFDLCK ADVISORY  WRITE -1 08:01:7 0 EOF\n"
                       "8: POSIX  ADVISORY  READ  50 08:01:9 0 4\n"
                       "9: POSIX  ADVISORY  READ  50 08:01:9 0 EOF"; /* partial + whole: R */
    struct fd_locks locks = {0};
    assert_int_equal(fdLocksParse(&locks, text, strlen(text)), 0);
    assert_int_equal(locks.n, 4);
    assert_int_equal(fdLocksFind(&locks, 30, 8, 1, 5), 'u');
    assert_int_equal(fdLocksFind(&locks, 10, 8, 1, 6), 'W');
    assert_int_equal(fdLocksFind(&locks, 20, 8, 2, 5), 'w');
    assert_int_equal(fdLocksFind(&locks, 50, 8, 1, 9), 'R');
    assert_int_equal(fdLocksFind(&locks, 20, 8, 1, 5), 0); /* other device */
    assert_int_equal(fdLocksFind(&locks, 40, 8, 1, 6), 0); /* the waiter */
    assert_int_equal(fdLocksFind(&locks, 30, 8, 1, 6), 0);
    assert_true(fdLocksHasPid(&locks, 10));
    assert_true(fdLocksHasPid(&locks, 50));
    assert_false(fdLocksHasPid(&locks, 40));
    assert_false(fdLocksHasPid(&locks, 60));
    assert_false(fdLocksHasPid(&locks, -1));
    /* Parsing again replaces; an empty file is no locks. */
    assert_int_equal(fdLocksParse(&locks, "", 0), 0);
    assert_int_equal(locks.n, 0);
    assert_false(fdLocksHasPid(&locks, 10));
    fdLocksFree(&locks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(letters),
        cmocka_unit_test(garbled_lines),
        cmocka_unit_test(table_combines_and_finds),
    };
    return cmocka_run_group_tests_name("fd_locks", tests, NULL, NULL);
}
