/*
** The socket descriptors of the few processes that a statement's inode lookups land in, read
** once each through a BPF iterator bound to the process: `sockets JOIN fds USING(inode)` on a
** busy port hits the server's and its clients' fds thousands of times, and each hit then costs
** a binary search here instead of a readlink, an fdinfo read, a stat and a getxattr. A process
** with few fds is left to /proc (loading its iterator would cost more). Kept per cursor, so
** never older than the statement. No SQLite here.
*/
#ifndef SQLSOF_FDS_CACHE_H
#define SQLSOF_FDS_CACHE_H

#include <stddef.h>

#include "fd/fd_bpf.h"

struct fds_cache_proc;
struct fds_cache {
    struct fds_cache_proc *v; /* the processes looked at, each read or left to /proc */
    size_t n, cap;
    size_t rows;              /* socket records kept, over every process */
    struct fd_bpf_cache *bpf; /* where the iterators come from; NULL: never read */
    int procfd;
    int minFds; /* a process is read through BPF from this many fds on */
};

/* An empty cache reading through BPF (NULL: never) processes of MINFDS fds or more. */
void fdsCacheInit(struct fds_cache *c, int procfd, struct fd_bpf_cache *bpf, int minFds);
/*
** The record of socket descriptor FD of process PID: 1 with *OUT (valid until the cache is
** cleared), 0 when the cache cannot say (a process with few fds, not a socket, a failed read:
** ask /proc), or -ENOMEM.
*/
int fdsCacheFind(struct fds_cache *c, int pid, int fd, const struct fd_bpf_row **out);
void fdsCacheClear(struct fds_cache *c);

#endif
