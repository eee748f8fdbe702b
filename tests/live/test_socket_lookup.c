/*
** Sockets found through their holder (sock_lookup.c) against the reference, the whole-host map
** of dumps (sqlsof_socket_source('dumps')), on the same live fixtures: every family and state
** a process can hold, a SO_REUSEPORT group (whose exact lookup may name a sibling), sockets in
** another namespace, sockets whose holder sits in another namespace than they do, sockets
** closed or replaced between the fd walk and the lookup, and all of it as nobody — with and
** without ptrace access to the holder. Each comparison is limited to the fixtures' own rows.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <unistd.h>

#include <cmocka.h>

#include "command.h"
#include "fixture.h"
#include "holders.h"
#include "sockets.h"
#include "strace.h"
#include "testdb.h"
#include "testmain.h"

static struct fixture holderChild, nsChild, nobodyChild;
static struct holder H, N, B;

static int startFixtures(void **state)
{
    (void)state;
    static enum holderKind host = HOLDER_HOST, away = HOLDER_NAMESPACED, nobody = HOLDER_NOBODY;
    fixtureStartReport(&holderChild, makeHolder, &host, &H, sizeof H);
    fixtureStartReport(&nsChild, makeHolder, &away, &N, sizeof N);
    fixtureStartReport(&nobodyChild, makeHolder, &nobody, &B, sizeof B);
    return 0;
}

static int stopFixtures(void **state)
{
    (void)state;
    fixtureStop(&holderChild);
    fixtureStop(&nsChild);
    fixtureStop(&nobodyChild);
    holderCleanup(holderChild.pid);
    holderCleanup(nobodyChild.pid);
    return 0;
}

/* The columns a duplicate alone answers for unix stream sockets (no uid, queues, peer). */
static const char directCols[] = "f.fd, s.netns, s.family, s.protocol, s.state, s.inode, s.cookie,"
                                 " s.path, s.local_port";

/* The columns compared: everything but the TCP timers and tcp_info, which move by themselves. */
static const char cols[] =
    "f.fd, s.netns, s.family, s.protocol, s.state, s.local_addr, s.local_port, s.remote_addr,"
    " s.remote_port, s.inode, s.uid, s.recv_q, s.send_q, s.interface, s.cookie, s.path,"
    " s.peer_inode";

static const char socketTypes[] = "('IPv4', 'IPv6', 'unix', 'netlink', 'pack', 'sock')";

/* The sockets of PID's socket fds (FD: only that one, -1: all), on a fresh connection that
 * uses SOURCE; *COUNTS gets sqlsof_socket_source() afterwards. */
static char *holderRowsOf(const char *columns, const char *source, int pid, int fd, char **counts)
{
    sqlite3 *db = testOpenDb();
    free(testQueryText(db, "SELECT sqlsof_socket_source('%s')", source));
    char where[64] = "";
    if (fd >= 0) snprintf(where, sizeof where, " AND f.fd = %d", fd);
    char *rows = testQueryRows(db,
                               "SELECT %s FROM fds f JOIN sockets s USING(inode) WHERE "
                               "f.pid = %d%s AND f.type IN %s ORDER BY f.fd",
                               columns, pid, where, socketTypes);
    *counts = testQueryText(db, "SELECT sqlsof_socket_source()");
    sqlite3_close(db);
    return rows;
}

static char *holderRows(const char *source, int pid, int fd, char **counts)
{
    return holderRowsOf(cols, source, pid, fd, counts);
}

/* Whether this kernel (or the emulator running the test) has pidfd_open. */
static int havePidfd(void)
{
    int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (fd < 0) return 0;
    close(fd);
    return 1;
}

static int countLines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* Every socket fd of the holder: the same rows as the dumps, no dump of the host made. */
static void compareHolder(int pid, int wantRows)
{
    char *refCounts, *counts;
    char *want = holderRows("dumps", pid, -1, &refCounts);
    char *got = holderRows("auto", pid, -1, &counts);
    assert_string_equal(got, want);
    assert_in_range(countLines(got), wantRows, wantRows + 1);
    assert_non_null(strstr(refCounts, "\"maps\":1"));
    assert_non_null(strstr(counts, "\"maps\":0"));
    assert_non_null(strstr(counts, "\"direct\":0,")); /* peer_inode and uid were asked */
    free(want), free(got), free(refCounts), free(counts);

    /* Without the columns only sock_diag knows, unix stream sockets come from duplicates. */
    want = holderRowsOf(directCols, "dumps", pid, -1, &refCounts);
    got = holderRowsOf(directCols, "auto", pid, -1, &counts);
    assert_string_equal(got, want);
    assert_in_range(countLines(got), wantRows, wantRows + 1);
    if (havePidfd()) assert_null(strstr(counts, "\"direct\":0,"));
    free(want), free(got), free(refCounts), free(counts);
}

/*
** Rows the dumps list: the holder's sockets less the unbound TCP and netlink sockets (in no
** dump either way), and the raw socket where raw_diag is not loaded.
*/
static void host_holder(void **state)
{
    compareHolder(holderChild.pid, H.nsockets - 3);
    /* The listeners of the SO_REUSEPORT group, and the socket in the other namespace. */
    sqlite3 *db = *state;
    for (int i = 0; i < 2; i++)
        assert_int_equal(testQueryInt(db,
                                      "SELECT s.local_port FROM fds f JOIN sockets s USING(inode)"
                                      " WHERE f.pid = %d AND s.inode = %llu AND s.state = 'LISTEN'",
                                      holderChild.pid, H.listenIno[i]),
                         H.reusePort);
    assert_int_equal(testQueryInt(db,
                                  "SELECT s.netns FROM fds f JOIN sockets s USING(inode)"
                                  " WHERE f.pid = %d AND f.type = 'IPv4' AND s.local_port = %d",
                                  holderChild.pid, H.nsPort),
                     (sqlite3_int64)H.otherNetns);
    /* Both holder paths ran: exact requests, and dumps of one protocol (the group). Where
     * pidfds are missing (valgrind 3.19 does not know the syscalls) only the dumps can. */
    free(testQueryRows(db,
                       "SELECT %s FROM fds f JOIN sockets s USING(inode) WHERE f.pid = %d "
                       "AND f.type IN %s",
                       cols, holderChild.pid, socketTypes));
    char *counts = testQueryText(db, "SELECT sqlsof_socket_source()");
    if (havePidfd())
        assert_null(strstr(counts, "\"exact\":0,"));
    else
        assert_non_null(strstr(counts, "\"exact\":0,"));
    assert_null(strstr(counts, "\"restricted\":0,"));
    free(counts);
}

static void namespaced_holder(void **state)
{
    (void)state;
    compareHolder(nsChild.pid, N.nsockets - 3);
}

/* One fd at a time, as `lsof -d FD -a -p PID` asks: each the same as the dumps say. */
static void point_lookups(void **state)
{
    (void)state;
    int pids[] = {holderChild.pid, nsChild.pid};
    for (int k = 0; k < 2; k++) {
        sqlite3 *db = testOpenDb();
        char *list = testQueryRows(db, "SELECT fd FROM fds WHERE pid = %d AND type IN %s", pids[k],
                                   socketTypes);
        sqlite3_close(db);
        int n = 0;
        for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n"), n++) {
            char *refCounts, *counts;
            char *want = holderRows("dumps", pids[k], atoi(line), &refCounts);
            char *got = holderRows("auto", pids[k], atoi(line), &counts);
            assert_string_equal(got, want);
            assert_non_null(strstr(counts, "\"maps\":0"));
            free(want), free(got), free(refCounts), free(counts);
        }
        assert_true(n >= 20);
        free(list);
    }
}

/*
** A socket closed after the fd walk noted its holder, and a socket whose fd number was given
** to another socket since: the holder cannot answer, the map does, and both say what the dumps
** say (nothing for the closed one, the new socket for its own inode).
*/
static void stale_holders(void **state)
{
    int port;
    int fd = tcpListen(2, &port);
    assert_true(fd >= 0);
    unsigned long long ino = inodeOf(fd);
    sqlite3 *db = *state;
    assert_int_equal(
        testQueryInt(db, "SELECT inode FROM fds WHERE pid = %d AND fd = %d", getpid(), fd),
        (sqlite3_int64)ino);
    close(fd);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM sockets WHERE inode = %llu", ino), 0);
    char *counts = testQueryText(db, "SELECT sqlsof_socket_source()");
    assert_non_null(strstr(counts, "\"maps\":1"));
    assert_non_null(strstr(counts, "\"last\":\"map\""));
    free(counts);

    /* Noted again, then the fd number reused by another socket. */
    int again = tcpListen(2, &port);
    assert_int_equal(again, fd);
    unsigned long long ino2 = inodeOf(again);
    assert_int_equal(
        testQueryInt(db, "SELECT inode FROM fds WHERE pid = %d AND fd = %d", getpid(), again),
        (sqlite3_int64)ino2);
    close(again);
    int third = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(third, fd);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM sockets WHERE inode = %llu", ino2), 0);
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) FROM sockets WHERE inode = %llu", inodeOf(third)),
        testQueryInt(db, "SELECT count(*) FROM sockets WHERE +inode = %llu", inodeOf(third)));
    close(third);
}

/* Inode 0 (TIME_WAIT, request sockets): no holder; the map answers it as the scan does. */
static void inode_zero(void **state)
{
    sqlite3 *db = *state;
    const char *q = "SELECT state, local_port, remote_port FROM sockets WHERE %s = 0 AND "
                    "(local_port = %d OR remote_port = %d) AND protocol = 'tcp' ORDER BY 1, 2, 3";
    char *want = testQueryRows(db, q, "+inode", H.twPort, H.twPort);
    char *got = testQueryRows(db, q, "inode", H.twPort, H.twPort);
    assert_string_equal(got, want);
    char line[64];
    snprintf(line, sizeof line, "TIME_WAIT|%d|%d\n", H.twPort, H.reusePort);
    assert_non_null(strstr(got, line));
    free(want);
    free(got);
}

/*
** As nobody: with ptrace access to the (nobody-owned, dumpable) holder, through duplicates but
** without SIOCGSKNS (no CAP_NET_ADMIN); with a real uid that may not ptrace it (but an
** effective one that may read its fds), from the fd's sockprotoname and the holder's namespace.
*/
static int nobodyCompare(uid_t ruid)
{
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(ruid, 65534, 65534) != 0) return 2;
    int ok = 1;
    char *refCounts, *counts;
    char *want = holderRows("dumps", nobodyChild.pid, -1, &refCounts);
    char *got = holderRows("auto", nobodyChild.pid, -1, &counts);
    if (strcmp(want, got) != 0)
        ok = 0, fprintf(stderr, "nobody: %s\n--- vs dumps ---\n%s", got, want);
    if (countLines(got) < B.nsockets - 3)
        ok = 0, fprintf(stderr, "nobody: %d rows\n", countLines(got));
    if (!strstr(counts, "\"maps\":0") || !strstr(counts, "\"exact\":0,"))
        ok = 0, fprintf(stderr, "nobody: %s\n", counts);
    free(want), free(got), free(refCounts), free(counts);
    return ok ? 0 : 3;
}

static void as_nobody(void **state)
{
    (void)state;
    uid_t ruids[] = {65534, 1000};
    for (int i = 0; i < 2; i++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) _exit(nobodyCompare(ruids[i]));
        fixtureWaitOk(pid);
    }
}

/*
** lsof mode, per process: the process's fds drive the query (lsof_fds, not lsof_sockets), and
** no namespace but the sockets' own is entered or dumped.
*/
static void lsof_mode_per_process(void **state)
{
    (void)state;
    char pid[16];
    snprintf(pid, sizeof pid, "%d", nsChild.pid);
    char *sql[] = {testSqlsof(), "--sql", "-n", "-P", "-i", "-sTCP:LISTEN", "-a", "-p", pid, NULL};
    struct command_result r;
    testCommand(sql, &r);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "FROM lsof_fds"));
    testCommandFree(&r);

    char *argv[] = {testSqlsof(), "-n", "-P", "-i", "-sTCP:LISTEN", "-a", "-p", pid, NULL};
    testCommand(argv, &r);
    assert_int_equal(r.status, 0);
    char want[128];
    snprintf(want, sizeof want, "TCP 127.0.0.1:%d (LISTEN)", N.reusePort);
    assert_non_null(strstr(r.out, want));
    testCommandFree(&r);

    /* One setns (the helper thread entering the process's namespace); a request per socket. */
    struct syscall_counts c;
    testSyscallsOf(argv, &c);
    assert_int_equal(c.setns, 1);
    assert_in_range(c.sendmsg, 1, 2 * N.nsockets); /* an exact request, then maybe a dump */
    char hostPid[16];
    snprintf(hostPid, sizeof hostPid, "%d", nobodyChild.pid);
    char *host[] = {testSqlsof(), "-n", "-P", "-p", hostPid, NULL};
    testSyscallsOf(host, &c);
    assert_int_equal(c.setns, 0);
    assert_in_range(c.sendmsg, 1, 2 * B.nsockets);
}

/* local_port = P OR remote_port = P: one dump set for both branches, the rows of +col. */
static void port_on_either_end(void **state)
{
    char one[256], both[256];
    snprintf(one, sizeof one, "SELECT count(*) FROM sockets WHERE local_port = %d", H.reusePort);
    snprintf(both, sizeof both,
             "SELECT count(*) FROM sockets WHERE local_port = %d OR remote_port = %d", H.reusePort,
             H.reusePort);
    struct syscall_counts c1, c2;
    testSyscalls(one, &c1);
    testSyscalls(both, &c2);
    assert_true(c1.sendmsg > 0);
    assert_int_equal(c2.sendmsg, c1.sendmsg);

    sqlite3 *db = *state;
    const char *q = "SELECT s.inode, s.state, s.local_port, s.remote_port, f.pid, f.fd "
                    "FROM sockets s JOIN fds f USING(inode) WHERE %slocal_port = %d "
                    "OR %sremote_port = %d ORDER BY 1, 5, 6";
    char *want = testQueryRows(db, q, "+", H.reusePort, "+", H.reusePort);
    char *got = testQueryRows(db, q, "", H.reusePort, "", H.reusePort);
    assert_string_equal(got, want);
    assert_true(countLines(got) >= 4); /* two listeners, both ends of the connection */
    free(want);
    free(got);
}

TEST_MAIN("socket_lookup", startFixtures, stopFixtures,
          {
              TEST_WITH_DB(host_holder),
              cmocka_unit_test(namespaced_holder),
              cmocka_unit_test(point_lookups),
              TEST_WITH_DB(stale_holders),
              TEST_WITH_DB(inode_zero),
              cmocka_unit_test(as_nobody),
              cmocka_unit_test(lsof_mode_per_process),
              TEST_WITH_DB(port_on_either_end),
          })
