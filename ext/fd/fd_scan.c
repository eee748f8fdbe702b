#include "fd/fd_scan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fd/fd_info.h"

void fdScanInit(struct fd_scan *s)
{
    memset(s, 0, sizeof *s);
    fdDirInit(&s->dir);
}

int fdScanStart(struct fd_scan *s, int procfd, const struct keyset *pids, const struct keyset *fds)
{
    fdDirClose(&s->dir);
    pidIterStop(&s->it);
    s->procfd = procfd;
    s->checkLeader = pids != NULL;
    s->fds = fds;
    s->inProcess = 0;
    return pidIterStart(&s->it, procfd, pids);
}

/* Enters the next process whose fd directory opens: 1, or 0 at the end. */
static int enterProcess(struct fd_scan *s)
{
    fdDirClose(&s->dir);
    while (pidIterNext(&s->it, &s->pid)) {
        if (s->checkLeader && !procIsLeader(s->procfd, s->pid, &s->scratch)) continue;
        if (fdDirOpen(&s->dir, s->procfd, s->pid) != 0) continue; /* gone, or not ours */
        s->nextFd = 0;
        return 1;
    }
    return 0;
}

/* The next fd number of the current process: 1, or 0 when it has no more. */
static int nextNumber(struct fd_scan *s)
{
    if (s->fds) {
        while (s->nextFd < s->fds->n) {
            long long v = s->fds->v[s->nextFd++];
            if (v < 0 || v > 0x7fffffff) continue;
            s->fd = (int)v;
            snprintf(s->name, sizeof s->name, "%d", s->fd);
            return 1;
        }
        return 0;
    }
    const char *name;
    if (fdDirNext(&s->dir, &s->fd, &name) != 1) return 0;
    snprintf(s->name, sizeof s->name, "%.15s", name);
    return 1;
}

int fdScanNext(struct fd_scan *s)
{
    for (;;) {
        if (!s->inProcess) {
            if (!enterProcess(s)) return 0;
            s->inProcess = 1;
        }
        while (nextNumber(s)) {
            int rc = bufReadLinkAt(&s->link, s->dir.fd, s->name);
            if (rc == -ENOMEM) return rc;
            if (rc == 0) return 1; /* else closed since, or not ours: skipped */
        }
        s->inProcess = 0;
    }
}

int fdScanInfo(struct fd_scan *s, struct buf *b)
{
    char name[48];
    snprintf(name, sizeof name, "%d/fdinfo/%s", s->pid, s->name);
    return fdInfoRead(b, s->procfd, name);
}

void fdScanPath(const struct fd_scan *s, char *out, size_t size)
{
    snprintf(out, size, "/proc/%d/fd/%s", s->pid, s->name);
}

void fdScanFree(struct fd_scan *s)
{
    fdDirFree(&s->dir);
    pidIterStop(&s->it);
    bufFree(&s->link);
    bufFree(&s->scratch);
}
