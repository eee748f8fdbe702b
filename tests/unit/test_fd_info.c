/* /proc/PID/fdinfo parsing: real layouts of several fd kinds, truncation, garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <cmocka.h>

#include "fd/fd_info.h"
#include "testmain.h"

static int parse(const char *text, struct fd_info *info)
{
    return fdInfoParse(text, strlen(text), info);
}

static void regular_file(void **state)
{
    (void)state;
    struct fd_info i;
    assert_int_equal(parse("pos:\t100\nflags:\t0100001\nmnt_id:\t27\nino:\t10953060\n", &i), 0);
    assert_int_equal(i.pos, 100);
    assert_int_equal(i.flags, 0100001);
    assert_int_equal(i.mntId, 27);
    assert_true(i.hasIno);
    assert_int_equal(i.ino, 10953060);
    assert_int_equal(fdInfoMode(i.flags), 'w');
}

static void older_kernel_and_extra_lines(void **state)
{
    (void)state;
    struct fd_info i;
    /* No ino line (before 5.14); an epoll fd's tfd lines and an eventfd's count follow. */
    const char *epoll = "pos:\t0\nflags:\t02000002\nmnt_id:\t17\n"
                        "tfd:        5 events:       19 data:                5  pos:0 ino:7a1 "
                        "sdev:9\n";
    assert_int_equal(parse(epoll, &i), 0);
    assert_false(i.hasIno);
    assert_int_equal(i.flags, 02000002);
    assert_int_equal(fdInfoMode(i.flags), 'u');
    const char *big = "pos:\t9223372036854775807\nflags:\t00\nmnt_id:\t1\n"
                      "eventfd-count:                0\n";
    assert_int_equal(parse(big, &i), 0);
    assert_int_equal(i.pos, 9223372036854775807LL);
    assert_int_equal(fdInfoMode(i.flags), 'r');
    /* No trailing newline. */
    assert_int_equal(parse("pos:\t1\nflags:\t02\nmnt_id:\t3", &i), 0);
    assert_int_equal(i.mntId, 3);
}

/* The process's locks on the file, as lsof's letter (its fdinfo lists only those). */
static void lock_lines(void **state)
{
    (void)state;
    struct fd_info info;
    const char *none = "pos:\t0\nflags:\t02\nmnt_id:\t27\n";
    assert_int_equal(fdInfoParse(none, strlen(none), &info), 0);
    assert_int_equal(info.lock, 0);
    const char *whole = "pos:\t0\nflags:\t02100001\nmnt_id:\t27\nino:\t5\n"
                        "lock:\t1: POSIX  ADVISORY  WRITE 23987 fe:00:10953011 0 EOF\n";
    assert_int_equal(fdInfoParse(whole, strlen(whole), &info), 0);
    assert_int_equal(info.lock, 'W');
    const char *mixed = "pos:\t0\nflags:\t02\nmnt_id:\t27\n"
                        "lock:\t1: POSIX  ADVISORY  READ 7 fe:00:9 0 10\n"
                        "lock:\t2: POSIX  ADVISORY  WRITE 7 fe:00:9 20 30\n";
    assert_int_equal(fdInfoParse(mixed, strlen(mixed), &info), 0);
    assert_int_equal(info.lock, 'u');
    const char *flock = "pos:\t0\nflags:\t0\nmnt_id:\t27\n"
                        "lock:\t1: FLOCK  ADVISORY  READ 7 fe:00:9 0 EOF\n";
    assert_int_equal(fdInfoParse(flock, strlen(flock), &info), 0);
    assert_int_equal(info.lock, 'R');
    /* An OFD lock has no owning pid (-1): lsof shows no letter for it. */
    const char *ofd = "pos:\t0\nflags:\t0\nmnt_id:\t27\n"
                      "lock:\t1: OFDLCK ADVISORY  WRITE -1 fe:00:9 0 EOF\n";
    assert_int_equal(fdInfoParse(ofd, strlen(ofd), &info), 0);
    assert_int_equal(info.lock, 0);
}

static void truncated_or_garbled(void **state)
{
    (void)state;
    struct fd_info i;
    assert_int_equal(parse("", &i), -EINVAL);
    assert_int_equal(parse("pos:\t0\nflags:\t02\n", &i), -EINVAL);             /* no mnt_id */
    assert_int_equal(parse("pos:\t0\nflags:\t09\nmnt_id:\t1\n", &i), -EINVAL); /* not octal */
    assert_int_equal(parse("pos:\t\nflags:\t0\nmnt_id:\t1\n", &i), -EINVAL);
    assert_int_equal(parse("pos:\t-1\nflags:\t0\nmnt_id:\t1\n", &i), -EINVAL);
    assert_int_equal(parse("pos:\t1x\nflags:\t0\nmnt_id:\t1\n", &i), -EINVAL);
    assert_int_equal(parse("pos:\t99999999999999999999\nflags:\t0\nmnt_id:\t1\n", &i), -EINVAL);
    assert_int_equal(fdInfoMode(O_ACCMODE), 0);
}

TEST_MAIN("fd_info", NULL, NULL,
          {
              cmocka_unit_test(regular_file),
              cmocka_unit_test(older_kernel_and_extra_lines),
              cmocka_unit_test(lock_lines),
              cmocka_unit_test(truncated_or_garbled),
          })
