/* /proc/locks lines to lsof's lock letters, and the sorted per-holder lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>

#include <cmocka.h>

#include "fd/fd_locks.h"
#include "testmain.h"

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

/* One holder's several locks on a file: read and write make u, whole wins, unknown wins. */
static void letters_combine(void **state)
{
    (void)state;
    assert_int_equal(fdLockCombine(0, 'w'), 'w');
    assert_int_equal(fdLockCombine('r', 0), 'r');
    assert_int_equal(fdLockCombine('w', 'r'), 'u');
    assert_int_equal(fdLockCombine('R', 'W'), 'u');
    assert_int_equal(fdLockCombine('w', 'W'), 'W');
    assert_int_equal(fdLockCombine('R', 'r'), 'R');
    assert_int_equal(fdLockCombine('w', 'w'), 'w');
    assert_int_equal(fdLockCombine('u', 'R'), 'u');
    assert_int_equal(fdLockCombine('U', 'w'), 'U');
}

TEST_MAIN("fd_locks", NULL, NULL,
          {
              cmocka_unit_test(letters),
              cmocka_unit_test(garbled_lines),
              cmocka_unit_test(letters_combine),
          })
