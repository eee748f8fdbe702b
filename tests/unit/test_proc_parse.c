/* The /proc text parsers, fed crafted text: odd comms, NULs, truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proc/proc_parse.h"
#include "testmain.h"

/* A real stat line (field 2 replaced by COMM). */
#define STAT_TAIL                                                                                  \
    " S 1 42 43 34816 42 4194560 1197 0 0 0 12 34 0 0 20 -5 3 0 987654 10485760 321 "              \
    "18446744073709551615 1 1 0 0 0 0 65536 3670020 1266777851 0 0 0 17 1 0 0 0 0 0\n"

static void stat_plain(void **state)
{
    (void)state;
    const char *text = "1234 (bash)" STAT_TAIL;
    struct proc_stat st;
    assert_int_equal(procParseStat(text, strlen(text), &st), 0);
    assert_string_equal(st.comm, "bash");
    assert_int_equal(st.state, 'S');
    assert_int_equal(st.ppid, 1);
    assert_int_equal(st.pgid, 42);
    assert_int_equal(st.sid, 43);
    assert_int_equal(st.utime, 12);
    assert_int_equal(st.stime, 34);
    assert_int_equal(st.nice, -5);
    assert_int_equal(st.threads, 3);
    assert_int_equal(st.starttime, 987654);
    assert_int_equal(st.vsize, 10485760);
    assert_int_equal(st.rss, 321);
}

static void stat_comm_with_parens_and_spaces(void **state)
{
    (void)state;
    const char *text = "77 (a) (b)" STAT_TAIL;
    struct proc_stat st;
    assert_int_equal(procParseStat(text, strlen(text), &st), 0);
    assert_string_equal(st.comm, "a) (b");
    assert_int_equal(st.ppid, 1);
    assert_int_equal(st.rss, 321);

    const char *odd = "78 ( x ) S)" STAT_TAIL;
    assert_int_equal(procParseStat(odd, strlen(odd), &st), 0);
    assert_string_equal(st.comm, " x ) S");
    assert_int_equal(st.state, 'S');
}

static void stat_empty_or_truncated(void **state)
{
    (void)state;
    struct proc_stat st;
    assert_int_equal(procParseStat("", 0, &st), -EINVAL);
    const char *noclose = "12 (bash S 1 2 3";
    assert_int_equal(procParseStat(noclose, strlen(noclose), &st), -EINVAL);
    const char *cut = "12 (bash) S 1 2 3 4 5 6 7";
    assert_int_equal(procParseStat(cut, strlen(cut), &st), -EINVAL);
    const char *garbled = "12 (bash) S x y z";
    assert_int_equal(procParseStat(garbled, strlen(garbled), &st), -EINVAL);
}

static void status_ids(void **state)
{
    (void)state;
    const char *text = "Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1234\n"
                       "Ngid:\t0\nPid:\t1235\nPPid:\t1\nTracerPid:\t0\n"
                       "Uid:\t1000\t1001\t1002\t1003\nGid:\t100\t101\t102\t103\nFDSize:\t256\n";
    struct proc_status st;
    assert_int_equal(procParseStatus(text, strlen(text), &st), 0);
    assert_int_equal(st.tgid, 1234);
    assert_int_equal(st.uid[0], 1000);
    assert_int_equal(st.uid[1], 1001);
    assert_int_equal(st.uid[3], 1003);
    assert_int_equal(st.gid[0], 100);
    assert_int_equal(st.gid[1], 101);
}

static void status_truncated(void **state)
{
    (void)state;
    struct proc_status st;
    assert_int_equal(procParseStatus("", 0, &st), -EINVAL);
    const char *cut = "Name:\tbash\nTgid:\t12\nUid:\t0\t0";
    assert_int_equal(procParseStatus(cut, strlen(cut), &st), -EINVAL);
}

static void cmdline_joined(void **state)
{
    (void)state;
    char text[] = "sleep\0--arg\0two words\0";
    size_t n = procJoinCmdline(text, sizeof text - 1);
    assert_int_equal(n, strlen("sleep --arg two words"));
    assert_string_equal(text, "sleep --arg two words");

    /* Embedded empty arguments keep their separators. */
    char empty_args[] = "a\0\0b\0";
    n = procJoinCmdline(empty_args, sizeof empty_args - 1);
    assert_string_equal(empty_args, "a  b");

    /* A process that rewrote its argv without a final NUL. */
    char retitled[] = "nginx: worker process";
    n = procJoinCmdline(retitled, sizeof retitled - 1);
    assert_string_equal(retitled, "nginx: worker process");
}

static void cmdline_none(void **state)
{
    (void)state;
    char text[1] = "";
    assert_int_equal(procJoinCmdline(text, 0), 0);
    char nuls[] = "\0\0";
    assert_int_equal(procJoinCmdline(nuls, 2), 0);
}

static void cgroup_unified(void **state)
{
    (void)state;
    const char *path;
    size_t len;
    const char *v2 = "0::/system.slice/ssh.service\n";
    assert_int_equal(procParseCgroup(v2, strlen(v2), &path, &len), 0);
    assert_int_equal(len, strlen("/system.slice/ssh.service"));
    assert_memory_equal(path, "/system.slice/ssh.service", len);

    const char *hybrid = "12:cpu,cpuacct:/x\n1:name=systemd:/y\n0::/user.slice\n";
    assert_int_equal(procParseCgroup(hybrid, strlen(hybrid), &path, &len), 0);
    assert_memory_equal(path, "/user.slice", len);

    const char *v1only = "12:cpu,cpuacct:/x\n";
    assert_int_equal(procParseCgroup(v1only, strlen(v1only), &path, &len), -EINVAL);
}

static void boot_time(void **state)
{
    (void)state;
    const char *text = "cpu  1 2 3\nintr 5\nctxt 99\nbtime 1700000000\nprocesses 4\n";
    long long t = 0;
    assert_int_equal(procParseBootTime(text, strlen(text), &t), 0);
    assert_int_equal(t, 1700000000);
    assert_int_equal(procParseBootTime("cpu 1\n", 6, &t), -EINVAL);
}

static void fd_limit(void **state)
{
    (void)state;
    /* The layout of fs/proc/base.c's proc_pid_limits(): the header, then one line per limit. */
    const char *text =
        "Limit                     Soft Limit           Hard Limit           Units     \n"
        "Max processes             96365                96365                processes \n"
        "Max open files            1024                 524288               files     \n"
        "Max locked memory         8388608              8388608              bytes     \n";
    long long soft = 0;
    assert_int_equal(procParseFdLimit(text, strlen(text), &soft), 0);
    assert_int_equal(soft, 1024);

    const char *unlimited =
        "Max open files            unlimited            unlimited            files\n";
    assert_int_equal(procParseFdLimit(unlimited, strlen(unlimited), &soft), 0);
    assert_int_equal(soft, -1);

    /* Not there, no number, a sign, or cut before the number. */
    const char *other =
        "Max processes             96365                96365                processes\n";
    assert_int_equal(procParseFdLimit(other, strlen(other), &soft), -EINVAL);
    const char *garbled = "Max open files            lots\n";
    assert_int_equal(procParseFdLimit(garbled, strlen(garbled), &soft), -EINVAL);
    const char *negative = "Max open files            -5\n";
    assert_int_equal(procParseFdLimit(negative, strlen(negative), &soft), -EINVAL);
    const char *cut = "Max open files            1024";
    assert_int_equal(procParseFdLimit(cut, strlen("Max open files   "), &soft), -EINVAL);
    assert_int_equal(procParseFdLimit(cut, strlen(cut) - 2, &soft), 0);
    assert_int_equal(soft, 10);
    assert_int_equal(procParseFdLimit("", 0, &soft), -EINVAL);
}

/*
** Found by fuzzing (tests/fuzz): the number at the very end of the text was read with strtoll,
** which reads past LEN when the text is not NUL-terminated. EXACT is a heap copy of exactly
** LEN bytes, so the sanitized pass catches any read past it; numbers must stop at LEN.
*/
static char *exact(const char *text, size_t len)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    return copy;
}

static void numbers_stop_at_len(void **state)
{
    (void)state;
    static const char statCrash[] =
        "2 (kthreadd2 (kthreadd) S 1 0 ) S 02 (kt 0 0 0 -1 2129984 0 0 0 0 0 \332\337\317\3370 20 "
        "0 1 0 10 0()1 2129985hreadd)4 0 0   108";
    static const char statusCrash[] =
        "Name:\tkthreadd\nUmas+:id:\t0\nTracerPid:\t0\nUidkthreadd\nUmas+:id:\t0\nTracerPid:"
        "\t0\nUid:\t0\t0\te:\tkthree:\tS (sleeping)\nTgid:\t2";
    struct proc_stat st;
    struct proc_status ps;
    long long t;
    char *text = exact(statCrash, sizeof statCrash - 1);
    procParseStat(text, sizeof statCrash - 1, &st);
    free(text);
    text = exact(statusCrash, sizeof statusCrash - 1);
    procParseStatus(text, sizeof statusCrash - 1, &ps);
    free(text);
    text = exact("btime ", 6);
    assert_int_equal(procParseBootTime(text, 6, &t), -EINVAL);
    free(text);

    /* Digits after LEN are not part of the text. */
    const char *bt = "btime 1234";
    assert_int_equal(procParseBootTime(bt, 8, &t), 0);
    assert_int_equal(t, 12);
    const char *line = "1234 (bash)" STAT_TAIL;
    const char *rss = strstr(line, " 321 ");
    assert_int_equal(procParseStat(line, (size_t)(rss - line) + 3, &st), 0);
    assert_int_equal(st.rss, 32);
    const char *status = "Tgid:\t42\nUid:\t1\t2\t3\t4\nGid:\t5\t6\t7\t89";
    assert_int_equal(procParseStatus(status, strlen(status) - 1, &ps), 0);
    assert_int_equal(ps.gid[3], 8);
    assert_int_equal(procParseStatus(status, strlen(status) - 2, &ps), -EINVAL);
}

static void port_range(void **state)
{
    (void)state;
    int low = 0, high = 0;
    const char *text = "32768\t60999\n";
    assert_int_equal(procParsePortRange(text, strlen(text), &low, &high), 0);
    assert_int_equal(low, 32768);
    assert_int_equal(high, 60999);
    assert_int_equal(procParsePortRange("1024 1024", 9, &low, &high), 0);
    assert_int_equal(low, 1024);
    assert_int_equal(high, 1024);
    const char *bad[] = {"",
                         "\n",
                         "32768",
                         "32768\t",
                         "60999\t32768\n",
                         "1 70000\n",
                         "99999999999 1",
                         "1 2 3",
                         "1 2\n\n",
                         "-1 2",
                         "1x 2",
                         "1 2x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (procParsePortRange(bad[i], strlen(bad[i]), &low, &high) != -EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
    /* Stops at LEN: the digits after it are not read. */
    assert_int_equal(procParsePortRange("10 20999", 5, &low, &high), 0);
    assert_int_equal(high, 20);
}

TEST_MAIN("proc_parse", NULL, NULL,
          {
              cmocka_unit_test(stat_plain),
              cmocka_unit_test(stat_comm_with_parens_and_spaces),
              cmocka_unit_test(stat_empty_or_truncated),
              cmocka_unit_test(status_ids),
              cmocka_unit_test(status_truncated),
              cmocka_unit_test(cmdline_joined),
              cmocka_unit_test(cmdline_none),
              cmocka_unit_test(cgroup_unified),
              cmocka_unit_test(boot_time),
              cmocka_unit_test(fd_limit),
              cmocka_unit_test(numbers_stop_at_len),
              cmocka_unit_test(port_range),
          })
