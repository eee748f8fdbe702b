/*
** Churn: for SQLSOF_CHURN_SECONDS (10 by default) a forker process starts and reaps short-lived
** children, each holding files, a pipe and sockets, and opens and closes fds and sockets itself,
** hundreds of times a second; meanwhile this thread runs the main queries in a loop: full scans
** of processes, fds and maps, point lookups of the children it last saw, and the lsof mode of
** build/sqlsof. Every statement must finish without error and every row must be well-formed; a
** process or fd that went away is simply absent. The rates reached are printed.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "command.h"
#include "testdb.h"
#include "testmain.h"

#define KID_NAME "sqlsof-churn"
#define MAX_KIDS 24

/* Shared with the forker: what it did, and when to stop. */
struct churn {
    volatile long forks;
    volatile long fds;     /* descriptors opened (and closed) */
    volatile long sockets; /* of which sockets */
    volatile int stop;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int loopbackListener(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (s >= 0 && (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 1) != 0)) {
        close(s);
        return -1;
    }
    return s;
}

/* A child: a file, a pipe, a TCP listener, a UDP6 socket and a unix pair, for 20-80 ms (so
 * MAX_KIDS of them make some 500 forks a second). */
static void kid(struct churn *c)
{
    prctl(PR_SET_NAME, KID_NAME);
    int p[2], sp[2];
    int n = open("/etc/hosts", O_RDONLY) >= 0;
    n += pipe(p) == 0 ? 2 : 0;
    int tcp = loopbackListener() >= 0, udp = socket(AF_INET6, SOCK_DGRAM, 0) >= 0;
    int pair = socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0 ? 2 : 0;
    __atomic_add_fetch(&c->fds, n + tcp + udp + pair, __ATOMIC_RELAXED);
    __atomic_add_fetch(&c->sockets, tcp + udp + pair, __ATOMIC_RELAXED);
    usleep(20000 + (unsigned)(rand() % 60000));
    _exit(0);
}

/* The forker: keeps up to MAX_KIDS children alive, reaps them, churns its own fds. */
static void forker(struct churn *c)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int live = 0;
    while (!c->stop) {
        while (live < MAX_KIDS) {
            pid_t pid = fork();
            if (pid == 0) kid(c);
            if (pid < 0) break;
            live++;
            __atomic_add_fetch(&c->forks, 1, __ATOMIC_RELAXED);
        }
        int fd = open("/etc/passwd", O_RDONLY), s = loopbackListener(),
            u = socket(AF_UNIX, SOCK_DGRAM, 0);
        __atomic_add_fetch(&c->fds, (fd >= 0) + (s >= 0) + (u >= 0), __ATOMIC_RELAXED);
        __atomic_add_fetch(&c->sockets, (s >= 0) + (u >= 0), __ATOMIC_RELAXED);
        close(fd), close(s), close(u);
        /* Reap what has exited; let zombies stand a moment otherwise. */
        if (waitpid(-1, NULL, 0) > 0) live--;
        while (waitpid(-1, NULL, WNOHANG) > 0) live--;
    }
    while (wait(NULL) > 0) {
    }
    _exit(0);
}

/* What the query loop did. */
struct tally {
    long statements, rows;
    long scans[3], lookups, lsofRuns;
};

static int inWords(const char *v, const char *const *words)
{
    for (; *words; words++)
        if (!strcmp(v, *words)) return 1;
    return 0;
}

static const char *text(sqlite3_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(s, col);
}

static int isNull(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL;
}

/*
** Checks one row of `SELECT * FROM processes`: we are root, so every process that is listed
** has its stat and status read (a process gone mid-row is absent, not half-filled).
*/
static const char *badProcess(sqlite3_stmt *s)
{
    /* pid ppid pgid sid name cmdline exe cwd root state uid euid gid egid user threads ... */
    if (sqlite3_column_int64(s, 0) <= 0) return "pid <= 0";
    if (isNull(s, 1) || sqlite3_column_int64(s, 1) < 0) return "ppid";
    if (isNull(s, 4)) return "name NULL";
    if (isNull(s, 9) || strlen(text(s, 9)) != 1 || !strchr("RSDZTtXxKWPI", text(s, 9)[0]))
        return "state";
    for (int c = 10; c <= 13; c++)
        if (isNull(s, c) || sqlite3_column_int64(s, c) < 0) return "uid/gid";
    if (isNull(s, 15) || sqlite3_column_int64(s, 15) < 1) return "threads";
    if (isNull(s, 20) || sqlite3_column_int64(s, 20) < 0) return "rss";
    return NULL;
}

static const char *const fdTypes[] = {"REG",     "DIR",   "CHR",     "BLK",  "FIFO",    "LINK",
                                      "sock",    "IPv4",  "IPv6",    "unix", "netlink", "pack",
                                      "a_inode", "PSXMQ", "unknown", NULL};
static const char *const fdModes[] = {"r", "w", "u", NULL};

/* Whether the kernel refuses us PID's fd link FD (a process in another user namespace, say,
 * whose fds are listed but do not resolve even for root), or the fd has gone since the row was
 * read: then its NULLs cannot be judged (pid 1 here opens and closes fds as it works). */
static int linkRefused(long long pid, long long fd)
{
    char path[64], target[16];
    snprintf(path, sizeof path, "/proc/%lld/fd/%lld", pid, fd);
    return readlink(path, target, sizeof target) < 0 && (errno == EACCES || errno == ENOENT);
}

/*
** pid fd type mode target path deleted inode device size pos flags mnt_id lock. NULLs are
** allowed only where the kernel refuses the link: an fd that closed is absent, not empty.
*/
static const char *badFd(sqlite3_stmt *s)
{
    if (sqlite3_column_int64(s, 0) <= 0) return "pid <= 0";
    if (isNull(s, 1) || sqlite3_column_int64(s, 1) < 0) return "fd < 0";
    if (isNull(s, 2) && isNull(s, 3) && isNull(s, 4) &&
        linkRefused(sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1)))
        return NULL;
    if (isNull(s, 2) || !inWords(text(s, 2), fdTypes)) return "type not in the vocabulary";
    if (isNull(s, 3) || !inWords(text(s, 3), fdModes)) return "mode";
    if (isNull(s, 4) || !text(s, 4)[0]) return "target";
    if (!isNull(s, 5) && text(s, 5)[0] != '/') return "path not absolute";
    if (!isNull(s, 6) && (sqlite3_column_int64(s, 6) < 0 || sqlite3_column_int64(s, 6) > 1))
        return "deleted";
    if (!isNull(s, 10) && sqlite3_column_int64(s, 10) < 0) return "pos";
    return NULL;
}

/* pid start end perms offset device inode path deleted */
static const char *badMap(sqlite3_stmt *s)
{
    if (sqlite3_column_int64(s, 0) <= 0) return "pid <= 0";
    if ((uint64_t)sqlite3_column_int64(s, 1) >= (uint64_t)sqlite3_column_int64(s, 2))
        return "start >= end";
    if (isNull(s, 3) || strlen(text(s, 3)) != 4) return "perms";
    if (isNull(s, 5) || !strchr(text(s, 5), ',')) return "device";
    if (sqlite3_column_int64(s, 6) < 0) return "inode";
    return NULL;
}

/* Runs SQL to the end, checking each row with CHECK (may be NULL); fails on any error. */
static long run(sqlite3 *db, struct tally *t, const char *(*check)(sqlite3_stmt *), const char *sql)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("prepare %s: %s", sql, sqlite3_errmsg(db));
    long rows = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *bad = check ? check(s) : NULL;
        if (bad)
            fail_msg("%s: bad row (%s), pid %lld, column 1: %s", sql, bad,
                     sqlite3_column_int64(s, 0), text(s, 1));
        rows++;
    }
    if (rc != SQLITE_DONE) fail_msg("%s: error %d: %s", sql, rc, sqlite3_errmsg(db));
    sqlite3_finalize(s);
    t->statements++;
    t->rows += rows;
    return rows;
}

/* The pids of the forker's children right now (up to MAX_KIDS). */
static int kidPids(sqlite3 *db, struct tally *t, pid_t forker, long long *pids)
{
    sqlite3_stmt *s;
    char *sql = sqlite3_mprintf("SELECT pid FROM processes WHERE ppid = %d", forker);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    int n = 0, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (n < MAX_KIDS) pids[n++] = sqlite3_column_int64(s, 0);
    if (rc != SQLITE_DONE) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(s);
    sqlite3_free(sql);
    t->statements++;
    return n;
}

/*
** The lsof mode over the whole host, running beside the queries: build/sqlsof -n -P in a child
** writing to temporary files. lsofPoll() checks a finished run (exit 0, nothing on stderr, a
** header) and starts the next.
*/
struct lsof_run {
    pid_t pid;
    FILE *out, *err;
};

static void lsofStart(struct lsof_run *r)
{
    r->out = tmpfile(), r->err = tmpfile();
    assert_true(r->out && r->err);
    r->pid = fork();
    assert_true(r->pid >= 0);
    if (r->pid == 0) {
        dup2(fileno(r->out), 1);
        dup2(fileno(r->err), 2);
        execl(testSqlsof(), testSqlsof(), "-n", "-P", (char *)NULL);
        _exit(127);
    }
}

/* Checks the run if it has finished (or waits for it when WAIT); returns 1 when it had. */
static int lsofPoll(struct lsof_run *r, int wait)
{
    int status;
    pid_t got = waitpid(r->pid, &status, wait ? 0 : WNOHANG);
    assert_true(got >= 0);
    if (got == 0) return 0;
    char head[8] = {0}, err[512] = {0};
    rewind(r->out), rewind(r->err);
    size_t n = fread(head, 1, 7, r->out);
    size_t e = fread(err, 1, sizeof err - 1, r->err);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || e > 0)
        fail_msg("sqlsof -n -P: status %d: %s", status, err);
    if (n != 7 || strcmp(head, "COMMAND") != 0) fail_msg("sqlsof -n -P: no header");
    fclose(r->out), fclose(r->err);
    return 1;
}

static void queries_under_churn(void **state)
{
    const char *env = getenv("SQLSOF_CHURN_SECONDS");
    double seconds = env && atof(env) > 0 ? atof(env) : 10;
    struct churn *c =
        mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(c != MAP_FAILED);
    memset(c, 0, sizeof *c);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) forker(c);

    sqlite3 *db = *state;
    struct tally t = {0};
    long kidRows = 0;
    double start = now();
    struct lsof_run lsof;
    lsofStart(&lsof);
    while (now() - start < seconds) {
        t.scans[0]++, run(db, &t, badProcess, "SELECT * FROM processes");
        t.scans[1]++, run(db, &t, badFd, "SELECT * FROM fds");
        t.scans[2]++, run(db, &t, badMap, "SELECT * FROM maps");
        long long pids[MAX_KIDS];
        int n = kidPids(db, &t, pid, pids);
        for (int i = 0; i < n; i++) {
            char sql[256];
            snprintf(sql, sizeof sql, "SELECT * FROM processes WHERE pid = %lld", pids[i]);
            kidRows += run(db, &t, badProcess, sql);
            snprintf(sql, sizeof sql,
                     "SELECT * FROM fds WHERE pid = %lld AND fd IN (0,1,2,3,4,5,6)", pids[i]);
            run(db, &t, badFd, sql);
            snprintf(sql, sizeof sql, "SELECT * FROM fds WHERE pid = %lld", pids[i]);
            run(db, &t, badFd, sql);
            snprintf(sql, sizeof sql, "SELECT * FROM maps(%lld)", pids[i]);
            run(db, &t, badMap, sql);
            t.lookups += 4;
        }
        /* The forker's own fds, looked up by number while it opens and closes them. */
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM fds WHERE pid = %d AND fd BETWEEN 0 AND 9", pid);
        run(db, &t, badFd, sql);
        if (lsofPoll(&lsof, 0)) {
            t.lsofRuns++;
            lsofStart(&lsof);
        }
    }
    double took = now() - start;
    t.lsofRuns += lsofPoll(&lsof, 1);
    c->stop = 1;
    assert_int_equal(waitpid(pid, NULL, 0), pid);

    print_message("churn: %.1f s: %ld forks (%.0f/s), %ld fds opened and closed (%.0f/s), "
                  "%ld of them sockets (%.0f/s)\n",
                  took, c->forks, c->forks / took, c->fds, c->fds / took, c->sockets,
                  c->sockets / took);
    print_message("churn: %ld statements (%.0f/s), %ld rows checked; full scans: %ld processes, "
                  "%ld fds, %ld maps; %ld point lookups (%ld child rows found); %ld lsof-mode "
                  "runs; 0 errors\n",
                  t.statements, t.statements / took, t.rows, t.scans[0], t.scans[1], t.scans[2],
                  t.lookups, kidRows, t.lsofRuns);
    /* The churn was real: processes and fds came and went while the scans ran, and the queries
     * saw its children. The rates are printed, not asserted: under ASan or valgrind, on a host
     * busy with other work, the forker gets what the scheduler gives it. */
    assert_true(c->forks >= 20);
    assert_true(c->fds >= 60);
    assert_true(kidRows > 0);
    munmap(c, sizeof *c);
}

TEST_MAIN("churn", NULL, NULL,
          {
              TEST_WITH_DB(queries_under_churn),
          })
