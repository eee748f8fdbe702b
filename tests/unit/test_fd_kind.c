/* fd_kind.c: kinds from link texts, and each kind's fdinfo as kernels 5.x-6.x write it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fd/fd_kind.h"
#include "testmain.h"

static enum fd_kind kindOf(const char *link)
{
    return fdKindOfLink(link, strlen(link));
}

static void kinds_from_links(void **state)
{
    (void)state;
    assert_int_equal(kindOf("anon_inode:[eventfd]"), FD_KIND_EVENTFD);
    assert_int_equal(kindOf("anon_inode:[eventpoll]"), FD_KIND_EVENTPOLL);
    assert_int_equal(kindOf("anon_inode:inotify"), FD_KIND_INOTIFY);
    assert_int_equal(kindOf("anon_inode:[timerfd]"), FD_KIND_TIMERFD);
    assert_int_equal(kindOf("anon_inode:[signalfd]"), FD_KIND_SIGNALFD);
    assert_int_equal(kindOf("anon_inode:[pidfd]"), FD_KIND_PIDFD);
    assert_int_equal(kindOf("anon_inode:bpf-map"), FD_KIND_BPF_MAP);
    assert_int_equal(kindOf("anon_inode:bpf_link"), FD_KIND_BPF_LINK);
    assert_int_equal(kindOf("anon_inode:[userfaultfd]"), FD_KIND_ANON);
    assert_int_equal(kindOf("/memfd:buf (deleted)"), FD_KIND_MEMFD);
    assert_int_equal(kindOf("/dev/ptmx"), FD_KIND_PTY_MASTER);
    assert_int_equal(kindOf("/dev/pts/3"), FD_KIND_PTY_SLAVE);
    assert_int_equal(kindOf("/dev/pts/ptmx"), FD_KIND_PTY_MASTER);
    assert_int_equal(kindOf("/dev/net/tun"), FD_KIND_TUN);
    assert_int_equal(kindOf("net:[4026531840]"), FD_KIND_NSFS);
    assert_int_equal(kindOf("pid_for_children:[4026531836]"), FD_KIND_NSFS);
    assert_int_equal(kindOf("socket:[12]"), FD_KIND_SOCKET);
    assert_int_equal(kindOf("pipe:[12]"), FD_KIND_NONE);
    assert_int_equal(kindOf("netx:[1]"), FD_KIND_NONE);
    assert_int_equal(kindOf("/etc/hosts"), FD_KIND_NONE);
    assert_int_equal(kindOf(""), FD_KIND_NONE);
    assert_string_equal(fdKindName(FD_KIND_BPF_PROG), "bpf-prog");
    assert_null(fdKindName(FD_KIND_NONE));
    assert_true(fdKindMayBeQueue("/q (deleted)", 12));
    assert_false(fdKindMayBeQueue("/tmp/q", 6));
    assert_false(fdKindMayBeQueue("/", 1));
}

static void names_in_links(void **state)
{
    (void)state;
    const char *name;
    size_t len;
    const char *m = "/memfd:sqlsof (deleted)", *n = "net:[4026531840]";
    assert_true(fdKindLinkName(FD_KIND_MEMFD, m, strlen(m), &name, &len));
    assert_int_equal(len, 6);
    assert_memory_equal(name, "sqlsof", 6);
    assert_true(fdKindLinkName(FD_KIND_NSFS, n, strlen(n), &name, &len));
    assert_int_equal(len, 3);
    assert_memory_equal(name, "net", 3);
    assert_false(fdKindLinkName(FD_KIND_EVENTFD, n, strlen(n), &name, &len));
}

static int parse(enum fd_kind kind, const char *text, struct fd_details *d)
{
    return fdDetailsParse(kind, text, strlen(text), d);
}

static void eventfd_timerfd_signalfd_pidfd(void **state)
{
    (void)state;
    struct fd_details d;
    assert_int_equal(
        parse(FD_KIND_EVENTFD,
              "pos:\t0\nflags:\t02\nmnt_id:\t17\nino:\t26\neventfd-count:                "
              "a\neventfd-id: 7\neventfd-semaphore: 1\n",
              &d),
        0);
    assert_int_equal(d.count, 10); /* hex */
    assert_int_equal(d.id, 7);
    assert_int_equal(d.semaphore, 1);
    assert_true(d.has & FD_HAS_ID);
    assert_int_equal(parse(FD_KIND_TIMERFD,
                           "clockid: 1\nticks: 3\nsettime flags: 00\nit_value: (993, 500000000)\n"
                           "it_interval: (100, 0)\n",
                           &d),
                     0);
    assert_string_equal(fdClockName(d.clockid), "monotonic");
    assert_int_equal(d.ticks, 3);
    assert_true(d.remaining > 993.49 && d.remaining < 993.51);
    assert_true(d.interval == 100.0);
    assert_int_equal(parse(FD_KIND_SIGNALFD, "sigmask:\t0000000000000a00\n", &d), 0);
    char names[128];
    fdSignalNames(d.sigmask, names, sizeof names);
    assert_string_equal(names, "SIGUSR1,SIGUSR2");
    fdSignalNames(1ull << 34, names, sizeof names); /* signal 35: SIGRTMIN+N */
    assert_non_null(strstr(names, "SIGRTMIN+"));
    assert_int_equal(parse(FD_KIND_PIDFD, "Pid:\t-1\nNSpid:\t-1\n", &d), 0);
    assert_int_equal(d.pid, -1);
    assert_int_equal(parse(FD_KIND_PTY_MASTER, "tty-index:\t4\n", &d), 0);
    assert_int_equal(d.id, 4);
    assert_int_equal(parse(FD_KIND_TUN, "iff:\ttap0\n", &d), 0);
    assert_string_equal(d.iface, "tap0");
    assert_int_equal(parse(FD_KIND_BPF_MAP, "map_type:\t2\nmap_id:\t51\n", &d), 0);
    assert_string_equal(d.bpfType, "2");
    assert_int_equal(d.id, 51);
    assert_int_equal(parse(FD_KIND_BPF_LINK, "link_type:\titer\nlink_id:\t9\n", &d), 0);
    assert_string_equal(d.bpfType, "iter");
}

static void garbled_fields_are_refused(void **state)
{
    (void)state;
    struct fd_details d;
    assert_int_equal(parse(FD_KIND_EVENTFD, "eventfd-id: x7\n", &d), -22);
    assert_int_equal(parse(FD_KIND_TIMERFD, "it_value: (1, \n", &d), -22);
    assert_int_equal(parse(FD_KIND_SIGNALFD, "sigmask:\t-1\n", &d), -22);
    assert_int_equal(parse(FD_KIND_PIDFD, "Pid:\n", &d), -22);
    assert_int_equal(parse(FD_KIND_NONE, "anything: at all\n", &d), 0);
}

static void epoll_and_inotify_lines(void **state)
{
    (void)state;
    const char *e = "pos:\t0\nflags:\t02\nmnt_id:\t17\nino:\t26\n"
                    "tfd:        7 events:       1c data:                7  pos:0 ino:1a sdev:10\n"
                    "tfd: garbled\n"
                    "tfd:        5 events:       19 data:                5  pos:0 ino:397c7 "
                    "sdev:fe00001\n";
    size_t pos = 0;
    struct fd_epoll_target t;
    assert_int_equal(fdEpollNext(e, strlen(e), &pos, &t), 1);
    assert_int_equal(t.fd, 7);
    assert_int_equal(t.events, 0x1c);
    assert_int_equal(t.inode, 0x1a);
    assert_int_equal(t.major, 0);
    assert_int_equal(t.minor, 16);
    assert_int_equal(fdEpollNext(e, strlen(e), &pos, &t), 1);
    assert_int_equal(t.fd, 5);
    assert_int_equal(t.major, 254);
    assert_int_equal(t.minor, 1);
    assert_int_equal(fdEpollNext(e, strlen(e), &pos, &t), 0);
    const char *i = "inotify wd:3 ino:2dd sdev:fe00000 mask:a ignored_mask:0 fhandle-bytes:8 "
                    "fhandle-type:1 f_handle:dd02000000000000\n";
    struct fd_inotify_watch w;
    pos = 0;
    assert_int_equal(fdInotifyNext(i, strlen(i), &pos, &w), 1);
    assert_int_equal(w.wd, 3);
    assert_int_equal(w.inode, 0x2dd);
    assert_int_equal(w.major, 254);
    assert_int_equal(w.mask, 0xa);
    assert_int_equal(fdInotifyNext(i, strlen(i), &pos, &w), 0);
}

static void queues_seals_and_packets(void **state)
{
    (void)state;
    struct fd_mqueue q;
    const char *t = "QSIZE:5          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n";
    assert_int_equal(fdMqueueParse(t, strlen(t), &q), 0);
    assert_int_equal(q.size, 5);
    assert_int_equal(fdMqueueParse("QSIZE:", 6, &q), -22);
    char s[64];
    fdSealNames(0x6, s, sizeof s);
    assert_string_equal(s, "shrink,grow");
    fdSealNames(0, s, sizeof s);
    assert_string_equal(s, "");
    const char *p = "sk       RefCnt Type Proto  Iface R Rmem   User   Inode\n"
                    "0000000000000000 3      3    0003   0     1 0      0      235468\n"
                    "0000000000000000 3      2    0800   2     1 0      0      77\n";
    assert_int_equal(fdPacketSockType(p, strlen(p), 235468), 3);
    assert_int_equal(fdPacketSockType(p, strlen(p), 77), 2);
    assert_int_equal(fdPacketSockType(p, strlen(p), 1), -1);
}

TEST_MAIN("fd_kind", NULL, NULL,
          {cmocka_unit_test(kinds_from_links), cmocka_unit_test(names_in_links),
           cmocka_unit_test(eventfd_timerfd_signalfd_pidfd),
           cmocka_unit_test(garbled_fields_are_refused), cmocka_unit_test(epoll_and_inotify_lines),
           cmocka_unit_test(queues_seals_and_packets)})
