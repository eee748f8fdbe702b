/* The parsers of a thread's syscall and wchan files, and the generated system call names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <asm/unistd.h>

#include <cmocka.h>

#include "proc/syscall_names.h"
#include "proc/thread_parse.h"
#include "testmain.h"

static int parse(const char *text, struct thread_syscall *sc)
{
    return threadParseSyscall(text, strlen(text), sc);
}

static void syscall_in_call(void **state)
{
    (void)state;
    struct thread_syscall sc;
    /* A Python thread in recv(), as the kernel printed it. */
    const char *line = "45 0x4 0x7f4db3511eb0 0xa 0x0 0x0 0x0 0x7ffd4e2c1a98 0x7f4db3ab6d29\n";
    assert_int_equal(parse(line, &sc), 0);
    assert_int_equal(sc.in, THREAD_SYSCALL);
    assert_int_equal(sc.nr, 45);
    assert_int_equal(sc.arg[0], 4);
    assert_int_equal(sc.arg[1], 0x7f4db3511eb0ull);
    assert_int_equal(sc.arg[2], 10);
    assert_int_equal(sc.sp, 0x7ffd4e2c1a98ull);
    assert_int_equal(sc.pc, 0x7f4db3ab6d29ull);
    assert_int_equal(sc.argsLen, strlen("0x4 0x7f4db3511eb0 0xa 0x0 0x0 0x0"));
    assert_memory_equal(sc.args, "0x4 0x7f4db3511eb0 0xa 0x0 0x0 0x0", sc.argsLen);
    assert_int_equal(threadFdArgument(&sc), 4);
    /* Without the newline, and with all 64 bits set. */
    line = "0 0xffffffffffffffff 0x1 0x2 0x3 0x4 0x5 0x6 0x7";
    assert_int_equal(parse(line, &sc), 0);
    assert_int_equal(sc.arg[0], ~0ull);
    assert_int_equal(threadFdArgument(&sc), -1); /* -1 as an int: no descriptor */
    assert_int_equal(sc.pc, 7);
}

static void syscall_running_or_outside(void **state)
{
    (void)state;
    struct thread_syscall sc;
    assert_int_equal(parse("running\n", &sc), 0);
    assert_int_equal(sc.in, THREAD_RUNNING);
    assert_int_equal(parse("running", &sc), 0);
    assert_int_equal(parse("-1 0x7ffc0000 0x401000\n", &sc), 0);
    assert_int_equal(sc.in, THREAD_NO_SYSCALL);
    assert_int_equal(sc.nr, -1);
    assert_int_equal(sc.sp, 0x7ffc0000);
    assert_int_equal(sc.pc, 0x401000);
}

static void syscall_garbled(void **state)
{
    (void)state;
    struct thread_syscall sc;
    const char *bad[] = {
        "",
        "\n",
        "runnin",
        "running now",
        "-2 0x1 0x2",
        "-1 0x1",
        "-1 0x1 0x2 0x3",
        "45 0x4 0x0 0xa 0x0 0x0 0x0 0x1\n",                   /* no pc */
        "45 0x4 0x0 0xa 0x0 0x0 0x0 0x1 0x2 0x3",             /* one too many */
        "45 4 0x0 0xa 0x0 0x0 0x0 0x1 0x2",                   /* no 0x */
        "45 0x 0x0 0xa 0x0 0x0 0x0 0x1 0x2",                  /* no digits */
        "45  0x4 0x0 0xa 0x0 0x0 0x0 0x1 0x2",                /* two spaces */
        "45 0x4 0x0 0xA 0x0 0x0 0x0 0x1 0x2",                 /* the kernel writes lower case */
        "45 0x10000000000000000 0x0 0x0 0x0 0x0 0x0 0x1 0x2", /* 17 digits */
        "99999999999 0x4 0x0 0xa 0x0 0x0 0x0 0x1 0x2",
        "x5 0x4 0x0 0xa 0x0 0x0 0x0 0x1 0x2",
        "45 0x4 0x0 0xa 0x0 0x0 0x0 0x1 0x2\n\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (parse(bad[i], &sc) != -EINVAL) fail_msg("accepted \"%s\"", bad[i]);
    }
    /* Cut anywhere, a full line is rejected (but where a shorter form ends). */
    const char *line = "45 0x4 0x0 0xa 0x0 0x0 0x0 0x1 0x2\n";
    for (size_t n = 0; n + 2 < strlen(line); n++)
        assert_int_equal(threadParseSyscall(line, n, &sc), -EINVAL);
}

static void wchan_names(void **state)
{
    (void)state;
    const char *name;
    size_t len;
    assert_int_equal(threadParseWchan("wait_woken", 10, &name, &len), 0);
    assert_int_equal(len, 10);
    assert_memory_equal(name, "wait_woken", 10);
    const char *suffixed = "poll_schedule_timeout.constprop.0\n";
    assert_int_equal(threadParseWchan(suffixed, strlen(suffixed), &name, &len), 0);
    assert_int_equal(len, strlen(suffixed) - 1);
    assert_int_equal(threadParseWchan("0", 1, &name, &len), 0);
    assert_int_equal(len, 0);
    assert_int_equal(threadParseWchan("", 0, &name, &len), -EINVAL);
    assert_int_equal(threadParseWchan("a b", 3, &name, &len), -EINVAL);
    assert_int_equal(threadParseWchan("a\nb", 3, &name, &len), -EINVAL);
}

/* The generated table names the build architecture's calls by the header's own numbers. */
static void names_from_header(void **state)
{
    (void)state;
    assert_true(syscallNameCount > 200);
    assert_string_equal(syscallName(__NR_read), "read");
    assert_string_equal(syscallName(__NR_write), "write");
    assert_string_equal(syscallName(__NR_epoll_pwait), "epoll_pwait");
#ifdef __NR_recvfrom
    assert_string_equal(syscallName(__NR_recvfrom), "recvfrom");
#endif
    assert_null(syscallName(-1));
    assert_null(syscallName(1L << 40));
    /* Every number named finds a name of that number (an alias, on an architecture with any). */
    for (size_t i = 0; i < syscallNameCount; i++) {
        const char *name = syscallName(syscallNames[i].nr);
        size_t j = 0;
        while (j < syscallNameCount && strcmp(syscallNames[j].name, name) != 0) j++;
        assert_true(j < syscallNameCount);
        assert_int_equal(syscallNames[j].nr, syscallNames[i].nr);
    }
}

static void calls_taking_fds(void **state)
{
    (void)state;
    const char *yes[] = {"read",    "recvfrom",   "recvmsg",     "write", "sendto", "accept4",
                         "connect", "epoll_wait", "epoll_pwait", "ioctl", "fsync",  "_llseek"};
    const char *no[] = {"poll",   "ppoll", "select", "pselect6", "futex", "nanosleep",
                        "openat", "wait4", "",       "readx",    "rea"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) assert_true(syscallTakesFd(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) assert_false(syscallTakesFd(no[i]));
    assert_false(syscallTakesFd(NULL));
}

TEST_MAIN("thread_parse", NULL, NULL,
          {
              cmocka_unit_test(syscall_in_call),
              cmocka_unit_test(syscall_running_or_outside),
              cmocka_unit_test(syscall_garbled),
              cmocka_unit_test(wchan_names),
              cmocka_unit_test(names_from_header),
              cmocka_unit_test(calls_taking_fds),
          })
