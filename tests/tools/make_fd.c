/*
** build/tests/make-fd [KIND,...]: opens one descriptor of each KIND (every kind without an
** argument; see tests/lib/make_fd.h), prints "KIND fd... value=V path=P" lines, then waits for
** a signal and removes what it left in the file system.
*/
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "make_fd.h"

static struct made_fds made;

void fixtureReport(const void *data, size_t len)
{
    memcpy(&made, data, len < sizeof made ? len : sizeof made);
}

int main(int argc, char **argv)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    if (argc > 2 || (argc == 2 && !strcmp(argv[1], "--help"))) {
        fprintf(stderr, "usage: make-fd [KIND,...]\n");
        return 2;
    }
    if (makeFdFixture(argc == 2 ? argv[1] : NULL) != 0) return 1;
    for (int i = 0; i < made.n; i++) {
        const struct made_fd *m = &made.kinds[i];
        printf("%s", m->kind);
        for (int j = 0; j < m->n; j++) printf(" %d", m->fd[j]);
        printf(" value=%lld path=%s\n", m->value, m->path);
    }
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    makeFdCleanup(&made);
    return 0;
}
