#include "sock/sock_peer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <unistd.h>

static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int sockPeerConnected(const struct sock_row *r)
{
    const struct diag_row *d = &r->d;
    return (d->family == AF_INET || d->family == AF_INET6) && (d->has & DIAG_HAS_ADDR) &&
           (d->protocol == IPPROTO_TCP || d->protocol == IPPROTO_UDP ||
            d->protocol == IPPROTO_UDPLITE) &&
           d->dport != 0 && d->inode != 0;
}

/* ADDR of FAMILY in IPv6 form (an IPv4 one mapped). */
static void asV6(int family, const uint8_t *addr, uint8_t out[16])
{
    if (family == AF_INET) {
        memcpy(out, mapped, 12);
        memcpy(out + 12, addr, 4);
    } else {
        memcpy(out, addr, 16);
    }
}

int sockPeerLoopback(const struct sock_row *r)
{
    static const uint8_t one[16] = {[15] = 1};
    uint8_t a[16];
    asV6(r->d.family, r->d.dst, a);
    return memcmp(a, one, 16) == 0 || (memcmp(a, mapped, 12) == 0 && a[12] == 127);
}

void sockTupleOf(const struct sock_row *r, int reversed, struct sock_tuple *t)
{
    memset(t, 0, sizeof *t);
    t->netns = r->netns;
    t->protocol = r->d.protocol;
    asV6(r->d.family, reversed ? r->d.dst : r->d.src, t->local);
    asV6(r->d.family, reversed ? r->d.src : r->d.dst, t->remote);
    t->localPort = reversed ? r->d.dport : r->d.sport;
    t->remotePort = reversed ? r->d.sport : r->d.dport;
}

int sockTupleCompare(const struct sock_tuple *a, const struct sock_tuple *b, int anyNetns)
{
    if (a->protocol != b->protocol) return a->protocol < b->protocol ? -1 : 1;
    if (a->localPort != b->localPort) return a->localPort < b->localPort ? -1 : 1;
    if (a->remotePort != b->remotePort) return a->remotePort < b->remotePort ? -1 : 1;
    int c = memcmp(a->local, b->local, 16);
    if (!c) c = memcmp(a->remote, b->remote, 16);
    if (c || anyNetns || a->netns == b->netns) return c;
    return a->netns < b->netns ? -1 : 1;
}

int sockPeerInit(struct sock_peer *p, int procfd)
{
    memset(p, 0, sizeof *p);
    p->procfd = procfd;
    return sockDiagInit(&p->diag, procfd);
}

void sockPeerFree(struct sock_peer *p)
{
    sockDiagFree(&p->diag);
    netnsFree(&p->all);
}

/*
** The exact request for the socket whose ends are R's reversed, in namespace NETNS (sock_diag
** socket FD): its inode into *PEER when the kernel's answer is that socket (a lookup may answer
** a listener or an unconnected socket of the port instead), else 0.
*/
static int askIn(struct sock_peer *p, int fd, uint64_t netns, const struct sock_row *r,
                 uint64_t *peer)
{
    struct sock_tuple want, got;
    sockTupleOf(r, 1, &want);
    struct diag_id id = {.cookie = UINT64_MAX}; /* INET_DIAG_NOCOOKIE: any socket */
    /* An IPv4 socket, or one whose ends are both IPv4-mapped: the kernel's IPv4 lookup finds
     * IPv4 sockets and dual-stack IPv6 ones alike. */
    int v4 = !memcmp(want.local, mapped, 12) && !memcmp(want.remote, mapped, 12);
    memcpy(id.src, v4 ? want.local + 12 : want.local, v4 ? 4 : 16);
    memcpy(id.dst, v4 ? want.remote + 12 : want.remote, v4 ? 4 : 16);
    id.sport = want.localPort;
    id.dport = want.remotePort;
    struct diag_query q = {
        .family = v4 ? AF_INET : AF_INET6, .protocol = r->d.protocol, .states = ~0u, .id = &id};
    struct sock_rows rows = {0};
    int rc = sockQuery(&p->diag, fd, netns, &q, NULL, &rows);
    *peer = 0;
    for (size_t i = 0; rc == 0 && i < rows.n; i++) {
        rows.v[i].netns = netns;
        sockTupleOf(&rows.v[i], 0, &got);
        if (rows.v[i].d.inode && sockTupleCompare(&got, &want, 1) == 0) *peer = rows.v[i].d.inode;
    }
    sockRowsFree(&rows);
    /* A kernel without the protocol's exact lookup, or no socket: no peer. */
    return rc == -ENOENT || rc == -EOPNOTSUPP || rc == -EINVAL ? 0 : rc;
}

/* The sock_diag socket of R's own namespace: through HOLDER's when that is it. */
static int ownNamespace(struct sock_peer *p, uint64_t netns, int holder)
{
    if (netns == p->diag.self) return sockDiagSocketAt(&p->diag, -1, netns);
    char path[48];
    struct stat st;
    snprintf(path, sizeof path, "%d/ns/net", holder);
    int nsfd = openat(p->procfd, path, O_RDONLY | O_CLOEXEC);
    int fd = -ENOENT;
    if (nsfd >= 0 && fstat(nsfd, &st) == 0 && st.st_ino == netns)
        fd = sockDiagSocketAt(&p->diag, nsfd, netns);
    if (nsfd >= 0) close(nsfd);
    if (fd != -ENOENT) return fd;
    struct keyset only = {0};
    struct netns_list l = {0};
    if (keysetAdd(&only, (int64_t)netns) != 0) return -ENOMEM;
    keysetSeal(&only);
    int rc = netnsList(&l, p->procfd, &only);
    fd = rc ? rc : l.n ? sockDiagSocket(&p->diag, &l.v[0]) : -ENOENT;
    netnsFree(&l);
    keysetFree(&only);
    return fd;
}

/* The one socket with R's ends reversed in a namespace other than R's, else 0. */
static int askElsewhere(struct sock_peer *p, const struct sock_row *r, uint64_t *peer)
{
    int rc = 0, found = 0;
    if (!p->listed) {
        rc = netnsList(&p->all, p->procfd, NULL);
        p->listed = rc == 0;
        if (rc) return rc;
    }
    *peer = 0;
    for (int i = 0; rc == 0 && i < p->all.n; i++) {
        if (p->all.v[i].ino == r->netns) continue;
        int fd = sockDiagSocket(&p->diag, &p->all.v[i]);
        if (fd < 0) {
            if (!sockDiagSkippable(fd)) rc = fd;
            continue;
        }
        uint64_t there = 0;
        rc = askIn(p, fd, p->all.v[i].ino, r, &there);
        if (there) *peer = found++ ? 0 : there; /* two: none is the peer */
    }
    if (found > 1) *peer = 0;
    return rc;
}

int sockPeerAsk(struct sock_peer *p, const struct sock_row *r, int holder, uint64_t *peer)
{
    *peer = 0;
    int fd = ownNamespace(p, r->netns, holder);
    if (fd < 0 && !sockDiagSkippable(fd)) return fd;
    int rc = fd >= 0 ? askIn(p, fd, r->netns, r, peer) : 0;
    if (rc || *peer || sockPeerLoopback(r)) return rc;
    return askElsewhere(p, r, peer);
}
