/*
** fd_details, epoll_targets and inotify_watches against a live child holding one descriptor of
** every kind (make_fd.h): each value is checked against what /proc and stat(2) say of the
** child's fd, or against what the child set up (the eventfd's count, the timer, the seals).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cmocka.h>

#include "fixture.h"
#include "make_fd.h"
#include "testdb.h"
#include "testmain.h"

static const struct made_fd *kind(const char *name)
{
    const struct made_fd *m = madeFd(&makeFdMade, name);
    assert_non_null(m);
    return m;
}

/* The value of KEY in the child's fdinfo of FD, as a number in BASE. */
static long long fdinfoValue(int fd, const char *key, int base)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", makeFdFx.pid, fd);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    long long v = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key))) v = strtoll(line + strlen(key), NULL, base);
    fclose(f);
    assert_true(v >= 0);
    return v;
}

static struct stat statFd(int fd)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/fd/%d", makeFdFx.pid, fd);
    assert_int_equal(stat(path, &st), 0);
    return st;
}

/* The row of fd_details for FD: "kind|id|...", the columns COLS. */
static char *details(sqlite3 *db, int fd, const char *cols)
{
    return testQueryRows(db, "SELECT %s FROM fd_details WHERE pid = %d AND fd = %d", cols,
                         makeFdFx.pid, fd);
}

static void expectDetails(sqlite3 *db, int fd, const char *cols, const char *want)
{
    char *got = details(db, fd, cols);
    assert_string_equal(got, want);
    free(got);
}

static void anon_kinds_are_told_by_their_own_id(void **state)
{
    sqlite3 *db = *state;
    const struct made_fd *e = kind("eventfd"), *ep = kind("epoll");
    char want[128];
    snprintf(want, sizeof want, "eventfd|%lld|5|0\n", fdinfoValue(e->fd[0], "eventfd-id:", 10));
    expectDetails(db, e->fd[0], "kind, id, count, semaphore", want);
    /* The epoll's own eventfd: another id, though both share the one anon inode. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(DISTINCT id) FROM fd_details WHERE pid = %d AND "
                                  "fd IN (%d, %d)",
                                  makeFdFx.pid, e->fd[0], ep->fd[3]),
                     2);
    assert_int_equal(statFd(e->fd[0]).st_ino, statFd(ep->fd[3]).st_ino);
}

static void epoll_targets_are_the_watched_fds(void **state)
{
    sqlite3 *db = *state;
    const struct made_fd *ep = kind("epoll");
    struct stat pipe = statFd(ep->fd[1]), ev = statFd(ep->fd[3]);
    char want[256];
    snprintf(want, sizeof want, "%d|1|%llu|%u,%u\n%d|4|%llu|%u,%u\n", ep->fd[1],
             (unsigned long long)pipe.st_ino, major(pipe.st_dev), minor(pipe.st_dev), ep->fd[3],
             (unsigned long long)ev.st_ino, major(ev.st_dev), minor(ev.st_dev));
    char *got = testQueryRows(db,
                              "SELECT target_fd, events & 5, target_inode, target_device FROM "
                              "epoll_targets(%d) WHERE fd = %d ORDER BY target_fd",
                              makeFdFx.pid, ep->fd[0]);
    assert_string_equal(got, want);
    free(got);
    expectDetails(db, ep->fd[0], "kind, targets", "eventpoll|2\n");
}

static void inotify_watches_name_the_watched_file(void **state)
{
    sqlite3 *db = *state;
    const struct made_fd *in = kind("inotify");
    struct stat st;
    assert_int_equal(stat(in->path, &st), 0);
    char want[128];
    snprintf(want, sizeof want, "%lld|%llu|%u,%u|%d\n", in->value, (unsigned long long)st.st_ino,
             major(st.st_dev), minor(st.st_dev), 0x2 | 0x8 /* IN_MODIFY | IN_CLOSE_WRITE */);
    char *got = testQueryRows(db,
                              "SELECT wd, inode, device, mask FROM inotify_watches WHERE pid = %d "
                              "AND fd = %d",
                              makeFdFx.pid, in->fd[0]);
    assert_string_equal(got, want);
    free(got);
}

static void timers_signals_and_pidfds(void **state)
{
    sqlite3 *db = *state;
    const struct made_fd *t = kind("timerfd"), *s = kind("signalfd"), *p = kind("pidfd");
    expectDetails(db, t->fd[0], "kind, clock, interval, remaining BETWEEN 900 AND 1000, ticks",
                  "timerfd|monotonic|100.0|1|0\n");
    expectDetails(db, s->fd[0], "kind, signals", "signalfd|SIGUSR1,SIGUSR2\n");
    char want[64];
    snprintf(want, sizeof want, "pidfd|%d|0\n", makeFdFx.pid);
    expectDetails(db, p->fd[0], "kind, target_pid, exited", want);
    assert_int_equal(fdinfoValue(p->fd[0], "Pid:", 10), makeFdFx.pid);
}

static void files_that_are_no_path(void **state)
{
    sqlite3 *db = *state;
    const struct made_fd *m = kind("memfd"), *q = kind("mqueue");
    expectDetails(db, m->fd[0], "kind, name, seals", "memfd|sqlsof-memfd|shrink,grow\n");
    char want[128];
    snprintf(want, sizeof want, "mqueue|%s|5|0|0\n", q->path);
    expectDetails(db, q->fd[0], "kind, name, mq_size, mq_notify_pid, mq_signo", want);
    /* Neither poses as a file of the root file system; the queue is a type of its own. */
    char *got = testQueryRows(db, "SELECT fd, type, path FROM fds(%d) WHERE fd IN (%d, %d)",
                              makeFdFx.pid, m->fd[0], q->fd[0]);
    snprintf(want, sizeof want, "%d|REG|NULL\n%d|PSXMQ|NULL\n", m->fd[0], q->fd[0]);
    assert_string_equal(got, want);
    free(got);
}

static void ptys_namespaces_and_sockets(void **state)
{
    sqlite3 *db = *state;
    const struct made_fd *t = kind("pty"), *n = kind("nsfs"), *pk = kind("packet");
    char want[128];
    snprintf(want, sizeof want, "pty|%lld|master\n", fdinfoValue(t->fd[0], "tty-index:", 10));
    expectDetails(db, t->fd[0], "kind, id, pty_side", want);
    assert_int_equal(fdinfoValue(t->fd[0], "tty-index:", 10), t->value);
    snprintf(want, sizeof want, "pty|%lld|slave\n", t->value);
    expectDetails(db, t->fd[1], "kind, id, pty_side", want);
    snprintf(want, sizeof want, "nsfs|%llu|net\n", (unsigned long long)statFd(n->fd[0]).st_ino);
    expectDetails(db, n->fd[0], "kind, id, ns_type", want);
    expectDetails(db, pk->fd[0], "kind, protocol, sock_type", "socket|PACKET|SOCK_RAW\n");
    expectDetails(db, kind("tcp-unbound")->fd[0], "protocol", "TCP\n");
    expectDetails(db, kind("udp6")->fd[0], "protocol", "UDPv6\n");
}

/* Plain files have no row: a pipe, a FIFO, a device. */
static void plain_files_have_no_details(void **state)
{
    sqlite3 *db = *state;
    const struct made_fd *ep = kind("epoll"), *f = kind("fifo");
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fd_details WHERE pid = %d AND fd IN "
                                  "(%d, %d, %d)",
                                  makeFdFx.pid, ep->fd[1], ep->fd[2], f->fd[0]),
                     0);
}

/* Pushdown never changes the answer: pid, fd and arg_pid against their unpushed forms. */
static void pushdown_keeps_the_answer(void **state)
{
    sqlite3 *db = *state;
    /* A timer's time left moves between two reads: not compared. */
    static const char *const tables[] = {"fd_details", "epoll_targets", "inotify_watches"};
    static const char *const cols[] = {
        "pid, fd, kind, id, name, count, targets, clock, interval, signals, target_pid, ns_type,"
        " pty_side, mq_size, seals, protocol, sock_type",
        "*", "*"};
    for (int i = 0; i < 3; i++) {
        const char *t = tables[i], *c0 = cols[i];
        char *a =
            testQueryRows(db, "SELECT %s FROM %s WHERE pid = %d ORDER BY fd", c0, t, makeFdFx.pid);
        char *b =
            testQueryRows(db, "SELECT %s FROM %s WHERE +pid = %d ORDER BY fd", c0, t, makeFdFx.pid);
        char *c = testQueryRows(db, "SELECT %s FROM %s(%d) ORDER BY fd", c0, t, makeFdFx.pid);
        char *d =
            testQueryRows(db, "SELECT * FROM %s WHERE pid = %d AND fd IN (%d, %d) ORDER BY fd", t,
                          makeFdFx.pid, kind("epoll")->fd[0], kind("inotify")->fd[0]);
        char *e =
            testQueryRows(db, "SELECT * FROM %s WHERE +pid = %d AND +fd IN (%d, %d) ORDER BY fd", t,
                          makeFdFx.pid, kind("epoll")->fd[0], kind("inotify")->fd[0]);
        assert_string_equal(a, b);
        assert_string_equal(a, c);
        assert_string_equal(d, e);
        assert_true(strlen(a) > 0 && strlen(d) > 0);
        free(a), free(b), free(c), free(d), free(e);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE +pid = 1", t);
        testExpectUnpushed(db, sql, "pid=");
    }
    const struct test_plan plans[] = {
        {"SELECT * FROM fd_details WHERE pid = 1 AND fd = 2", "pid= fd="},
        {"SELECT * FROM epoll_targets WHERE pid IN (1, 2)", "pid IN"},
        {"SELECT * FROM inotify_watches(1)", "arg_pid="},
    };
    testExpectPlans(db, plans, sizeof plans / sizeof *plans);
    /* A join on (pid, fd) is a point lookup per outer row. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds f JOIN fd_details d USING (pid, fd) "
                                  "WHERE f.pid = %d AND d.kind = 'eventfd'",
                                  makeFdFx.pid),
                     2);
}

TEST_MAIN("kinds", makeFdGroupSetup, makeFdGroupTeardown,
          {TEST_WITH_DB(anon_kinds_are_told_by_their_own_id),
           TEST_WITH_DB(epoll_targets_are_the_watched_fds),
           TEST_WITH_DB(inotify_watches_name_the_watched_file),
           TEST_WITH_DB(timers_signals_and_pidfds), TEST_WITH_DB(files_that_are_no_path),
           TEST_WITH_DB(ptys_namespaces_and_sockets), TEST_WITH_DB(plain_files_have_no_details),
           TEST_WITH_DB(pushdown_keeps_the_answer)})
