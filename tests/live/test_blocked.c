/*
** What a blocked thread waits on, and curing it, on live fixtures in a network namespace of
** their own: a silent server (accepts, never writes) and a client whose thread sits in recv()
** without a timeout. threads ⋈ fds ⋈ sockets names the call, the fd, the peer and how long the
** connection has been silent; DELETE FROM sockets closes it only when allowed.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include <cmocka.h>

#include "command.h"
#include "fixture.h"
#include "sockets.h"
#include "testdb.h"
#include "testmain.h"
#include "sqlsof.h"

#define CLIENT_NAME "sqlsof-blocked"
#define SERVER_NAME "sqlsof-silent"

/* The server's report: its port; the client's: the fd its reader blocks on, and the thread. */
struct server_report {
    int port;
};
struct client_report {
    int fd, tid, localPort;
    unsigned long long inode;
};

static struct fixture server, client;
static struct server_report S;
static struct client_report C;
static unsigned long long fixtureNetns;
/* The reader thread writes recv()'s errno here when recv returns. */
static int resultPipe[2];

/* The server, in a namespace of its own: listens on 127.0.0.1, accepts, never writes. */
static void *acceptForever(void *arg)
{
    int fd = *(int *)arg;
    for (;;) (void)accept(fd, NULL, NULL);
    return NULL;
}

static int startServer(void *arg)
{
    (void)arg;
    static int fd;
    pthread_t t;
    prctl(PR_SET_NAME, SERVER_NAME);
    if (unshare(CLONE_NEWNET) != 0 || loopbackUp() != 0) return 1;
    if ((fd = tcpListen(8, &S.port)) < 0) return 1;
    if (pthread_create(&t, NULL, acceptForever, &fd) != 0) return 1;
    fixtureReport(&S, sizeof S);
    return 0;
}

static volatile int readerTid;

static void *readBlocked(void *arg)
{
    int fd = *(int *)arg;
    char c;
    readerTid = (int)syscall(SYS_gettid);
    ssize_t n = recv(fd, &c, 1, 0); /* no timeout: blocked until the connection goes */
    int err = n < 0 ? errno : 0;
    (void)!write(resultPipe[1], &err, sizeof err);
    for (;;) pause();
    return NULL;
}

/* The client: enters the server's namespace, connects, and blocks a thread in recv(). */
static int startClient(void *arg)
{
    char path[64];
    static int fd;
    pthread_t t;
    snprintf(path, sizeof path, "/proc/%d/ns/net", *(int *)arg);
    int ns = open(path, O_RDONLY | O_CLOEXEC);
    prctl(PR_SET_NAME, CLIENT_NAME);
    if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) return 1;
    close(ns);
    if ((fd = tcpConnect(S.port)) < 0) return 1;
    if (pthread_create(&t, NULL, readBlocked, &fd) != 0) return 1;
    while (!readerTid) usleep(1000);
    C = (struct client_report){fd, readerTid, portOf(fd), inodeOf(fd)};
    fixtureReport(&C, sizeof C);
    return 0;
}

static int startFixtures(void **state)
{
    (void)state;
    if (pipe2(resultPipe, O_CLOEXEC) != 0) return -1;
    fixtureStartReport(&server, startServer, NULL, &S, sizeof S);
    fixtureStartReport(&client, startClient, &server.pid, &C, sizeof C);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/net", server.pid);
    fixtureNetns = nsOf(path);
    return fixtureNetns && fixtureNetns != nsOf("/proc/self/ns/net") ? 0 : -1;
}

static int stopFixtures(void **state)
{
    (void)state;
    fixtureStop(&client);
    fixtureStop(&server);
    close(resultPipe[0]);
    close(resultPipe[1]);
    return 0;
}

/* Waits (up to 2 s) until the reader sits in its system call. */
static void waitBlocked(sqlite3 *db)
{
    for (int i = 0; i < 2000; i++) {
        if (testQueryInt(db, "SELECT count(*) FROM threads WHERE tid = %d AND syscall_nr >= 0",
                         C.tid) == 1)
            return;
        usleep(1000);
    }
    fail_msg("the reader thread %d never blocked", C.tid);
}

/* The reader's errno once recv has returned, or -1 when it is still blocked after MS. */
static int readerResult(int ms)
{
    struct pollfd p = {.fd = resultPipe[0], .events = POLLIN};
    int err;
    if (poll(&p, 1, ms) != 1) return -1;
    assert_int_equal(read(resultPipe[0], &err, sizeof err), sizeof err);
    return err;
}

/* The join of the issue: the blocked thread's call and fd, the connection's peer and stall. */
#define BLOCKED_SQL                                                                                \
    "SELECT t.syscall, t.fd, s.netns, s.state, s.remote_addr, s.remote_port,"                      \
    " s.last_data_recv_ms >= 1000, s.last_data_recv_ms < 600000"                                   \
    " FROM threads t JOIN fds f ON f.pid = t.pid AND f.fd = t.fd"                                  \
    " JOIN sockets s ON s.inode = f.inode WHERE t.tid = %d"

static void blocked_reader_joined(void **state)
{
    sqlite3 *db = *state;
    waitBlocked(db);
    sleep(1); /* silent for a second at least: last_data_recv_ms counts it */
    usleep(100 * 1000);
#ifdef __NR_recvfrom
    const char *call = "recvfrom";
#else
    const char *call = "recv";
#endif
    char want[256];
    snprintf(want, sizeof want, "%s|%d|%llu|ESTABLISHED|127.0.0.1|%d|1|1\n", call, C.fd,
             fixtureNetns, S.port);
    char *got = testQueryRows(db, BLOCKED_SQL, C.tid);
    assert_string_equal(got, want);
    free(got);
    /* The same through the command. */
    char *sql = sqlite3_mprintf(BLOCKED_SQL, C.tid);
    got = testSqlsofCsv(sql, NULL);
    assert_non_null(strstr(got, "127.0.0.1"));
    free(got);
    sqlite3_free(sql);
    /* The recipes: the blocked thread with its fd, peer and stall; the stalled connection with
     * its blocked thread. */
    got = testRecipe("blocked-on.sql", NULL);
    snprintf(want, sizeof want,
             "\r\n%d,%d," CLIENT_NAME "," CLIENT_NAME ",%s,wait_woken,%d,IPv4,socket:[%llu],tcp,"
             "ESTABLISHED,127.0.0.1,%d,127.0.0.1,%d,",
             client.pid, C.tid, call, C.fd, C.inode, C.localPort, S.port);
    assert_non_null(strstr(got, want));
    free(got);
    got = testRecipe("stalled-connections.sql", "seconds=1", NULL);
    snprintf(want, sizeof want, "\r\n%llu,127.0.0.1,%d,127.0.0.1,%d,", fixtureNetns, C.localPort,
             S.port);
    char *row = strstr(got, want);
    assert_non_null(row);
    snprintf(want, sizeof want, ",%d," CLIENT_NAME ",%d,%d %s,,\r\n", client.pid, C.fd, C.tid,
             call);
    assert_non_null(strstr(row, want));
    free(got);
    /* Not yet stalled for a minute. */
    got = testRecipe("stalled-connections.sql", "seconds=60", NULL);
    snprintf(want, sizeof want, "\r\n%llu,127.0.0.1,%d,", fixtureNetns, C.localPort);
    assert_null(strstr(got, want));
    free(got);
    /* Nothing has come back: the reader is still blocked. */
    assert_int_equal(readerResult(0), -1);
}

/* The DELETE that closes the blocked client's connection, and nothing else. */
static char *deleteSql(void)
{
    return sqlite3_mprintf("DELETE FROM sockets WHERE netns = %llu AND inode = %llu", fixtureNetns,
                           C.inode);
}

/* Whether the client's connection is still listed, established. */
static int clientListed(sqlite3 *db)
{
    return (int)testQueryInt(db,
                             "SELECT count(*) FROM sockets WHERE netns = %llu AND inode = %llu "
                             "AND state = 'ESTABLISHED'",
                             fixtureNetns, C.inode);
}

/* Without --allow-kill: exit 1, one line naming the switch, nothing closed. */
static void delete_refused_without_allow_kill(void **state)
{
    sqlite3 *db = *state;
    char *sql = deleteSql();
    struct command_result r;
    testRunSqlsof(&r, sql, NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "--allow-kill"));
    assert_ptr_equal(strchr(r.err, '\n'), r.err + strlen(r.err) - 1); /* one line */
    testCommandFree(&r);
    /* In-process: refused the same, and SQL text cannot work the switch. */
    char *err = testQueryError(db, "%s", sql);
    assert_non_null(err);
    assert_non_null(strstr(err, "refused"));
    free(err);
    err = testQueryError(db, "SELECT sqlsof_kill_switch(1)");
    assert_non_null(err);
    free(err);
    err = testQueryError(db, "%s", sql);
    assert_non_null(strstr(err, "refused"));
    free(err);
    /* No view or trigger reaches the table. */
    err = testQueryError(db, "CREATE VIEW v AS SELECT * FROM sockets; SELECT * FROM v");
    assert_non_null(err);
    free(err);
    sqlite3_free(sql);
    assert_int_equal(readerResult(300), -1);
    assert_int_equal(clientListed(db), 1);
}

/* A DELETE that selects a unix socket too is refused whole, naming that row; nothing closed. */
static void delete_refuses_unix(void **state)
{
    sqlite3 *db = *state;
    int pair[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    assert_int_equal(sqlsof_allow_kill(db, 1), SQLITE_OK);
    char *err = testQueryError(db,
                               "DELETE FROM sockets WHERE (netns = %llu AND inode = %llu) OR "
                               "inode = %llu",
                               fixtureNetns, C.inode, inodeOf(pair[0]));
    assert_non_null(err);
    char want[128];
    snprintf(want, sizeof want, "cannot close unix stream socket inode %llu", inodeOf(pair[0]));
    assert_non_null(strstr(err, want));
    free(err);
    assert_int_equal(readerResult(300), -1);
    assert_int_equal(clientListed(db), 1);
    close(pair[0]);
    close(pair[1]);
}

/* Drops CAP_NET_ADMIN from this process's effective set. */
static int dropNetAdmin(void)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &h, data) != 0) return -1;
    data[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
    return (int)syscall(SYS_capset, &h, data);
}

/* Without CAP_NET_ADMIN: one line saying so, nothing closed (a child drops it, then tries). */
static void delete_without_net_admin(void **state)
{
    sqlite3 *db = *state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *child = NULL;
        char *sql = deleteSql(), *err = NULL;
        int ok = dropNetAdmin() == 0 && sqlite3_open(":memory:", &child) == SQLITE_OK &&
                 sqlsof_register(child) == SQLITE_OK && sqlsof_allow_kill(child, 1) == SQLITE_OK &&
                 sqlite3_exec(child, sql, NULL, NULL, &err) == SQLITE_ERROR && err &&
                 strstr(err, "needs CAP_NET_ADMIN") && !strchr(err, '\n') &&
                 sqlite3_changes(child) == 0;
        _exit(ok ? 0 : 1);
    }
    fixtureWaitOk(pid);
    assert_int_equal(readerResult(300), -1);
    assert_int_equal(clientListed(db), 1);
}

/* A UDP socket on 127.0.0.1:PORT (0: the kernel picks), or -1. */
static int udpBound(int port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = loopback(port);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0) return fd;
    if (fd >= 0) close(fd);
    return -1;
}

/*
** UDP: a socket bound to a port outside the ephemeral range keeps it, and its next recv() fails
** with ECONNABORTED; one the kernel gave a port to is refused (it would lose the port).
*/
static void delete_udp(void **state)
{
    sqlite3 *db = *state;
    assert_int_equal(sqlsof_allow_kill(db, 1), SQLITE_OK);
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    int low = 0, high = 0;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%d %d", &low, &high), 2);
    fclose(f);
    int fixed = -1, port = low - 1;
    for (; port > 1024 && fixed < 0; port--) fixed = udpBound(port);
    assert_true(fixed >= 0);
    port = portOf(fixed);
    int picked = udpBound(0);
    assert_true(picked >= 0);
    unsigned long long self = nsOf("/proc/self/ns/net");

    char *err = testQueryError(db, "DELETE FROM sockets WHERE netns = %llu AND inode = %llu", self,
                               inodeOf(picked));
    assert_non_null(err);
    assert_non_null(strstr(err, "ephemeral range"));
    free(err);
    /* A unix socket the WHERE leaves out (by a filter SQLite applies itself) is no refusal. */
    int pair[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    char *sql = sqlite3_mprintf("DELETE FROM sockets WHERE netns = %llu AND +family = 'inet' AND "
                                "inode IN (%llu, %llu)",
                                self, inodeOf(fixed), inodeOf(pair[0]));
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_changes(db), 1);
    close(pair[0]);
    close(pair[1]);
    sqlite3_free(sql);
    char c;
    assert_int_equal(recv(fixed, &c, 1, MSG_DONTWAIT), -1);
    assert_int_equal(errno, ECONNABORTED);
    assert_int_equal(portOf(fixed), port); /* the port stays the application's */
    assert_int_equal(
        testQueryInt(db, "SELECT local_port FROM sockets WHERE inode = %llu", inodeOf(fixed)),
        port);
    /* The refused one is untouched. */
    assert_int_equal(recv(picked, &c, 1, MSG_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    close(fixed);
    close(picked);
}

/* With --allow-kill: the connection is closed, once, and the blocked recv() fails at once. */
static void delete_unblocks_reader(void **state)
{
    sqlite3 *db = *state;
    char *sql = deleteSql();
    char *all = sqlite3_mprintf("%s; SELECT changes()", sql);
    struct command_result r;
    testRunSqlsof(&r, "--allow-kill", "--csv", all, NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "changes()\r\n1\r\n");
    testCommandFree(&r);
    assert_int_equal(readerResult(2000), ECONNABORTED);
    assert_int_equal(clientListed(db), 0);
    /* Again: nothing left to close. */
    testRunSqlsof(&r, "--allow-kill", "--csv", all, NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "changes()\r\n0\r\n");
    testCommandFree(&r);
    sqlite3_free(all);
    sqlite3_free(sql);
}

TEST_MAIN("blocked", startFixtures, stopFixtures,
          {
              TEST_WITH_DB(blocked_reader_joined),
              TEST_WITH_DB(delete_refused_without_allow_kill),
              TEST_WITH_DB(delete_refuses_unix),
              TEST_WITH_DB(delete_without_net_admin),
              TEST_WITH_DB(delete_udp),
              TEST_WITH_DB(delete_unblocks_reader),
          })
