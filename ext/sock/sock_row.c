#include "sock/sock_row.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/buf.h"

struct sock_row *sockRowsPush(struct sock_rows *r)
{
    struct sock_row *v = arrayGrow(r->v, &r->cap, r->n + 1, sizeof *v);
    if (!v) return NULL;
    r->v = v;
    return &r->v[r->n++];
}

void sockRowsFree(struct sock_rows *r)
{
    free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}

static int byCookie(const void *a, const void *b)
{
    uint64_t x = ((const struct sock_row *)a)->d.cookie, y = ((const struct sock_row *)b)->d.cookie;
    return (x > y) - (x < y);
}

void sockRowsDedupe(struct sock_rows *r, size_t from)
{
    size_t n = r->n - from;
    if (n < 2) return;
    struct sock_row *v = r->v + from;
    qsort(v, n, sizeof *v, byCookie);
    size_t out = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i].d.cookie != v[out - 1].d.cookie) v[out++] = v[i];
    r->n = from + out;
}

static int byInode(const void *a, const void *b)
{
    uint64_t x = ((const struct sock_row *)a)->d.inode, y = ((const struct sock_row *)b)->d.inode;
    return (x > y) - (x < y);
}

void sockRowsSortByInode(struct sock_rows *r)
{
    if (r->n > 1) qsort(r->v, r->n, sizeof *r->v, byInode);
}

static int inodeOrder(const void *key, const void *element)
{
    uint64_t x = *(const uint64_t *)key, y = ((const struct sock_row *)element)->d.inode;
    return (x > y) - (x < y);
}

size_t sockRowsFindInode(const struct sock_rows *r, uint64_t inode)
{
    size_t at = arrayLowerBound(r->v, r->n, sizeof *r->v, &inode, inodeOrder);
    return at < r->n && r->v[at].d.inode == inode ? at : r->n;
}

int64_t sockRowKey(const struct sock_row *r)
{
    uint64_t cookie = r->d.cookie & ((1ull << 40) - 1);
    return (int64_t)(cookie ^ (r->netns & ((1ull << 23) - 1)) << 40);
}

void sockRowFromFields(struct sock_row *out, uint64_t inode, const struct fds_bpf_sock *k,
                       const char *name, int len)
{
    struct diag_row *d = &out->d;
    memset(out, 0, sizeof *out);
    out->netns = k->netns;
    d->inode = inode;
    d->cookie = k->cookie;
    d->family = k->family;
    d->state = k->state;
    d->uid = k->uid;
    d->ifindex = k->ifindex;
    d->has = DIAG_HAS_UID | (k->ifindex ? DIAG_HAS_IFINDEX : 0);
    if (k->family == AF_UNIX) {
        d->protocol = k->type; /* unix_diag's udiag_type */
        if (len > 0 && (size_t)len <= sizeof d->path) {
            memcpy(d->path, name, (size_t)len);
            d->pathLen = (uint8_t)len;
            d->has |= DIAG_HAS_PATH;
        }
        return;
    }
    d->protocol = k->protocol; /* the dump's protocol: TCP, UDP, UDP-Lite */
    d->sport = k->sport;
    d->dport = k->dport;
    memcpy(d->src, k->src, sizeof d->src);
    memcpy(d->dst, k->dst, sizeof d->dst);
    d->has |= DIAG_HAS_ADDR;
}

int sockFieldsListed(const struct fds_bpf_sock *k)
{
    return k->family == AF_UNIX || k->sport != 0;
}
