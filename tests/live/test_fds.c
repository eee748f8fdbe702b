/*
** The fds table against a live child that opens one descriptor of every kind the table tells
** apart. Files are made and stat'ed here before the child opens them; the child fstat's its
** kernel objects (pipes, sockets, anon inodes) and reports them with their fd numbers.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "sqlsof.h"
#include "strace.h"
#include "testdb.h"
#include "testmain.h"

enum {
    OBJ_REG,
    OBJ_GONE,
    OBJ_DIR,
    OBJ_NULL,
    OBJ_PIPE_R,
    OBJ_PIPE_W,
    OBJ_UNIX_A,
    OBJ_UNIX_B,
    OBJ_TCP,
    OBJ_UDP,
    OBJ_EVENTFD,
    OBJ_EPOLL,
    OBJ_LOCKED,
    OBJ_PARTIAL,
    OBJ_NAMED_DELETED,
    OBJ_COUNT,
};

/* What the child reports of each descriptor: from fstat, fcntl and statx on the fd itself. */
struct obj {
    int fd;
    unsigned long long ino;
    unsigned long long dev;
    unsigned long long rdev;
    unsigned mode;
    long long size;
    int flags; /* as fdinfo prints them: F_GETFL plus O_CLOEXEC when it is set */
    int mntId;
};

static char dir[64];
static char paths[OBJ_COUNT][128];
static struct stat before[OBJ_COUNT]; /* files, stat'ed here before the child opens them */

static int describe(int fd, struct obj *o)
{
    struct stat st;
    struct statx sx;
    if (fstat(fd, &st) != 0) return -1;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) != 0 || !(sx.stx_mask & STATX_MNT_ID))
        return -1;
    o->fd = fd;
    o->ino = st.st_ino;
    o->dev = st.st_dev;
    o->rdev = st.st_rdev;
    o->mode = st.st_mode;
    o->size = st.st_size;
    o->flags = fcntl(fd, F_GETFL) | ((fcntl(fd, F_GETFD) & FD_CLOEXEC) ? O_CLOEXEC : 0);
    o->mntId = (int)sx.stx_mnt_id;
    return 0;
}

static int lockRange(int fd, short type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, F_SETLK, &fl);
}

/* In the child: open the set, describe each fd, report. */
static int openEverything(void *arg)
{
    (void)arg;
    int fds[OBJ_COUNT], p[2], sp[2];
    struct obj objs[OBJ_COUNT];
    memset(objs, 0, sizeof objs); /* the padding is reported to the parent too */
    fds[OBJ_REG] = open(paths[OBJ_REG], O_RDWR);
    if (lseek(fds[OBJ_REG], 7, SEEK_SET) != 7) return -1;
    fds[OBJ_GONE] = open(paths[OBJ_GONE], O_RDONLY | O_CLOEXEC);
    if (unlink(paths[OBJ_GONE]) != 0) return -1;
    fds[OBJ_DIR] = open(dir, O_RDONLY | O_DIRECTORY);
    fds[OBJ_NULL] = open("/dev/null", O_WRONLY | O_APPEND);
    if (pipe(p) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0) return -1;
    fds[OBJ_PIPE_R] = p[0], fds[OBJ_PIPE_W] = p[1];
    fds[OBJ_UNIX_A] = sp[0], fds[OBJ_UNIX_B] = sp[1];
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    fds[OBJ_TCP] = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(fds[OBJ_TCP], (struct sockaddr *)&sin, sizeof sin) != 0 || listen(fds[OBJ_TCP], 1))
        return -1;
    fds[OBJ_UDP] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    fds[OBJ_EVENTFD] = eventfd(0, EFD_CLOEXEC);
    fds[OBJ_EPOLL] = epoll_create1(0);
    /* Watching 60 fds makes the epoll fd's fdinfo longer than one 4 KiB read. */
    for (int k = 0; k < 60; k++) {
        struct epoll_event ev = {.events = EPOLLIN};
        int d = dup(fds[OBJ_EVENTFD]);
        if (d < 0 || epoll_ctl(fds[OBJ_EPOLL], EPOLL_CTL_ADD, d, &ev) != 0) return -1;
    }
    fds[OBJ_LOCKED] = open(paths[OBJ_LOCKED], O_RDWR);
    if (lockRange(fds[OBJ_LOCKED], F_WRLCK, 0, 0) != 0) return -1; /* whole file: W */
    fds[OBJ_PARTIAL] = open(paths[OBJ_PARTIAL], O_RDONLY);
    if (lockRange(fds[OBJ_PARTIAL], F_RDLCK, 0, 10) != 0) return -1; /* bytes 0-9: r */
    fds[OBJ_NAMED_DELETED] = open(paths[OBJ_NAMED_DELETED], O_RDONLY);
    for (int i = 0; i < OBJ_COUNT; i++)
        if (fds[i] < 0 || describe(fds[i], &objs[i]) != 0) return -1;
    fixtureReport(objs, sizeof objs);
    return 0;
}

static void makeFile(int i, const char *name, size_t size)
{
    snprintf(paths[i], sizeof paths[i], "%s/%s", dir, name);
    unlink(paths[i]); /* a new inode: an earlier child may hold (and lock) the old one */
    FILE *f = fopen(paths[i], "w");
    assert_non_null(f);
    for (size_t k = 0; k < size; k++) fputc('x', f);
    fclose(f);
    assert_int_equal(stat(paths[i], &before[i]), 0);
}

static int setupFiles(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sqlsof-fds-XXXXXX");
    assert_non_null(mkdtemp(dir));
    makeFile(OBJ_REG, "regular", 123);
    makeFile(OBJ_GONE, "gone", 5);
    makeFile(OBJ_LOCKED, "locked", 0);
    makeFile(OBJ_PARTIAL, "partial", 40);
    makeFile(OBJ_NAMED_DELETED, "x (deleted)", 3);
    snprintf(paths[OBJ_DIR], sizeof paths[OBJ_DIR], "%s", dir);
    assert_int_equal(stat(dir, &before[OBJ_DIR]), 0);
    snprintf(paths[OBJ_NULL], sizeof paths[OBJ_NULL], "/dev/null");
    assert_int_equal(stat("/dev/null", &before[OBJ_NULL]), 0);
    return 0;
}

static int removeFiles(void **state)
{
    (void)state;
    for (int i = 0; i < OBJ_COUNT; i++)
        if (i != OBJ_DIR && i != OBJ_NULL && paths[i][0]) unlink(paths[i]);
    rmdir(dir);
    return 0;
}

/* Starts a child on fresh copies of the files it unlinks or locks. */
static const struct obj *startChild(struct fixture *fx)
{
    makeFile(OBJ_GONE, "gone", 5);
    makeFile(OBJ_LOCKED, "locked", 0);
    makeFile(OBJ_PARTIAL, "partial", 40);
    fixtureStart(fx, openEverything, NULL);
    assert_int_equal(fx->reportLen, sizeof(struct obj) * OBJ_COUNT);
    return (const struct obj *)fx->report;
}

static char *devText(unsigned long long dev)
{
    return sqlite3_mprintf("%u,%u", major(dev), minor(dev));
}

/* The expected row of `SELECT * FROM fds`, as testQueryRows prints it. */
static char *expectedRow(int pid, int i, const struct obj *o)
{
    static const char *const types[OBJ_COUNT] = {
        [OBJ_REG] = "REG",     [OBJ_GONE] = "REG",        [OBJ_DIR] = "DIR",
        [OBJ_NULL] = "CHR",    [OBJ_PIPE_R] = "FIFO",     [OBJ_PIPE_W] = "FIFO",
        [OBJ_UNIX_A] = "unix", [OBJ_UNIX_B] = "unix",     [OBJ_TCP] = "IPv4",
        [OBJ_UDP] = "IPv4",    [OBJ_EVENTFD] = "a_inode", [OBJ_EPOLL] = "a_inode",
        [OBJ_LOCKED] = "REG",  [OBJ_PARTIAL] = "REG",     [OBJ_NAMED_DELETED] = "REG",
    };
    static const char modes[OBJ_COUNT] = {
        [OBJ_REG] = 'u',    [OBJ_GONE] = 'r',    [OBJ_DIR] = 'r',           [OBJ_NULL] = 'w',
        [OBJ_PIPE_R] = 'r', [OBJ_PIPE_W] = 'w',  [OBJ_UNIX_A] = 'u',        [OBJ_UNIX_B] = 'u',
        [OBJ_TCP] = 'u',    [OBJ_UDP] = 'u',     [OBJ_EVENTFD] = 'u',       [OBJ_EPOLL] = 'u',
        [OBJ_LOCKED] = 'u', [OBJ_PARTIAL] = 'r', [OBJ_NAMED_DELETED] = 'r',
    };
    const char *lock = i == OBJ_LOCKED ? "W" : i == OBJ_PARTIAL ? "r" : "NULL";
    const struct obj *x = &o[i];
    char *target, *path, *dev, *size;
    int isFile = paths[i][0] != 0;
    if (isFile) {
        /* Files: everything from the stat made before the child opened them. */
        const struct stat *st = &before[i];
        target = sqlite3_mprintf(i == OBJ_GONE ? "%s (deleted)" : "%s", paths[i]);
        path = sqlite3_mprintf("%s", paths[i]);
        dev = devText(i == OBJ_NULL ? st->st_rdev : st->st_dev);
        size = i == OBJ_NULL ? sqlite3_mprintf("NULL")
                             : sqlite3_mprintf("%lld", (long long)st->st_size);
        assert_int_equal(st->st_ino, x->ino); /* the child opened what was stat'ed */
    } else {
        const char *fmt = S_ISSOCK(x->mode)   ? "socket:[%llu]"
                          : S_ISFIFO(x->mode) ? "pipe:[%llu]"
                          : i == OBJ_EVENTFD  ? "anon_inode:[eventfd]"
                                              : "anon_inode:[eventpoll]";
        target = sqlite3_mprintf(fmt, x->ino);
        path = sqlite3_mprintf("NULL");
        dev = devText(x->dev);
        size = sqlite3_mprintf("NULL");
    }
    char *row = sqlite3_mprintf("%d|%d|%s|%c|%s|%s|%d|%llu|%s|%s|%lld|%d|%d|%s\n", pid, x->fd,
                                types[i], modes[i], target, path, i == OBJ_GONE, x->ino, dev, size,
                                i == OBJ_REG ? 7LL : 0LL, x->flags, x->mntId, lock);
    sqlite3_free(target);
    sqlite3_free(path);
    sqlite3_free(dev);
    sqlite3_free(size);
    return row;
}

static void every_column_of_every_kind(void **state)
{
    struct fixture fx;
    const struct obj *o = startChild(&fx);
    sqlite3 *db = *state;
    for (int i = 0; i < OBJ_COUNT; i++) {
        char *want = expectedRow(fx.pid, i, o);
        char *got =
            testQueryRows(db, "SELECT * FROM fds WHERE pid = %d AND fd = %d", fx.pid, o[i].fd);
        assert_string_equal(got, want);
        /* The same row from a full walk, from fds(PID), and from the inode map. */
        char *walked =
            testQueryRows(db, "SELECT * FROM fds WHERE +pid = %d AND +fd = %d", fx.pid, o[i].fd);
        assert_string_equal(walked, want);
        char *tvf = testQueryRows(db, "SELECT * FROM fds(%d) WHERE +fd = %d", fx.pid, o[i].fd);
        assert_string_equal(tvf, want);
        char *mapped =
            testQueryRows(db, "SELECT * FROM fds WHERE inode = %llu AND +pid = %d AND +fd = %d",
                          o[i].ino, fx.pid, o[i].fd);
        assert_string_equal(mapped, want);
        sqlite3_free(want);
        free(got);
        free(walked);
        free(tvf);
        free(mapped);
    }
    /* Every fd of the child, no more: what its fd directory lists. */
    long n = fixtureCountFds(fx.pid);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d", fx.pid), n);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE +pid = %d", fx.pid), n);
    fixtureStop(&fx);
}

/*
** Each pushed form against the filter SQLite applies itself (see test_processes.c): the WHERE
** clauses PUSHED and PLAIN write from the same arguments, as printf does; VALUE names the case.
*/
static void compare(sqlite3 *db, const char *cols, const char *value, const char *pushed,
                    const char *plain, ...)
{
    va_list ap, again;
    va_start(ap, plain);
    va_copy(again, ap);
    char *w = sqlite3_vmprintf(pushed, ap);
    char *p = sqlite3_vmprintf(plain, again);
    va_end(again);
    va_end(ap);
    (void)value; /* the failure shows both WHERE clauses, which hold it */
    testSamePushed(db, "fds", cols, "pid, fd", w, p);
    sqlite3_free(w);
    sqlite3_free(p);
}

static void pushdown_equivalence(void **state)
{
    struct fixture fx;
    const struct obj *o = startChild(&fx);
    sqlite3 *db = *state;
    const char *cols = "pid, fd, type, target, inode, lock";
    int pid = fx.pid, fd = o[OBJ_TCP].fd;
    unsigned long long ino = o[OBJ_PIPE_R].ino;
    const char *shapes[] = {"%lld", "'%lld'", "%lld.0", "' %lld '", "'%lldx'",    "%lld.5",
                            "NULL", "x'31'",  "-1",     "0",        "99999999999"};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        char *vPid = sqlite3_mprintf(shapes[s], (long long)pid);
        char *vFd = sqlite3_mprintf(shapes[s], (long long)fd);
        char *vIno = sqlite3_mprintf(shapes[s], (long long)ino);
        compare(db, cols, vPid, "pid = %s", "(pid = %s) IS TRUE", vPid);
        compare(db, cols, vFd, "pid = %d AND fd = %s", "+pid = %d AND (fd = %s) IS TRUE", pid, vFd);
        /* fd alone: all pids */
        compare(db, cols, vFd, "fd = %s AND +pid = %d", "(fd = %s) IS TRUE AND +pid = %d", vFd,
                pid);
        compare(db, cols, vIno, "inode = %s", "(inode = %s) IS TRUE", vIno);
        compare(db, cols, vIno, "pid = %d AND inode = %s", "+pid = %d AND (inode = %s) IS TRUE",
                pid, vIno);
        sqlite3_free(vPid);
        sqlite3_free(vFd);
        sqlite3_free(vIno);
    }
    /* IN lists, with duplicates and junk, and integers against their +col forms. */
    compare(db, cols, "IN", "pid IN (%d, '%d', 'junk', NULL, 1)",
            "(pid IN (%d, '%d', 'junk', NULL, 1)) IS TRUE", pid, pid);
    compare(db, cols, "IN", "pid = %d AND fd IN (%d, %d, '%d', 9999)",
            "+pid = %d AND +fd IN (%d, %d, %d, 9999)", pid, fd, o[OBJ_DIR].fd, fd);
    compare(db, cols, "IN", "inode IN (%llu, %llu, '%llu', 0)", "+inode IN (%llu, %llu, %llu, 0)",
            ino, o[OBJ_REG].ino, o[OBJ_UDP].ino);
    compare(db, cols, "+inode", "inode = %llu", "+inode = %llu", ino);
    /* fds(X) and pid = Y both hold: the intersection. */
    long all = (long)testQueryInt(db, "SELECT count(*) FROM fds WHERE +pid = %d", pid);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds(%d) WHERE pid = %d", pid, getpid()),
                     0);
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) FROM fds(%d) WHERE pid IN (%d, %d)", pid, pid, getpid()),
        all);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds('%d')", pid), all);
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds('%dx')", pid), 0);

    /* ORDER BY pid, fd is consumed: /proc/PID/fd lists fds in numeric order (10 after 9). */
    char *ordered =
        testQueryRows(db, "SELECT pid, fd FROM fds WHERE pid = %d ORDER BY pid, fd", pid);
    char *sorted =
        testQueryRows(db, "SELECT pid, fd FROM fds WHERE pid = %d ORDER BY pid + 0, fd + 0", pid);
    assert_string_equal(ordered, sorted);
    free(ordered);
    free(sorted);
    char *order = testExplain(db, "SELECT pid, fd FROM fds ORDER BY pid, fd");
    assert_null(strstr(order, "ORDER BY"));
    free(order);
    char *rows = testQueryRows(db, "SELECT fd FROM fds WHERE inode = %llu ORDER BY fd", ino);
    char *want = sqlite3_mprintf("%d\n%d\n", o[OBJ_PIPE_R].fd, o[OBJ_PIPE_W].fd);
    assert_string_equal(rows, want); /* only the child has this pipe */
    free(rows);
    sqlite3_free(want);

    /* EXPLAIN QUERY PLAN shows each pushdown, and its absence. */
    static const struct test_plan plans[] = {
        {"SELECT * FROM fds WHERE pid = 1", "pid="},
        {"SELECT * FROM fds WHERE pid IN (1, 2)", "pid IN"},
        {"SELECT * FROM fds WHERE pid = 1 AND fd = 2", "pid= fd="},
        {"SELECT * FROM fds WHERE pid = 1 AND fd IN (1, 2)", "pid= fd IN"},
        {"SELECT * FROM fds WHERE fd = 2", "fd="},
        {"SELECT * FROM fds WHERE inode = 5", "inode="},
        {"SELECT * FROM fds WHERE inode IN (5, 6)", "inode IN"},
        {"SELECT * FROM fds(1)", "arg_pid="},
    };
    testExpectPlans(db, plans, sizeof plans / sizeof *plans);
    testExpectUnpushed(db, "SELECT * FROM fds WHERE +pid = 1 AND +fd = 2 AND +inode = 3", "=");
    /* A point lookup is the inner side of a join on (pid, fd). */
    sqlite3_exec(db, "CREATE TEMP TABLE want(pid INTEGER, fd INTEGER)", NULL, NULL, NULL);
    char *plan =
        testExplain(db, "SELECT * FROM want w JOIN fds f ON f.pid = w.pid AND f.fd = w.fd");
    if (!strstr(plan, "SCAN w") || !strstr(plan, "pid= fd=")) fail_msg("plan: %s", plan);
    free(plan);
    fixtureStop(&fx);
}

/* The inode map: a join on inode does one walk of /proc, not one per outer row. */
static void inode_join_walks_once(void **state)
{
    struct fixture fx;
    startChild(&fx);
    sqlite3 *db = *state;
    char *join = sqlite3_mprintf("SELECT t.fd, f.pid, f.fd FROM (SELECT fd, inode FROM fds WHERE "
                                 "pid = %d) t JOIN fds f ON f.inode = t.inode",
                                 fx.pid);
    char *plan = testExplain(db, "%s", join);
    /* The child's fds outside (pid=), fds by inode inside. */
    const char *outer = strstr(plan, "pid=");
    const char *inner = strstr(plan, "inode=");
    if (!outer || !inner || inner < outer) fail_msg("join plan:\n%s", plan);
    free(plan);

    /* Same answer as the join SQLite does without pushdown (the walk finds the same fds). */
    char *a = testQueryRows(db, "%s WHERE f.pid = %d ORDER BY 1, 2, 3", join, fx.pid);
    char *b =
        testQueryRows(db,
                      "SELECT t.fd, f.pid, f.fd FROM (SELECT fd, inode FROM fds WHERE pid = %d)"
                      " t JOIN fds f ON +f.inode = t.inode WHERE +f.pid = %d ORDER BY 1, 2, 3",
                      fx.pid, fx.pid);
    assert_string_equal(a, b);
    free(a);
    free(b);
    long outerRows = (long)testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d", fx.pid);
    assert_true(outerRows >= OBJ_COUNT);

    struct syscall_counts walk, joined;
    char *count = sqlite3_mprintf("SELECT count(*) FROM (%s)", join);
    testSyscalls("SELECT count(*) FROM fds", &walk);
    testSyscalls(count, &joined);
    /* One full walk (as many getdents64 as a plain scan, give or take the child's own fd dir
     * and the processes that come and go on a busy host), where a walk per outer row would be
     * outerRows times. */
    if (joined.getdents64 > walk.getdents64 * 3 / 2 + 12 || joined.getdents64 < walk.getdents64 / 2)
        fail_msg("join getdents64 %ld, one walk %ld, outer rows %ld", joined.getdents64,
                 walk.getdents64, outerRows);
    sqlite3_free(count);
    sqlite3_free(join);
    fixtureStop(&fx);
}

/* Columns cost only what they need, counted with strace on the child's fds. */
static void lazy_columns(void **state)
{
    struct fixture fx;
    const struct obj *o = startChild(&fx);
    sqlite3 *db = *state;
    long n = (long)testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d", fx.pid);
    /* The fds whose inode is not in the link text: paths and anon inodes. */
    long statted =
        (long)testQueryInt(db,
                           "SELECT count(*) FROM fds WHERE pid = %d AND (target LIKE '/%%'"
                           " OR target LIKE 'anon_inode:%%')",
                           fx.pid);
    long paths = (long)testQueryInt(
        db, "SELECT count(*) FROM fds WHERE pid = %d AND target LIKE '/%%'", fx.pid);
    long sockets = (long)testQueryInt(
        db, "SELECT count(*) FROM fds WHERE pid = %d AND target LIKE 'socket:%%'", fx.pid);

    struct syscall_counts base, ids, targets, inodes, types, infos;
    char sql[256];
    /* The /proc walk's costs (the fixture inherits a large fd table: 'auto' may read it
     * through BPF, whose rows test_socket_fields compares). */
    setenv("SQLSOF_FDS_SOURCE", "proc", 1);
    testSyscalls("SELECT 1", &base);
    snprintf(sql, sizeof sql, "SELECT count(fd) FROM fds WHERE pid = %d", fx.pid);
    testSyscalls(sql, &ids);
    snprintf(sql, sizeof sql, "SELECT count(target) FROM fds WHERE pid = %d", fx.pid);
    testSyscalls(sql, &targets);
    snprintf(sql, sizeof sql, "SELECT count(inode) FROM fds WHERE pid = %d", fx.pid);
    testSyscalls(sql, &inodes);
    snprintf(sql, sizeof sql, "SELECT count(type) FROM fds WHERE pid = %d", fx.pid);
    testSyscalls(sql, &types);
    snprintf(sql, sizeof sql, "SELECT count(pos) FROM fds WHERE pid = %d", fx.pid);
    testSyscalls(sql, &infos);
    unsetenv("SQLSOF_FDS_SOURCE");

    /* pid, fd: the fd directory's listing; no readlink, stat, getxattr. /proc, status, fd dir. */
    assert_int_equal(ids.readlinkat, base.readlinkat);
    assert_int_equal(ids.newfstatat, base.newfstatat);
    assert_int_equal(ids.getxattr, 0);
    assert_true(ids.openat - base.openat <= 3);
    /* target: one readlink per fd, nothing else. */
    assert_int_equal(targets.readlinkat - base.readlinkat, n);
    assert_int_equal(targets.newfstatat, base.newfstatat);
    assert_int_equal(targets.openat, ids.openat);
    assert_int_equal(targets.getxattr, 0);
    /* inode: a stat only for paths and anon inodes, none for sockets and pipes; no fdinfo. */
    assert_int_equal(inodes.readlinkat - base.readlinkat, n);
    assert_int_equal(inodes.newfstatat - base.newfstatat, statted);
    assert_int_equal(inodes.openat, ids.openat);
    assert_int_equal(inodes.getxattr, 0);
    /* type: a getxattr per socket only; stats for paths (anon inodes and pipes need none). */
    assert_int_equal(types.getxattr, sockets);
    assert_int_equal(types.newfstatat - base.newfstatat, paths);
    /* pos: the fdinfo directory once, then one open and one read per fd; no stat. */
    assert_int_equal(infos.openat - ids.openat, n + 1);
    assert_int_equal(infos.read - ids.read, n);
    assert_int_equal(infos.newfstatat, base.newfstatat);
    assert_int_equal(infos.getxattr, 0);

    /* pid and fd: a point lookup, one readlink and no directory listing at all. */
    struct syscall_counts point;
    snprintf(sql, sizeof sql, "SELECT target FROM fds WHERE pid = %d AND fd = %d", fx.pid,
             o[OBJ_TCP].fd);
    testSyscalls(sql, &point);
    assert_int_equal(point.getdents64, base.getdents64);
    assert_int_equal(point.readlinkat - base.readlinkat, 1);
    assert_true(point.openat - base.openat <= 2); /* /proc and the pid's status */
    assert_int_equal(point.getxattr, 0);
    fixtureStop(&fx);
}

/* Threads share the leader's fds: a pushed TID lists nothing; the leader lists each once. */
/* A process that exits while a statement is stepping is skipped, with no error. */
static void process_gone_mid_scan(void **state)
{
    sqlite3 *db = *state;
    const char *forms[] = {"SELECT pid, fd, target, inode FROM fds WHERE pid IN (%d, %d)",
                           "SELECT pid, fd, target, inode FROM fds WHERE +pid IN (%d, %d)"};
    for (int f = 0; f < 2; f++) {
        struct fixture a, b;
        startChild(&a);
        startChild(&b);
        struct fixture *first = a.pid < b.pid ? &a : &b, *later = first == &a ? &b : &a;
        int laterPid = later->pid;
        char *sql = sqlite3_mprintf(forms[f], first->pid, laterPid);
        sqlite3_stmt *stmt;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(stmt, 0), first->pid);
        fixtureStop(later); /* gone (reaped) before the scan reaches it */
        int rc, rowsOfGone = 0, rowsOfFirst = 1;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            rowsOfGone += sqlite3_column_int(stmt, 0) == laterPid;
            rowsOfFirst += sqlite3_column_int(stmt, 0) == first->pid;
        }
        assert_int_equal(rc, SQLITE_DONE);
        assert_int_equal(rowsOfGone, 0);
        assert_true(rowsOfFirst >= OBJ_COUNT);
        sqlite3_finalize(stmt);
        sqlite3_free(sql);
        /* And between statements: gone from every plan. */
        assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d", laterPid), 0);
        assert_int_equal(testQueryInt(db, "SELECT count(*) FROM fds WHERE +pid = %d", laterPid), 0);
        assert_int_equal(
            testQueryInt(db, "SELECT count(*) FROM fds WHERE pid = %d AND fd = 3", laterPid), 0);
        fixtureStop(first);
    }
}

TEST_MAIN("fds", setupFiles, removeFiles,
          {
              TEST_WITH_DB(every_column_of_every_kind),
              TEST_WITH_DB(pushdown_equivalence),
              TEST_WITH_DB(inode_join_walks_once),
              TEST_WITH_DB(lazy_columns),
              TEST_WITH_DB(process_gone_mid_scan),
          })
