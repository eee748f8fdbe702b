/* The BPF source tests' children and the both-sources comparison (fds_bpf_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/netlink.h>

#include "fds_bpf_fixture.h"
#include "fds_fixture.h"
#include "testdb.h"

static int openOrFail(const char *path, int flags)
{
    int fd = open(path, flags);
    if (fd < 0) fprintf(stderr, "open %s: %m\n", path);
    return fd;
}

static pthread_mutex_t ownLock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ownReady = PTHREAD_COND_INITIALIZER;
static struct held *ownHeld;

/* A thread that unshares its fd table and opens a file there: /proc/PID/fd does not show it. */
static void *ownTable(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ownLock);
    if (unshare(CLONE_FILES) == 0) {
        ownHeld->own = open("/etc/hostname", O_RDONLY);
        ownHeld->ownTid = gettid();
    } else {
        ownHeld->own = -1;
        ownHeld->ownTid = -1;
    }
    pthread_cond_signal(&ownReady);
    pthread_mutex_unlock(&ownLock);
    for (;;) pause();
    return NULL;
}

/* The first child: every kind of fd, in its own mount namespace too. */
static int openKinds(void *arg)
{
    (void)arg;
    struct held h = {0};
    char path[128];
    int p[2], sp[2];
    snprintf(path, sizeof path, "%s/file", bpfDir);
    int f = openOrFail(path, O_RDWR | O_CREAT | O_TRUNC);
    if (f < 0 || write(f, "hello", 5) != 5) return -1;
    struct stat st;
    if (fstat(f, &st) != 0) return -1;
    h.fileIno = st.st_ino;
    snprintf(path, sizeof path, "%s/gone", bpfDir);
    int g = openOrFail(path, O_RDWR | O_CREAT | O_CLOEXEC);
    if (g < 0 || unlink(path) != 0) return -1;
    snprintf(path, sizeof path, "%s/x (deleted)", bpfDir);
    if (openOrFail(path, O_RDONLY | O_CREAT) < 0) return -1;
    snprintf(path, sizeof path, "%s/locked", bpfDir);
    int l = openOrFail(path, O_RDWR | O_CREAT);
    if (l < 0 || testLockRange(l, F_WRLCK, 0, 0) != 0) return -1;
    if (openOrFail(bpfDir, O_RDONLY | O_DIRECTORY) < 0 || openOrFail("/dev/null", O_WRONLY) < 0 ||
        openOrFail("/proc/self", O_RDONLY | O_DIRECTORY) < 0 ||
        openOrFail("/proc/self/fd", O_RDONLY | O_DIRECTORY) < 0 ||
        openOrFail("/proc/self/status", O_RDONLY) < 0 ||
        openOrFail("/sys/kernel", O_RDONLY | O_DIRECTORY) < 0 ||
        openOrFail("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY) < 0 ||
        openOrFail("/proc/self/ns/net", O_RDONLY) < 0 || openOrFail("/", O_PATH) < 0)
        return -1;
    if (pipe(p) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0) return -1;
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sp) != 0 || socket(AF_INET6, SOCK_DGRAM, 0) < 0 ||
        socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) < 0 ||
        socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL)) < 0 ||
        socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) < 0)
        return -1;
    /* An IPv6 socket that became IPv4: its proto is TCP now, its name still TCPv6. */
    int v6 = socket(AF_INET6, SOCK_STREAM, 0);
    int v4 = AF_INET;
    if (v6 < 0 || setsockopt(v6, IPPROTO_IPV6, IPV6_ADDRFORM, &v4, sizeof v4) == 0) {
        /* needs a connected socket: refused here, which leaves an ordinary TCPv6 socket */
    }
    h.tcp = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (h.tcp < 0 || bind(h.tcp, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(h.tcp, 1))
        return -1;
    if (fstat(h.tcp, &st) != 0) return -1;
    h.tcpIno = st.st_ino;
    int e = eventfd(0, EFD_CLOEXEC), ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN};
    sigset_t mask;
    sigemptyset(&mask);
    if (e < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) != 0 ||
        signalfd(-1, &mask, 0) < 0 || timerfd_create(CLOCK_MONOTONIC, 0) < 0 ||
        memfd_create("sqlsof-memfd", 0) < 0)
        return -1;
    if (lseek(f, 3, SEEK_SET) != 3) return -1;
    h.high = dup2(f, 12345);
    if (h.high != 12345 || dup2(p[0], 10000) != 10000) return -1;

    /* A mount of our own: tmpfs in a private mount namespace, a file open in it. */
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", bpfDir, "tmpfs", 0, NULL) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/in-ns", bpfDir);
    if (openOrFail(path, O_RDWR | O_CREAT) < 0) return -1;

    pthread_t t;
    ownHeld = &h;
    pthread_mutex_lock(&ownLock);
    if (pthread_create(&t, NULL, ownTable, NULL) != 0) return -1;
    pthread_cond_wait(&ownReady, &ownLock);
    pthread_mutex_unlock(&ownLock);
    if (h.own < 0) return -1;
    fixtureReport(&h, sizeof h);
    return 0;
}

/* The second child: sockets in a network namespace of its own. */
static int openInNetns(void *arg)
{
    (void)arg;
    if (unshare(CLONE_NEWNET) != 0) return -1;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(7)};
    if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(s, 1) != 0 ||
        socket(AF_INET6, SOCK_DGRAM, 0) < 0 || socket(AF_UNIX, SOCK_SEQPACKET, 0) < 0)
        return -1;
    return 0;
}

/* The third child: a thread that forks processes which open a few files and exit, without
 * end (a thread, so that nothing outlives the child). */
static void *churnLoop(void *arg)
{
    (void)arg;
    for (;;) {
        pid_t c = fork();
        if (c == 0) {
            for (int i = 0; i < 20; i++) open("/dev/null", O_RDONLY);
            usleep(200);
            _exit(0);
        }
        if (c > 0) waitpid(c, NULL, 0);
    }
    return NULL;
}

static int churn(void *arg)
{
    (void)arg;
    pthread_t t;
    return pthread_create(&t, NULL, churnLoop, NULL) == 0 ? 0 : -1;
}

struct fixture bpfKinds, bpfNetns;
static struct fixture churner;
const struct held *bpfHeld;
char bpfPids[64];
char bpfDir[64];

int bpfFixturesStart(void **state)
{
    (void)state;
    snprintf(bpfDir, sizeof bpfDir, "/tmp/sqlsof-bpf-XXXXXX");
    assert_non_null(mkdtemp(bpfDir));
    fixtureStart(&bpfKinds, openKinds, NULL);
    assert_int_equal(bpfKinds.reportLen, sizeof *bpfHeld);
    bpfHeld = (const struct held *)bpfKinds.report;
    fixtureStart(&bpfNetns, openInNetns, NULL);
    fixtureStart(&churner, churn, NULL);
    snprintf(bpfPids, sizeof bpfPids, "%d, %d", bpfKinds.pid, bpfNetns.pid);
    return 0;
}

int bpfFixturesStop(void **state)
{
    (void)state;
    fixtureStop(&churner);
    fixtureStop(&bpfNetns);
    fixtureStop(&bpfKinds);
    char path[128];
    static const char *const names[] = {"file", "x (deleted)", "locked"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", bpfDir, names[i]);
        unlink(path);
    }
    rmdir(bpfDir);
    return 0;
}

char *testSameOnBoth(sqlite3 *db, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    assert_non_null(sql);
    char *mode = testQueryText(db, "SELECT sqlsof_fds_source('bpf')");
    free(mode);
    char *viaBpf = testQueryRows(db, "%s", sql);
    char *source = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_string_equal(source, "bpf");
    free(source);
    free(testQueryText(db, "SELECT sqlsof_fds_source('proc')"));
    char *viaProc = testQueryRows(db, "%s", sql);
    source = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_string_equal(source, "proc");
    free(source);
    free(testQueryText(db, "SELECT sqlsof_fds_source('auto')"));
    if (strcmp(viaBpf, viaProc) != 0)
        fprintf(stderr, "%s\n-- bpf:\n%s-- proc:\n%s", sql, viaBpf, viaProc);
    assert_string_equal(viaBpf, viaProc);
    *n = 0;
    for (const char *c = viaBpf; *c; c++) *n += *c == '\n';
    free(viaProc);
    sqlite3_free(sql);
    return viaBpf;
}
