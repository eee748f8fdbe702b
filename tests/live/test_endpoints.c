/*
** The endpoints view on two live processes: A makes a pipe, a named FIFO, a unix socketpair, a
** pty, an eventfd, a message queue and a loopback TCP connection, forks B, and each keeps one
** end of every one. Each end must name the other process's end as its peer, whichever side
** is asked, and a filter on pid must not change the answer.
*/
#include <arpa/inet.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "command.h"
#include "fd/bpf/endpoints_record.h"
#include "fixture.h"
#include "listing.h"
#include "shell.h"
#include "testdb.h"
#include "testmain.h"

enum { K_PIPE, K_FIFO, K_UNIX, K_PTY, K_EVENTFD, K_MQUEUE, K_TCP, K_COUNT };
static const char *const kinds[K_COUNT] = {"pipe",    "fifo",   "unix", "pty",
                                           "eventfd", "mqueue", "tcp"};

/* What A reports: B's pid, and each kind's fd in A and in B. */
struct pair {
    int pidB;
    int a[K_COUNT], b[K_COUNT];
    char fifo[64];
};

static struct fixture fx;
static struct pair pair;

/* Two network namespaces joined by a veth: A listens in the first, B connects from the other. */
struct netns_pair {
    char nsA[40], nsB[40];
    int pidB, fdA, fdB; /* A's accepted connection, B's client */
};
static struct netns_pair veth; /* the namespaces across_two_namespaces made */

/* In A: a listener on 127.0.0.1, its port in *PORT. */
static int listenLoopback(int *port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 1) ||
        getsockname(s, (struct sockaddr *)&a, &len))
        return -1;
    *port = ntohs(a.sin_port);
    return s;
}

/* B's side: closes A's ends, opens the FIFO's write end and connects, then waits. */
static void runB(struct pair *p, int ends[K_COUNT], int port, int listener)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_NAME, "sqlsof-endp-b");
    for (int k = 0; k < K_COUNT; k++)
        if (p->a[k] >= 0 && k != K_EVENTFD && k != K_MQUEUE) close(p->a[k]);
    close(listener);
    ends[K_FIFO] = open(p->fifo, O_WRONLY);
    ends[K_TCP] = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                             .sin_port = htons((uint16_t)port)};
    if (connect(ends[K_TCP], (struct sockaddr *)&to, sizeof to) != 0) _exit(1);
    for (;;) pause();
}

static int makePair(void *arg)
{
    struct pair *p = arg;
    prctl(PR_SET_NAME, "sqlsof-endp-a");
    int pp[2], u[2], port;
    snprintf(p->fifo, sizeof p->fifo, "/tmp/sqlsof-endp-%d", getpid());
    unlink(p->fifo);
    if (pipe(pp) || socketpair(AF_UNIX, SOCK_STREAM, 0, u) || mkfifo(p->fifo, 0600)) return -1;
    p->a[K_PIPE] = pp[0], p->b[K_PIPE] = pp[1];
    p->a[K_UNIX] = u[0], p->b[K_UNIX] = u[1];
    p->a[K_FIFO] = open(p->fifo, O_RDONLY | O_NONBLOCK);
    p->a[K_PTY] = posix_openpt(O_RDWR | O_NOCTTY);
    if (p->a[K_PTY] < 0 || grantpt(p->a[K_PTY]) || unlockpt(p->a[K_PTY])) return -1;
    p->b[K_PTY] = open(ptsname(p->a[K_PTY]), O_RDWR | O_NOCTTY);
    p->a[K_EVENTFD] = p->b[K_EVENTFD] = eventfd(0, 0); /* shared through fork */
    char mq[64];
    snprintf(mq, sizeof mq, "/sqlsof-endp-%d", getpid());
    struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = 8};
    p->a[K_MQUEUE] = p->b[K_MQUEUE] = mq_open(mq, O_CREAT | O_RDWR, 0600, &attr);
    mq_unlink(mq);
    int listener = listenLoopback(&port);
    if (listener < 0 || p->a[K_FIFO] < 0 || p->b[K_PTY] < 0 || p->a[K_MQUEUE] < 0) return -1;
    /* B's FIFO and TCP fds: the lowest free numbers once it has closed A's ends. */
    pid_t b = fork();
    if (b < 0) return -1;
    if (b == 0) runB(p, p->b, port, listener);
    p->pidB = b;
    p->a[K_TCP] = accept(listener, NULL, NULL);
    close(listener);
    close(p->b[K_PIPE]), close(p->b[K_UNIX]), close(p->b[K_PTY]);
    fixtureReport(p, sizeof *p);
    return p->a[K_TCP] < 0;
}

/* B's FIFO and TCP fd numbers: read from its fd directory, the ends B opened itself. */
static int fdOfB(const char *want)
{
    for (int fd = 0; fd < 64; fd++) {
        char path[64], link[256];
        snprintf(path, sizeof path, "/proc/%d/fd/%d", pair.pidB, fd);
        ssize_t n = readlink(path, link, sizeof link - 1);
        if (n <= 0) continue;
        link[n] = '\0';
        if (!strcmp(want, "fifo") && !strcmp(link, pair.fifo)) return fd;
        if (!strcmp(want, "tcp") && !strncmp(link, "socket:", 7) && fd != pair.b[K_UNIX]) return fd;
    }
    return -1;
}

static int setup(void **state)
{
    (void)state;
    fixtureStartReport(&fx, makePair, &pair, &pair, sizeof pair);
    for (int i = 0; i < 2000 && (pair.b[K_FIFO] = fdOfB("fifo")) < 0; i++) usleep(1000);
    for (int i = 0; i < 2000 && (pair.b[K_TCP] = fdOfB("tcp")) < 0; i++) usleep(1000);
    return pair.b[K_FIFO] < 0 || pair.b[K_TCP] < 0;
}

static int teardown(void **state)
{
    (void)state;
    kill(pair.pidB, SIGKILL);
    fixtureStop(&fx);
    unlink(pair.fifo);
    if (veth.nsA[0] && access("/run/netns", F_OK) == 0) {
        char cmd[160];
        snprintf(cmd, sizeof cmd, "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null",
                 veth.nsA, veth.nsB);
        if (system(cmd) < 0) return -1;
    }
    return 0;
}

/*
** The peers in A or B of every end of process PID ("fd,peer_pid,peer_fd,kind" lines, sorted):
** other peers (the harness's pipes, the sqlsof command itself) come and go between two runs.
*/
static char *peersOf(int pid, int unpushed)
{
    char param[32], a[32], b[32];
    snprintf(param, sizeof param, "pid=%d", pid);
    snprintf(a, sizeof a, "a=%d", fx.pid);
    snprintf(b, sizeof b, "b=%d", pair.pidB);
    return testSqlsofCsv(unpushed ? "SELECT fd, peer_pid, peer_fd, kind FROM endpoints WHERE "
                                    "+pid = :pid AND peer_pid IN (:a, :b) "
                                    "ORDER BY fd, peer_pid, peer_fd"
                                  : "SELECT fd, peer_pid, peer_fd, kind FROM endpoints WHERE "
                                    "pid = :pid AND peer_pid IN (:a, :b) "
                                    "ORDER BY fd, peer_pid, peer_fd",
                         param, a, b, NULL);
}

static void expectPeer(const char *rows, int fd, int peerPid, int peerFd, const char *kind)
{
    char line[96];
    snprintf(line, sizeof line, "\n%d,%d,%d,%s\r\n", fd, peerPid, peerFd, kind); /* CSV: CRLF */
    if (!strstr(rows, line))
        fail_msg("no %s peer %d:%d of fd %d in\n%s", kind, peerPid, peerFd, fd, rows);
}

static void each_end_names_the_other_process(void **state)
{
    (void)state;
    char *a = peersOf(fx.pid, 0), *b = peersOf(pair.pidB, 0);
    for (int k = 0; k < K_COUNT; k++) {
        expectPeer(a, pair.a[k], pair.pidB, pair.b[k], kinds[k]);
        expectPeer(b, pair.b[k], fx.pid, pair.a[k], kinds[k]);
    }
    free(a);
    free(b);
}

static void pushdown_keeps_the_answer(void **state)
{
    (void)state;
    char *x = peersOf(fx.pid, 0), *y = peersOf(fx.pid, 1);
    assert_string_equal(x, y);
    free(x);
    free(y);
    /* The whole host's endpoints include A's, exactly. */
    char param[32], a[32], b[32];
    snprintf(param, sizeof param, "pid=%d", fx.pid);
    snprintf(a, sizeof a, "a=%d", fx.pid);
    snprintf(b, sizeof b, "b=%d", pair.pidB);
    char *all = testSqlsofCsv("SELECT fd, peer_pid, peer_fd, kind FROM (SELECT * FROM endpoints "
                              "ORDER BY pid) WHERE pid = :pid AND peer_pid IN (:a, :b) "
                              "ORDER BY fd, peer_pid, peer_fd",
                              param, a, b, NULL);
    char *one = peersOf(fx.pid, 0);
    assert_string_equal(all, one);
    free(all);
    free(one);
}

/* A's peers in A or B from SQL (its rows named TABLE), or from the table under SOURCE. */
static char *peersFrom(const char *table, const char *source, const char *prefix)
{
    char param[32], a[32], b[32], *sql;
    snprintf(param, sizeof param, "pid=%d", fx.pid);
    snprintf(a, sizeof a, "a=%d", fx.pid);
    snprintf(b, sizeof b, "b=%d", pair.pidB);
    assert_true(asprintf(&sql,
                         "%s SELECT pid, fd, peer_pid, peer_fd, kind, peer_mode, object FROM %s "
                         "WHERE pid IN (:a, :b) AND peer_pid IN (:a, :b) "
                         "ORDER BY pid, fd, peer_pid, peer_fd",
                         prefix, table) > 0);
    if (source) setenv("SQLSOF_ENDPOINTS_SOURCE", source, 1);
    char *rows = testSqlsofCsv(sql, param, a, b, NULL);
    unsetenv("SQLSOF_ENDPOINTS_SOURCE");
    free(sql);
    return rows;
}

/* The file's text (malloc'd), read from the top of the tree. */
static char *readText(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *text = calloc(1, 65536);
    assert_non_null(text);
    size_t n = fread(text, 1, 65535, f);
    fclose(f);
    assert_true(n > 0);
    return text;
}

/* Two sources, one answer: BPF, /proc and sock_diag, and the SQL view the table replaced
 * (tests/live/endpoints_view.sql), on A's and B's ends of every kind. */
static void sources_and_the_old_view_agree(void **state)
{
    (void)state;
    char *view = readText("tests/live/endpoints_view.sql");
    char *bpf = peersFrom("endpoints", "bpf", ""), *proc = peersFrom("endpoints", "proc", "");
    char *old = peersFrom("endpoints_view", NULL, view);
    assert_string_equal(bpf, proc);
    assert_string_equal(bpf, old);
    assert_true(testCount(bpf, "\n") > 2 * K_COUNT);
    free(view), free(bpf), free(proc), free(old);
}

/* pid IN and fd pushed keep the answer; a statement asking process by process (lsof +E's
 * correlated subquery) answers each from one cursor. */
static void pushdown_of_pid_in_and_fd(void **state)
{
    sqlite3 *db = *state;
    char pushed[160], plain[160];
    snprintf(pushed, sizeof pushed, "pid IN (%d, %d) AND fd = %d AND peer_pid IN (%d, %d)", fx.pid,
             pair.pidB, pair.a[K_UNIX], fx.pid, pair.pidB);
    snprintf(plain, sizeof plain, "+pid IN (%d, %d) AND +fd = %d AND peer_pid IN (%d, %d)", fx.pid,
             pair.pidB, pair.a[K_UNIX], fx.pid, pair.pidB);
    assert_int_equal(testSamePushed(db, "endpoints", "pid, fd, peer_pid, peer_fd, kind, object",
                                    "pid, fd, peer_pid, peer_fd", pushed, plain),
                     1);
    snprintf(pushed, sizeof pushed, "pid = %d AND peer_pid = %d", pair.pidB, fx.pid);
    snprintf(plain, sizeof plain, "(pid = %d) IS TRUE AND peer_pid = %d", pair.pidB, fx.pid);
    assert_true(testSamePushed(db, "endpoints", "fd, peer_fd, kind, peer_mode, object",
                               "fd, peer_fd", pushed, plain) >= K_COUNT);
}

static void plans(void **state)
{
    sqlite3 *db = *state;
    const struct test_plan want[] = {
        {"SELECT * FROM endpoints WHERE pid = 1", "pid="},
        {"SELECT * FROM endpoints WHERE pid IN (1, 2)", "pid IN"},
        {"SELECT * FROM endpoints WHERE fd = 1", "fd="},
        {"SELECT * FROM endpoints WHERE pid = 1 AND fd = 1", "pid= fd="},
    };
    testExpectPlans(db, want, sizeof want / sizeof *want);
    testExpectUnpushed(db, "SELECT * FROM endpoints WHERE +pid = 1", "pid=");
}

static int enterNetns(const char *name)
{
    char path[80];
    snprintf(path, sizeof path, "/run/netns/%s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = fd < 0 ? -1 : setns(fd, CLONE_NEWNET);
    if (fd >= 0) close(fd);
    return rc;
}

static int connectAcross(void *arg)
{
    struct netns_pair *p = arg;
    prctl(PR_SET_NAME, "sqlsof-veth-a");
    if (enterNetns(p->nsA) != 0) return -1;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8442)};
    inet_pton(AF_INET, "10.213.7.1", &a.sin_addr);
    struct timeval wait = {.tv_sec = 10}; /* B could not connect: fail, not hang */
    if (l < 0 || setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait) ||
        bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1))
        return -1;
    pid_t b = fork();
    if (b == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        prctl(PR_SET_NAME, "sqlsof-veth-b");
        if (enterNetns(p->nsB) != 0) _exit(1);
        int c = socket(AF_INET, SOCK_STREAM, 0); /* a socket is of the namespace it is made in */
        if (connect(c, (struct sockaddr *)&a, sizeof a) != 0) {
            perror("sqlsof-veth-b: connect");
            _exit(1);
        }
        for (;;) pause();
    }
    p->pidB = b;
    p->fdA = accept(l, NULL, NULL);
    close(l);
    fixtureReport(p, sizeof *p);
    return b < 0 || p->fdA < 0;
}

static void across_two_namespaces(void **state)
{
    (void)state;
    struct netns_pair p = {0};
    snprintf(p.nsA, sizeof p.nsA, "sqlsof-ea-%d", getpid());
    snprintf(p.nsB, sizeof p.nsB, "sqlsof-eb-%d", getpid());
    veth = p; /* for teardown, should an assertion end the test early */
    free(testShellOk("ip netns add %s && ip netns add %s && "
                     "ip link add sqe%da netns %s type veth peer name sqe%db netns %s && "
                     "ip -n %s addr add 10.213.7.1/30 dev sqe%da && ip -n %s link set sqe%da up && "
                     "ip -n %s addr add 10.213.7.2/30 dev sqe%db && ip -n %s link set sqe%db up",
                     p.nsA, p.nsB, getpid(), p.nsA, getpid(), p.nsB, p.nsA, getpid(), p.nsA,
                     getpid(), p.nsB, getpid(), p.nsB, getpid()));
    struct fixture nfx;
    fixtureStartReport(&nfx, connectAcross, &p, &p, sizeof p);
    char want[96], param[32], peer[32];
    snprintf(param, sizeof param, "pid=%d", nfx.pid);
    snprintf(peer, sizeof peer, "b=%d", p.pidB);
    /* B's client: the socket of B's that is connected (its lowest socket fd). */
    char *rows = testSqlsofCsv("SELECT fd, peer_pid, kind FROM endpoints WHERE pid = :pid AND "
                               "peer_pid = :b",
                               param, peer, NULL);
    snprintf(want, sizeof want, "\n%d,%d,tcp\r\n", p.fdA, p.pidB);
    int found = strstr(rows, want) != NULL;
    free(rows);
    snprintf(param, sizeof param, "pid=%d", p.pidB);
    snprintf(peer, sizeof peer, "a=%d", nfx.pid);
    char *back = testSqlsofCsv("SELECT peer_fd, kind FROM endpoints WHERE pid = :pid AND "
                               "peer_pid = :a",
                               param, peer, NULL);
    snprintf(want, sizeof want, "\n%d,tcp\r\n", p.fdA);
    int foundBack = strstr(back, want) != NULL;
    free(back);
    kill(p.pidB, SIGKILL);
    fixtureStop(&nfx);
    free(testShellOk("ip netns del %s; ip netns del %s", p.nsA, p.nsB));
    assert_true(found);
    assert_true(foundBack);
}

/* A process of two threads (T) holding a pipe's write end, and its child (U) the read end. */
struct threaded {
    int pidU, fdT, fdU;
};

static int makeThreaded(void *arg)
{
    struct threaded *t = arg;
    int pp[2];
    prctl(PR_SET_NAME, "sqlsof-endp-t");
    if (pipe(pp)) return -1;
    pid_t u = fork();
    if (u < 0) return -1;
    if (u == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(pp[1]);
        for (;;) pause();
    }
    close(pp[0]);
    *t = (struct threaded){u, pp[1], pp[0]};
    fixtureStartThread(); /* a thread shares the fd table: not a holder of its own */
    fixtureReport(t, sizeof *t);
    return 0;
}

/* T's and U's rows among themselves, from SOURCE. */
static char *threadedRows(const struct fixture *tfx, const struct threaded *t, const char *source)
{
    char a[32], b[32];
    snprintf(a, sizeof a, "t=%d", tfx->pid);
    snprintf(b, sizeof b, "u=%d", t->pidU);
    setenv("SQLSOF_ENDPOINTS_SOURCE", source, 1);
    char *rows = testSqlsofCsv("SELECT pid, fd, peer_pid, peer_fd, kind FROM endpoints "
                               "WHERE pid IN (:t, :u) AND peer_pid IN (:t, :u) "
                               "ORDER BY pid, fd, peer_pid, peer_fd",
                               a, b, NULL);
    unsetenv("SQLSOF_ENDPOINTS_SOURCE");
    return rows;
}

/* Every thread of a process shares its fd table: the process holds each end once, whether it
 * is the one asked about (described) or the one found (matched), from either source. */
static void threads_hold_an_end_once(void **state)
{
    (void)state;
    struct fixture tfx;
    struct threaded t;
    fixtureStartReport(&tfx, makeThreaded, &t, &t, sizeof t);
    char *bpf = threadedRows(&tfx, &t, "bpf"), *proc = threadedRows(&tfx, &t, "proc");
    char want[2][96];
    snprintf(want[0], sizeof want[0], "%d,%d,%d,%d,pipe\r\n", tfx.pid, t.fdT, t.pidU, t.fdU);
    snprintf(want[1], sizeof want[1], "%d,%d,%d,%d,pipe\r\n", t.pidU, t.fdU, tfx.pid, t.fdT);
    kill(t.pidU, SIGKILL);
    fixtureStop(&tfx);
    assert_string_equal(bpf, proc);
    for (int i = 0; i < 2; i++) assert_int_equal(testCount(bpf, want[i]), 1);
    free(bpf), free(proc);
}

/* More pipes than epWanted holds keys, in two processes (the hard fd limit may be 20,000): a
 * question about both makes one pass, which asks for them in parts. */
#define MANY_PIPES (EP_WANTED_MAX / 2 + 100)

static int makeManyPipes(void *arg)
{
    (void)arg;
    struct rlimit rl;
    prctl(PR_SET_NAME, "sqlsof-endp-m");
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
    rl.rlim_cur = 2 * MANY_PIPES + 64;
    if (rl.rlim_cur > rl.rlim_max || setrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
    for (int i = 0; i < MANY_PIPES; i++) {
        int pp[2];
        if (pipe(pp)) return -1;
    }
    return 0;
}

/* Each pipe's two ends in one process name each other, from either source, however many. */
static void more_keys_than_one_pass_holds(void **state)
{
    (void)state;
    struct fixture m[2];
    fixtureStart(&m[0], makeManyPipes, NULL);
    fixtureStart(&m[1], makeManyPipes, NULL);
    char a[32], b[32];
    snprintf(a, sizeof a, "a=%d", m[0].pid);
    snprintf(b, sizeof b, "b=%d", m[1].pid);
    char *rows[2];
    static const char *const sources[2] = {"bpf", "proc"};
    for (int i = 0; i < 2; i++) {
        setenv("SQLSOF_ENDPOINTS_SOURCE", sources[i], 1);
        rows[i] = testSqlsofCsv("SELECT pid, fd, peer_fd FROM endpoints WHERE pid IN (:a, :b) "
                                "AND peer_pid = pid AND kind = 'pipe' ORDER BY pid, fd",
                                a, b, NULL);
        unsetenv("SQLSOF_ENDPOINTS_SOURCE");
    }
    fixtureStop(&m[0]);
    fixtureStop(&m[1]);
    assert_string_equal(rows[0], rows[1]);
    assert_true(testCount(rows[0], "\n") >= 1 + 4 * MANY_PIPES); /* the header, each end */
    free(rows[0]), free(rows[1]);
}

/*
** lsof mode's +E and -E against lsof 4.95 on the two processes: the same lines, each end's NAME
** naming the other ("pipe 42,cmd,5w", "/dev/ptmx ->/dev/pts/3 ...", "[eventfd:7] ..."). lsof
** runs with an mqueue mount, so that it says PSXMQ as sqlsof does.
*/
static void lsof_endpoint_text(void **state)
{
    (void)state;
    static const char *const forms[] = {"+E", "-E"};
    for (int i = 0; i < 2; i++) {
        /* A's ends of the seven (the harness's pipes on 0-2 come and go with each command). */
        char args[160];
        int n = snprintf(args, sizeof args, "-n -P %s -a -p %d -d ", forms[i], fx.pid);
        for (int k = 0; k < K_COUNT; k++)
            n += snprintf(args + n, sizeof args - (size_t)n, "%s%d", k ? "," : "", pair.a[k]);
        char *ours = testShellOk("%s %s", testSqlsof(), args);
        char *theirs =
            testShellOk("d=$(mktemp -d) && unshare -m sh -c \"mount -t mqueue none $d && "
                        "lsof %s\"; s=$?; rmdir $d; exit $s",
                        args);
        char *x = listingColumns(ours, 0), *y = listingColumns(theirs, 0);
        if (strcmp(x, y)) fail_msg("%s\n--- sqlsof:\n%s--- lsof:\n%s", args, x, y);
        char want[64];
        snprintf(want, sizeof want, " %d,sqlsof-en,%dw", pair.pidB, pair.b[K_PIPE]);
        assert_non_null(strstr(x, want));
        snprintf(want, sizeof want, " ->/dev/pts/");
        assert_non_null(strstr(x, want));
        free(x), free(y), free(ours), free(theirs);
    }
}

TEST_MAIN("endpoints", setup, teardown,
          {cmocka_unit_test(each_end_names_the_other_process),
           cmocka_unit_test(pushdown_keeps_the_answer), cmocka_unit_test(lsof_endpoint_text),
           cmocka_unit_test(across_two_namespaces),
           cmocka_unit_test(sources_and_the_old_view_agree),
           cmocka_unit_test(threads_hold_an_end_once),
           cmocka_unit_test(more_keys_than_one_pass_holds), TEST_WITH_DB(pushdown_of_pid_in_and_fd),
           TEST_WITH_DB(plans)})
