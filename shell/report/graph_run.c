/*
** Running Graphviz's dot as a child: the DOT text on its stdin, the SVG from its stdout, both at
** once (poll) so neither pipe fills, within GRAPH_SECONDS and GRAPH_MAX_SVG bytes; past either
** the child is killed by its pid. A missing dot is the child's exit 127, as a shell reports it.
*/
#include "report/graph.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

#define GRAPH_SECONDS 10
#define GRAPH_MAX_SVG (16u << 20)

static long long nowMs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The child: the pipes as stdin and stdout, stderr silenced, then dot. */
static _Noreturn void execDot(int in, int out)
{
    int null = open("/dev/null", O_WRONLY);
    /* dup2 onto itself (sqlsof run with stdin or stdout closed) would keep the close-on-exec */
    if (in == 0) fcntl(0, F_SETFD, 0);
    if (out == 1) fcntl(1, F_SETFD, 0);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || (null >= 0 && dup2(null, 2) < 0)) _exit(126);
    execlp("dot", "dot", "-Tsvg", (char *)NULL);
    _exit(errno == ENOENT ? 127 : 126);
}

/* Feeds DOT and drains the SVG until dot closes its stdout. Returns 0, or -1 with WHY. */
static int exchange(int to, int from, const char *dot, size_t len, char **svg, size_t *svgLen,
                    char *why, size_t size)
{
    size_t sent = 0, cap = 0;
    long long deadline = nowMs() + GRAPH_SECONDS * 1000;
    for (;;) {
        struct pollfd p[2] = {{.fd = from, .events = POLLIN}, {.fd = to, .events = POLLOUT}};
        long long left = deadline - nowMs();
        if (left <= 0) {
            snprintf(why, size, "dot took longer than %d s", GRAPH_SECONDS);
            return -1;
        }
        if (poll(p, to >= 0 ? 2 : 1, (int)left) < 0 && errno != EINTR) {
            snprintf(why, size, "poll: %s", strerror(errno));
            return -1;
        }
        if (to >= 0 && p[1].revents) {
            ssize_t n = p[1].revents & POLLOUT ? write(to, dot + sent, len - sent) : -1;
            if (n > 0) sent += (size_t)n;
            if (n < 0 && errno == EAGAIN) continue;
            if (n < 0 || sent == len) close(to), to = -1; /* done, or dot stopped reading */
        }
        if (!p[0].revents) continue;
        *svg = outputGrow(*svg, &cap, *svgLen + 65537, 1);
        ssize_t n = read(from, *svg + *svgLen, 65536);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) break;
        if ((*svgLen += (size_t)n) > GRAPH_MAX_SVG) {
            snprintf(why, size, "dot wrote more than %u MiB", GRAPH_MAX_SVG >> 20);
            return -1;
        }
    }
    if (to >= 0) close(to);
    if (*svg) (*svg)[*svgLen] = '\0';
    return 0;
}

int graphRunDot(const char *dot, size_t len, char **svg, char *why, size_t size)
{
    int in[2], out[2];
    *svg = NULL;
    if (pipe2(in, O_CLOEXEC) < 0) {
        snprintf(why, size, "pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe2(out, O_CLOEXEC) < 0) {
        snprintf(why, size, "pipe: %s", strerror(errno));
        close(in[0]), close(in[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) execDot(in[0], out[1]);
    close(in[0]), close(out[1]);
    size_t svgLen = 0;
    int rc = -1;
    if (pid < 0) {
        snprintf(why, size, "fork: %s", strerror(errno));
        close(in[1]);
    } else {
        /* A dot that exits early must not kill us with SIGPIPE; our writes see EPIPE. */
        struct sigaction ign = {.sa_handler = SIG_IGN}, old;
        sigaction(SIGPIPE, &ign, &old);
        fcntl(in[1], F_SETFL, O_NONBLOCK);
        rc = exchange(in[1], out[0], dot, len, svg, &svgLen, why, size);
        sigaction(SIGPIPE, &old, NULL);
        if (rc < 0) kill(pid, SIGKILL);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            rc = -1;
            if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                snprintf(why, size, "dot was not found");
            else if (WIFEXITED(status))
                snprintf(why, size, "dot failed (exit status %d)", WEXITSTATUS(status));
            else
                snprintf(why, size, "dot was killed by signal %d", WTERMSIG(status));
        }
    }
    close(out[0]);
    if (rc == 0 && (!*svg || !strstr(*svg, "<svg"))) {
        snprintf(why, size, "dot wrote no SVG");
        rc = -1;
    }
    if (rc < 0) free(*svg), *svg = NULL;
    return rc;
}
