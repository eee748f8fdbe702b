/*
** The descriptors a per-kind table (fd_details, epoll_targets, inotify_watches) visits: the
** fds table's /proc walk (fds_walk.h) with only the link read, and the raw fdinfo text that
** the kind's parser (fd_kind.h) reads. A row whose link may not be read is skipped.
*/
#ifndef SQLSOF_FD_SCAN_H
#define SQLSOF_FD_SCAN_H

#include "fd/fd_row.h"
#include "fd/fds_walk.h"

struct fd_scan {
    struct fds_walk walk;
    struct fd_row row; /* row.pid, row.fd, row.fdName ("12"), row.link, row.kind */
};

void fdScanInit(struct fd_scan *s, int procfd);

/* Starts a scan over PIDS (NULL: every process) and FDS (NULL: every fd). Returns 0 or -errno. */
int fdScanStart(struct fd_scan *s, const struct keyset *pids, const struct keyset *fds);

/* Moves to the next fd with a readable link: 1, 0 at the end, -ENOMEM. */
int fdScanNext(struct fd_scan *s);

/* Reads the current fd's fdinfo text into B: 0 or -errno. */
int fdScanInfo(struct fd_scan *s, struct buf *b);

/* "/proc/PID/fd/N" of the current fd into OUT (64 bytes is enough). */
void fdScanPath(const struct fd_scan *s, char *out, size_t size);

void fdScanFree(struct fd_scan *s);

#endif
