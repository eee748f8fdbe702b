/*
** Without privilege: build/sqlsof run as `nobody` (groups dropped, setgid/setuid, so no
** capabilities are left) answers the key queries without an error. Its own user's processes
** are complete, other users' are listed with NULL for what may not be read, the sockets of its
** own network namespace are all there, and a namespace it may not enter gives no error.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "command.h"
#include "fixture.h"
#include "shell.h"
#include "testmain.h"

#define NOBODY 65534

/* In a child: become nobody for good (no groups, no capabilities). */
static void dropPrivileges(void)
{
    if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0) _exit(126);
    if (setuid(0) == 0) _exit(125); /* the drop must not be undoable */
}

/* Mount options of a private /proc for sqlsof as nobody ("hidepid=2"), or NULL for the host's. */
static const char *nobodyProc;

/* In a child: a mount namespace of its own with /proc mounted with nobodyProc's options. */
static void mountPrivateProc(void)
{
    if (!nobodyProc) return;
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nobodyProc) != 0)
        _exit(124);
}

/* Runs build/sqlsof ARGS... as nobody; fails the test unless it exits 0 with an empty stderr.
 * Returns its stdout (malloc'd). */
static char *sqlsofAsNobody(const char *arg1, const char *arg2, const char *arg3)
{
    FILE *out = tmpfile(), *err = tmpfile();
    assert_true(out && err);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fileno(out), 1);
        dup2(fileno(err), 2);
        mountPrivateProc();
        dropPrivileges();
        execl(testSqlsof(), "sqlsof", arg1, arg2, arg3, (char *)NULL);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    char *text[2] = {NULL, NULL};
    FILE *f[2] = {out, err};
    for (int i = 0; i < 2; i++) {
        size_t len = 0;
        FILE *mem = open_memstream(&text[i], &len);
        char chunk[4096];
        size_t n;
        rewind(f[i]);
        while ((n = fread(chunk, 1, sizeof chunk, f[i])) > 0) fwrite(chunk, 1, n, mem);
        fclose(mem);
        fclose(f[i]);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || text[1][0])
        fail_msg("sqlsof %s %s as nobody: status %d, stderr: %s", arg1, arg2 ? arg2 : "", status,
                 text[1]);
    free(text[1]);
    return text[0];
}

/* The value on the second line of CSV output OUT (malloc'd); fails the test without one. */
static char *csvValue(const char *out, const char *sql)
{
    const char *line = strchr(out, '\n');
    if (!line) fail_msg("no row from: %s", sql);
    char *value = strdup(line + 1);
    value[strcspn(value, "\r\n")] = '\0';
    return value;
}

/* The single value (CSV's second line, malloc'd) that the SQL of FMT returns through
 * build/sqlsof, run as nobody or as root (this process). */
static char *valueAs(int asNobody, const char *fmt, ...)
{
    char *sql, *value;
    va_list ap;
    va_start(ap, fmt);
    assert_true(vasprintf(&sql, fmt, ap) >= 0);
    va_end(ap);
    if (asNobody) {
        char *out = sqlsofAsNobody("--csv", sql, NULL);
        value = csvValue(out, sql);
        free(out);
    } else {
        char *argv[] = {testSqlsof(), "--csv", sql, NULL};
        struct command_result r;
        testCommand(argv, &r);
        if (r.status != 0) fail_msg("%s: %s", sql, r.err);
        value = csvValue(r.out, sql);
        testCommandFree(&r);
    }
    free(sql);
    return value;
}
#define nobodyValue(...) valueAs(1, __VA_ARGS__)
#define rootValue(...)   valueAs(0, __VA_ARGS__)

#define assert_value(got, want)                                                                    \
    do {                                                                                           \
        char *v_ = (got);                                                                          \
        assert_string_equal(v_, want);                                                             \
        free(v_);                                                                                  \
    } while (0)

/* The first line of /proc/PID/NAME into BUF (empty when it cannot be read). */
static void readProcLine(pid_t pid, const char *name, char *buf, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(buf, (int)size, f)) buf[0] = '\0';
    if (f) fclose(f);
}

/*
** A process of nobody's: a shell that holds /etc/hosts on fd 3 and sleeps. It execs after
** dropping privileges, so it is dumpable again and nobody may read all of its /proc files.
*/
static pid_t startNobodySleeper(void)
{
    pid_t parent = getpid(), pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dropPrivileges();
        /* After the drop: a change of credentials clears the parent-death signal. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
        /* Not on the test's output: a harness reads that pipe to its end. */
        int null = open("/dev/null", O_WRONLY);
        if (null < 0 || dup2(null, 1) != 1 || dup2(null, 2) != 2) _exit(126);
        execl("/bin/sh", "sh", "-c", "exec 3</etc/hosts; exec sleep 600", (char *)NULL);
        _exit(127);
    }
    /* Wait until sleep sleeps: its comm is set at the exec, before the loader has mapped its
     * libraries, and a test compares two readings of its maps. */
    char comm[32] = "", stat[512] = "";
    const char *state = NULL;
    for (int i = 0; i < 5000 && !(state && *state == 'S' && !strcmp(comm, "sleep\n")); i++) {
        usleep(1000);
        readProcLine(pid, "comm", comm, sizeof comm);
        readProcLine(pid, "stat", stat, sizeof stat);
        state = strrchr(stat, ')');
        if (state) state += 2;
    }
    assert_string_equal(comm, "sleep\n");
    assert_true(state && *state == 'S');
    return pid;
}

static void stop(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Every process is listed; nobody's own has every column; root's have NULL where closed. */
static void processes_as_nobody(void **state)
{
    (void)state;
    pid_t s = startNobodySleeper();
    char *all = nobodyValue("SELECT count(*) FROM processes");
    assert_true(atol(all) > 5);
    free(all);
    /* Our own process (root's) is listed, with its stat and status, but its links are closed. */
    assert_value(nobodyValue("SELECT name IS NOT NULL, state IS NOT NULL, uid, user, exe IS NULL,"
                             " cwd IS NULL, root IS NULL FROM processes(%d)",
                             getpid()),
                 "1,1,0,root,1,1,1");
    /* pid 1 likewise (root's, or at least not nobody's). */
    assert_value(nobodyValue("SELECT count(*), exe IS NULL, cwd IS NULL FROM processes(1)"),
                 "1,1,1");

    /* Nobody's own process: every column, equal to what root reads. */
    static const char cols[] = "pid, ppid, pgid, sid, name, cmdline, exe, cwd, root, uid, euid,"
                               " gid, egid, user, threads, nice, netns, pidns, mntns, cgroup";
    char *mine = nobodyValue("SELECT %s FROM processes(%d)", cols, s);
    char *root = rootValue("SELECT %s FROM processes(%d)", cols, s);
    assert_string_equal(mine, root);
    assert_null(strstr(mine, ",,")); /* no NULL (an empty CSV field) */
    assert_non_null(strstr(mine, ",sleep,sleep 600,"));
    assert_non_null(strstr(mine, ",65534,65534,65534,65534,nobody,"));
    free(mine);
    free(root);
    assert_value(nobodyValue("SELECT count(*) FROM processes(%d) WHERE start_time > 0 AND utime"
                             " >= 0 AND rss > 0 AND vsize > 0 AND state IS NOT NULL",
                             s),
                 "1");
    stop(s);
}

/* Nobody's own fds and maps as root sees them; root's fds are simply absent, no error. */
static void fds_and_maps_as_nobody(void **state)
{
    (void)state;
    pid_t s = startNobodySleeper();
    static const char fdsSql[] =
        "SELECT group_concat(fd || ' ' || type || ' ' || mode || ' ' || target, ';') FROM"
        " (SELECT * FROM fds(%d) ORDER BY fd)";
    char *mine = nobodyValue(fdsSql, s), *root = rootValue(fdsSql, s);
    assert_string_equal(mine, root);
    assert_non_null(strstr(mine, "3 REG r /etc/hosts"));
    free(mine);
    free(root);
    static const char mapsSql[] = "SELECT count(*), count(path) FROM maps(%d)";
    mine = nobodyValue(mapsSql, s), root = rootValue(mapsSql, s);
    assert_string_equal(mine, root);
    assert_true(atol(mine) > 3);
    free(mine);
    free(root);

    assert_value(nobodyValue("SELECT count(*) FROM fds(%d)", getpid()), "0");
    assert_value(nobodyValue("SELECT count(*) FROM maps(%d)", getpid()), "0");
    assert_value(nobodyValue("SELECT count(*) FROM fds WHERE pid = %d AND fd = 0", getpid()), "0");
    /* The full scans: no error, and nobody's sleeper in them. */
    assert_value(
        nobodyValue("SELECT count(*) FROM fds WHERE +pid = %d AND target = '/etc/hosts'", s), "1");
    assert_value(nobodyValue("SELECT count(*) > 0 FROM maps WHERE +pid = %d", s), "1");
    stop(s);
}

/* The lsof mode as nobody: its own process in full, the rest without error. */
static void lsof_mode_as_nobody(void **state)
{
    (void)state;
    pid_t s = startNobodySleeper();
    char pidArg[32];
    snprintf(pidArg, sizeof pidArg, "%d", s);
    char *out = sqlsofAsNobody("-n", "-p", pidArg);
    assert_non_null(strstr(out, " /etc/hosts\n"));
    assert_non_null(strstr(out, "sleep"));
    free(out);
    out = sqlsofAsNobody("-n", "-P", NULL);
    assert_true(strncmp(out, "COMMAND", 7) == 0);
    assert_non_null(strstr(out, " /etc/hosts\n"));
    free(out);
    stop(s);
}

static long long ownNetns(void)
{
    struct stat st;
    assert_int_equal(stat("/proc/self/ns/net", &st), 0);
    return (long long)st.st_ino;
}

static int compareLongs(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/*
** Every socket that this test made in our namespace is seen by nobody (sock_diag needs no
** privilege in one's own namespace); a listener of ours is there by port. Only the test's own
** sockets are compared: a dump is no snapshot, and other programs' sockets come and go.
*/
static void own_namespace_sockets_as_nobody(void **state)
{
    (void)state;
    int tcp = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert_int_equal(bind(tcp, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(tcp, 1), 0);
    assert_int_equal(getsockname(tcp, (struct sockaddr *)&a, &alen), 0);
    int client = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(client, (struct sockaddr *)&a, sizeof a), 0);
    int server = accept(tcp, NULL, NULL);
    int udp = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in ua = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(udp, (struct sockaddr *)&ua, sizeof ua), 0);
    int ux = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un u = {.sun_family = AF_UNIX};
    snprintf(u.sun_path, sizeof u.sun_path, "/tmp/sqlsof-nobody-%d", getpid());
    unlink(u.sun_path);
    assert_int_equal(bind(ux, (struct sockaddr *)&u, sizeof u), 0);
    assert_int_equal(listen(ux, 1), 0);
    int pair[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, pair), 0);

    int mine[] = {tcp, client, server, udp, ux, pair[0], pair[1]};
    enum { NMINE = sizeof mine / sizeof *mine };
    long inodes[NMINE];
    char want[512] = "", list[512] = "";
    for (int i = 0; i < NMINE; i++) {
        struct stat st;
        assert_int_equal(fstat(mine[i], &st), 0);
        inodes[i] = (long)st.st_ino;
    }
    qsort(inodes, NMINE, sizeof *inodes, compareLongs);
    for (int i = 0; i < NMINE; i++) {
        size_t n = strlen(want);
        snprintf(want + n, sizeof want - n, "%s%ld", i ? " " : "", inodes[i]);
        n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s%ld", i ? "," : "", inodes[i]);
    }
    long long ns = ownNetns();
    static const char inodesSql[] =
        "SELECT group_concat(inode, ' ') FROM (SELECT DISTINCT inode FROM sockets WHERE"
        " netns = %lld AND inode IN (%s) ORDER BY inode)";
    assert_value(rootValue(inodesSql, ns, list), want);
    assert_value(nobodyValue(inodesSql, ns, list), want);
    /* The same through the full dump, without the inode pushed down. */
    assert_value(nobodyValue("SELECT group_concat(inode, ' ') FROM (SELECT DISTINCT inode FROM"
                             " sockets WHERE netns = %lld AND +inode IN (%s) ORDER BY inode)",
                             ns, list),
                 want);

    assert_value(nobodyValue("SELECT count(*) FROM sockets WHERE state = 'LISTEN' AND"
                             " local_port = %d AND local_addr = '127.0.0.1' AND netns = %lld",
                             ntohs(a.sin_port), ns),
                 "1");
    assert_value(nobodyValue("SELECT count(*) FROM sockets WHERE family = 'unix' AND path = '%s'",
                             u.sun_path),
                 "1");
    for (int i = 0; i < NMINE; i++) close(mine[i]);
    unlink(u.sun_path);
}

/* A namespace nobody may not enter: no error, no rows from it; root sees its listener. */
static void other_namespace_as_nobody(void **state)
{
    (void)state;
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execlp("unshare", "unshare", "-n", "sh", "-c",
               "ip link set lo up && exec python3 -c 'import socket,time\n"
               "s=socket.socket(); s.bind((\"127.0.0.1\", 4242)); s.listen(); time.sleep(600)'",
               (char *)NULL);
        _exit(127);
    }
    /* Its namespace, once unshare has run, and its listener, once python has started. */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/net", child);
    long long ns = ownNetns();
    char *listeners = NULL;
    for (int i = 0; i < 300; i++) {
        struct stat st;
        if (stat(path, &st) == 0 && (long long)st.st_ino != ns) {
            free(listeners);
            listeners = rootValue("SELECT count(*) FROM sockets WHERE netns = %lld AND"
                                  " local_port = 4242 AND state = 'LISTEN'",
                                  (long long)st.st_ino);
            if (!strcmp(listeners, "1")) {
                ns = (long long)st.st_ino;
                break;
            }
        }
        usleep(10000);
    }
    assert_string_equal(listeners, "1");
    free(listeners);

    assert_value(nobodyValue("SELECT count(*) FROM sockets WHERE netns = %lld", ns), "0");
    assert_value(
        nobodyValue("SELECT count(*) FROM sockets WHERE local_port = 4242 AND netns = %lld", ns),
        "0");
    char *all = nobodyValue("SELECT count(*) FROM sockets");
    assert_true(atol(all) > 0);
    free(all);
    stop(child);
}

/*
** Which processes exist does not depend on pushdown, also under a /proc that hides other users'
** files (hidepid=1: status unreadable) or processes (hidepid=2): `pid = X` lists X exactly when
** `+pid = X` does, whatever the columns, and a thread's id is no process either way.
*/
static void pushdown_under_hidepid(void **state)
{
    (void)state;
    pid_t s = startNobodySleeper();
    long tid = fixtureStartThread();
    static const char sql[] =
        "SELECT (SELECT count(*) FROM processes WHERE pid = %1$ld)"
        " || (SELECT count(*) FROM processes WHERE +pid = %1$ld)"
        " || (SELECT count(*) FROM processes(%1$ld))"
        " || (SELECT count(*) FROM processes WHERE pid = %1$ld AND name IS NULL)"
        " || (SELECT count(*) FROM processes WHERE +pid = %1$ld AND name IS NULL)"
        " || (SELECT count(*) FROM processes WHERE pid IN (%1$ld, 0) AND cwd IS NULL)"
        " || (SELECT count(*) FROM processes WHERE +pid = %1$ld AND cwd IS NULL)";
    static const char *const opts[] = {"hidepid=1", "hidepid=2"};
    for (size_t o = 0; o < 2; o++) {
        nobodyProc = opts[o];
        /* Root's processes: listed with NULL columns under hidepid=1, absent under 2. */
        const char *root = o == 0 ? "1111111" : "0000000";
        assert_value(nobodyValue(sql, (long)getpid()), root);
        assert_value(nobodyValue(sql, 1L), root);
        assert_value(nobodyValue(sql, tid), "0000000");
        /* Nobody's own process: every column. */
        assert_value(nobodyValue(sql, (long)s), "1110000");
        char *all = nobodyValue("SELECT count(*) FROM processes WHERE pid IN (SELECT pid FROM"
                                " processes) AND +pid = %d",
                                getpid());
        assert_string_equal(all, root + 6);
        free(all);
    }
    nobodyProc = NULL;
    fixtureStopThread();
    stop(s);
}

TEST_MAIN("unprivileged", NULL, NULL,
          {
              cmocka_unit_test(processes_as_nobody),
              cmocka_unit_test(fds_and_maps_as_nobody),
              cmocka_unit_test(lsof_mode_as_nobody),
              cmocka_unit_test(own_namespace_sockets_as_nobody),
              cmocka_unit_test(other_namespace_as_nobody),
              cmocka_unit_test(pushdown_under_hidepid),
          })
