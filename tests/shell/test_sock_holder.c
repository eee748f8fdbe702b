/*
** A file whose inode number equals a socket's names no holder of that socket: root listens on
** 127.0.0.1, and a process of nobody's, on a tmpfs of its own (a private mount namespace),
** makes unnamed files until one gets the inode number of the host's first TCP listener (the
** test's own when there is none earlier) and holds it. Every view,
** recipe and metric that joins a socket to its holder must still name root's process only.
*/
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "fixture.h"
#include "shell.h"
#include "sockets.h"
#include "testmain.h"

#define NOBODY   65534
#define LISTENER "sqlsof-sh-lsn"
#define FORGER   "sqlsof-sh-forge"
/* Inode numbers a private tmpfs can reach within the test's time (~7 µs per file). */
#define MAX_INODE 8000000
/* The forger's mount point, FORGE_DIR<pid>: the test removes it after. */
#define FORGE_DIR "/tmp/sqlsof-sockholder-"

struct listener {
    int port;
    unsigned long inode;
};

static int listenLoopback(void *arg)
{
    struct listener *l = arg;
    prctl(PR_SET_NAME, LISTENER);
    int s = tcpListen(4, &l->port);
    if (s < 0) return -1;
    l->inode = inodeOf(s);
    fixtureReport(l, sizeof *l);
    return 0;
}

/* The forger: a tmpfs of its own, nobody for good, then unnamed files (O_TMPFILE: one inode
 * each, numbered in turn by this tmpfs alone) until one has the listener's inode number. */
static int forgeInode(void *arg)
{
    const struct listener *l = arg;
    char dir[64];
    snprintf(dir, sizeof dir, FORGE_DIR "%d", (int)getpid());
    if (mkdir(dir, 0700) != 0 || unshare(CLONE_NEWNS) != 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("none", dir, "tmpfs", 0, "mode=0777") != 0)
        return -1;
    pid_t parent = getppid();
    /* The change of credentials clears the parent-death signal: set it again. */
    if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0 ||
        prctl(PR_SET_NAME, FORGER) != 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
        getppid() != parent)
        return -1;
    struct stat st = {0};
    for (;;) {
        int fd = open(dir, O_TMPFILE | O_RDWR, 0600);
        if (fd < 0 || fstat(fd, &st) != 0) return -1;
        if (st.st_ino == l->inode) return 0; /* held open */
        close(fd);
        if (st.st_ino > l->inode) return -1;
    }
}

/* Whether the CSV answer of SQL (formatted with the arguments that follow) is WANT. */
static void expectCsv(const char *want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void expectCsv(const char *want, const char *fmt, ...)
{
    char sql[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    char *out = testSqlsofCsv(sql, NULL);
    if (strcmp(out, want) != 0) fail_msg("%s: %s, not %s", sql, out, want);
    free(out);
}

static void no_view_names_the_file(void **state)
{
    (void)state;
    struct fixture lf, ff;
    struct listener own, l;
    fixtureStartReport(&lf, listenLoopback, &own, &own, sizeof own);
    /* The target: the TCP listener of the lowest inode number (the sooner a tmpfs gets there):
     * the test's own, or one the host made earlier. Only the forger is asserted on then. */
    char *first = testSqlsofCsv("SELECT inode, port FROM listening WHERE protocol = 'tcp' "
                                "ORDER BY inode LIMIT 1",
                                NULL);
    assert_int_equal(sscanf(first, "inode,port\r\n%lu,%d", &l.inode, &l.port), 2);
    free(first);
    if (l.inode > MAX_INODE)
        fail_msg("socket inode %lu: past what a tmpfs reaches in time", l.inode);
    fixtureStart(&ff, forgeInode, &l);

    /* The attack is real: the forger holds a file with the socket's inode number. */
    char want[128];
    snprintf(want, sizeof want, "type,inode\r\nREG,%lu\r\n", l.inode);
    expectCsv(want, "SELECT type, inode FROM fds WHERE pid = %d AND inode = %lu", ff.pid, l.inode);

    /* The views never name the forger as the socket's holder; lsof's listing shows its file as
     * a file, with no socket's address. */
    expectCsv("n\r\n0\r\n", "SELECT count(*) AS n FROM listening WHERE inode = %lu AND pid = %d",
              l.inode, ff.pid);
    expectCsv("n\r\n0\r\n", "SELECT count(*) AS n FROM lsof_sockets WHERE inode = %lu AND pid = %d",
              l.inode, ff.pid);
    expectCsv("type,family\r\nREG,\r\n",
              "SELECT type, family FROM lsof WHERE inode = %lu AND pid = %d", l.inode, ff.pid);
    snprintf(want, sizeof want, "pid\r\n%d\r\n", lf.pid);
    expectCsv(want, "SELECT pid FROM listening WHERE inode = %lu", own.inode);

    /* The recipe of a port's users, the collector's listener, the HTML report's listeners (the
     * forger's unnamed file is in its deleted files). */
    char port[32];
    snprintf(port, sizeof port, "port=%d", l.port);
    char *out = testRecipe("port-users.sql", port, NULL);
    assert_null(strstr(out, FORGER));
    free(out);
    out = testShellOk("%s --prom | grep -c '^sqlsof_listening_socket_info{.*port=\"%d\".*" FORGER
                      "' || true",
                      testSqlsof(), l.port);
    assert_string_equal(out, "0\n");
    free(out);
    out = testShellOk("%s --html | grep -c '<tr>.*>%d<.*" FORGER "' || true", testSqlsof(), l.port);
    assert_string_equal(out, "0\n");
    free(out);
    char dir[64];
    snprintf(dir, sizeof dir, FORGE_DIR "%d", (int)ff.pid);
    fixtureStop(&ff);
    fixtureStop(&lf);
    assert_int_equal(rmdir(dir), 0);
}

TEST_MAIN("sock_holder", NULL, NULL, {cmocka_unit_test(no_view_names_the_file)})
