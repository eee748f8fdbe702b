/*
** The /proc and kernel walks over descriptors (fds_walk.h).
*/
#include "fd/fds_walk.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

void fdsWalkInit(struct fds_walk *w, int procfd)
{
    *w = (struct fds_walk){.procfd = procfd};
    fdDirInit(&w->dir);
    w->bpfIt.fd = w->taskIt.fd = -1;
}

void fdsWalkEndProcess(struct fds_walk *w, struct fd_row *row)
{
    fdDirClose(&w->dir);
    if (w->inTask) fdBpfIterStop(&w->taskIt);
    if (row) fdRowEndProcess(row);
    w->inProc = w->inTask = 0;
}

void fdsWalkStop(struct fds_walk *w)
{
    pidIterStop(&w->it);
    fdsWalkEndProcess(w, NULL);
    fdBpfIterStop(&w->bpfIt);
}

void fdsWalkFree(struct fds_walk *w)
{
    fdsWalkStop(w);
    fdDirFree(&w->dir);
}

int fdsWalkStartProc(struct fds_walk *w, const struct keyset *pids, const struct keyset *fds,
                     struct fd_bpf_cache *taskBpf, int taskMinFds)
{
    w->pids = pids;
    w->fds = fds;
    w->inProc = w->inTask = w->taskWalks = 0;
    w->taskBpf = pids && !fds ? taskBpf : NULL;
    w->taskMinFds = taskMinFds;
    return pidIterStart(&w->it, w->procfd, pids);
}

/*
** Whether process PID is read through BPF: asked to, and it has TASKMINFDS fds or more (the
** size of /proc/PID/fd counts them, Linux 6.2; 0 before, so /proc reads it there). FDSize in
** its status would cost nothing more, but a child inherits its parent's table size.
*/
static int startTask(struct fds_walk *w, int pid)
{
    if (!w->taskBpf) return 0;
    if (w->taskMinFds > 0) {
        char name[32];
        struct stat st;
        snprintf(name, sizeof name, "%d/fd", pid);
        if (fstatat(w->procfd, name, &st, 0) != 0 || st.st_size < w->taskMinFds) return 0;
    }
    if (fdBpfCacheStartTask(w->taskBpf, pid, &w->taskIt) != 0) return 0;
    w->taskWalks++;
    return 1;
}

/* Opens the walk's next process: 1, or 0 when there is none. */
static int openNextProcess(struct fds_walk *w, struct fd_row *row)
{
    for (;;) {
        if (!pidIterNext(&w->it, &row->pid)) return 0;
        if (w->pids && !procIsLeader(w->procfd, row->pid, &row->scratch)) continue;
        w->taskRows = 0;
        if (w->fds)
            w->nextFd = 0;
        else if ((w->inTask = startTask(w, row->pid)) == 0 &&
                 fdDirOpen(&w->dir, w->procfd, row->pid) != 0)
            continue; /* gone, or EACCES: no rows */
        w->inProc = 1;
        return 1;
    }
}

/* The next row of the process read through BPF: 1, 0 at its end, or -errno. */
static int nextOfTask(struct fds_walk *w, struct fd_row *row)
{
    for (;;) {
        int rc = fdBpfIterNext(&w->taskIt, &w->taskRow);
        if (rc <= 0) return rc;
        w->taskRows++;
        if (fdRowLoadRecord(row, &w->taskRow)) return 1;
        if (row->nomem) return -ENOMEM;
    }
}

/*
** At the end of a process read through BPF: one of which the iterator said nothing (a process
** that the reader's pid namespace numbers differently, say a sandbox's pid 1) is read through
** /proc after all, as the kernel walk does. 1 when its fd directory is open for that.
*/
static int taskFallsBack(struct fds_walk *w, struct fd_row *row)
{
    int empty = w->taskRows == 0;
    fdsWalkEndProcess(w, row);
    if (!empty || fdDirOpen(&w->dir, w->procfd, row->pid) != 0) return 0;
    w->inProc = 1;
    return 1;
}

int fdsWalkNextProc(struct fds_walk *w, struct fd_row *row)
{
    for (;;) {
        if (!w->inProc && !openNextProcess(w, row)) return row->nomem ? -ENOMEM : 0;
        if (w->inTask) {
            int rc = nextOfTask(w, row);
            if (rc != 0) return rc;
            if (!taskFallsBack(w, row)) continue;
        }
        if (w->fds) {
            if (w->nextFd >= w->fds->n) {
                w->inProc = 0;
                continue;
            }
            int64_t fd = w->fds->v[w->nextFd++];
            if (fd < 0 || fd > INT_MAX) continue;
            fdRowSetLookup(row, row->pid, (int)fd);
            if (fdRowLoad(row, 1)) return 1; /* the readlink tells whether the fd is open */
            continue;
        }
        int fd;
        const char *name;
        if (fdDirNext(&w->dir, &fd, &name) != 1) {
            fdsWalkEndProcess(w, row);
            continue;
        }
        fdRowSetFromDir(row, w->dir.fd, row->pid, fd, name);
        if (fdRowLoad(row, 0)) return 1;
    }
}

int fdsWalkStartKernel(struct fds_walk *w)
{
    w->bpfHave = w->bpfDone = w->procHave = w->procDone = 0;
    w->lastKernelPid = 0;
    w->kernelGone = 0;
    w->inProc = 0;
    return pidIterStart(&w->it, w->procfd, NULL);
}

/* Whether PID is still there (not reaped): a signal-0 check, cheaper than a /proc lookup. The
 * iterator numbers pids in the caller's pid namespace, as kill(2) does. */
static int processStands(int pid)
{
    return kill(pid, 0) == 0 || errno == EPERM;
}

int fdsWalkStepKernel(struct fds_walk *w)
{
    for (;;) {
        if (!w->bpfHave && !w->bpfDone) {
            int rc = fdBpfIterNext(&w->bpfIt, &w->bpfRow);
            if (rc < 0) return rc;
            w->bpfHave = rc == 1;
            w->bpfDone = rc == 0;
        }
        if (!w->procHave && !w->procDone) {
            w->procHave = pidIterNext(&w->it, &w->procPid);
            w->procDone = !w->procHave;
        }
        int kernelPid = w->bpfHave ? w->bpfRow.rec.pid : INT_MAX;
        if (w->procHave && w->procPid <= kernelPid) {
            w->procHave = 0;
            if (w->procPid == kernelPid || w->procPid == w->lastKernelPid) continue;
            if (fdDirOpen(&w->dir, w->procfd, w->procPid) != 0) continue;
            w->inProc = 1;
            return 2;
        }
        if (!w->bpfHave) return 0;
        w->bpfHave = 0;
        /* A process is read when the walk reaches it, as in /proc's walk: one that has gone
         * since the iterator buffered its records is skipped. */
        if (kernelPid != w->lastKernelPid) w->kernelGone = !processStands(kernelPid);
        w->lastKernelPid = kernelPid;
        if (w->kernelGone) continue;
        return 1;
    }
}

int fdsWalkNextKernel(struct fds_walk *w, struct fd_row *row)
{
    for (;;) {
        int fd, rc;
        const char *name;
        if (row->nomem) return -ENOMEM;
        if (w->inProc && fdDirNext(&w->dir, &fd, &name) == 1) {
            fdRowSetFromDir(row, w->dir.fd, w->procPid, fd, name);
            if (fdRowLoad(row, 0)) return 1;
            continue;
        }
        if (w->inProc) fdsWalkEndProcess(w, row);
        if ((rc = fdsWalkStepKernel(w)) <= 0) return rc;
        if (rc == 1 && fdRowLoadRecord(row, &w->bpfRow)) return 1;
    }
}
