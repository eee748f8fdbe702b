/*
** The descriptors a per-kind table visits: every fd of every process, or of the pushed pids, or
** just the pushed fd numbers of them (no readdir then), each with its link text. Gone processes
** and fds are skipped; pushed pids are checked to be thread-group leaders, as fds does.
*/
#ifndef SQLSOF_FD_SCAN_H
#define SQLSOF_FD_SCAN_H

#include "fd/fd_dir.h"
#include "proc/pid_iter.h"
#include "util/buf.h"
#include "util/keyset.h"

struct fd_scan {
    int procfd;
    struct pid_iter it;
    int checkLeader;          /* pids came from the query */
    const struct keyset *fds; /* pushed fd numbers, or NULL */
    int nextFd;               /* index into fds */
    struct fd_dir dir;
    int inProcess;
    int pid, fd;
    char name[16];   /* the fd's name under /proc/PID/fd and fdinfo ("12") */
    struct buf link; /* its link text */
    struct buf scratch;
};

/* A scan that has not started (fdScanFree may follow). */
void fdScanInit(struct fd_scan *s);

/* Starts a scan over PIDS (NULL: every process) and FDS (NULL: every fd). Returns 0 or -errno. */
int fdScanStart(struct fd_scan *s, int procfd, const struct keyset *pids, const struct keyset *fds);

/* Moves to the next fd with a readable link: 1, 0 at the end, -ENOMEM. */
int fdScanNext(struct fd_scan *s);

/* Reads the fd's fdinfo into B: 0 or -errno. */
int fdScanInfo(struct fd_scan *s, struct buf *b);

/* "/proc/PID/fd/N" of the current fd into OUT (64 bytes is enough). */
void fdScanPath(const struct fd_scan *s, char *out, size_t size);

void fdScanFree(struct fd_scan *s);

#endif
