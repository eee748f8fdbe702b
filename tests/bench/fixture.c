/*
** The benchmark's population: a reproducible host load for `make bench`.
**
**     fixture [-n N] [-m M] [-k K] [-s S] [-o MANIFEST]
**
** Starts N worker processes (default 1,000), each holding M descriptors (default 100) above
** stdin/out/err, cycling through: a regular file, a pipe (both ends), a unix socketpair (both
** ends), a bound UDP socket and a TCP connection to one of the fixture's listeners. The accepted
** ends live in acceptor processes (one listener each, at most ACCEPTS_PER_ACCEPTOR connections),
** so at the defaults there are ~14,300 client and as many accepted TCP sockets. One "quiet"
** process holds a listener with one connection to itself: the port that "who uses a port"
** asks about. K processes (default 20) each live in a network namespace of their own (lo up),
** with a listener and a connection to it. And the process users ask about most, a busy server:
** one listener holding S accepted connections (default 12,000) from one client process, so
** its port has 2 S sockets (server_pid, server_port, server_client_pid in the manifest).
**
** When everything is in place it writes MANIFEST (default build/bench/manifest.txt) as
** "key value" lines and prints "ready". It then sleeps until SIGTERM/SIGINT/SIGHUP, or until
** its stdin reaches EOF when stdin is a pipe, and kills every child; the children also die
** with it (PR_SET_PDEATHSIG) if it is killed outright.
**
** Limits: it raises its own RLIMIT_NOFILE (as root, up to fs.nr_open) and changes no sysctl
** unless fs.nr_open or fs.file-max is too low for the population, in which case it says so on
** stderr. Needs root for unshare(CLONE_NEWNET) only.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ACCEPTS_PER_ACCEPTOR 1000
#define NFILES               16 /* distinct regular files the workers open */
#define CYCLE                7  /* file, pipe r, pipe w, pair a, pair b, udp, tcp */

#include "population.h"

/* In a child: die with the fixture, and do not outlive a fixture that is already gone. */
static void childSetup(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
}

static pid_t spawn(void)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        childSetup(parent);
        return 0;
    }
    children[nchildren++] = pid;
    return pid;
}

static void ready(int fd)
{
    if (write(fd, "", 1) != 1) _exit(1);
}

static void sleepForever(void)
{
    for (;;) pause();
}

/* A TCP listener on 127.0.0.1, any port; stores the port. */
static int listenLoopback(int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int one = 1;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return -1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 4096) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) != 0)
        return -1;
    *port = ntohs(a.sin_port);
    return s;
}

/* Closing with RST leaves no TIME_WAIT behind to fill the port range of the next run. */
static void lingerZero(int s)
{
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

static int connectLoopback(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((unsigned short)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return -1;
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        close(s);
        return -1;
    }
    lingerZero(s);
    return s;
}

static int boundUdp(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) != 0) {
        close(s);
        return -1;
    }
    return s;
}

/* How many TCP connections a worker with M descriptors makes (see workerOpen). */
static int tcpPerWorker(int m)
{
    return m / CYCLE;
}

/* A worker: M descriptors of the cycle's kinds, then sleep. */
static void workerRun(int m, const char *dir, int index, const int *ports, int nports, int readyFd)
{
    int n = 0, slot = 0, tcp = 0;
    while (n < m) {
        int kind = slot++ % CYCLE, fds[2], ok = 0;
        if (kind == 0 || ((kind == 1 || kind == 3) && n + 2 > m)) {
            char path[4200];
            snprintf(path, sizeof path, "%s/file-%d", dir, (index + n) % NFILES);
            ok = open(path, O_RDONLY) >= 0;
            n += ok;
        } else if (kind == 1) {
            ok = pipe(fds) == 0;
            n += 2 * ok;
        } else if (kind == 3) {
            ok = socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0;
            n += 2 * ok;
        } else if (kind == 5) {
            ok = boundUdp() >= 0;
            n += ok;
        } else if (kind == 6) {
            /* The n-th connection of worker i goes to acceptor (i * per + n) / per... spread
             * evenly so that each acceptor gets at most ACCEPTS_PER_ACCEPTOR. */
            long global = (long)index * tcpPerWorker(m) + tcp++;
            ok = connectLoopback(ports[(global / ACCEPTS_PER_ACCEPTOR) % nports]) >= 0;
            n += ok;
        } else {
            continue; /* the second slot of a pipe or pair */
        }
        if (!ok) {
            fprintf(stderr, "fixture: worker %d: kind %d: %s\n", index, kind, strerror(errno));
            _exit(1);
        }
    }
    ready(readyFd);
    close(readyFd);
    sleepForever();
}

/* An acceptor: accepts EXPECT connections on LISTENER, keeps them, then sleeps. */
static void acceptorRun(int listener, long expect, int readyFd)
{
    for (long i = 0; i < expect; i++) {
        int s = accept(listener, NULL, NULL);
        if (s < 0) {
            fprintf(stderr, "fixture: accept: %s\n", strerror(errno));
            _exit(1);
        }
        lingerZero(s);
    }
    ready(readyFd);
    close(readyFd);
    sleepForever();
}

/* The listener that "who uses a port" asks about: one connection to itself. */
static void quietRun(int listener, int port, int readyFd)
{
    if (connectLoopback(port) < 0 || accept(listener, NULL, NULL) < 0) _exit(1);
    ready(readyFd);
    close(readyFd);
    sleepForever();
}

/* The busy server: accepts EXPECT connections on LISTENER and keeps them. */
static void serverRun(int listener, long expect, int readyFd)
{
    acceptorRun(listener, expect, readyFd); /* the listener stays open: it still listens */
}

/* The busy server's client: COUNT connections to PORT, kept. */
static void serverClientRun(int port, long count, int readyFd)
{
    for (long i = 0; i < count; i++)
        if (connectLoopback(port) < 0) {
            fprintf(stderr, "fixture: connect to the server: %s\n", strerror(errno));
            _exit(1);
        }
    ready(readyFd);
    close(readyFd);
    sleepForever();
}

/* A process in a network namespace of its own: lo up, a listener and a connection to it. */
static void netnsRun(int readyFd)
{
    if (unshare(CLONE_NEWNET) != 0) {
        fprintf(stderr, "fixture: unshare(CLONE_NEWNET): %s\n", strerror(errno));
        _exit(1);
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0) _exit(1);
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) _exit(1);
    close(s);
    int port, l = listenLoopback(&port);
    if (l < 0) _exit(1);
    quietRun(l, port, readyFd);
}

static void makeFiles(const char *dir)
{
    char path[4200];
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) die("mkdir %s: %s", dir, strerror(errno));
    for (int i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "%s/file-%d", dir, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, path, strlen(path)) < 0) die("%s: %s", path, strerror(errno));
        close(fd);
    }
}

/* Reads COUNT readiness bytes (one per child), or fails when a child died first. */
static void awaitReady(int fd, long count)
{
    char buf[4096];
    while (count > 0) {
        ssize_t n = read(fd, buf, count < (long)sizeof buf ? (size_t)count : sizeof buf);
        if (n <= 0) die("a child failed before it was ready");
        count -= n;
        int status;
        pid_t dead = waitpid(-1, &status, WNOHANG);
        if (dead > 0) die("child %d exited (status %d)", (int)dead, status);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long n = 1000, m = 100, k = 20, server = 12000;
    const char *manifest = "build/bench/manifest.txt";
    int opt;
    while ((opt = getopt(argc, argv, "n:m:k:s:o:")) != -1) {
        switch (opt) {
        case 'n': n = atol(optarg); break;
        case 'm': m = atol(optarg); break;
        case 'k': k = atol(optarg); break;
        case 's': server = atol(optarg); break;
        case 'o': manifest = optarg; break;
        default: die("usage: fixture [-n N] [-m M] [-k K] [-s S] [-o MANIFEST]");
        }
    }
    if (n < 1 || m < CYCLE || k < 0 || server < 1)
        die("need -n >= 1, -m >= %d, -k >= 0, -s >= 1", CYCLE);
    double t0 = now();

    long connections = n * tcpPerWorker((int)m);
    long acceptors = (connections + ACCEPTS_PER_ACCEPTOR - 1) / ACCEPTS_PER_ACCEPTOR;
    raiseNofile((rlim_t)((server > ACCEPTS_PER_ACCEPTOR ? server : ACCEPTS_PER_ACCEPTOR) + m + 64));
    checkFileMax((unsigned long)(n * (m + 3) + 2 * connections + 2 * server + 100000));

    children = calloc((size_t)(n + acceptors + k + 3), sizeof *children);
    if (!children) die("out of memory");
    struct sigaction sa = {.sa_handler = onSignal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char dir[4000];
    snprintf(dir, sizeof dir, "%s.files", manifest);
    makeFiles(dir);

    int readyPipe[2];
    if (pipe(readyPipe) != 0) die("pipe: %s", strerror(errno));

    /* Listeners first (made here, so the workers know the ports), then their acceptors. */
    int *ports = calloc((size_t)(acceptors ? acceptors : 1), sizeof *ports);
    pid_t *acceptorPids = calloc((size_t)(acceptors ? acceptors : 1), sizeof *acceptorPids);
    if (!ports || !acceptorPids) die("out of memory");
    for (long i = 0; i < acceptors; i++) {
        int l = listenLoopback(&ports[i]);
        if (l < 0) die("listen: %s", strerror(errno));
        long expect = connections - i * ACCEPTS_PER_ACCEPTOR;
        if (expect > ACCEPTS_PER_ACCEPTOR) expect = ACCEPTS_PER_ACCEPTOR;
        if ((acceptorPids[i] = spawn()) == 0) {
            close(readyPipe[0]);
            acceptorRun(l, expect, readyPipe[1]);
        }
        close(l);
    }
    int quietPort, quiet = listenLoopback(&quietPort);
    if (quiet < 0) die("listen: %s", strerror(errno));
    pid_t quietPid = spawn();
    if (quietPid == 0) {
        close(readyPipe[0]);
        quietRun(quiet, quietPort, readyPipe[1]);
    }
    close(quiet);
    int serverPort, serverListener = listenLoopback(&serverPort);
    if (serverListener < 0) die("listen: %s", strerror(errno));
    pid_t serverPid = spawn();
    if (serverPid == 0) {
        close(readyPipe[0]);
        serverRun(serverListener, server, readyPipe[1]);
    }
    close(serverListener);
    pid_t serverClientPid = spawn();
    if (serverClientPid == 0) {
        close(readyPipe[0]);
        serverClientRun(serverPort, server, readyPipe[1]);
    }

    pid_t firstWorker = 0, sampleWorker = 0;
    for (long i = 0; i < n; i++) {
        pid_t pid = spawn();
        if (pid == 0) {
            close(readyPipe[0]);
            /* The readiness pipe goes above the worker's descriptors: 3..M+2 are the cycle. */
            int r = fcntl(readyPipe[1], F_DUPFD, (int)m + 3);
            close(readyPipe[1]);
            if (r < 0) _exit(1);
            workerRun((int)m, dir, (int)i, ports, (int)acceptors, r);
        }
        if (i == 0) firstWorker = pid;
        if (i == n / 2) sampleWorker = pid;
    }
    pid_t *netnsPids = calloc((size_t)(k ? k : 1), sizeof *netnsPids);
    if (!netnsPids) die("out of memory");
    for (long i = 0; i < k; i++)
        if ((netnsPids[i] = spawn()) == 0) {
            close(readyPipe[0]);
            netnsRun(readyPipe[1]);
        }
    close(readyPipe[1]);
    awaitReady(readyPipe[0], n + acceptors + 1 + k + 2);

    FILE *f = fopen(manifest, "w");
    if (!f) die("%s: %s", manifest, strerror(errno));
    fprintf(f, "fixture %d\nworkers %ld\nfds_per_worker %ld\nnetns_procs %ld\n", (int)getpid(), n,
            m, k);
    fprintf(f, "tcp_connections %ld\nacceptors %ld\n", connections + 1 + k + server, acceptors);
    fprintf(f, "first_worker %d\nlast_worker %d\n", (int)firstWorker,
            (int)children[acceptors + 3 + n - 1]);
    fprintf(f, "server_pid %d\nserver_port %d\nserver_client_pid %d\nserver_connections %ld\n",
            (int)serverPid, serverPort, (int)serverClientPid, server);
    /* fd 3 of the middle worker: a regular file (the cycle starts with one). */
    fprintf(f, "sample_pid %d\nsample_fd 3\n", (int)sampleWorker);
    fprintf(f, "quiet_pid %d\nquiet_port %d\n", (int)quietPid, quietPort);
    for (long i = 0; i < acceptors; i++)
        fprintf(f, "acceptor %d %d\n", (int)acceptorPids[i], ports[i]);
    for (long i = 0; i < k; i++) fprintf(f, "netns_pid %d\n", (int)netnsPids[i]);
    fprintf(f, "files_dir %s\nstartup_seconds %.2f\n", dir, now() - t0);
    if (fclose(f) != 0) die("%s: %s", manifest, strerror(errno));
    printf("ready\n");
    fflush(stdout);

    /* Until a signal, or EOF on a piped stdin: the runner holds the other end. */
    struct stat st;
    if (fstat(0, &st) == 0 && S_ISFIFO(st.st_mode)) {
        char c;
        while (read(0, &c, 1) > 0) {
        }
        killChildren();
        return 0;
    }
    sleepForever();
}
