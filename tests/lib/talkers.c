/* The three talking processes of talkers.h. */
#include "talkers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct talk_setup {
    const char *name; /* C's */
};

/* A child named NAME that keeps the fds KEEP and KEEP2 of A's and closes every other (what A
 * inherited too: an edge is only what the fixture made), runs THEN(ARG) and waits; returns once
 * it is ready, as it says on a pipe of its own (-1: it failed). */
static pid_t talkerFork(const char *name, int keep, int keep2, int (*then)(int), int arg)
{
    int ready[2];
    char byte = 0;
    if (pipe(ready)) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        prctl(PR_SET_NAME, name);
        for (int fd = 3; fd < 1024; fd++)
            if (fd != keep && fd != keep2 && fd != ready[1]) close(fd);
        if (then && then(arg) < 0) _exit(1);
        if (write(ready[1], "", 1) != 1) _exit(1);
        close(ready[1]);
        for (;;) pause();
    }
    close(ready[1]);
    if (pid > 0 && read(ready[0], &byte, 1) != 1) pid = -1;
    close(ready[0]);
    return pid;
}

/* C's connection to A's listener on 127.0.0.1:PORT (kept open: its fd is never closed). */
static int connectLoopback(int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return s < 0 ? -1 : connect(s, (struct sockaddr *)&to, sizeof to);
}

static int talkSetup(void *arg)
{
    const struct talk_setup *setup = arg;
    int p[2], u[2], l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (prctl(PR_SET_NAME, "sqlsof-talk-a") || pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, u) ||
        l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) ||
        getsockname(l, (struct sockaddr *)&a, &len))
        return -1;
    struct talkers t = {.pid = {getpid()}};
    t.pid[1] = talkerFork("sqlsof-talk-b", p[0], u[0], NULL, 0);
    t.pid[2] = talkerFork(setup->name, u[1], -1, connectLoopback, ntohs(a.sin_port));
    close(p[0]), close(u[0]), close(u[1]);
    /* C is connected (the backlog holds it), so this does not block; the ends stay open */
    if (t.pid[1] < 0 || t.pid[2] < 0 || accept(l, NULL, NULL) < 0) return -1;
    fixtureReport(&t, sizeof t);
    return 0;
}

void talkersStart(struct fixture *fx, struct talkers *t, const char *name)
{
    struct talk_setup setup = {.name = name ? name : "sqlsof-talk-c"};
    fixtureStartReport(fx, talkSetup, &setup, t, sizeof *t);
}

const char *talkersList(const struct talkers *t)
{
    static char list[64];
    snprintf(list, sizeof list, "(%d, %d, %d)", t->pid[0], t->pid[1], t->pid[2]);
    return list;
}
