#include "sock/sock_endpoints.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include "proc/pid_iter.h"
#include "sock/sock_lookup.h"
#include "sock/sock_peer.h"
#include "util/buf.h"

/* After this many passes for processes, a cursor asked about yet more answers the host once. */
#define PASSES_BEFORE_HOST 8

/* devpts numbers its ptmx node 2 and the slave of index N N + 3 (fs/devpts/inode.c). */
#define DEVPTS_PTMX_INO     2
#define DEVPTS_SLAVE_INO(n) ((n) + 3)

void epAnswerInit(struct ep_answer *a, int procfd, enum ep_source mode, struct ep_bpf_cache *bpf)
{
    memset(a, 0, sizeof *a);
    a->procfd = procfd;
    a->mode = mode;
    a->bpf = bpf;
}

void epAnswerFree(struct ep_answer *a)
{
    keysetFree(&a->done);
    free(a->rows.v);
    memset(&a->rows, 0, sizeof a->rows);
}

/* The kind word of record R (its socket's, from its fields), or NULL. */
static const char *kindOf(const struct ep_record *r)
{
    switch (r->key.kind) {
    case EP_PIPE: return "pipe";
    case EP_FIFO: return "fifo";
    case EP_EVENTFD: return "eventfd";
    case EP_MQUEUE: return "mqueue";
    case EP_PTM:
    case EP_PTS: return "pty";
    case EP_SOCK: break;
    default: return NULL;
    }
    if (!(r->flags & EP_REC_SOCKFIELDS)) return NULL;
    if (r->sock.family == AF_UNIX) return "unix";
    if (r->sock.family != AF_INET && r->sock.family != AF_INET6) return NULL;
    switch (r->sock.protocol) {
    case IPPROTO_TCP: return "tcp";
    case IPPROTO_UDP: return "udp";
    case IPPROTO_UDPLITE: return "udplite";
    default: return NULL;
    }
}

/* R's socket as a sock_row (what sock_peer.h reads). */
static void rowOf(const struct ep_record *r, struct sock_row *out)
{
    sockRowFromFields(out, r->key.id, &r->sock, NULL, 0);
}

/* What sock_diag said of R's socket, as the fields a BPF record carries. */
static void fieldsFromRow(struct ep_record *r, const struct sock_row *s)
{
    struct fds_bpf_sock *k = &r->sock;
    memset(k, 0, sizeof *k);
    k->family = s->d.family;
    k->netns = s->netns;
    k->state = s->d.state;
    if (s->d.family == AF_UNIX) {
        k->type = s->d.protocol; /* unix_diag's type */
        r->peer = (s->d.has & DIAG_HAS_PEER) ? s->d.peer : 0;
    } else {
        k->protocol = s->d.protocol;
        k->sport = s->d.sport;
        k->dport = s->d.dport;
        memcpy(k->src, s->d.src, sizeof k->src);
        memcpy(k->dst, s->d.dst, sizeof k->dst);
    }
    r->flags |= EP_REC_SOCKFIELDS;
}

/* A connected inet socket's ends, with its inode: the whole host's index of them. */
struct tuple_ref {
    struct sock_tuple t;
    uint64_t inode;
};

static int compareRefs(const void *x, const void *y)
{
    return sockTupleCompare(&((const struct tuple_ref *)x)->t, &((const struct tuple_ref *)y)->t,
                            0);
}

static int compareRefAnyNetns(const void *key, const void *element)
{
    return sockTupleCompare(key, &((const struct tuple_ref *)element)->t, 1);
}

struct tuples {
    struct tuple_ref *v;
    size_t n, cap;
};

static int tuplesBuild(struct tuples *ix, const struct ep_records *all)
{
    for (size_t i = 0; i < all->n; i++) {
        struct sock_row s;
        if (!kindOf(&all->v[i]) || all->v[i].key.kind != EP_SOCK) continue;
        rowOf(&all->v[i], &s);
        if (!sockPeerConnected(&s)) continue;
        struct tuple_ref *v = arrayGrow(ix->v, &ix->cap, ix->n + 1, sizeof *v);
        if (!v) return -ENOMEM;
        ix->v = v;
        sockTupleOf(&s, 0, &v[ix->n].t);
        v[ix->n++].inode = s.d.inode;
    }
    if (ix->n) qsort(ix->v, ix->n, sizeof *ix->v, compareRefs);
    return 0;
}

/* The peer of S from the index: the socket with its ends reversed in its namespace, else the one
 * in another namespace (not for a loopback address), as sockPeerAsk asks the kernel. */
static uint64_t tuplesPeer(const struct tuples *ix, const struct sock_row *s)
{
    struct sock_tuple want;
    sockTupleOf(s, 1, &want);
    size_t i = arrayLowerBound(ix->v, ix->n, sizeof *ix->v, &want, compareRefAnyNetns);
    uint64_t other = 0;
    int others = 0;
    for (; i < ix->n && sockTupleCompare(&ix->v[i].t, &want, 1) == 0; i++) {
        if (ix->v[i].t.netns == want.netns) return ix->v[i].inode;
        other = ix->v[i].inode, others++;
    }
    return others == 1 && !sockPeerLoopback(s) ? other : 0;
}

/* How the other ends of a question are found: by exact requests, or from the host's index. */
struct peers {
    struct sock_peer *ask; /* a question about processes */
    const struct tuples *ix;
    struct stat ptmx; /* /dev/ptmx, whose inode a pty master may be held by */
    int havePtmx;
};

/*
** The key of R's other end into K, and the inode numbers of the files holding it (for ep_scan's
** first test) into INOS (*N of them): 1, 0 when R has none, or -errno.
*/
static int peerKeyOf(struct peers *p, const struct ep_record *r, struct ep_key *k, uint64_t inos[3],
                     int *n)
{
    *n = 0;
    *k = r->key;
    switch (r->key.kind) {
    case EP_PIPE:
    case EP_FIFO:
    case EP_EVENTFD:
    case EP_MQUEUE: inos[(*n)++] = r->ino; return 1;
    case EP_PTM:
        k->kind = EP_PTS;
        inos[(*n)++] = DEVPTS_SLAVE_INO(r->key.id);
        return 1;
    case EP_PTS:
        k->kind = EP_PTM;
        inos[(*n)++] = DEVPTS_PTMX_INO;
        if (p->havePtmx) inos[(*n)++] = p->ptmx.st_ino;
        return 1;
    case EP_SOCK: break;
    default: return 0;
    }
    const char *kind = kindOf(r);
    uint64_t peer = 0;
    if (kind && r->sock.family == AF_UNIX) {
        peer = r->peer;
    } else if (kind) {
        struct sock_row s;
        rowOf(r, &s);
        if (!sockPeerConnected(&s)) return 0;
        if (p->ix) peer = tuplesPeer(p->ix, &s);
        int rc = p->ix ? 0 : sockPeerAsk(p->ask, &s, r->pid, &peer);
        if (rc < 0) return rc;
    }
    if (!peer) return 0;
    k->id = peer;
    inos[(*n)++] = peer;
    return 1;
}

static int pushRow(struct ep_answer *a, const struct ep_record *r, const struct ep_record *h)
{
    struct ep_row *v = arrayGrow(a->rows.v, &a->rows.cap, a->rows.n + 1, sizeof *v);
    if (!v) return -ENOMEM;
    a->rows.v = v;
    v[a->rows.n++] = (struct ep_row){r->pid, r->fd, h->pid, h->fd, kindOf(r), h->fFlags, r->key};
    return 0;
}

/* The other end of each record of a question: its key, when it has one. */
struct peer_key {
    int has;
    struct ep_key k;
};

/* The other ends of ASKED into *OUT (one each), their keys and inodes into KEYS (when not NULL). */
static int peerKeys(struct peers *p, const struct ep_records *asked, struct peer_key **out,
                    struct ep_keys *keys)
{
    *out = calloc(asked->n ? asked->n : 1, sizeof **out);
    if (!*out) return -ENOMEM;
    for (size_t i = 0; i < asked->n; i++) {
        uint64_t inos[3];
        int n, rc = kindOf(&asked->v[i]) ? peerKeyOf(p, &asked->v[i], &(*out)[i].k, inos, &n) : 0;
        if (rc < 0) return rc;
        (*out)[i].has = rc;
        for (int j = 0; rc && keys && j < n; j++)
            if ((j ? keysetAdd(&keys->inos, (int64_t)inos[j])
                   : epKeysAdd(keys, &(*out)[i].k, inos[j])) != 0)
                return -ENOMEM;
    }
    return 0;
}

/* The rows of each record of ASKED whose other end (PEERS) HOLDERS (sorted by key) holds. */
static int joinRows(struct ep_answer *a, const struct ep_records *asked,
                    const struct peer_key *peers, const struct ep_records *holders)
{
    for (size_t i = 0; i < asked->n; i++) {
        const struct ep_key *k = &peers[i].k;
        for (size_t j = peers[i].has ? epRecordsFind(holders, k) : holders->n;
             j < holders->n && epKeyCompare(&holders->v[j].key, k) == 0; j++) {
            const struct ep_record *h = &holders->v[j];
            if (h->pid == asked->v[i].pid && h->fd == asked->v[i].fd) continue;
            int rc = pushRow(a, &asked->v[i], h);
            if (rc) return rc;
        }
    }
    return 0;
}

/* Whether the BPF source answers: 1, 0 (/proc instead), or -errno (the bpf mode, which must). */
static int useBpf(struct ep_answer *a)
{
    if (a->mode == EP_SOURCE_PROC) return 0;
    int rc = epBpfLoad(a->bpf);
    if (rc == 0) return 1;
    if (a->mode == EP_SOURCE_AUTO) return 0;
    snprintf(a->why, sizeof a->why, "%s", a->bpf->why);
    return rc;
}

/* The sockets' fields of ALL's socket records through sock_diag: the map of every socket of
 * every namespace (HOST), or one lookup through each holder. */
static int fillSockets(struct ep_answer *a, struct sock_diag *diag, struct ep_records *all,
                       int host)
{
    struct sock_rows map = {0}, one = {0};
    struct sock_lookup l;
    int failed, rc = host ? sockMapBuild(diag, a->procfd, &map, &failed) : 0;
    sockLookupInit(&l, a->procfd);
    for (size_t i = 0; rc == 0 && i < all->n; i++) {
        struct ep_record *r = &all->v[i];
        if (r->key.kind != EP_SOCK) continue;
        if (host) {
            size_t at = sockRowsFindInode(&map, r->key.id);
            if (at < map.n) fieldsFromRow(r, &map.v[at]);
            continue;
        }
        enum sock_found how;
        one.n = 0;
        int found = sockLookupByHolder(&l, diag, r->pid, r->fd, r->key.id, &one, &how);
        if (found < 0) rc = found;
        for (size_t j = 0; j < one.n; j++)
            if (one.v[j].d.inode == r->key.id) fieldsFromRow(r, &one.v[j]);
    }
    sockLookupFree(&l);
    sockRowsFree(&map);
    sockRowsFree(&one);
    return rc;
}

/* Every descriptor of PIDS (NULL: the host) described into OUT, from BPF or else /proc. */
static int describe(struct ep_answer *a, int bpf, const struct keyset *pids, struct sock_diag *diag,
                    struct ep_records *out)
{
    if (bpf && !pids) return epBpfDescribe(a->bpf, 0, out);
    if (bpf) {
        struct pid_iter it = {0};
        int pid, rc = pidIterStart(&it, a->procfd, pids);
        while (rc == 0 && (rc = pidIterNext(&it, &pid)) > 0) rc = epBpfDescribe(a->bpf, pid, out);
        pidIterStop(&it);
        return rc;
    }
    int rc = epProcDescribe(a->procfd, pids, out);
    return rc ? rc : fillSockets(a, diag, out, pids == NULL);
}

static int answerPids(struct ep_answer *a, int bpf, const struct keyset *pids, struct peers *p)
{
    struct ep_records asked = {0}, holders = {0};
    struct ep_keys keys = {0};
    struct peer_key *peers = NULL;
    int rc = describe(a, bpf, pids, &p->ask->diag, &asked);
    if (rc == 0) rc = peerKeys(p, &asked, &peers, &keys);
    epKeysSeal(&keys);
    if (rc == 0)
        rc = bpf ? epBpfMatch(a->bpf, &keys, &holders) : epProcMatch(a->procfd, &keys, &holders);
    epRecordsSortByKey(&holders);
    if (rc == 0) rc = joinRows(a, &asked, peers, &holders);
    free(peers);
    epKeysFree(&keys);
    epRecordsFree(&asked);
    epRecordsFree(&holders);
    return rc;
}

static int answerHost(struct ep_answer *a, int bpf, struct peers *p)
{
    struct ep_records all = {0};
    struct tuples ix = {0};
    struct peer_key *peers = NULL;
    int rc = describe(a, bpf, NULL, &p->ask->diag, &all);
    epRecordsSortByKey(&all);
    if (rc == 0) rc = tuplesBuild(&ix, &all);
    p->ix = &ix;
    if (rc == 0) rc = peerKeys(p, &all, &peers, NULL);
    if (rc == 0) rc = joinRows(a, &all, peers, &all);
    free(peers);
    free(ix.v);
    epRecordsFree(&all);
    return rc;
}

static int compareRows(const void *x, const void *y)
{
    const struct ep_row *a = x, *b = y;
    if (a->pid != b->pid) return a->pid < b->pid ? -1 : 1;
    if (a->fd != b->fd) return a->fd < b->fd ? -1 : 1;
    if (a->peerPid != b->peerPid) return a->peerPid < b->peerPid ? -1 : 1;
    return (a->peerFd > b->peerFd) - (a->peerFd < b->peerFd);
}

/* The pids of PIDS not answered yet, into NEW. */
static int unanswered(const struct ep_answer *a, const struct keyset *pids, struct keyset *out)
{
    for (int i = 0; i < pids->n; i++)
        if (!keysetHas(&a->done, pids->v[i]) && keysetAdd(out, pids->v[i]) != 0) return -ENOMEM;
    keysetSeal(out);
    return 0;
}

int epAnswer(struct ep_answer *a, const struct keyset *pids)
{
    struct keyset fresh = {0};
    if (a->host) return 0;
    int rc = pids ? unanswered(a, pids, &fresh) : 0;
    if (rc || (pids && !fresh.n)) {
        keysetFree(&fresh);
        return rc;
    }
    if (pids && a->passes >= PASSES_BEFORE_HOST) pids = NULL; /* the outer side is the host */
    int bpf = useBpf(a);
    struct sock_peer sp;
    struct peers p = {.ask = &sp};
    p.havePtmx = stat("/dev/ptmx", &p.ptmx) == 0;
    if (bpf >= 0 && (rc = sockPeerInit(&sp, a->procfd)) == 0) {
        sp.diag.need |= SOCK_NEED_UNIX_DIAG;
        if (!pids) a->rows.n = 0; /* the host's rows hold every process's */
        rc = pids ? answerPids(a, bpf, &fresh, &p) : answerHost(a, bpf, &p);
        sockPeerFree(&sp);
    }
    if (bpf < 0) rc = bpf;
    for (int i = 0; rc == 0 && pids && i < fresh.n; i++)
        rc = keysetInsert(&a->done, fresh.v[i]) < 0;
    a->passes += pids != NULL;
    a->host = rc == 0 && !pids;
    a->last = bpf > 0 ? "bpf" : "proc";
    if (rc && !a->why[0]) snprintf(a->why, sizeof a->why, "%s", strerror(rc < 0 ? -rc : ENOMEM));
    if (a->rows.n) qsort(a->rows.v, a->rows.n, sizeof *a->rows.v, compareRows);
    keysetFree(&fresh);
    return rc < 0 ? rc : rc ? -ENOMEM : 0;
}

static int pidBeforeRow(const void *key, const void *element)
{
    int pid = *(const int *)key, row = ((const struct ep_row *)element)->pid;
    return (pid > row) - (pid < row);
}

size_t epAnswerFirst(const struct ep_answer *a, int pid)
{
    return arrayLowerBound(a->rows.v, a->rows.n, sizeof *a->rows.v, &pid, pidBeforeRow);
}
