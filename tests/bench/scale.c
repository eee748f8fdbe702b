/*
** The populations of `make bench`'s scale section: one thing at a size no ordinary host has.
**
**     scale fds N            one process holding N descriptors (dups of /dev/null)
**     scale netns K FILE     K processes, each in a network namespace of its own holding one
**                            listening TCP socket; the namespaces' inodes into FILE, one a line
**     scale churn P C        P short-lived processes (each holds a pipe and lives 0-49 ms), at
**                            most C at once; exits when the last has been reaped
**
** fds and netns print "pid PID" (the process holding the descriptors, or the first namespaced
** one) and "ready" once in place, then sleep until stdin reaches EOF (the bench holds the
** other end of a FIFO) or a signal, and kill their children; the children also die with them
** (PR_SET_PDEATHSIG). churn prints "churned P max_alive A seconds S" when done.
*/
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "population.h"

/* In a child: dies with the parent (and at once if the parent is already gone). */
static void dieWithParent(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);
}

/* Forks a child that runs FN(ARG, READY) and sleeps; returns once it wrote its byte to READY
 * and closed it, its last change of descriptors. */
static pid_t spawn(void (*fn)(long arg, int ready), long arg)
{
    int p[2];
    if (pipe(p) != 0) die("pipe: %s", strerror(errno));
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        dieWithParent(parent);
        close(p[0]);
        fn(arg, p[1]);
        for (;;) pause();
    }
    close(p[1]);
    char c;
    if (read(p[0], &c, 1) != 1) die("child %d failed", (int)pid);
    while (read(p[0], &c, 1) > 0) continue;
    close(p[0]);
    children[nchildren++] = pid;
    return pid;
}

/* Whether this process may raise its hard limits (CAP_SYS_RESOURCE, bit 24 of CapEff). */
static int maySetLimits(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long caps = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "CapEff: %llx", &caps) == 1) break;
    if (f) fclose(f);
    return (caps >> 24) & 1;
}

/* N descriptors, or as many as the hard RLIMIT_NOFILE allows where it cannot be raised (a
 * container without CAP_SYS_RESOURCE): the bench reports the count it got. */
static void holdFds(long n, int ready)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max < (rlim_t)n + 64 && !maySetLimits()) {
        fprintf(stderr, "scale: no CAP_SYS_RESOURCE: %ld descriptors, not %ld (hard limit %lu)\n",
                (long)rl.rlim_max - 64, n, (unsigned long)rl.rlim_max);
        n = (long)rl.rlim_max - 64;
    }
    raiseNofile((rlim_t)n + 64);
    prctl(PR_SET_NAME, "sqlsof-scale");
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0) _exit(1);
    for (long i = 1; i < n; i++)
        if (dup(fd) < 0) {
            fprintf(stderr, "scale: dup #%ld: %s\n", i, strerror(errno));
            _exit(1);
        }
    if (write(ready, "", 1) != 1) _exit(1);
    close(ready);
}

/* One namespace: its own, with a listener (port chosen by the kernel), and its inode said. */
static void holdNetns(long out, int ready)
{
    prctl(PR_SET_NAME, "sqlsof-scale-ns");
    if (unshare(CLONE_NEWNET) != 0) _exit(1);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || listen(s, 1) != 0) _exit(1);
    struct stat st;
    if (stat("/proc/self/ns/net", &st) != 0) _exit(1);
    dprintf((int)out, "%lu\n", (unsigned long)st.st_ino);
    close((int)out);
    if (write(ready, "", 1) != 1) _exit(1);
    close(ready);
}

/* Until stdin (a FIFO the bench holds) reaches EOF, or a signal. */
static void sleepUntilEnd(void)
{
    printf("ready\n");
    fflush(stdout);
    struct stat st;
    char buf[64];
    if (fstat(0, &st) == 0 && S_ISFIFO(st.st_mode))
        while (read(0, buf, sizeof buf) > 0) continue;
    else
        for (;;) pause();
    onSignal(0);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* P processes, at most C alive at once: each makes a pipe, lives 0-49 ms and exits. */
static void churn(long total, long most)
{
    double start = now();
    long started = 0, alive = 0, maxAlive = 0;
    pid_t parent = getpid();
    while (started < total || alive > 0) {
        if (started < total && alive < most) {
            pid_t pid = fork();
            if (pid < 0) die("fork: %s", strerror(errno));
            if (pid == 0) {
                dieWithParent(parent);
                int p[2];
                if (pipe(p) != 0) _exit(1);
                usleep((useconds_t)(started % 50) * 1000);
                _exit(0);
            }
            started++;
            if (++alive > maxAlive) maxAlive = alive;
            continue;
        }
        int status;
        if (waitpid(-1, &status, 0) < 0) die("waitpid: %s", strerror(errno));
        alive--;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die("a churner failed");
    }
    printf("churned %ld max_alive %ld seconds %.2f\n", started, maxAlive, now() - start);
}

int main(int argc, char **argv)
{
    long n = argc > 2 ? atol(argv[2]) : 0;
    if (argc < 3 || n <= 0) die("usage: scale fds N | netns K FILE | churn P C");
    atexit(killChildren);
    signal(SIGTERM, onSignal);
    signal(SIGINT, onSignal);
    signal(SIGHUP, onSignal);
    children = calloc((size_t)n, sizeof *children);
    if (!children) die("out of memory");
    if (!strcmp(argv[1], "fds") && argc == 3) {
        printf("pid %d\n", (int)spawn(holdFds, n));
    } else if (!strcmp(argv[1], "netns") && argc == 4) {
        int out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
        if (out < 0) die("%s: %s", argv[3], strerror(errno));
        for (long i = 0; i < n; i++) {
            pid_t pid = spawn(holdNetns, out);
            if (i == 0) printf("pid %d\n", (int)pid);
        }
        close(out);
    } else if (!strcmp(argv[1], "churn") && argc == 4 && atol(argv[3]) > 0) {
        churn(n, atol(argv[3]));
        return 0;
    } else {
        die("usage: scale fds N | netns K FILE | churn P C");
    }
    sleepUntilEnd();
    return 0;
}
