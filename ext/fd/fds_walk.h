/*
** The walks over descriptors that make the fds table's rows (fd_row.h), without SQLite:
**   - the /proc walk: every process /proc lists, or the pushed pids (each checked to be a
**     thread-group leader: a pushed TID lists nothing); each one's fd directory, or exactly
**     the pushed fds (a readlink each, no readdir). A pushed process with many fds is read
**     through a BPF iterator bound to it instead, when the walk may (fds_sock's records: the
**     same rows, and its sockets' fields for the sockets table), in one read, not a readlink
**     per fd;
**   - the kernel walk: every fd of the host from the BPF iterator (fd_bpf.h), merged with
**     /proc's list of processes (both ascend by pid), so both sources list the same processes.
** Each returns 1 with the next row current, 0 at the end, or -errno.
*/
#ifndef SQLSOF_FDS_WALK_H
#define SQLSOF_FDS_WALK_H

#include "fd/fd_bpf.h"
#include "fd/fd_dir.h"
#include "fd/fd_row.h"
#include "proc/pid_iter.h"
#include "util/keyset.h"

struct fds_walk {
    int procfd;
    const struct keyset *pids; /* NULL: every process */
    const struct keyset *fds;  /* NULL: every fd of each */
    struct pid_iter it;
    struct fd_dir dir;
    int inProc; /* a process is open: its dir, its pushed fds, or its BPF iterator */
    int nextFd; /* index into fds for the current process */
    struct fd_bpf_cache *taskBpf; /* may read a pushed process through BPF; NULL: /proc only */
    int taskMinFds;               /* ... when it has at least this many fds (0: always) */
    int inTask;                   /* the open process is read through taskIt */
    int taskWalks;                /* processes read through BPF since the walk started */
    int taskRows;                 /* records the open process's iterator gave */
    struct fd_bpf_iter taskIt;
    struct fd_bpf_row taskRow;

    /* The kernel walk: its iterator, the next record and the next listed pid, when read. */
    struct fd_bpf_iter bpfIt;
    struct fd_bpf_row bpfRow;
    int bpfHave, bpfDone, procHave, procDone;
    int procPid, lastKernelPid;
    int kernelGone; /* lastKernelPid's process has gone: its records are skipped */
};

void fdsWalkInit(struct fds_walk *w, int procfd);
/* Ends a walk (the iterators and the open process); the walk can start again. */
void fdsWalkStop(struct fds_walk *w);
void fdsWalkFree(struct fds_walk *w);

/*
** Starts the /proc walk of PIDS (NULL: all) and their FDS (NULL: all); each pushed process of
** at least TASKMINFDS fds (0: every one) is read through TASKBPF when that is not NULL and no
** fd is pushed. Returns 0 or -errno.
*/
int fdsWalkStartProc(struct fds_walk *w, const struct keyset *pids, const struct keyset *fds,
                     struct fd_bpf_cache *taskBpf, int taskMinFds);
int fdsWalkNextProc(struct fds_walk *w, struct fd_row *row);

/* Starts the kernel walk on w->bpfIt, which the caller has started. Returns 0 or -errno. */
int fdsWalkStartKernel(struct fds_walk *w);
int fdsWalkNextKernel(struct fds_walk *w, struct fd_row *row);

/*
** One step of the kernel walk, for a reader of records rather than rows (the inode map):
** 1, a record in w->bpfRow; 2, a process that /proc lists and the iterator did not (it skips
** some, e.g. a sandbox's pid 1), its fd directory open in w->dir for the /proc way; 0 at the
** end; -errno.
*/
int fdsWalkStepKernel(struct fds_walk *w);
/* Ends the process whose fd directory is open (and ROW's use of it). */
void fdsWalkEndProcess(struct fds_walk *w, struct fd_row *row);

#endif
