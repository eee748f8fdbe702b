/*
** The sockets table across network namespaces (sock_fixture.h): a namespaced child's listener
** and device-bound socket, a namespace only /run/netns holds, the dump requests each filter sends
** into which namespace, the caller's threads and fds left as they were, and a user without
** privilege who may not enter another namespace.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>

#include "command.h"
#include "sock_fixture.h"
#include "sockets.h"
#include "strace.h"
#include "testdb.h"
#include "testmain.h"

static void namespaced_listener(void **state)
{
    sqlite3 *db = *state;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/net", nsFxChild.pid);
    assert_true(nsFx.netns == nsOf(path));
    assert_true(nsFx.netns != sockFx.netns);

    char want[256];
    snprintf(want, sizeof want, "%llu|inet|tcp|LISTEN|127.0.0.1|%d|0.0.0.0|0|%llu\n", nsFx.netns,
             nsFx.port, nsFx.ino);
    const char *cols = "netns, family, protocol, state, local_addr, local_port, remote_addr,"
                       " remote_port, inode";
    char *got = testQueryRows(db, "SELECT %s FROM sockets WHERE inode = %llu", cols, nsFx.ino);
    assert_string_equal(got, want);
    free(got);
    got = testQueryRows(db, "SELECT %s FROM sockets WHERE netns = %llu AND protocol = 'tcp'", cols,
                        nsFx.netns);
    assert_string_equal(got, want);
    free(got);
    got = testQueryRows(db, "SELECT %s FROM sockets WHERE +inode = %llu", cols, nsFx.ino);
    assert_string_equal(got, want);
    free(got);

    /* A socket bound to a device names it as its own namespace knows it. */
    got = testQueryRows(db, "SELECT netns, interface FROM sockets WHERE inode = %llu", nsFx.devIno);
    snprintf(want, sizeof want, "%llu|" NS_LO "\n", nsFx.netns);
    assert_string_equal(got, want);
    free(got);
    got = testQueryRows(db, "SELECT interface FROM sockets WHERE netns = %llu AND protocol = 'udp'",
                        nsFx.netns);
    assert_string_equal(got, NS_LO "\n");
    free(got);

    /* The join with processes on netns: the child, and only processes of that namespace. */
    got = testQueryRows(db,
                        "SELECT p.pid, s.local_addr, s.local_port FROM sockets s "
                        "JOIN processes p USING(netns) WHERE s.state = 'LISTEN' "
                        "AND s.local_port = %d AND s.netns = %llu",
                        nsFx.port, nsFx.netns);
    snprintf(want, sizeof want, "%d|127.0.0.1|%d\n", nsFxChild.pid, nsFx.port);
    assert_string_equal(got, want);
    free(got);
    /* Its loopback is its own: the host's namespace has no such listener. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM sockets WHERE netns = %llu AND "
                                  "local_port = %d AND state = 'LISTEN'",
                                  sockFx.netns, nsFx.port),
                     0);
}

/* A namespace that no process is in, only a file under /run/netns (ip netns add). */
static void run_netns_namespace(void **state)
{
    char name[64], path[128];
    snprintf(name, sizeof name, "sqlsof-test-%d", getpid());
    snprintf(path, sizeof path, "/run/netns/%s", name);
    struct command_result r;
    char *add[] = {"ip", "netns", "add", name, NULL};
    testCommand(add, &r);
    assert_int_equal(r.status, 0);
    testCommandFree(&r);
    unsigned long long ino = nsOf(path);
    assert_true(ino != 0);

    sqlite3 *db = *state;
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM processes WHERE netns = %llu", ino), 0);
    /* Every namespace has the kernel's own netlink sockets (rtnl, genl, ...). */
    long long pushed = testQueryInt(
        db, "SELECT count(*) FROM sockets WHERE netns = %llu AND protocol = 'route'", ino);
    long long scanned = testQueryInt(
        db, "SELECT count(*) FROM sockets WHERE +netns = %llu AND +protocol = 'route'", ino);
    assert_true(pushed >= 1);
    assert_int_equal(pushed, scanned);

    char *del[] = {"ip", "netns", "delete", name, NULL};
    testCommand(del, &r);
    assert_int_equal(r.status, 0);
    testCommandFree(&r);
}
/*
** One dump request (sendmsg) per family/protocol the filter needs and the namespace has
** sockets of, in the namespaces it needs;
** another namespace costs one setns (in the helper thread), the caller's none. `netns = own`
** looks at no process's namespace link.
*/
static void dumps_sent(void **state)
{
    (void)state;
    struct syscall_counts base, tcp, unixOnly, other, all, listening;
    testSyscalls("SELECT 1", &base);
    testSyscallsf(&tcp, "SELECT count(*) FROM sockets WHERE netns = %llu AND protocol = 'tcp'",
                  sockFx.netns);
    testSyscallsf(&unixOnly,
                  "SELECT count(*) FROM sockets WHERE netns = %llu AND family = 'unix' "
                  "AND state = 'LISTEN'",
                  sockFx.netns);
    testSyscallsf(&other,
                  "SELECT count(*) FROM sockets WHERE netns = %llu AND "
                  "family IN ('inet', 'inet6') AND local_port = %d",
                  nsFx.netns, nsFx.port);
    struct syscall_counts diagOnly;
    testSyscallsf(&diagOnly, "SELECT count(recv_q) FROM sockets WHERE netns = %llu", nsFx.netns);
    testSyscallsf(&all, "SELECT count(*) FROM sockets WHERE netns = %llu", nsFx.netns);
    testSyscallsf(&listening,
                  "SELECT count(recv_q) FROM sockets WHERE netns = %llu AND state = 'LISTEN' AND "
                  "family IN ('inet', 'inet6')",
                  nsFx.netns);

    assert_int_equal(tcp.sendmsg - base.sendmsg, 1); /* inet and inet6 in one */
    assert_int_equal(tcp.setns, 0);
    assert_true(tcp.newfstatat - base.newfstatat <= 2);
    assert_int_equal(unixOnly.sendmsg - base.sendmsg, 1);
    /* N holds a TCP listener and a bound UDP socket: TCP (both families in one dump) and
     * inet UDP are asked; its counts show no UDPv6, UDP-Lite, raw, SCTP or MPTCP socket. */
    assert_int_equal(other.sendmsg - base.sendmsg, 2);
    assert_int_equal(other.setns, 1);
    assert_int_equal(diagOnly.sendmsg - base.sendmsg, 2 + 3); /* and unix, netlink, packet */
    assert_true(diagOnly.recvmsg - base.recvmsg >= 5);
    /* Without a column only sock_diag gives, N's one process holds all its TCP and UDP
     * sockets, which the dump just made gave their cookies: those two dumps are not sent. */
    assert_int_equal(all.sendmsg - base.sendmsg, 3);
    /* No UDP socket can listen: TCP alone (recv_q: from the dump, not the held sockets). */
    assert_int_equal(listening.sendmsg - base.sendmsg, 1);
}

/* ---- Namespace hygiene ---- */

static int countFds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

static int tasksInNamespace(unsigned long long want)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int bad = 0, n = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/self/task/%s/ns/net", e->d_name);
        if (nsOf(path) != want) bad++;
        n++;
    }
    closedir(d);
    return bad ? -bad : n;
}

static void *idle(void *arg)
{
    (void)arg;
    pause();
    return NULL;
}

static void namespace_hygiene(void **state)
{
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, idle, NULL), 0);
    unsigned long long own = nsOf("/proc/self/ns/net");
    sqlite3 *db = *state;
    assert_int_equal(tasksInNamespace(own), 2);
    /* Visit every namespace, by scan and by inode map, with errors in between. */
    assert_true(testQueryInt(db, "SELECT count(DISTINCT netns) FROM sockets") >= 2);
    /* Counted after the first scan: the connection keeps the BPF programs it loaded (a small
     * namespace's sockets are read from its processes' descriptors), as the fds table does. */
    int fds = countFds();
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM sockets WHERE inode = %llu", nsFx.ino),
                     1);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM sockets WHERE netns = %llu AND "
                                  "protocol = 'tcp'",
                                  nsFx.netns),
                     1);
    /* A statement that fails on its first row, inside the other namespace's scan. */
    char *err = testQueryError(db,
                               "SELECT * FROM sockets WHERE netns = %llu AND "
                               "abs(cookie * 0 - 9223372036854775807 - 1)",
                               nsFx.netns);
    assert_non_null(err);
    assert_non_null(strstr(err, "integer overflow"));
    free(err);
    /* Two cursors on the table at once, one of them stopped half-way. */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT a.inode FROM sockets a, sockets b "
                                        "WHERE b.inode = a.inode",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_true(countFds() > fds); /* the scan's sock_diag socket */
    sqlite3_finalize(st);
    assert_int_equal(countFds(), fds);
    assert_int_equal(tasksInNamespace(own), 2);
    pthread_cancel(t);
    pthread_join(t, NULL);
}

/* A user without privilege sees its own namespace and no error. */
static void unprivileged(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
        sqlite3 *db = testOpenDb();
        sqlite3_stmt *st;
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT count(*) FROM sockets WHERE netns = %llu),"
                 " (SELECT count(*) FROM sockets WHERE inode = %llu)",
                 nsFx.netns, sockFx.listenIno);
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) _exit(3);
        if (sqlite3_step(st) != SQLITE_ROW) _exit(4);
        /* Its namespace is not ours to enter; the host's listener is still listed. */
        int ok = sqlite3_column_int(st, 0) == 0 && sqlite3_column_int(st, 1) == 1;
        sqlite3_finalize(st);
        sqlite3_close(db);
        _exit(ok ? 0 : 5);
    }
    fixtureWaitOk(pid);
}

TEST_MAIN("sockets_netns", sockFixturesStart, sockFixturesStop,
          {
              TEST_WITH_DB(namespaced_listener),
              TEST_WITH_DB(run_netns_namespace),
              cmocka_unit_test(dumps_sent),
              TEST_WITH_DB(namespace_hygiene),
              cmocka_unit_test(unprivileged),
          })
