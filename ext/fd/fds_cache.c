/*
** The socket records of the processes an inode lookup lands in (fds_cache.h).
*/
#include "fd/fds_cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "util/buf.h"

/* Past this many records kept in all, a statement's lookups go to /proc again. */
#define CACHE_ROWS_MAX (1u << 20)

struct fds_cache_proc {
    int pid;
    struct fd_bpf_row *rows; /* its socket records, ascending by fd; NULL: ask /proc */
    size_t n, cap;
};

void fdsCacheInit(struct fds_cache *c, int procfd, struct fd_bpf_cache *bpf, int minFds)
{
    *c = (struct fds_cache){0};
    c->procfd = procfd;
    c->bpf = bpf;
    c->minFds = minFds;
}

/* Whether PID holds enough fds to be worth an iterator (the size of /proc/PID/fd counts them). */
static int worthReading(const struct fds_cache *c, int pid)
{
    char name[32];
    struct stat st;
    snprintf(name, sizeof name, "%d/fd", pid);
    return fstatat(c->procfd, name, &st, 0) == 0 && st.st_size >= c->minFds;
}

/* Reads PID's socket records into P (left empty when PID is not worth it or the read fails). */
static int readProcess(struct fds_cache *c, struct fds_cache_proc *p)
{
    struct fd_bpf_iter it;
    struct fd_bpf_row row;
    if (c->rows >= CACHE_ROWS_MAX || !worthReading(c, p->pid) ||
        fdBpfCacheStartTask(c->bpf, p->pid, &it) != 0)
        return 0;
    int rc;
    while ((rc = fdBpfIterNext(&it, &row)) == 1) {
        if (!(row.rec.flags & FDS_BPF_SOCKFS)) continue;
        struct fd_bpf_row *v = arrayGrow(p->rows, &p->cap, p->n + 1, sizeof *v);
        if (!v) {
            rc = -ENOMEM;
            break;
        }
        p->rows = v;
        row.path = NULL; /* a socket's link text is made from its inode */
        p->rows[p->n++] = row;
    }
    fdBpfIterStop(&it);
    if (rc < 0) {
        free(p->rows);
        p->rows = NULL;
        p->n = p->cap = 0;
        return rc == -ENOMEM ? rc : 0;
    }
    c->rows += p->n;
    return 0;
}

static int compareFd(const void *key, const void *element)
{
    int fd = *(const int *)key;
    const struct fd_bpf_row *r = element;
    return (fd > r->rec.fd) - (fd < r->rec.fd);
}

/* PID's entry, made (and read) on its first lookup; NULL without memory. */
static struct fds_cache_proc *processOf(struct fds_cache *c, int pid, int *err)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].pid == pid) return &c->v[i];
    struct fds_cache_proc *v = arrayGrow(c->v, &c->cap, c->n + 1, sizeof *v);
    if (!v) {
        *err = -ENOMEM;
        return NULL;
    }
    c->v = v;
    struct fds_cache_proc *p = &c->v[c->n++];
    *p = (struct fds_cache_proc){.pid = pid};
    *err = readProcess(c, p);
    return p;
}

int fdsCacheFind(struct fds_cache *c, int pid, int fd, const struct fd_bpf_row **out)
{
    int err = 0;
    if (!c->bpf) return 0;
    struct fds_cache_proc *p = processOf(c, pid, &err);
    if (!p || !p->rows) return err;
    size_t at = arrayLowerBound(p->rows, p->n, sizeof *p->rows, &fd, compareFd);
    if (at >= p->n || p->rows[at].rec.fd != fd) return 0;
    *out = &p->rows[at];
    return 1;
}

void fdsCacheClear(struct fds_cache *c)
{
    for (size_t i = 0; i < c->n; i++) free(c->v[i].rows);
    free(c->v);
    c->v = NULL;
    c->n = c->cap = c->rows = 0;
}
