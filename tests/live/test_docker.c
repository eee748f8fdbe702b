/*
** A real Docker container (Debian's docker.io; an image imported from busybox-static, no
** registry): busybox wget in the container blocks reading from a silent server on the host's
** side of the bridge; the blocked-on recipe finds it with its container's name, DELETE FROM
** sockets is refused without --allow-kill and with it unblocks wget (which then exits). A
** container publishing a port shows docker-proxy listening on the host, as lsof shows it.
**
** A running dockerd is used as it is; where none runs, the test starts one on a bridge of its
** own (no iptables rules, no forwarding: the host's firewall is left as it was) and stops it
** after, with the bridge. Containers, image and files are removed at the end, passed or not.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "command.h"
#include "fixture.h"
#include "shell.h"
#include "testmain.h"

/* Debian's client, whatever else PATH holds. */
#define DOCKER "/usr/bin/docker"
/* The bridge of a dockerd started here, and its (host) address. */
#define OWN_GATEWAY "10.213.7.1"

static pid_t dockerd = -1; /* the daemon this test started, or -1 */
static char bridge[16];    /* its bridge, or "" */
static char gateway[64];   /* the host's address on the containers' bridge */
static char image[96], rootfs[64], blockedName[64], publishName[64];
static struct fixture server;
static int serverPort;

static void sleepMs(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, NULL);
}

static int dockerAnswers(void)
{
    struct command_result r;
    testShell(&r, DOCKER " info >/dev/null 2>&1");
    testCommandFree(&r);
    return r.status == 0;
}

/* Starts dockerd on a bridge of its own and waits (up to 30 s) until it answers. */
static int startDockerd(void)
{
    snprintf(bridge, sizeof bridge, "sqlsofdk%d", getpid() % 100000);
    free(testShellOk("ip link add %s type bridge && ip addr add " OWN_GATEWAY "/24 dev %s && "
                     "ip link set %s up",
                     bridge, bridge, bridge));
    char bridgeArg[40], log[64];
    snprintf(bridgeArg, sizeof bridgeArg, "--bridge=%s", bridge);
    snprintf(log, sizeof log, "/tmp/sqlsof-dockerd-%d.log", getpid());
    dockerd = fork();
    if (dockerd < 0) return -1;
    if (dockerd == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* should this test be killed */
        setsid();
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
        execl("/usr/sbin/dockerd", "dockerd", bridgeArg, "--iptables=false", "--ip6tables=false",
              "--ip-forward=false", "--ip-masq=false", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 300; i++) {
        if (dockerAnswers()) return 0;
        if (waitpid(dockerd, NULL, WNOHANG) == dockerd) break;
        sleepMs(100);
    }
    return -1;
}

static void stopDockerd(void)
{
    if (dockerd > 0) {
        kill(dockerd, SIGTERM);
        int i = 0;
        while (waitpid(dockerd, NULL, WNOHANG) == 0 && i++ < 150) sleepMs(100);
        if (i > 150) {
            kill(dockerd, SIGKILL);
            waitpid(dockerd, NULL, 0);
        }
        dockerd = -1;
        char log[64];
        snprintf(log, sizeof log, "/tmp/sqlsof-dockerd-%d.log", getpid());
        unlink(log);
    }
    if (bridge[0]) {
        struct command_result r;
        testShell(&r, "ip link del %s", bridge);
        testCommandFree(&r);
        bridge[0] = '\0';
    }
}

/* The silent server: listens on the gateway address, accepts, never writes. */
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
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof a;
    prctl(PR_SET_NAME, "sqlsof-silent");
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || inet_pton(AF_INET, gateway, &a.sin_addr) != 1 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0 ||
        pthread_create(&t, NULL, acceptForever, &fd) != 0)
        return 1;
    int port = ntohs(a.sin_port);
    fixtureReport(&port, sizeof port);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    if (!dockerAnswers() && startDockerd() != 0) {
        char line[128];
        snprintf(line, sizeof line, "tail -n 20 /tmp/sqlsof-dockerd-%d.log >&2", getpid());
        fprintf(stderr, "test_docker: dockerd did not start; its log ends:\n");
        if (system(line) != 0) fprintf(stderr, "(no log)\n");
        stopDockerd();
        return -1;
    }
    if (dockerd > 0) {
        snprintf(gateway, sizeof gateway, "%s", OWN_GATEWAY);
    } else {
        char *gw = testShellOk(DOCKER " network inspect bridge -f "
                                      "'{{(index .IPAM.Config 0).Gateway}}'");
        gw[strcspn(gw, "\n")] = '\0';
        snprintf(gateway, sizeof gateway, "%s", gw);
        free(gw);
    }
    snprintf(image, sizeof image, "sqlsof-test-busybox:%d", getpid());
    snprintf(rootfs, sizeof rootfs, "/tmp/sqlsof-docker-rootfs-%d", getpid());
    snprintf(blockedName, sizeof blockedName, "sqlsof-blocked-%d", getpid());
    snprintf(publishName, sizeof publishName, "sqlsof-publish-%d", getpid());
    free(testShellOk("rm -rf %s && mkdir -p %s/bin && cp /bin/busybox %s/bin/ && "
                     "tar -C %s -cf %s.tar . && " DOCKER " import %s.tar %s >/dev/null",
                     rootfs, rootfs, rootfs, rootfs, rootfs, rootfs, image));
    fixtureStartReport(&server, startServer, NULL, &serverPort, sizeof serverPort);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    struct command_result r;
    testShell(&r, DOCKER " rm -f %s %s; " DOCKER " rmi -f %s; rm -rf %s %s.tar", blockedName,
              publishName, image, rootfs, rootfs);
    testCommandFree(&r);
    if (server.pid > 0) fixtureStop(&server);
    stopDockerd();
    return 0;
}

/* The blocked-on recipe's line for the container's wget, or NULL after 10 s (malloc'd). */
static char *waitBlockedLine(void)
{
    char want[256];
    snprintf(want, sizeof want, ",tcp,ESTABLISHED,");
    for (int i = 0; i < 100; i++) {
        char *out = testRecipe("blocked-on.sql", NULL);
        for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
            char tail[128], peer[128];
            snprintf(tail, sizeof tail, ",docker,%s\r", blockedName);
            snprintf(peer, sizeof peer, ",%s,%d,", gateway, serverPort);
            size_t n = strlen(line), m = strlen(tail);
            if (n > m && !strcmp(line + n - m, tail) && strstr(line, peer) && strstr(line, want)) {
                char *copy = strdup(line);
                free(out);
                return copy;
            }
        }
        free(out);
        sleepMs(100);
    }
    return NULL;
}

static void blocked_container(void **state)
{
    (void)state;
    char *id = testShellOk(DOCKER " run -d --name %s %s /bin/busybox wget -q -O - http://%s:%d/",
                           blockedName, image, gateway, serverPort);
    free(id);
    char *line = waitBlockedLine();
    if (!line) fail_msg("the container's wget never showed as blocked in blocked-on.sql");
    /* pid,tid,process,thread,syscall: busybox (as wget) sits in read() on the connection. */
    if (!strstr(line, ",busybox,busybox,read,")) fail_msg("not blocked in read(): %s", line);
    free(line);

    char *sql = sqlite3_mprintf(
        "DELETE FROM sockets WHERE inode IN (SELECT f.inode FROM threads t JOIN fds f"
        " ON f.pid = t.pid AND f.fd = t.fd JOIN processes p ON p.pid = t.pid"
        " WHERE p.container_name = '%q' AND t.syscall = 'read'); SELECT changes()",
        blockedName);
    struct command_result r;
    testRunSqlsof(&r, "--csv", sql, NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "--allow-kill"));
    testCommandFree(&r);
    char *running = testShellOk(DOCKER " inspect -f '{{.State.Running}}' %s", blockedName);
    assert_string_equal(running, "true\n");
    free(running);

    testRunSqlsof(&r, "--allow-kill", "--csv", sql, NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "changes()\r\n1\r\n");
    testCommandFree(&r);
    sqlite3_free(sql);
    /* wget's read failed: it exits (1) at once, saying why. */
    char *code = testShellOk("timeout 10 " DOCKER " wait %s", blockedName);
    assert_string_equal(code, "1\n");
    free(code);
    char *logs = testShellOk(DOCKER " logs %s 2>&1", blockedName);
    assert_non_null(strstr(logs, "Software caused connection abort"));
    free(logs);
}

/* A published port: docker-proxy listens for it on the host, and lsof mode says so. */
static void published_port(void **state)
{
    (void)state;
    free(testShellOk(DOCKER " run -d --name %s -p 127.0.0.1:0:3306 %s /bin/busybox nc -l -p 3306",
                     publishName, image));
    char *port = testShellOk(DOCKER " port %s 3306/tcp", publishName);
    const char *colon = strrchr(port, ':');
    assert_non_null(colon);
    int hostPort = atoi(colon + 1);
    free(port);
    assert_true(hostPort > 0);
    char arg[32], want[96];
    snprintf(arg, sizeof arg, "-i:%d", hostPort);
    snprintf(want, sizeof want, "TCP 127.0.0.1:%d (LISTEN)", hostPort);
    struct command_result r;
    for (int i = 0;; i++) {
        testRunSqlsof(&r, "-n", "-P", arg, NULL);
        if (strstr(r.out, want) || i == 50) break;
        testCommandFree(&r);
        sleepMs(100);
    }
    char *line = strstr(r.out, "\ndocker-pr ");
    assert_non_null(line);
    assert_non_null(strstr(line, want));
    testCommandFree(&r);
}

TEST_MAIN("docker", setup, teardown,
          {
              cmocka_unit_test(blocked_container),
              cmocka_unit_test(published_port),
          })
