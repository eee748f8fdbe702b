/*
** A stat with a deadline, made by a helper process (stat_guard.h).
*/
#include "util/stat_guard.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PATH_CAP 4096

/* What the helper is asked: the call, then the path (the rest of the message). */
enum { ASK_STAT = 's', ASK_STATFS = 'f' };

/* What the helper sends back for each path. */
struct stat_answer {
    int err; /* 0, or the call's errno */
    union {
        struct stat st;
        struct statfs fs;
    } u;
};

void statGuardInit(struct stat_guard *g, int timeoutMs)
{
    memset(g, 0, sizeof *g);
    g->timeoutMs = timeoutMs;
    g->sock = -1;
}

int statGuardTimeoutFromEnv(void)
{
    const char *s = getenv("SQLSOF_STAT_TIMEOUT_MS");
    char *end;
    long ms = s ? strtol(s, &end, 10) : 0;
    return s && *s && !*end && ms >= 1 && ms <= 600000 ? (int)ms : STAT_GUARD_TIMEOUT_MS;
}

/*
** The helper: a copy of the caller made by fork, so it does only what is safe there (system
** calls). Its signals are the defaults (a copy of an embedder's handlers must not run), and
** it keeps no descriptor but SOCK, so that it holds open none of the caller's pipes or files,
** nor its working directory.
*/
static void helperMain(int sock)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, NULL);
    if (dup2(sock, 0) != 0) _exit(1);
    close_range(1, ~0U, 0);
    if (chdir("/") != 0) _exit(1); /* keeps no directory of ours busy */
    prctl(PR_SET_NAME, "sqlsof-stat");
    char ask[1 + PATH_CAP];
    for (;;) {
        ssize_t n = recv(0, ask, sizeof ask - 1, 0);
        if (n <= 1) _exit(0);
        ask[n] = '\0';
        const char *path = ask + 1;
        struct stat_answer a;
        memset(&a, 0, sizeof a);
        int rc = ask[0] == ASK_STATFS ? statfs(path, &a.u.fs) : stat(path, &a.u.st);
        a.err = rc == 0 ? 0 : errno;
        if (send(0, &a, sizeof a, MSG_NOSIGNAL) != (ssize_t)sizeof a) _exit(0);
    }
}

/* Starts a helper: fork, and fork again so that the first child exits at once and is reaped
 * here; the helper is then init's (or the subreaper's) to reap. _Fork runs no atfork
 * handlers, which an embedder's may not expect from a library. */
static int startHelper(struct stat_guard *g)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return -errno;
    pid_t mid = _Fork();
    if (mid == 0) {
        if (_Fork() == 0) helperMain(sv[1]);
        _exit(0);
    }
    int err = mid < 0 ? errno : 0;
    close(sv[1]);
    if (mid > 0)
        while (waitpid(mid, NULL, 0) < 0 && errno == EINTR) continue;
    if (err) {
        close(sv[0]);
        return -err;
    }
    g->sock = sv[0];
    return 0;
}

/* Forgets the stuck helpers that have answered at last (or died): their keys are free. */
static void reapStuck(struct stat_guard *g)
{
    for (int i = 0; i < g->nStuck;) {
        struct pollfd p = {.fd = g->stuck[i].sock, .events = POLLIN};
        if (poll(&p, 1, 0) == 1) {
            close(g->stuck[i].sock);
            g->stuck[i] = g->stuck[--g->nStuck];
        } else {
            i++;
        }
    }
}

static int isStuck(const struct stat_guard *g, int key)
{
    for (int i = 0; i < g->nStuck; i++)
        if (g->stuck[i].key == key) return 1;
    return 0;
}

static long long nowMs(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits for the helper's answer until the deadline: 1 readable, 0 timed out. */
static int waitAnswer(int sock, int timeoutMs)
{
    long long deadline = nowMs() + timeoutMs;
    for (;;) {
        long long left = deadline - nowMs();
        struct pollfd p = {.fd = sock, .events = POLLIN};
        int n = poll(&p, 1, left > 0 ? (int)left : 0);
        if (n > 0) return 1;
        if (n == 0 || errno != EINTR) return 0;
    }
}

/* The live helper missed the deadline on KEY: it is left stuck, and the next stat starts
 * another. */
static void leaveStuck(struct stat_guard *g, int key)
{
    if (g->nStuck < STAT_GUARD_STUCK) {
        g->stuck[g->nStuck].key = key;
        g->stuck[g->nStuck++].sock = g->sock;
    } else {
        close(g->sock);
    }
    g->sock = -1;
}

/* Asks the live helper, starting one if none: 0 sent, or -errno. */
static int sendAsk(struct stat_guard *g, const char *ask, size_t len)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (g->sock < 0) {
            int rc = startHelper(g);
            if (rc < 0) return rc;
        }
        if (send(g->sock, ask, len, MSG_NOSIGNAL) == (ssize_t)len) return 0;
        close(g->sock); /* the helper is gone (killed): a new one */
        g->sock = -1;
    }
    return -EAGAIN;
}

/* Asks OP of PATH within the deadline, the answer into *A: 0, or -errno as statGuardStat. */
static int ask(struct stat_guard *g, int key, char op, const char *path, struct stat_answer *a)
{
    size_t len = strlen(path);
    if (len == 0 || len >= PATH_CAP) return -ENAMETOOLONG;
    reapStuck(g);
    if (isStuck(g, key) || g->nStuck == STAT_GUARD_STUCK) return -ETIMEDOUT;
    char msg[1 + PATH_CAP];
    msg[0] = op;
    memcpy(msg + 1, path, len);
    int rc = sendAsk(g, msg, 1 + len);
    if (rc < 0) return rc == -ENOMEM ? rc : -EAGAIN;
    if (!waitAnswer(g->sock, g->timeoutMs)) {
        leaveStuck(g, key);
        return -ETIMEDOUT;
    }
    if (recv(g->sock, a, sizeof *a, 0) != (ssize_t)sizeof *a) {
        close(g->sock); /* died mid-call */
        g->sock = -1;
        return -EAGAIN;
    }
    return -a->err;
}

int statGuardStat(struct stat_guard *g, int key, const char *path, struct stat *st)
{
    struct stat_answer a;
    int rc = ask(g, key, ASK_STAT, path, &a);
    if (rc == 0) *st = a.u.st;
    return rc;
}

int statGuardStatfs(struct stat_guard *g, int key, const char *path, struct statfs *fs)
{
    struct stat_answer a;
    int rc = ask(g, key, ASK_STATFS, path, &a);
    if (rc == 0) *fs = a.u.fs;
    return rc;
}

void statGuardFree(struct stat_guard *g)
{
    if (g->sock >= 0) close(g->sock);
    for (int i = 0; i < g->nStuck; i++) close(g->stuck[i].sock);
    statGuardInit(g, g->timeoutMs);
}
