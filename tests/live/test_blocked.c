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
#include <unistd.h>

#include <cmocka.h>

#include "command.h"
#include "fixture.h"
#include "sockets.h"
#include "testdb.h"
#include "testmain.h"

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
    /* Nothing has come back: the reader is still blocked. */
    assert_int_equal(readerResult(0), -1);
}

TEST_MAIN("blocked", startFixtures, stopFixtures,
          {
              TEST_WITH_DB(blocked_reader_joined),
          })
