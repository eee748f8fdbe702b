/*
** The fds table's two sources give the same rows: every statement here runs once through the
** BPF iterator (sqlsof_fds_source('bpf'), which fails rather than fall back, so a kernel source
** that does not load as root fails the test) and once through /proc, on live children that
** hold one descriptor of every kind the table tells apart, plus the cases where a kernel walk
** could differ: unlinked files, another mount and network namespace, a thread with its own fd
** table, fds >= 10000, /proc and sysfs directories (whose getattr differs from the inode's),
** locks, and processes that exit while the walk runs.
*/
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

#include "fixture.h"
#include "testdb.h"

#ifdef SQLSOF_BPF
static char dir[64];

/* What a child reports: fds the checks name, by role. */
struct held {
    int high;    /* dup'ed to 12345 */
    int own;     /* opened by the thread with its own fd table, after unsharing it */
    int tcp;     /* a listening TCP socket */
    long ownTid; /* that thread */
    unsigned long long tcpIno, fileIno;
};

static int openOrFail(const char *path, int flags)
{
    int fd = open(path, flags);
    if (fd < 0) fprintf(stderr, "open %s: %m\n", path);
    return fd;
}

static int lockWhole(int fd, short type)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET};
    return fcntl(fd, F_SETLK, &fl);
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
    snprintf(path, sizeof path, "%s/file", dir);
    int f = openOrFail(path, O_RDWR | O_CREAT | O_TRUNC);
    if (f < 0 || write(f, "hello", 5) != 5) return -1;
    struct stat st;
    if (fstat(f, &st) != 0) return -1;
    h.fileIno = st.st_ino;
    snprintf(path, sizeof path, "%s/gone", dir);
    int g = openOrFail(path, O_RDWR | O_CREAT | O_CLOEXEC);
    if (g < 0 || unlink(path) != 0) return -1;
    snprintf(path, sizeof path, "%s/x (deleted)", dir);
    if (openOrFail(path, O_RDONLY | O_CREAT) < 0) return -1;
    snprintf(path, sizeof path, "%s/locked", dir);
    int l = openOrFail(path, O_RDWR | O_CREAT);
    if (l < 0 || lockWhole(l, F_WRLCK) != 0) return -1;
    if (openOrFail(dir, O_RDONLY | O_DIRECTORY) < 0 || openOrFail("/dev/null", O_WRONLY) < 0 ||
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
        mount("tmpfs", dir, "tmpfs", 0, NULL) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/in-ns", dir);
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

static struct fixture kinds, netns, churner;
static const struct held *held;
static char pids[64]; /* "a, b": the stable fixture processes */

static int startAll(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sqlsof-bpf-XXXXXX");
    assert_non_null(mkdtemp(dir));
    fixtureStart(&kinds, openKinds, NULL);
    assert_int_equal(kinds.reportLen, sizeof *held);
    held = (const struct held *)kinds.report;
    fixtureStart(&netns, openInNetns, NULL);
    fixtureStart(&churner, churn, NULL);
    snprintf(pids, sizeof pids, "%d, %d", kinds.pid, netns.pid);
    return 0;
}

static int stopAll(void **state)
{
    (void)state;
    fixtureStop(&churner);
    fixtureStop(&netns);
    fixtureStop(&kinds);
    char path[128];
    static const char *const names[] = {"file", "x (deleted)", "locked"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

/*
** Runs SQL (printf-formatted) through the BPF source, then through /proc, and fails unless both
** give the same rows and the first really came from the kernel. Returns the rows (malloc'd) and
** their count in *N.
*/
static char *sameOnBoth(sqlite3 *db, size_t *n, const char *fmt, ...)
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

/* Every column of every fd of both children, and each column alone (the lazy paths). */
static void every_column_same(void **state)
{
    (void)state;
    sqlite3 *db = testOpenDb();
    size_t n;
    char *rows = sameOnBoth(db, &n, "SELECT * FROM fds WHERE +pid IN (%s) ORDER BY pid, fd", pids);
    /* The kinds child holds 40 fds or so, the netns child a few: all of them, not a subset. */
    sqlite3_int64 want = testQueryInt(db, "SELECT count(*) FROM fds WHERE pid IN (%s)", pids);
    assert_true(want > 40);
    assert_int_equal(n, want);
    free(rows);
    static const char *const cols[] = {"type",   "mode", "target", "path",  "deleted", "inode",
                                       "device", "size", "pos",    "flags", "mnt_id",  "lock"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
        free(sameOnBoth(db, &n, "SELECT pid, fd, %s FROM fds WHERE +pid IN (%s) ORDER BY pid, fd",
                        cols[i], pids));
        assert_int_equal(n, want);
    }
    free(sameOnBoth(db, &n, "SELECT pid, fd FROM fds WHERE +pid IN (%s) ORDER BY pid, fd", pids));
    assert_int_equal(n, want);
    sqlite3_close(db);
}

/* What a kernel walk could get wrong, asserted on values the child made. */
static void the_hard_cases(void **state)
{
    (void)state;
    sqlite3 *db = testOpenDb();
    free(testQueryText(db, "SELECT sqlsof_fds_source('bpf')"));
    int p = kinds.pid;
    /* fds >= 10000, with the position the original fd has. */
    assert_int_equal(testQueryInt(db, "SELECT pos FROM fds WHERE +pid = %d AND fd = 12345", p), 3);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND +fd = 10000"
                                  " AND type = 'FIFO'",
                                  p),
                     1);
    /* The thread's own table is not the process's: its fd is not listed (it reuses a number
     * the leader may have, so compare inodes: /etc/hostname is not open in the leader). */
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND path ="
                                  " '/etc/hostname'",
                                  p),
                     0);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE +pid = %ld", held->ownTid),
                     0);
    /* The unlinked file, the file named like one, the lock, the other mount namespace. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND deleted AND"
                                  " path = '%s/gone'",
                                  p, dir),
                     1);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND NOT deleted"
                                  " AND path = '%s/x (deleted)'",
                                  p, dir),
                     1);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND lock = 'W'"
                                  " AND path = '%s/locked'",
                                  p, dir),
                     1);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND path ="
                                  " '%s/in-ns'",
                                  p, dir),
                     1);
    /* Close-on-exec from the fd table: 02000000 in flags. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT flags & 0x80000 FROM fds WHERE +pid = %d AND"
                                  " path = '%s/gone'",
                                  p, dir),
                     0x80000);
    /* The socket types from the proto names, in the other network namespace too. */
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM fds WHERE +pid = %d AND type IN"
                                  " ('IPv4', 'IPv6', 'unix')",
                                  netns.pid),
                     3);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(DISTINCT type) FROM fds WHERE +pid = %d AND"
                                  " target LIKE 'socket:%%'",
                                  p),
                     5); /* unix IPv4/6 netlink pack */
    char *src = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_string_equal(src, "bpf");
    free(src);
    sqlite3_close(db);
}

/* The inode map (inode pushed without pid) built from one kernel pass answers as /proc does,
 * and so does the listening join through it. */
static void inode_map_same(void **state)
{
    (void)state;
    sqlite3 *db = testOpenDb();
    size_t n;
    free(sameOnBoth(db, &n,
                    "SELECT pid, fd, inode FROM fds WHERE inode IN (%llu, %llu)"
                    " AND +pid = %d ORDER BY fd",
                    held->tcpIno, held->fileIno, kinds.pid));
    assert_int_equal(n, 3); /* the socket, the file and its dup at 12345 */
    free(sameOnBoth(db, &n,
                    "SELECT f.pid, f.fd, s.local_port FROM sockets s JOIN fds f"
                    " USING(inode) WHERE s.state = 'LISTEN' AND +f.pid IN (%s)"
                    " ORDER BY f.pid, f.fd",
                    pids));
    assert_int_equal(n, 2); /* the loopback listener and the one in the other netns */
    /* Every fd of the children, found again by its inode through the map. */
    free(sameOnBoth(db, &n,
                    "SELECT a.pid, a.fd, b.pid, b.fd FROM fds a JOIN fds b"
                    " ON b.inode = a.inode AND +b.pid = a.pid AND +b.fd = a.fd"
                    " WHERE a.pid IN (%s) ORDER BY 1, 2",
                    pids));
    assert_true(n > 40);
    sqlite3_close(db);
}

/* Processes that come and go during the walk change nothing for the ones that stay. */
static void churn_mid_scan(void **state)
{
    (void)state;
    sqlite3 *db = testOpenDb();
    size_t n;
    for (int i = 0; i < 5; i++)
        free(sameOnBoth(db, &n, "SELECT * FROM fds WHERE +pid IN (%s) ORDER BY pid, fd", pids));
    /* And a whole-host walk with them succeeds on both sources. */
    free(testQueryText(db, "SELECT sqlsof_fds_source('bpf')"));
    assert_true(testQueryInt(db, "SELECT count(*) FROM fds WHERE target IS NOT NULL") > 40);
    free(testQueryText(db, "SELECT sqlsof_fds_source('proc')"));
    assert_true(testQueryInt(db, "SELECT count(*) FROM fds WHERE target IS NOT NULL") > 40);
    sqlite3_close(db);
}

/*
** A record that needs a read from /proc (fdinfo, for a locked file) of an fd that closed after
** the iterator wrote it: the row is skipped, as the /proc walk skips an fd that closed after its
** readlink, never returned with NULL columns. The test's own locked fd is closed after the
** walk has read this process's records.
*/
static void closed_after_record(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/closing", dir);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    assert_int_equal(dup2(fd, 777), 777);
    close(fd); /* before the lock: closing any fd of the file drops the process's locks on it */
    assert_int_equal(lockWhole(777, F_WRLCK), 0);
    sqlite3 *db = testOpenDb();
    free(testQueryText(db, "SELECT sqlsof_fds_source('bpf')"));
    sqlite3_stmt *stmt;
    char *sql = sqlite3_mprintf("SELECT fd, mode FROM fds WHERE +pid = %d", getpid());
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    close(777);
    int rc, rowsOf777 = 0;
    do {
        assert_true(sqlite3_column_type(stmt, 1) != SQLITE_NULL);
        rowsOf777 += sqlite3_column_int(stmt, 0) == 777;
    } while ((rc = sqlite3_step(stmt)) == SQLITE_ROW);
    assert_int_equal(rc, SQLITE_DONE);
    assert_int_equal(rowsOf777, 0);
    sqlite3_finalize(stmt);
    sqlite3_free(sql);
    sqlite3_close(db);
    unlink(path);
}

/* Which source runs: BPF for whole-host walks in 'auto', /proc for lookups and when forced. */
static void source_choice(void **state)
{
    (void)state;
    sqlite3 *db = testOpenDb();
    char *s = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_null(s); /* no scan yet */
    testQueryInt(db, "SELECT count(*) FROM fds");
    s = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_string_equal(s, "bpf");
    free(s);
    testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d", kinds.pid);
    s = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_string_equal(s, "proc");
    free(s);
    s = testQueryError(db, "SELECT sqlsof_fds_source('kernel')");
    assert_string_equal(s, "sqlsof_fds_source: 'kernel' is not a mode: 'auto', 'proc', 'bpf'");
    free(s);
    s = testQueryText(db, "SELECT sqlsof_fds_source('proc')");
    assert_string_equal(s, "{\"mode\":\"proc\",\"last\":\"proc\"}");
    free(s);
    sqlite3_close(db);
    /* The environment sets a new connection's mode; it is read once, when the state is made. */
    setenv("SQLSOF_FDS_SOURCE", "proc", 1);
    db = testOpenDb();
    unsetenv("SQLSOF_FDS_SOURCE");
    testQueryInt(db, "SELECT count(*) FROM fds");
    s = testQueryText(db, "SELECT sqlsof_fds_source()");
    assert_string_equal(s, "{\"mode\":\"proc\",\"last\":\"proc\"}");
    free(s);
    sqlite3_close(db);
}

#else
/* Built with BPF=0: the kernel source says why it is missing, and /proc answers. */
static void built_without_bpf(void **state)
{
    (void)state;
    sqlite3 *db = testOpenDb();
    free(testQueryText(db, "SELECT sqlsof_fds_source('bpf')"));
    char *err = testQueryError(db, "SELECT count(*) FROM fds");
    assert_string_equal(err, "fds: built without BPF (make BPF=0)");
    free(err);
    free(testQueryText(db, "SELECT sqlsof_fds_source('auto')"));
    assert_true(testQueryInt(db, "SELECT count(*) FROM fds") > 0);
    char *s = testQueryText(db, "SELECT sqlsof_fds_source() ->> '$.last'");
    assert_string_equal(s, "proc");
    free(s);
    sqlite3_close(db);
}
#endif

int main(void)
{
#ifdef SQLSOF_BPF
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_column_same), cmocka_unit_test(the_hard_cases),
        cmocka_unit_test(inode_map_same),    cmocka_unit_test(churn_mid_scan),
        cmocka_unit_test(source_choice),     cmocka_unit_test(closed_after_record),
    };
    return cmocka_run_group_tests(tests, startAll, stopAll);
#else
    const struct CMUnitTest tests[] = {cmocka_unit_test(built_without_bpf)};
    return cmocka_run_group_tests(tests, NULL, NULL);
#endif
}
