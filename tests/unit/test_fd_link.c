/* The fd link text classifier, fed the texts the kernel writes and some it never does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fd/fd_link.h"
#include "testmain.h"

static struct fd_link classify(const char *text)
{
    struct fd_link l;
    fdLinkClassify(text, strlen(text), &l);
    return l;
}

static void kernel_objects(void **state)
{
    (void)state;
    struct fd_link l = classify("socket:[123]");
    assert_int_equal(l.kind, FD_LINK_SOCKET);
    assert_true(l.hasInode);
    assert_int_equal(l.inode, 123);
    l = classify("pipe:[9]");
    assert_int_equal(l.kind, FD_LINK_PIPE);
    assert_int_equal(l.inode, 9);
    l = classify("net:[4026531840]");
    assert_int_equal(l.kind, FD_LINK_NUMBERED);
    assert_int_equal(l.inode, 4026531840ULL);
    l = classify("socket:[18446744073709551615]");
    assert_int_equal(l.kind, FD_LINK_SOCKET);
    assert_int_equal(l.inode, 18446744073709551615ULL);
}

static void anon_inodes(void **state)
{
    (void)state;
    const char *texts[] = {"anon_inode:[eventpoll]", "anon_inode:inotify", "anon_inode:[pidfd]",
                           "anon_inode:bpf-map"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        struct fd_link l = classify(texts[i]);
        assert_int_equal(l.kind, FD_LINK_ANON);
        assert_false(l.hasInode);
    }
}

static void paths_and_deleted_suffix(void **state)
{
    (void)state;
    struct fd_link l = classify("/etc/hosts");
    assert_int_equal(l.kind, FD_LINK_PATH);
    assert_false(l.endsDeleted);
    assert_false(l.hasInode);
    l = classify("/tmp/x (deleted)");
    assert_int_equal(l.kind, FD_LINK_PATH);
    assert_true(l.endsDeleted);
    l = classify("/memfd:buf (deleted)");
    assert_true(l.endsDeleted);
    /* The suffix alone after "/" still is one; "(deleted)" without its space is not. */
    assert_true(classify("/ (deleted)").endsDeleted);
    assert_false(classify("/x(deleted)").endsDeleted);
    assert_false(classify("/x (deleted) ").endsDeleted);
    /* A path that looks like a kernel object is still a path. */
    l = classify("/socket:[5]");
    assert_int_equal(l.kind, FD_LINK_PATH);
    assert_false(l.hasInode);
}

static void garbled(void **state)
{
    (void)state;
    const char *texts[] = {"",
                           "socket:[",
                           "socket:[]",
                           "socket:[12x]",
                           "socket:12",
                           "pipe:[1",
                           ":[5]",
                           "socket:[-1]",
                           "socket:[5] ",
                           "socket:[99999999999999999999]",
                           "relative/path"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        struct fd_link l = classify(texts[i]);
        assert_int_equal(l.kind, FD_LINK_UNKNOWN);
        assert_false(l.hasInode);
    }
    /* Not NUL-terminated: the length rules. */
    struct fd_link l;
    fdLinkClassify("pipe:[42]junk", 9, &l);
    assert_int_equal(l.kind, FD_LINK_PIPE);
    assert_int_equal(l.inode, 42);
}

TEST_MAIN("fd_link", NULL, NULL,
          {
              cmocka_unit_test(kernel_objects),
              cmocka_unit_test(anon_inodes),
              cmocka_unit_test(paths_and_deleted_suffix),
              cmocka_unit_test(garbled),
          })
