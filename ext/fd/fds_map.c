/*
** The inode map (fds_map.h).
*/
#include "fd/fds_map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/buf.h"

static int compareRefs(const void *a, const void *b)
{
    const struct fd_ref *x = a, *y = b;
    if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
    if (x->pid != y->pid) return x->pid < y->pid ? -1 : 1;
    return (x->fd > y->fd) - (x->fd < y->fd);
}

static int mapAdd(struct fds_map *m, unsigned long long ino, int pid, int fd)
{
    struct fd_ref *v = arrayGrow(m->v, &m->cap, m->len + 1, sizeof *v);
    if (!v) return -ENOMEM;
    m->v = v;
    m->v[m->len++] = (struct fd_ref){ino, pid, fd};
    return 0;
}

/* The entries of the process whose fd directory W has open. */
static int addDir(struct fds_map *m, struct fds_walk *w, struct fd_row *row, int pid)
{
    int fd, rc = 0;
    const char *name;
    unsigned long long ino;
    while (rc == 0 && fdDirNext(&w->dir, &fd, &name) == 1) {
        fdRowSetFromDir(row, w->dir.fd, pid, fd, name);
        if (fdRowReadLink(row) == 0 && fdRowInode(row, &ino)) rc = mapAdd(m, ino, pid, fd);
    }
    fdsWalkEndProcess(w, row);
    return rc;
}

/* The entries from one pass of the kernel walk (pid, fd and inode records). */
static int addFromKernel(struct fds_map *m, struct fds_walk *w, struct fd_row *row)
{
    int rc = 0, n;
    struct stat st;
    while (rc == 0 && (n = fdsWalkStepKernel(w)) > 0) {
        if (n == 2) {
            rc = addDir(m, w, row, w->procPid);
            continue;
        }
        const struct fds_bpf_record *r = &w->bpfRow.rec;
        unsigned long long ino = r->inode;
        if (!fdBpfInodeTrusted(r)) {
            char name[48];
            snprintf(name, sizeof name, "%d/fd/%d", (int)r->pid, (int)r->fd);
            if (fstatat(w->procfd, name, &st, 0) != 0) continue;
            ino = (unsigned long long)st.st_ino;
        }
        rc = mapAdd(m, ino, (int)r->pid, (int)r->fd);
    }
    return rc != 0 ? rc : n;
}

/* The entries from the /proc walk of every process. */
static int addFromProc(struct fds_map *m, struct fds_walk *w, struct fd_row *row)
{
    int rc = pidIterStart(&w->it, w->procfd, NULL), pid;
    while (rc == 0 && pidIterNext(&w->it, &pid))
        if (fdDirOpen(&w->dir, w->procfd, pid) == 0) rc = addDir(m, w, row, pid);
    return rc;
}

int fdsMapBuild(struct fds_map *m, struct fds_walk *w, struct fd_row *row, int viaKernel)
{
    m->len = 0;
    int rc = viaKernel ? addFromKernel(m, w, row) : addFromProc(m, w, row);
    fdsWalkStop(w);
    if (m->len > 1) qsort(m->v, m->len, sizeof *m->v, compareRefs);
    m->built = 1;
    return rc < 0 ? rc : 0;
}

/* An inode against a map entry, for arrayLowerBound. */
static int compareInodeToRef(const void *key, const void *element)
{
    unsigned long long ino = *(const unsigned long long *)key;
    const struct fd_ref *r = element;
    return (ino > r->inode) - (ino < r->inode);
}

void fdsMapRewind(struct fds_map *m)
{
    m->nextKey = 0;
    m->nextRef = m->len;
}

int fdsMapNext(struct fds_map *m, struct fd_row *row)
{
    const struct keyset *inodes = row->inodes;
    for (;;) {
        if (row->nomem) return -ENOMEM;
        if (m->nextRef >= m->len ||
            m->v[m->nextRef].inode != (unsigned long long)inodes->v[m->nextKey - 1]) {
            if (m->nextKey >= inodes->n) return 0;
            unsigned long long ino = (unsigned long long)inodes->v[m->nextKey++];
            m->nextRef = arrayLowerBound(m->v, m->len, sizeof *m->v, &ino, compareInodeToRef);
            continue;
        }
        const struct fd_ref *r = &m->v[m->nextRef++];
        const struct fd_bpf_row *rec;
        int cached = m->cache ? fdsCacheFind(m->cache, r->pid, r->fd, &rec) : 0;
        if (cached < 0) return cached;
        if (cached) {
            /* Another inode now: the fd was closed and its number reused since the walk. */
            if (rec->rec.inode == r->inode && fdRowLoadRecord(row, rec)) return 1;
            continue;
        }
        fdRowSetLookup(row, r->pid, r->fd);
        if (fdRowLoad(row, 1)) return 1;
    }
}

void fdsMapFree(struct fds_map *m)
{
    free(m->v);
    *m = (struct fds_map){0};
}
