/*
** The inode map: every descriptor of the host as a sorted (inode, pid, fd) array, built by one
** walk on a cursor's first `inode = ?` and answering every later one (one per outer row of a
** join) with a binary search. A matching fd is read again and its inode checked, so a
** descriptor reused since the walk is not reported under the old inode. No SQLite here.
*/
#ifndef SQLSOF_FDS_MAP_H
#define SQLSOF_FDS_MAP_H

#include <stddef.h>

#include "fd/fd_row.h"
#include "fd/fds_cache.h"
#include "fd/fds_walk.h"
#include "util/keyset.h"

struct fd_ref {
    unsigned long long inode;
    int pid;
    int fd;
};

struct fds_map {
    struct fd_ref *v; /* sorted by inode, then pid and fd */
    size_t len, cap;
    int built;
    struct fds_cache *cache; /* where a hit's row is read first; NULL: /proc only */
    int nextKey;             /* the walk over the asked inodes: index into them */
    size_t nextRef;          /* index into v for inodes->v[nextKey - 1]; len when done */
};

/*
** Builds the map from W: the kernel walk when VIAKERNEL (W's iterator started, pid/fd/inode
** records), else the /proc walk. ROW is the row the walk reads links into. Returns 0 or -errno.
*/
int fdsMapBuild(struct fds_map *m, struct fds_walk *w, struct fd_row *row, int viaKernel);
/* Starts a walk over the map's descriptors of row->inodes. */
void fdsMapRewind(struct fds_map *m);
/* The next descriptor of row->inodes, read again as ROW — from the cache when it has the fd,
 * else from /proc — and checked to hold that inode still: 1, 0 at the end, -ENOMEM. */
int fdsMapNext(struct fds_map *m, struct fd_row *row);
void fdsMapFree(struct fds_map *m);

#endif
