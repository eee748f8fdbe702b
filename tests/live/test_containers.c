/*
** Containers and the network namespaces no process is in, on live fixtures:
**  - a namespace held only by a descriptor of a process that is itself back in the host's
**    namespace, and one held only by a bind mount in a private mount namespace, each with a TCP
**    listener inside: both appear in `sockets`;
**  - a real podman container (Debian's podman with runc, a root file system made from
**    busybox-static by `podman import`, --network none): its processes' container columns, its
**    listener, connection and deleted file joined to it, the `containers` row, the views and
**    recipes of sql/containers.sql, NULL (never an error) without privilege, and all of it gone
**    after `podman rm`. The container is removed at the end even when a check fails, and it
**    ends itself after 120 s (--rm) should this program be killed.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "command.h"
#include "fixture.h"
#include "shell.h"
#include "testdb.h"
#include "testmain.h"

/* What a namespace fixture reports. */
struct heldNs {
    unsigned long long netns, listenerIno;
    int port, nsFd;
};

static unsigned long long inodeOf(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* A TCP listener on any address, port chosen by the kernel (lo may be down: no matter). */
static int listenAny(struct heldNs *h)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    h->port = ntohs(a.sin_port);
    h->listenerIno = inodeOf(fd);
    return 0;
}

/* A new network namespace with a listener, kept by a descriptor; then back to the host's. */
static int holdByFd(void *arg)
{
    (void)arg;
    struct heldNs h = {0};
    int host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (host < 0 || unshare(CLONE_NEWNET) != 0 || listenAny(&h) != 0) return -1;
    h.nsFd = open("/proc/self/ns/net", O_RDONLY);
    h.netns = inodeOf(h.nsFd);
    if (h.nsFd < 0 || setns(host, CLONE_NEWNET) != 0) return -1;
    close(host);
    fixtureReport(&h, sizeof h);
    return 0;
}

/* The same kept by a bind mount on a private tmpfs in a mount namespace of its own (so it
 * vanishes with the child), the descriptor closed. */
static int holdByMount(void *arg)
{
    (void)arg;
    struct heldNs h = {0};
    int host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (host < 0 || unshare(CLONE_NEWNS | CLONE_NEWNET) != 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("sqlsof-test", "/tmp", "tmpfs", 0, "size=64k") != 0)
        return -1;
    int f = open("/tmp/held netns", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (f < 0 || close(f) != 0 ||
        mount("/proc/self/ns/net", "/tmp/held netns", NULL, MS_BIND, NULL) != 0 ||
        listenAny(&h) != 0)
        return -1;
    h.netns = inodeOf(open("/tmp/held netns", O_RDONLY | O_CLOEXEC));
    h.nsFd = -1;
    if (setns(host, CLONE_NEWNET) != 0) return -1;
    close(host);
    fixtureReport(&h, sizeof h);
    return 0;
}

/* The fixture's namespace: no process is in it, and sockets finds its listener there. */
static void checkHeldNamespace(struct fixture *fx)
{
    const struct heldNs *h = (const struct heldNs *)fx->report;
    sqlite3 *db = testOpenDb();
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) FROM processes WHERE netns = %llu", h->netns), 0);
    assert_int_equal(testQueryInt(db, "SELECT netns FROM processes WHERE pid = %d", fx->pid) ==
                         (sqlite3_int64)h->netns,
                     0);
    /* Through the listener's holder (the fds row notes it), whatever namespaces a scan sees. */
    char *rows = testQueryRows(db,
                               "SELECT s.netns, s.local_port, s.state FROM fds f "
                               "JOIN sockets s USING(inode) WHERE f.pid = %d AND f.inode = %llu",
                               fx->pid, h->listenerIno);
    char want[128];
    snprintf(want, sizeof want, "%llu|%d|LISTEN\n", h->netns, h->port);
    assert_string_equal(rows, want);
    free(rows);
    /* pushed: a scan of just that namespace finds it too (a descriptor-held one is looked for
     * among every process's descriptors only when a statement names it) */
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) FROM sockets WHERE netns = %llu AND inode = %llu",
                     h->netns, h->listenerIno),
        1);
    sqlite3_close(db);
}

static void netns_held_by_a_descriptor(void **state)
{
    struct fixture fx;
    fixtureStart(&fx, holdByFd, NULL);
    const struct heldNs *h = (const struct heldNs *)fx.report;
    sqlite3 *db = *state;
    char *target =
        testQueryText(db, "SELECT target FROM fds WHERE pid = %d AND fd = %d", fx.pid, h->nsFd);
    char want[64];
    snprintf(want, sizeof want, "net:[%llu]", h->netns);
    assert_string_equal(target, want);
    free(target);
    checkHeldNamespace(&fx);
    fixtureStop(&fx);
}

static void netns_held_by_a_mount(void **state)
{
    (void)state;
    struct fixture fx;
    fixtureStart(&fx, holdByMount, NULL);
    checkHeldNamespace(&fx);
    fixtureStop(&fx);
}

/* ---- podman ---------------------------------------------------------------------------- */

#define PODMAN "timeout 60 podman"
#define RUNOPT "--runtime runc --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
#define BB     "/bin/busybox"
/* pid 1 holds a deleted file and sleeps; beside it a listener on 8080 and a connection to 8081 */
#define SCRIPT                                                                                     \
    "exec 3>/tmp/held-deleted; " BB " rm /tmp/held-deleted; " BB " nc -l -p 8080 & " BB            \
    " sleep 120 | " BB " nc -l -p 8081 & " BB " sleep 0.3; " BB " sleep 120 | " BB                 \
    " nc 127.0.0.1 8081 & exec " BB " sleep 120"

static char ctrName[64], image[96], rootfs[64], ctrId[80];
static int initPid;

static void podmanCleanup(void)
{
    struct command_result r;
    if (ctrName[0]) {
        testShell(&r, PODMAN " rm -f -t 0 %s", ctrName);
        testCommandFree(&r);
    }
    if (image[0]) {
        testShell(&r, PODMAN " rmi -f %s", image);
        testCommandFree(&r);
    }
    if (rootfs[0]) {
        testShell(&r, "rm -rf %s %s.tar", rootfs, rootfs);
        testCommandFree(&r);
    }
}

static int teardown(void **state)
{
    (void)state;
    podmanCleanup();
    return 0;
}

/* How many processes /proc/PID/cgroup places under ID: the count, read without sqlsof. */
static int processesInCgroup(const char *id)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        char path[300], text[4096];
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        snprintf(path, sizeof path, "/proc/%s/cgroup", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t len = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[len] = '\0';
        n += strstr(text, id) != NULL;
    }
    closedir(d);
    return n;
}

/* Starts the container and waits (up to 10 s) until its sockets are all there. */
static void startContainer(void)
{
    snprintf(ctrName, sizeof ctrName, "sqlsof-test-%d", getpid());
    snprintf(image, sizeof image, "localhost/sqlsof-test-busybox:%d", getpid());
    snprintf(rootfs, sizeof rootfs, "/tmp/sqlsof-rootfs-%d", getpid());
    free(testShellOk("rm -rf %s && mkdir -p %s/bin %s/tmp && cp /bin/busybox %s/bin/ && "
                     "ln -s busybox %s/bin/sh && tar -C %s -cf %s.tar .",
                     rootfs, rootfs, rootfs, rootfs, rootfs, rootfs, rootfs));
    free(testShellOk(PODMAN " import -q %s.tar %s", rootfs, image));
    char *id = testShellOk(PODMAN " run -d --rm --name %s " RUNOPT " %s " BB " sh -c '%s'", ctrName,
                           image, SCRIPT);
    id[strcspn(id, "\n")] = '\0';
    assert_int_equal(strlen(id), 64);
    snprintf(ctrId, sizeof ctrId, "%s", id);
    free(id);
    char *pid = testShellOk(PODMAN " inspect -f '{{.State.Pid}}' %s", ctrName);
    initPid = atoi(pid);
    free(pid);
    assert_true(initPid > 1);

    sqlite3 *db = testOpenDb();
    for (int i = 0;; i++) {
        sqlite3_int64 n = testQueryInt(
            db,
            "SELECT count(*) FROM sockets s JOIN fds f USING(inode) JOIN processes p USING(pid)"
            " WHERE p.container_id = '%s' AND s.family IN ('inet', 'inet6')"
            " AND s.protocol = 'tcp'"
            " AND (s.state = 'LISTEN' AND s.local_port = 8080 OR s.state = 'ESTABLISHED')",
            ctrId);
        if (n == 3) break;
        if (i == 100) fail_msg("the container's sockets did not appear in 10 s (%lld)", n);
        struct timespec t = {0, 100000000};
        nanosleep(&t, NULL);
    }
    sqlite3_close(db);
}

static void checkProcesses(sqlite3 *db)
{
    char want[512];
    char *rows = testQueryRows(db,
                               "SELECT container_id, container_runtime, container_name, nspid,"
                               " pod_uid, pod_name, pod_namespace FROM processes WHERE pid = %d",
                               initPid);
    snprintf(want, sizeof want, "%s|podman|%s|1|NULL|NULL|NULL\n", ctrId, ctrName);
    assert_string_equal(rows, want);
    free(rows);
    int n = processesInCgroup(ctrId);
    assert_true(n >= 6);
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) FROM processes WHERE container_name = '%s'", ctrName), n);
    /* this process is on the host */
    rows = testQueryRows(db,
                         "SELECT container_id, container_runtime, container_name, nspid = pid"
                         " FROM processes WHERE pid = %d",
                         getpid());
    assert_string_equal(rows, "NULL|NULL|NULL|1\n");
    free(rows);
}

static void checkContainersRow(sqlite3 *db)
{
    char want[512], path[64];
    struct stat net, pid, mnt;
    snprintf(path, sizeof path, "/proc/%d/ns/net", initPid);
    assert_int_equal(stat(path, &net), 0);
    snprintf(path, sizeof path, "/proc/%d/ns/pid", initPid);
    assert_int_equal(stat(path, &pid), 0);
    snprintf(path, sizeof path, "/proc/%d/ns/mnt", initPid);
    assert_int_equal(stat(path, &mnt), 0);
    char *rows = testQueryRows(db, "SELECT * FROM containers WHERE id = '%s'", ctrId);
    snprintf(want, sizeof want, "%s|podman|%s|NULL|NULL|NULL|%d|%llu|%llu|%llu|%d\n", ctrId,
             ctrName, initPid, (unsigned long long)net.st_ino, (unsigned long long)pid.st_ino,
             (unsigned long long)mnt.st_ino, processesInCgroup(ctrId));
    assert_string_equal(rows, want);
    free(rows);

    /* id = ? is pushed, and answers as the unpushed +id does, for a value, a list and a miss */
    char *plan = testExplain(db, "SELECT * FROM containers WHERE id = '%s'", ctrId);
    assert_non_null(strstr(plan, ":id="));
    free(plan);
    static const char *const cols = "id, runtime, name, init_pid, netns, processes";
    const char *forms[][2] = {{"id = '%s'", "+id = '%s'"},
                              {"id IN ('%s', 'x')", "+id IN ('%s', 'x')"},
                              {"id = upper('%s')", "+id = upper('%s')"},
                              {"id = '%s' COLLATE NOCASE", "+id = '%s' COLLATE NOCASE"}};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        char pushed[256], plain[256];
        snprintf(pushed, sizeof pushed, forms[i][0], ctrId);
        snprintf(plain, sizeof plain, forms[i][1], ctrId);
        char *a = testQueryRows(db, "SELECT %s FROM containers WHERE %s", cols, pushed);
        char *b = testQueryRows(db, "SELECT %s FROM containers WHERE %s", cols, plain);
        assert_string_equal(a, b);
        assert_true((strstr(a, ctrName) != NULL) == (i != 2));
        free(a);
        free(b);
    }
    /* joined on its namespace: the listener inside it */
    rows = testQueryRows(db,
                         "SELECT c.name, s.local_port FROM containers c JOIN sockets s USING(netns)"
                         " WHERE c.id = '%s' AND s.state = 'LISTEN' AND s.protocol = 'tcp'",
                         ctrId);
    snprintf(want, sizeof want, "%s|8080\n", ctrName);
    assert_string_equal(rows, want);
    free(rows);
}

static void checkViewsAndRecipes(void)
{
    char want[512], param[128];
    snprintf(param, sizeof param, "container=%s", ctrName);

    char *out = testRecipe("container-listeners.sql", param, NULL);
    snprintf(want, sizeof want,
             "runtime,container,pod_namespace,pod_name,protocol,address,port,pid,nspid,process\r\n"
             "podman,%s,,,tcp,",
             ctrName);
    assert_memory_equal(out, want, strlen(want));
    assert_non_null(strstr(out, ",8080,"));
    assert_null(strstr(out, ",8081,")); /* accepted: no longer listening */
    free(out);

    out = testRecipe("container-connections.sql", param, NULL);
    int rows = 0;
    for (char *p = out; (p = strstr(p, "\r\npodman,")); p += 2) rows++;
    assert_int_equal(rows, 2); /* both ends of the connection to 8081 */
    assert_non_null(strstr(out, ",127.0.0.1,8081,ESTABLISHED,"));
    free(out);

    out = testRecipe("container-deleted-files.sql", param, NULL);
    snprintf(want, sizeof want, "podman,%s,,,%d,1,busybox,3,/tmp/held-deleted,0\r\n", ctrName,
             initPid);
    assert_non_null(strstr(out, want));
    free(out);

    /* a container by its id, too; another container's name matches nothing */
    snprintf(param, sizeof param, "container=%s", ctrId);
    out = testRecipe("container-listeners.sql", param, NULL);
    assert_non_null(strstr(out, ",8080,"));
    free(out);
    out = testRecipe("container-listeners.sql", "container=no-such-container", NULL);
    assert_null(strchr(strchr(out, '\n') + 1, '\n'));
    free(out);

    /* the lsof view carries the container's columns */
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT DISTINCT container_id, container_runtime, container_name FROM lsof"
             " WHERE pid = %d",
             initPid);
    out = testSqlsofCsv(sql, NULL);
    snprintf(want, sizeof want, "container_id,container_runtime,container_name\r\n%s,podman,%s\r\n",
             ctrId, ctrName);
    assert_string_equal(out, want);
    free(out);
}

/* As nobody: the cgroup is readable, podman's storage (0700) is not: name NULL, no error. */
static void checkUnprivileged(void)
{
    char *out = testShellOk(
        "setpriv --reuid=65534 --regid=65534 --clear-groups %s --csv \"SELECT container_id,"
        " container_runtime, container_name, nspid FROM processes WHERE pid = %d;"
        " SELECT runtime, name, processes > 0 FROM containers WHERE id = '%s'\"",
        testSqlsof(), initPid, ctrId);
    char want[512];
    snprintf(want, sizeof want,
             "container_id,container_runtime,container_name,nspid\r\n%s,podman,,1\r\n"
             "runtime,name,processes > 0\r\npodman,,1\r\n",
             ctrId);
    assert_string_equal(out, want);
    free(out);
}

/* How often SQL (run by build/sqlsof under strace) opens a file whose path contains NEEDLE. */
static int opensOf(const char *sql, const char *needle)
{
    /* LeakSanitizer cannot run under ptrace: the sanitized pass's leak check is off here */
    char *out = testShellOk("ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=openat"
                            " -o /tmp/sqlsof-strace-%d %s --csv \"%s\" > /dev/null || exit 1;"
                            " grep -c '%s' /tmp/sqlsof-strace-%d; rm -f /tmp/sqlsof-strace-%d",
                            getpid(), testSqlsof(), sql, needle, getpid(), getpid());
    int n = atoi(out);
    free(out);
    return n;
}

/* A container's state is read once per statement, not once per process; and only when a
 * column needs it (colUsed). */
static void checkStateReadOnce(void)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT pid, container_name FROM processes");
    assert_int_equal(opensOf(sql, "overlay-containers/containers.json"), 1);
    /* One per container on the host (another test's may run beside this one's). */
    sqlite3 *db = testOpenDb();
    long containers = (long)testQueryInt(db, "SELECT count(*) FROM containers WHERE runtime = "
                                             "'podman'");
    sqlite3_close(db);
    assert_true(containers >= 1);
    assert_int_equal(opensOf(sql, "userdata/config.json"), containers);
    snprintf(sql, sizeof sql, "SELECT pid, container_id, container_runtime FROM processes");
    assert_int_equal(opensOf(sql, "overlay-containers/"), 0);
    snprintf(sql, sizeof sql, "SELECT id, processes FROM containers");
    assert_int_equal(opensOf(sql, "overlay-containers/"), 0);
    assert_int_equal(opensOf(sql, "\"status\""), 0);
    snprintf(sql, sizeof sql, "SELECT name, init_pid FROM containers WHERE id = '%s'", ctrId);
    assert_int_equal(opensOf(sql, "overlay-containers/containers.json"), 1);
    assert_true(opensOf(sql, "\"status\"") >= 6); /* the container's processes, for init_pid */
}

static void checkGone(sqlite3 *db)
{
    free(testShellOk(PODMAN " rm -f -t 0 %s", ctrName));
    assert_int_equal(testQueryInt(db, "SELECT count(*) FROM containers WHERE id = '%s'", ctrId), 0);
    assert_int_equal(
        testQueryInt(db, "SELECT count(*) FROM processes WHERE container_id = '%s'", ctrId), 0);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM containers WHERE name = '%s'"
                                  " OR id = '%s'",
                                  ctrName, ctrId),
                     0);
    assert_int_equal(testQueryInt(db,
                                  "SELECT count(*) FROM sockets s JOIN fds f USING(inode)"
                                  " WHERE f.pid = %d",
                                  initPid),
                     0);
}

static void podman_container(void **state)
{
    startContainer();
    sqlite3 *db = *state;
    checkProcesses(db);
    checkContainersRow(db);
    checkViewsAndRecipes();
    checkUnprivileged();
    checkStateReadOnce();
    checkGone(db);
}

TEST_MAIN("containers", NULL, teardown,
          {
              TEST_WITH_DB(netns_held_by_a_descriptor),
              cmocka_unit_test(netns_held_by_a_mount),
              TEST_WITH_DB(podman_container),
          })
