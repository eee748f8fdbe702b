#include "sock/sock_dump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "diag/diag_dump.h"
#include "sock/sock_inuse.h"
#include <sys/socket.h>

int sockDiagInit(struct sock_diag *s, int procfd)
{
    memset(s, 0, sizeof *s);
    s->procfd = procfd;
    struct stat st;
    if (fstatat(procfd, "thread-self/ns/net", &st, 0) != 0) return -errno;
    s->self = st.st_ino;
    s->rxbuf = malloc(DIAG_DUMP_BUFSIZE);
    return s->rxbuf ? 0 : -ENOMEM;
}

void sockDiagFree(struct sock_diag *s)
{
    for (int i = 0; i < s->nopen; i++) {
        close(s->open[i].fd);
        sockHeldFree(&s->open[i].held);
    }
    free(s->open);
    free(s->rxbuf);
    memset(s, 0, sizeof *s);
}

static struct sock_nsfd *findOpen(const struct sock_diag *s, uint64_t ino)
{
    for (int i = 0; i < s->nopen; i++)
        if (s->open[i].ino == ino) return &s->open[i];
    return NULL;
}

/* What a namespace's socket is made with: run there (netns.c), by the caller or a helper. */
static int openInNamespace(void *arg)
{
    struct sock_nsfd *made = arg;
    struct sock_counts counts;
    sockCountsRead(&counts, AT_FDCWD, "/proc/thread-self/net");
    made->idle = sockCountsIdle(&counts);
    made->fd = diagSocket();
    if (made->fd == -EACCES || made->fd == -EPERM) made->fd = SOCK_DIAG_REFUSED;
    return made->fd;
}

/* Keeps MADE as namespace INO's socket. Returns its fd, or -ENOMEM (the fd closed). */
static int keepOpen(struct sock_diag *s, uint64_t ino, struct sock_nsfd made, int rc)
{
    if (rc < 0) return rc;
    size_t cap = (size_t)s->capOpen;
    struct sock_nsfd *v = arrayGrow(s->open, &cap, (size_t)s->nopen + 1, sizeof *v);
    if (!v) {
        close(made.fd);
        return -ENOMEM;
    }
    s->open = v;
    s->capOpen = (int)cap;
    made.ino = ino;
    s->open[s->nopen++] = made;
    return made.fd;
}

int sockDiagSocket(struct sock_diag *s, const struct netns *ns)
{
    const struct sock_nsfd *kept = findOpen(s, ns->ino);
    if (kept) return kept->fd;
    struct sock_nsfd made = {0};
    return keepOpen(s, ns->ino, made, netnsRun(ns, s->self, openInNamespace, &made));
}

int sockDiagSocketAt(struct sock_diag *s, int nsfd, uint64_t ino)
{
    const struct sock_nsfd *kept = findOpen(s, ino);
    if (kept) return kept->fd;
    struct sock_nsfd made = {0};
    int rc = ino == s->self ? openInNamespace(&made) : netnsRunAt(nsfd, openInNamespace, &made);
    return keepOpen(s, ino, made, rc);
}

/* The kinds that dump KIND of FAMILY answers: AF_UNSPEC is TCP of both families. */
static uint32_t dumpKinds(int family, int kind)
{
    uint32_t kinds = 1u << kind;
    if (family == AF_UNSPEC) kinds |= 1u << sockKindOf(AF_INET6, sockKinds[kind].protocol);
    return kinds;
}

int sockKindIdle(const struct sock_diag *s, uint64_t netns, int family, int kind)
{
    const struct sock_nsfd *kept = findOpen(s, netns);
    uint32_t kinds = dumpKinds(family, kind);
    return kept && (kept->idle & kinds) == kinds;
}

/* Appends the held rows of KINDS that F keeps, when namespace O's counts prove them the
 * dump's every row (its processes read first, once): 1 answered, 0 not, or -ENOMEM. */
static int heldAnswer(struct sock_diag *s, struct sock_nsfd *o, const struct netns *ns,
                      uint32_t kinds, const struct sock_filter *f, struct sock_rows *out)
{
    if (!s->bpf) return 0;
    if (!o->heldRead) {
        o->heldRead = 1;
        int rc = sockHeldRead(&o->held, s->bpf, s->procfd, ns);
        if (rc < 0) return rc;
    }
    if ((o->held.proved & kinds) != kinds) return 0;
    for (size_t i = 0; i < o->held.rows.n; i++) {
        const struct sock_row *r = &o->held.rows.v[i];
        if (!(kinds >> sockKindOf(r->d.family, r->d.protocol) & 1)) continue;
        if (f && !sockRowMatches(f, r)) continue;
        struct sock_row *slot = sockRowsPush(out);
        if (!slot) return -ENOMEM;
        *slot = *r;
        s->heldRows++;
    }
    return 1;
}

const char *sockDiagError(int err)
{
    if (err == SOCK_DIAG_REFUSED)
        return "the kernel refused a NETLINK_SOCK_DIAG socket (a seccomp filter or security "
               "policy denies netlink): no socket can be listed";
    return strerror(-err);
}

int sockDiagSkippable(int err)
{
    return err == -EPERM || err == -EACCES || err == -ENOENT || err == -ESRCH || err == -ESTALE ||
           err == -EINVAL;
}

/* ---- One request into rows ---- */

struct dumpCtx {
    struct sock_rows *out;
    const struct sock_filter *f; /* NULL: keep every row */
    int family, protocol;
    uint64_t netns;
    int fd, need;
};

/* The device's name in the socket's own namespace (an ioctl on that namespace's socket
 * answers there); its number if it has gone. */
static void interfaceName(int fd, uint32_t ifindex, char *name)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_ifindex = (int)ifindex;
    if (ioctl(fd, SIOCGIFNAME, &ifr) == 0)
        snprintf(name, IF_NAMESIZE, "%s", ifr.ifr_name);
    else
        snprintf(name, IF_NAMESIZE, "%u", ifindex);
}

static int onMessage(const void *msg, size_t len, void *arg)
{
    struct dumpCtx *c = arg;
    struct sock_row row;
    if (diagParse(c->family, c->protocol, msg, len, &row.d) < 0)
        return 0; /* a message we cannot read is not a socket we can show */
    row.netns = c->netns;
    row.ifname[0] = '\0';
    if (c->f && !sockRowMatches(c->f, &row)) return 0;
    if ((c->need & SOCK_NEED_IFNAME) && (row.d.has & DIAG_HAS_IFINDEX))
        interfaceName(c->fd, row.d.ifindex, row.ifname);
    struct sock_row *slot = sockRowsPush(c->out);
    if (!slot) return -ENOMEM;
    *slot = row;
    return 0;
}

#define DUMP_TRIES 5

int sockQuery(struct sock_diag *s, int fd, uint64_t netns, struct diag_query *q,
              const struct sock_filter *f, struct sock_rows *out)
{
    char req[8192]; /* holds the longest bytecode diagInetRequest writes */
    struct dumpCtx ctx = {out, f, q->family, q->protocol, netns, fd, s->need};
    q->tcpInfo = (s->need & SOCK_NEED_TCPINFO) != 0;
    size_t start = out->n;
    for (int attempt = 0;; attempt++) {
        int len = diagRequest(req, sizeof req, q, ++s->seq);
        if (len == -ERANGE) return 0; /* ports that no socket has */
        if (len < 0) return len;
        out->n = start;
        int rc = diagDump(fd, req, (size_t)len, s->rxbuf, onMessage, &ctx);
        /* The socket table changed under the dump: again, or keep what came the last time. */
        if (rc == -EINTR && attempt < DUMP_TRIES - 1) continue;
        if (rc < 0 && rc != -EINTR) return rc;
        sockRowsDedupe(out, start);
        return 0;
    }
}

int sockDump(struct sock_diag *s, int fd, const struct netns *ns, int kind,
             const struct sock_filter *f, struct sock_rows *out)
{
    int family = sockKindDumpFamily(f, kind);
    if (family < 0) return 0; /* the dump of an earlier kind had its rows */
    uint64_t netns = ns->ino;
    struct sock_nsfd *o = findOpen(s, netns);
    uint32_t kinds = dumpKinds(family, kind);
    if (o && (o->idle & kinds) == kinds) return 0;
    int held = o ? heldAnswer(s, o, ns, kinds, f, out) : 0;
    if (held != 0) return held < 0 ? held : 0;
    struct diag_query q = {
        .family = family,
        .protocol = sockKinds[kind].protocol,
        .states = f ? sockKindStates(f, kind) : ~0u,
    };
    if (f && sockFilterHas(f, SOCK_BY_SPORT)) {
        if (!f->sports.n) return 0; /* no port can match */
        q.sports = f->sports.v, q.nsports = f->sports.n;
    }
    if (f && sockFilterHas(f, SOCK_BY_DPORT)) {
        if (!f->dports.n) return 0;
        q.dports = f->dports.v, q.ndports = f->dports.n;
    }
    return sockQuery(s, fd, netns, &q, f, out);
}

int sockDumpProtocol(struct sock_diag *s, int fd, uint64_t netns, int family, int protocol,
                     int sport, struct sock_rows *out)
{
    int64_t port = sport;
    struct diag_query q = {.family = family, .protocol = protocol, .states = ~0u};
    if (sport >= 0) q.sports = &port, q.nsports = 1;
    return sockQuery(s, fd, netns, &q, NULL, out);
}

int sockAsk(struct sock_diag *s, int fd, uint64_t netns, int family, int protocol,
            const struct diag_id *id, struct sock_rows *out)
{
    struct diag_query q = {.family = family, .protocol = protocol, .states = ~0u, .id = id};
    size_t start = out->n;
    int rc = sockQuery(s, fd, netns, &q, NULL, out);
    /* The answer is the socket asked for only if it says so. */
    for (size_t i = start; i < out->n; i++)
        if (out->v[i].d.inode != id->inode || out->v[i].d.cookie != id->cookie) {
            out->n = start;
            return -ESTALE;
        }
    return rc;
}

/* ---- Scans ---- */

int sockScanStart(struct sock_scan *sc, int procfd, const struct keyset *only)
{
    sc->nsAt = -1;
    sc->kindAt = SOCK_NKINDS;
    sc->fd = -1;
    sc->failedKind = -1;
    return netnsList(&sc->ns, procfd, only);
}

int sockScanNext(struct sock_scan *sc, struct sock_diag *s, const struct sock_filter *f,
                 struct sock_rows *rows, int *eof)
{
    for (;;) {
        while (sc->fd >= 0 && ++sc->kindAt < SOCK_NKINDS) {
            if (!sockKindNeeded(f, sc->kindAt)) continue;
            rows->n = 0;
            int rc = sockDump(s, sc->fd, &sc->ns.v[sc->nsAt], sc->kindAt, f, rows);
            if (rc < 0) {
                sc->failedKind = sc->kindAt;
                return rc;
            }
            if (rows->n > 0) return 0;
        }
        if (++sc->nsAt >= sc->ns.n) {
            *eof = 1;
            return 0;
        }
        sc->kindAt = -1;
        sc->fd = sockDiagSocket(s, &sc->ns.v[sc->nsAt]);
        if (sc->fd < 0 && !sockDiagSkippable(sc->fd)) return sc->fd;
    }
}

void sockScanFree(struct sock_scan *sc)
{
    netnsFree(&sc->ns);
}

int sockMapBuild(struct sock_diag *s, int procfd, struct sock_rows *map, int *failedKind)
{
    struct netns_list ns = {0};
    int rc = netnsList(&ns, procfd, NULL);
    *failedKind = -1;
    for (int i = 0; rc == 0 && i < ns.n; i++) {
        int fd = sockDiagSocket(s, &ns.v[i]);
        if (fd < 0) {
            if (!sockDiagSkippable(fd)) rc = fd;
            continue;
        }
        for (int k = 0; rc == 0 && k < SOCK_NKINDS; k++)
            if ((rc = sockDump(s, fd, &ns.v[i], k, NULL, map)) < 0) *failedKind = k;
    }
    netnsFree(&ns);
    if (rc == 0) sockRowsSortByInode(map);
    return rc;
}
