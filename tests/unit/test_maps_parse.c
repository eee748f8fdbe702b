/* The /proc/PID/maps line parser, fed crafted lines. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proc/maps_parse.h"
#include "testmain.h"

static void file_mapping(void **state)
{
    (void)state;
    const char *line = "7f3c1a200000-7f3c1a222000 r-xp 00001000 fd:01 1234567    "
                       "/usr/lib/x86_64-linux-gnu/libc.so.6\n";
    struct map_entry e;
    assert_int_equal(mapsParseLine(line, strlen(line), &e), 0);
    assert_int_equal(e.start, 0x7f3c1a200000ull);
    assert_int_equal(e.end, 0x7f3c1a222000ull);
    assert_string_equal(e.perms, "r-xp");
    assert_int_equal(e.offset, 0x1000);
    assert_int_equal(e.major, 0xfd);
    assert_int_equal(e.minor, 1);
    assert_int_equal(e.inode, 1234567);
    assert_int_equal(e.pathLen, strlen("/usr/lib/x86_64-linux-gnu/libc.so.6"));
    assert_memory_equal(e.path, "/usr/lib/x86_64-linux-gnu/libc.so.6", e.pathLen);
    assert_false(e.deletedSuffix);
}

static void anonymous_and_pseudo(void **state)
{
    (void)state;
    struct map_entry e;
    const char *anon = "7ffd5a1e0000-7ffd5a201000 rw-p 00000000 00:00 0 ";
    assert_int_equal(mapsParseLine(anon, strlen(anon), &e), 0);
    assert_null(e.path);
    assert_int_equal(e.inode, 0);
    const char *stack = "7ffd5a1e0000-7ffd5a201000 rw-p 00000000 00:00 0                  [stack]";
    assert_int_equal(mapsParseLine(stack, strlen(stack), &e), 0);
    assert_memory_equal(e.path, "[stack]", e.pathLen);
    const char *vsys = "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]";
    assert_int_equal(mapsParseLine(vsys, strlen(vsys), &e), 0);
    assert_int_equal(e.start, 0xffffffffff600000ull);
}

static void deleted_and_spaces(void **state)
{
    (void)state;
    struct map_entry e;
    const char *del = "7f00-7f10 rw-s 00000000 00:1a 42 /dev/shm/a file (deleted)";
    assert_int_equal(mapsParseLine(del, strlen(del), &e), 0);
    assert_true(e.deletedSuffix);
    assert_int_equal(e.pathLen, strlen("/dev/shm/a file"));
    assert_memory_equal(e.path, "/dev/shm/a file", e.pathLen);
    assert_int_equal(e.major, 0);
    assert_int_equal(e.minor, 0x1a);
}

static void garbled(void **state)
{
    (void)state;
    struct map_entry e;
    const char *bad[] = {"",
                         "7f00",
                         "7f00-",
                         "7f00-7f10",
                         "7f00-7f10 rw",
                         "7f00-7f10 rw-p 0 fd",
                         "7f00-7f10 rw-p 0 fd:01",
                         "7f00-7f10 rw-p 0 fd:01 x /a",
                         "zz-7f10 r"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(mapsParseLine(bad[i], strlen(bad[i]), &e), -EINVAL);
}

TEST_MAIN("maps_parse", NULL, NULL,
          {
              cmocka_unit_test(file_mapping),
              cmocka_unit_test(anonymous_and_pseudo),
              cmocka_unit_test(deleted_and_spaces),
              cmocka_unit_test(garbled),
          })
