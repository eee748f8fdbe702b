/*
** The `sockets` table: one row per socket that NETLINK_SOCK_DIAG reports, in every network
** namespace of the host — what `ss -a` shows, and the other half of lsof's -i and -U.
**
**     CREATE TABLE sockets(
**       netns INTEGER,        -- namespace inode (as processes.netns); pushed: = and IN
**       family TEXT,          -- inet inet6 unix netlink packet; pushed: only those dumps
**       protocol TEXT,        -- tcp udp udplite raw sctp mptcp | stream dgram seqpacket |
**                             -- route sock_diag audit generic ... (unknown: the number) |
**                             -- packet: all ip arp ipv6, else the ethertype as 0x88cc;
**                             -- pushed: only those dumps
**       state TEXT,           -- ESTABLISHED SYN_SENT ... LISTEN ... NEW_SYN_RECV, IDLE;
**                             -- pushed into idiag_states / udiag_states
**       local_addr TEXT, local_port INTEGER,   -- inet only; ports pushed as bytecode
**       remote_addr TEXT, remote_port INTEGER, -- (raw: the port is the IP protocol)
**       inode INTEGER,        -- 0 for TIME_WAIT / request sockets; pushed: inode → row map
**       uid INTEGER,          -- owner; NULL for netlink, TIME_WAIT, request sockets
**       recv_q INTEGER, send_q INTEGER,        -- listener: accept queue and backlog;
**                                              -- netlink/packet: memory in use, as ss
**       interface TEXT,       -- device the socket is bound to, named in its namespace
**       cookie INTEGER,       -- the kernel's 64-bit socket cookie
**       path TEXT,            -- unix: bound name, abstract ones as '@name'
**       peer_inode INTEGER,   -- unix: the other end's inode
**       timer TEXT, retrans INTEGER, expires_ms INTEGER, -- tcp: off on keepalive
**                                                        -- timewait persist
**       rtt_us INTEGER, rttvar_us INTEGER, cwnd INTEGER, ssthresh INTEGER,
**       total_retrans INTEGER, bytes_acked INTEGER, bytes_received INTEGER,
**       congestion TEXT       -- tcp_info; asked of the kernel only when used; tcp only
**     );
**
**     SELECT local_addr, local_port, netns FROM sockets WHERE state = 'LISTEN';
**
** Dumps: for each namespace (the caller's first), one request per family/protocol — tcp, udp,
** udplite, raw, sctp, mptcp for inet and inet6, then unix, netlink, packet — and a full scan
** holds one dump's rows at a time. A protocol the kernel lacks answers ENOENT: no rows.
** Rows are de-duplicated by cookie within a dump (a dump repeated after NLM_F_DUMP_INTR may
** see a socket twice). Another namespace is entered only by a helper thread (netns.c);
** one we may not enter is skipped, silently.
**
** Request sockets (half-open connections, TCP_NEW_SYN_RECV inside the kernel) are reported by
** the kernel, and shown here, as SYN_RECV with inode 0, as ss shows them; so NEW_SYN_RECV
** names no row on the kernels known (it stays in the vocabulary, as DESIGN.md lists it).
**
** A full dump asks for every state, TCP_BOUND_INACTIVE too (Linux 6.5): a TCP socket that is
** bound but neither listening nor connected is listed, as CLOSE (ss -a leaves it out, lsof
** shows it). Unconnected inet sockets show the kernel's remote 0.0.0.0 / :: and port 0.
** Abstract unix names start with '@'; a NUL inside one is shown as '@' too.
**
** SCTP (untested here: no sctp module on the development host): the kernel reports an
** endpoint's state as a TCP_* number but an association's as its own SCTP_STATE_* number,
** which this table still names with the TCP word of that number. Filters stay exact (the
** same naming decides the kernel mask and the row check); the word can be wrong.
**
** interface: the name comes from SIOCGIFNAME on the namespace's own sock_diag socket (an
** ioctl answers in the socket's namespace), so no thread moves for it; a device that has gone
** meanwhile shows as its index number. Asked only when the column is used.
**
** Every pushed filter is also checked on each row, so a kernel that ignores part of a
** request (bytecode, states) cannot change the answer.
*/
#include "tables.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "diag.h"
#include "diag_dump.h"
#include "netns.h"
#include "vtab.h"

enum {
    COL_NETNS,
    COL_FAMILY,
    COL_PROTOCOL,
    COL_STATE,
    COL_LOCAL_ADDR,
    COL_LOCAL_PORT,
    COL_REMOTE_ADDR,
    COL_REMOTE_PORT,
    COL_INODE,
    COL_UID,
    COL_RECV_Q,
    COL_SEND_Q,
    COL_INTERFACE,
    COL_COOKIE,
    COL_PATH,
    COL_PEER_INODE,
    COL_TIMER,
    COL_RETRANS,
    COL_EXPIRES_MS,
    COL_RTT_US,
    COL_RTTVAR_US,
    COL_CWND,
    COL_SSTHRESH,
    COL_TOTAL_RETRANS,
    COL_BYTES_ACKED,
    COL_BYTES_RECEIVED,
    COL_CONGESTION,
};

static const char socketsSchema[] =
    "CREATE TABLE x(netns INTEGER, family TEXT, protocol TEXT, state TEXT, local_addr TEXT,"
    " local_port INTEGER, remote_addr TEXT, remote_port INTEGER, inode INTEGER, uid INTEGER,"
    " recv_q INTEGER, send_q INTEGER, interface TEXT, cookie INTEGER, path TEXT,"
    " peer_inode INTEGER, timer TEXT, retrans INTEGER, expires_ms INTEGER, rtt_us INTEGER,"
    " rttvar_us INTEGER, cwnd INTEGER, ssthresh INTEGER, total_retrans INTEGER,"
    " bytes_acked INTEGER, bytes_received INTEGER, congestion TEXT)";

/* The dumps of one namespace, in the order a scan sends them. */
static const struct {
    int family, protocol;
} dumpKinds[] = {
    {AF_INET, IPPROTO_TCP},
    {AF_INET6, IPPROTO_TCP},
    {AF_INET, IPPROTO_UDP},
    {AF_INET6, IPPROTO_UDP},
    {AF_INET, IPPROTO_UDPLITE},
    {AF_INET6, IPPROTO_UDPLITE},
    {AF_INET, IPPROTO_RAW},
    {AF_INET6, IPPROTO_RAW},
    {AF_INET, IPPROTO_SCTP},
    {AF_INET6, IPPROTO_SCTP},
    {AF_INET, DIAG_PROTO_MPTCP},
    {AF_INET6, DIAG_PROTO_MPTCP},
    {AF_UNIX, 0},
    {AF_NETLINK, 0},
    {AF_PACKET, 0},
};
#define NKINDS ((int)(sizeof dumpKinds / sizeof *dumpKinds))

static const char *const familyNames[] = {"inet", "inet6", "unix", "netlink", "packet"};
static const int familyNumbers[] = {AF_INET, AF_INET6, AF_UNIX, AF_NETLINK, AF_PACKET};

static const char *familyName(int family)
{
    for (int i = 0; i < 5; i++)
        if (familyNumbers[i] == family) return familyNames[i];
    return "?";
}

static int isInet(int family)
{
    return family == AF_INET || family == AF_INET6;
}

/*
** xBestIndex → xFilter. Pushable columns, in idxNum bit order (see vtab.h), each = or IN:
**   bit 0  state        argv: the word(s)      → idiag_states / udiag_states
**   bit 1  family       argv: the word(s)      → which dumps are sent
**   bit 2  protocol     argv: the word(s)      → which dumps are sent
**   bit 3  local_port   argv: the port(s)      → INET_DIAG_REQ_BYTECODE; inet dumps only
**   bit 4  remote_port  argv: the port(s)      → INET_DIAG_REQ_BYTECODE; inet dumps only
**   bit 5  inode        argv: the inode(s)     → the cursor's inode → row map
**   bit 6  netns        argv: the inode(s)     → only those namespaces are entered
** Bits VTAB_OWN_BITS and up: NEED_TCPINFO, NEED_IFNAME from colUsed.
*/
static const struct vtab_push socketsPush[] = {
    {.name = "state", .iColumn = COL_STATE, .isText = 1},
    {.name = "family", .iColumn = COL_FAMILY, .isText = 1},
    {.name = "protocol", .iColumn = COL_PROTOCOL, .isText = 1},
    {.name = "local_port", .iColumn = COL_LOCAL_PORT},
    {.name = "remote_port", .iColumn = COL_REMOTE_PORT},
    {.name = "inode", .iColumn = COL_INODE},
    {.name = "netns", .iColumn = COL_NETNS},
};
enum { PUSH_STATE, PUSH_FAMILY, PUSH_PROTOCOL, PUSH_SPORT, PUSH_DPORT, PUSH_INODE, PUSH_NETNS };
#define NPUSH ((int)(sizeof socketsPush / sizeof *socketsPush))

#define NEED_TCPINFO (1 << VTAB_OWN_BITS)
#define NEED_IFNAME  (2 << VTAB_OWN_BITS)

/* A set of words from an `= ?` or `IN (...)`: compared byte for byte (BINARY). */
struct words {
    char **v;
    int n;
};

static int wordsHas(const struct words *w, const char *s)
{
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->v[i], s) == 0) return 1;
    return 0;
}

static void wordsFree(struct words *w)
{
    for (int i = 0; i < w->n; i++) sqlite3_free(w->v[i]);
    sqlite3_free(w->v);
    w->v = NULL;
    w->n = 0;
}

static int addWord(void *ctx, sqlite3_value *v)
{
    struct words *w = ctx;
    const char *s = vtabValueText(v);
    if (!s) return SQLITE_OK; /* NULL equals nothing */
    char **more = sqlite3_realloc64(w->v, (sqlite3_uint64)(w->n + 1) * sizeof *more);
    if (!more) return SQLITE_NOMEM;
    w->v = more;
    w->v[w->n] = sqlite3_mprintf("%s", s);
    if (!w->v[w->n]) return SQLITE_NOMEM;
    w->n++;
    return SQLITE_OK;
}

/* What one xFilter call asks for; every field is checked on every row. */
struct sockFilter {
    unsigned pushed; /* 1 << PUSH_* */
    struct words states, families, protocols;
    struct keyset sports, dports, inodes, netns;
};

/* A row as the table keeps it: what the kernel said, plus where and the device's name. */
struct sockRow {
    struct diag_row d;
    uint64_t netns;
    char ifname[IF_NAMESIZE];
};

struct rowVec {
    struct sockRow *v;
    size_t n, cap;
};

static struct sockRow *rowVecPush(struct rowVec *r)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        struct sockRow *v = realloc(r->v, cap * sizeof *v);
        if (!v) return NULL;
        r->v = v;
        r->cap = cap;
    }
    return &r->v[r->n++];
}

static void rowVecFree(struct rowVec *r)
{
    free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}

typedef struct SocketsCursor SocketsCursor;
struct SocketsCursor {
    sqlite3_vtab_cursor base;
    int procfd;
    int need; /* NEED_* bits */
    uint32_t seq;
    char *rxbuf; /* DIAG_DUMP_BUFSIZE */
    struct sockFilter f;

    /* A streaming scan: namespace nsAt, dump kindAt, row rowAt of rows. */
    struct netns_list ns;
    int nsAt, kindAt;
    int nsfd; /* sock_diag socket of namespace nsAt, or -1 */
    struct rowVec rows;
    size_t rowAt;
    int eof;
    sqlite3_int64 rowid;

    /* inode lookups: every socket of every namespace, sorted by inode, built once. */
    int mapBuilt;
    struct rowVec map;
    size_t *hits; /* indexes into map that match this xFilter */
    size_t nhits, capHits;
    int byMap;
};

/*
** Costs: a host is assumed to hold ~30,000 sockets; each dump request costs ~50 (syscalls
** and the kernel's walk), each row returned 1. A state or port filter runs in the kernel
** and returns few rows; family/protocol filters send fewer dumps. An inode lookup answers
** from the cursor's map after the first call, so per call it costs a binary search.
*/
static int socketsBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
    (void)vtab;
    int idxNum = vtabPushEq(info, socketsPush, NPUSH);
    double rows = 30000, dumps = NKINDS;
    if (VTAB_PUSHED(idxNum, PUSH_STATE)) rows *= VTAB_IS_IN(idxNum, PUSH_STATE) ? 0.02 : 0.01;
    if (VTAB_PUSHED(idxNum, PUSH_FAMILY)) rows *= 0.3, dumps /= 3;
    if (VTAB_PUSHED(idxNum, PUSH_PROTOCOL)) rows *= 0.2, dumps /= 5;
    if (VTAB_PUSHED(idxNum, PUSH_SPORT)) rows *= 0.002;
    if (VTAB_PUSHED(idxNum, PUSH_DPORT)) rows *= 0.002;
    if (VTAB_PUSHED(idxNum, PUSH_NETNS)) rows *= 0.5;
    double cost = dumps * 50 + rows;
    if (VTAB_PUSHED(idxNum, PUSH_INODE)) {
        rows = VTAB_IS_IN(idxNum, PUSH_INODE) ? 5 : 1;
        cost = 10 + rows;
    }
    if (rows < 1) rows = 1;
    info->estimatedRows = (sqlite3_int64)rows;
    info->estimatedCost = cost;

    for (int col = COL_RTT_US; col <= COL_CONGESTION; col++)
        if (info->colUsed & ((sqlite3_uint64)1 << col)) idxNum |= NEED_TCPINFO;
    if (info->colUsed & ((sqlite3_uint64)1 << COL_INTERFACE)) idxNum |= NEED_IFNAME;
    info->idxNum = idxNum;
    return SQLITE_OK;
}

static void filterFree(struct sockFilter *f)
{
    wordsFree(&f->states);
    wordsFree(&f->families);
    wordsFree(&f->protocols);
    keysetFree(&f->sports);
    keysetFree(&f->dports);
    keysetFree(&f->inodes);
    keysetFree(&f->netns);
    f->pushed = 0;
}

static int socketsOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **ppCursor)
{
    SocketsCursor *cur = sqlite3_malloc(sizeof *cur);
    if (!cur) return SQLITE_NOMEM;
    memset(cur, 0, sizeof *cur);
    cur->nsfd = -1;
    cur->rxbuf = malloc(DIAG_DUMP_BUFSIZE);
    cur->procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (!cur->rxbuf || cur->procfd < 0) {
        int err = errno;
        if (cur->procfd >= 0) close(cur->procfd);
        free(cur->rxbuf);
        sqlite3_free(cur);
        return vtabError(vtab, "sockets: cannot open /proc: %s", strerror(err));
    }
    *ppCursor = &cur->base;
    return SQLITE_OK;
}

static void closeNamespace(SocketsCursor *cur)
{
    if (cur->nsfd >= 0) close(cur->nsfd);
    cur->nsfd = -1;
}

static int socketsClose(sqlite3_vtab_cursor *base)
{
    SocketsCursor *cur = (SocketsCursor *)base;
    closeNamespace(cur);
    filterFree(&cur->f);
    netnsFree(&cur->ns);
    rowVecFree(&cur->rows);
    rowVecFree(&cur->map);
    free(cur->hits);
    free(cur->rxbuf);
    close(cur->procfd);
    sqlite3_free(cur);
    return SQLITE_OK;
}

/* ---- Which dumps a filter needs, and what each asks of the kernel ---- */

static int pushed(const struct sockFilter *f, int k)
{
    return (f->pushed >> k) & 1;
}

/*
** The kernel's filter bits (1 << TCP_*) for dump KIND that select the sockets whose state word
** the filter names (SYN_RECV: bit TCP_NEW_SYN_RECV too, for request sockets, which this
** kernel adds itself but older ones may not); all when
** unfiltered.
*/
static uint32_t kindStates(const struct sockFilter *f, int kind)
{
    if (!pushed(f, PUSH_STATE)) return ~0u;
    int family = dumpKinds[kind].family, protocol = dumpKinds[kind].protocol;
    uint32_t mask = 0;
    for (int s = 0; s < 32; s++)
        if (wordsHas(&f->states, diagStateName(family, protocol, diagReportedState(s))))
            mask |= 1u << s;
    return mask;
}

/* Could dump KIND hold a row of one of the filter's protocol words? */
static int kindHasProtocol(const struct sockFilter *f, int kind)
{
    int family = dumpKinds[kind].family;
    char buf[16];
    if (isInet(family))
        return wordsHas(&f->protocols,
                        diagProtocolName(family, dumpKinds[kind].protocol, buf, sizeof buf));
    if (family == AF_UNIX)
        return wordsHas(&f->protocols, "stream") || wordsHas(&f->protocols, "dgram") ||
               wordsHas(&f->protocols, "seqpacket");
    /* netlink and packet words are open-ended: any word that names no other kind. */
    for (int i = 0; i < f->protocols.n; i++) {
        const char *w = f->protocols.v[i];
        int other = 0;
        for (int k = 0; k < NKINDS && !other; k++)
            if (isInet(dumpKinds[k].family) &&
                strcmp(w, diagProtocolName(dumpKinds[k].family, dumpKinds[k].protocol, buf,
                                           sizeof buf)) == 0)
                other = 1;
        if (!other && strcmp(w, "stream") && strcmp(w, "dgram") && strcmp(w, "seqpacket")) return 1;
    }
    return 0;
}

static int kindNeeded(const struct sockFilter *f, int kind)
{
    int family = dumpKinds[kind].family;
    if (pushed(f, PUSH_FAMILY) && !wordsHas(&f->families, familyName(family))) return 0;
    if (pushed(f, PUSH_PROTOCOL) && !kindHasProtocol(f, kind)) return 0;
    if ((pushed(f, PUSH_SPORT) || pushed(f, PUSH_DPORT)) && !isInet(family)) return 0;
    return kindStates(f, kind) != 0;
}

static int rowMatches(const struct sockFilter *f, const struct sockRow *r)
{
    const struct diag_row *d = &r->d;
    char buf[16];
    if (pushed(f, PUSH_STATE) &&
        !wordsHas(&f->states, diagStateName(d->family, d->protocol, d->state)))
        return 0;
    if (pushed(f, PUSH_FAMILY) && !wordsHas(&f->families, familyName(d->family))) return 0;
    if (pushed(f, PUSH_PROTOCOL) &&
        !wordsHas(&f->protocols, diagProtocolName(d->family, d->protocol, buf, sizeof buf)))
        return 0;
    int addr = (d->has & DIAG_HAS_ADDR) != 0;
    if (pushed(f, PUSH_SPORT) && !(addr && keysetHas(&f->sports, d->sport))) return 0;
    if (pushed(f, PUSH_DPORT) && !(addr && keysetHas(&f->dports, d->dport))) return 0;
    if (pushed(f, PUSH_INODE) && !keysetHas(&f->inodes, (int64_t)d->inode)) return 0;
    if (pushed(f, PUSH_NETNS) && !keysetHas(&f->netns, (int64_t)r->netns)) return 0;
    return 1;
}

/* ---- One dump into a row vector ---- */

struct dumpCtx {
    struct rowVec *out;
    const struct sockFilter *f; /* NULL: keep every row */
    int kind;
    uint64_t netns;
    int nsfd;
    int need;
};

/* The device's name in the socket's own namespace; its number if it has gone. */
static void interfaceName(int nsfd, uint32_t ifindex, char *name)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_ifindex = (int)ifindex;
    if (ioctl(nsfd, SIOCGIFNAME, &ifr) == 0)
        snprintf(name, IF_NAMESIZE, "%s", ifr.ifr_name);
    else
        snprintf(name, IF_NAMESIZE, "%u", ifindex);
}

static int onMessage(const void *msg, size_t len, void *arg)
{
    struct dumpCtx *c = arg;
    struct sockRow row;
    int rc;
    switch (dumpKinds[c->kind].family) {
    case AF_UNIX: rc = diagUnixParse(msg, len, &row.d); break;
    case AF_NETLINK: rc = diagNetlinkParse(msg, len, &row.d); break;
    case AF_PACKET: rc = diagPacketParse(msg, len, &row.d); break;
    default: rc = diagInetParse(msg, len, dumpKinds[c->kind].protocol, &row.d); break;
    }
    if (rc < 0) return 0; /* a message we cannot read is not a socket we can show */
    row.netns = c->netns;
    row.ifname[0] = '\0';
    if (c->f && !rowMatches(c->f, &row)) return 0;
    if ((c->need & NEED_IFNAME) && (row.d.has & DIAG_HAS_IFINDEX))
        interfaceName(c->nsfd, row.d.ifindex, row.ifname);
    struct sockRow *slot = rowVecPush(c->out);
    if (!slot) return -ENOMEM;
    *slot = row;
    return 0;
}

static int byCookie(const void *a, const void *b)
{
    uint64_t x = ((const struct sockRow *)a)->d.cookie, y = ((const struct sockRow *)b)->d.cookie;
    return (x > y) - (x < y);
}

/* Sorts rows FROM.. of R by cookie and drops repeats. */
static void dedupe(struct rowVec *r, size_t from)
{
    size_t n = r->n - from;
    if (n < 2) return;
    struct sockRow *v = r->v + from;
    qsort(v, n, sizeof *v, byCookie);
    size_t out = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i].d.cookie != v[out - 1].d.cookie) v[out++] = v[i];
    r->n = from + out;
}

#define DUMP_TRIES 5

/*
** Appends the rows of dump KIND of namespace NETNS (socket NSFD) that F keeps (F NULL: all).
** Returns 0 or -errno.
*/
static int runDump(SocketsCursor *cur, int nsfd, uint64_t netns, int kind,
                   const struct sockFilter *f, struct rowVec *out)
{
    struct diag_query q = {
        .family = dumpKinds[kind].family,
        .protocol = dumpKinds[kind].protocol,
        .states = f ? kindStates(f, kind) : ~0u,
        .tcpInfo = (cur->need & NEED_TCPINFO) != 0,
    };
    if (f && pushed(f, PUSH_SPORT)) q.sports = f->sports.v, q.nsports = f->sports.n;
    if (f && pushed(f, PUSH_DPORT)) q.dports = f->dports.v, q.ndports = f->dports.n;
    if ((f && pushed(f, PUSH_SPORT) && !q.nsports) || (f && pushed(f, PUSH_DPORT) && !q.ndports))
        return 0; /* no port can match */

    char req[8192]; /* holds the longest bytecode diagInetRequest writes */
    struct dumpCtx ctx = {out, f, kind, netns, nsfd, cur->need};
    size_t start = out->n;
    for (int attempt = 0;; attempt++) {
        int len;
        switch (q.family) {
        case AF_UNIX: len = diagUnixRequest(req, sizeof req, &q, ++cur->seq); break;
        case AF_NETLINK: len = diagNetlinkRequest(req, sizeof req, &q, ++cur->seq); break;
        case AF_PACKET: len = diagPacketRequest(req, sizeof req, &q, ++cur->seq); break;
        default: len = diagInetRequest(req, sizeof req, &q, ++cur->seq); break;
        }
        if (len == -ERANGE) return 0; /* ports that no socket has */
        if (len < 0) return len;
        out->n = start;
        int rc = diagDump(nsfd, req, (size_t)len, cur->rxbuf, onMessage, &ctx);
        /* The socket table changed under the dump: again, or keep what came the last time. */
        if (rc == -EINTR && attempt < DUMP_TRIES - 1) continue;
        if (rc < 0 && rc != -EINTR) return rc;
        dedupe(out, start);
        return 0;
    }
}

/* Opens the sock_diag socket of namespace I. 1: open; 0: skip it (gone, not allowed). */
static int enterNamespace(SocketsCursor *cur, int i, int *err)
{
    closeNamespace(cur);
    int fd = netnsDiagSocket(&cur->ns.v[i], cur->ns.self);
    if (fd >= 0) {
        cur->nsfd = fd;
        return 1;
    }
    if (fd == -EPERM || fd == -EACCES || fd == -ENOENT || fd == -ESRCH || fd == -ESTALE ||
        fd == -EINVAL)
        return 0;
    *err = fd;
    return 0;
}

static int dumpError(SocketsCursor *cur, int kind, int err)
{
    char buf[16];
    return vtabError(
        cur->base.pVtab, "sockets: sock_diag dump of %s %s failed: %s",
        familyName(dumpKinds[kind].family),
        diagProtocolName(dumpKinds[kind].family, dumpKinds[kind].protocol, buf, sizeof buf),
        strerror(-err));
}

/* ---- The inode map ---- */

static int byInode(const void *a, const void *b)
{
    uint64_t x = ((const struct sockRow *)a)->d.inode, y = ((const struct sockRow *)b)->d.inode;
    return (x > y) - (x < y);
}

/* Every socket of every namespace, once per cursor: later xFilter calls of a join look up. */
static int buildMap(SocketsCursor *cur)
{
    int rc = netnsList(&cur->ns, cur->procfd, NULL);
    if (rc < 0) return vtabError(cur->base.pVtab, "sockets: %s", strerror(-rc));
    for (int i = 0; i < cur->ns.n; i++) {
        int err = 0;
        if (!enterNamespace(cur, i, &err)) {
            if (err) return vtabError(cur->base.pVtab, "sockets: %s", strerror(-err));
            continue;
        }
        for (int k = 0; k < NKINDS; k++) {
            rc = runDump(cur, cur->nsfd, cur->ns.v[i].ino, k, NULL, &cur->map);
            if (rc < 0) {
                closeNamespace(cur);
                return dumpError(cur, k, rc);
            }
        }
        closeNamespace(cur);
    }
    qsort(cur->map.v, cur->map.n, sizeof *cur->map.v, byInode);
    cur->mapBuilt = 1;
    return SQLITE_OK;
}

static int addHit(SocketsCursor *cur, size_t i)
{
    if (cur->nhits == cur->capHits) {
        size_t cap = cur->capHits ? 2 * cur->capHits : 16;
        size_t *v = realloc(cur->hits, cap * sizeof *v);
        if (!v) return SQLITE_NOMEM;
        cur->hits = v;
        cur->capHits = cap;
    }
    cur->hits[cur->nhits++] = i;
    return SQLITE_OK;
}

/* The map rows of the pushed inodes that pass the other filters, in inode order. */
static int lookupInodes(SocketsCursor *cur)
{
    cur->nhits = 0;
    for (int k = 0; k < cur->f.inodes.n; k++) {
        uint64_t ino = (uint64_t)cur->f.inodes.v[k];
        size_t lo = 0, hi = cur->map.n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cur->map.v[mid].d.inode < ino)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < cur->map.n && cur->map.v[lo].d.inode == ino; lo++)
            if (rowMatches(&cur->f, &cur->map.v[lo]) && addHit(cur, lo) != SQLITE_OK)
                return SQLITE_NOMEM;
    }
    return SQLITE_OK;
}

/* ---- Scanning ---- */

/* Loads the next dump that has rows; eof when none is left. */
static int nextDump(SocketsCursor *cur)
{
    for (;;) {
        if (cur->nsfd >= 0) {
            while (++cur->kindAt < NKINDS) {
                if (!kindNeeded(&cur->f, cur->kindAt)) continue;
                cur->rows.n = 0;
                cur->rowAt = 0;
                int rc = runDump(cur, cur->nsfd, cur->ns.v[cur->nsAt].ino, cur->kindAt, &cur->f,
                                 &cur->rows);
                if (rc < 0) return dumpError(cur, cur->kindAt, rc);
                if (cur->rows.n > 0) return SQLITE_OK;
            }
            closeNamespace(cur);
        }
        if (++cur->nsAt >= cur->ns.n) {
            cur->eof = 1;
            return SQLITE_OK;
        }
        int err = 0;
        cur->kindAt = -1;
        if (!enterNamespace(cur, cur->nsAt, &err) && err)
            return vtabError(cur->base.pVtab, "sockets: %s", strerror(-err));
    }
}

static int socketsNext(sqlite3_vtab_cursor *base)
{
    SocketsCursor *cur = (SocketsCursor *)base;
    cur->rowid++;
    if (cur->byMap) {
        if (++cur->rowAt >= cur->nhits) cur->eof = 1;
        return SQLITE_OK;
    }
    if (++cur->rowAt < cur->rows.n) return SQLITE_OK;
    return nextDump(cur);
}

static int readFilter(SocketsCursor *cur, int idxNum, sqlite3_value **argv)
{
    struct sockFilter *f = &cur->f;
    int arg = 0, rc = SQLITE_OK;
    filterFree(f);
    for (int k = 0; k < NPUSH && rc == SQLITE_OK; k++) {
        if (!VTAB_PUSHED(idxNum, k)) continue;
        f->pushed |= 1u << k;
        sqlite3_value *v = argv[arg++];
        int isIn = VTAB_IS_IN(idxNum, k);
        switch (k) {
        case PUSH_STATE: rc = vtabEachValue(v, isIn, addWord, &f->states); break;
        case PUSH_FAMILY: rc = vtabEachValue(v, isIn, addWord, &f->families); break;
        case PUSH_PROTOCOL: rc = vtabEachValue(v, isIn, addWord, &f->protocols); break;
        case PUSH_SPORT: rc = vtabKeysetFrom(&f->sports, v, isIn); break;
        case PUSH_DPORT: rc = vtabKeysetFrom(&f->dports, v, isIn); break;
        case PUSH_INODE: rc = vtabKeysetFrom(&f->inodes, v, isIn); break;
        case PUSH_NETNS: rc = vtabKeysetFrom(&f->netns, v, isIn); break;
        }
    }
    return rc;
}

static int socketsFilter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
                         sqlite3_value **argv)
{
    (void)idxStr, (void)argc;
    SocketsCursor *cur = (SocketsCursor *)base;
    cur->need = idxNum & (NEED_TCPINFO | NEED_IFNAME);
    cur->eof = 0;
    cur->rowid = 0;
    cur->rowAt = 0;
    cur->rows.n = 0;
    closeNamespace(cur);
    int rc = readFilter(cur, idxNum, argv);
    if (rc != SQLITE_OK) return rc;

    cur->byMap = pushed(&cur->f, PUSH_INODE);
    if (cur->byMap) {
        if (!cur->mapBuilt && (rc = buildMap(cur)) != SQLITE_OK) return rc;
        if ((rc = lookupInodes(cur)) != SQLITE_OK) return rc;
        cur->eof = cur->nhits == 0;
        return SQLITE_OK;
    }
    if (pushed(&cur->f, PUSH_NETNS) && cur->f.netns.n == 0) {
        cur->eof = 1;
        return SQLITE_OK;
    }
    int err = netnsList(&cur->ns, cur->procfd, pushed(&cur->f, PUSH_NETNS) ? &cur->f.netns : NULL);
    if (err < 0) return vtabError(base->pVtab, "sockets: %s", strerror(-err));
    cur->nsAt = -1;
    return nextDump(cur);
}

static int socketsEof(sqlite3_vtab_cursor *base)
{
    return ((SocketsCursor *)base)->eof;
}

static const struct sockRow *currentRow(SocketsCursor *cur);

/*
** The socket's cookie: unique on the host and the same in every xFilter, as SQLite's OR
** optimisation needs (it drops rows whose rowid another OR branch returned already).
*/
static int socketsRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    SocketsCursor *cur = (SocketsCursor *)base;
    uint64_t cookie = currentRow(cur)->d.cookie;
    *rowid = cookie ? (sqlite3_int64)(cookie & INT64_MAX) : (sqlite3_int64)1 << 62 | cur->rowid;
    return SQLITE_OK;
}

static const struct sockRow *currentRow(SocketsCursor *cur)
{
    if (cur->byMap) return &cur->map.v[cur->hits[cur->rowAt]];
    return &cur->rows.v[cur->rowAt];
}

static void resultText(sqlite3_context *ctx, const char *s)
{
    sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
}

static void resultAddr(sqlite3_context *ctx, const struct diag_row *d, const uint8_t *addr)
{
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(d->family, addr, text, sizeof text)) resultText(ctx, text);
}

/* A filesystem name ends at its NUL; an abstract one is '@' and every byte, NULs as '@'. */
static void resultPath(sqlite3_context *ctx, const struct diag_row *d)
{
    char text[sizeof d->path + 1];
    size_t n = d->pathLen;
    if (n > 0 && d->path[0] == '\0') {
        for (size_t i = 0; i < n; i++) text[i] = d->path[i] ? d->path[i] : '@';
    } else {
        n = strnlen(d->path, n);
        memcpy(text, d->path, n);
    }
    sqlite3_result_text(ctx, text, (int)n, SQLITE_TRANSIENT);
}

static const char *const timerNames[] = {"off", "on", "keepalive", "timewait", "persist"};

static int socketsColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    const struct sockRow *r = currentRow((SocketsCursor *)base);
    const struct diag_row *d = &r->d;
    char buf[16];
    unsigned has = d->has;
    switch (col) {
    case COL_NETNS: sqlite3_result_int64(ctx, (sqlite3_int64)r->netns); break;
    case COL_FAMILY: resultText(ctx, familyName(d->family)); break;
    case COL_PROTOCOL:
        resultText(ctx, diagProtocolName(d->family, d->protocol, buf, sizeof buf));
        break;
    case COL_STATE: resultText(ctx, diagStateName(d->family, d->protocol, d->state)); break;
    case COL_LOCAL_ADDR:
        if (has & DIAG_HAS_ADDR) resultAddr(ctx, d, d->src);
        break;
    case COL_LOCAL_PORT:
        if (has & DIAG_HAS_ADDR) sqlite3_result_int(ctx, d->sport);
        break;
    case COL_REMOTE_ADDR:
        if (has & DIAG_HAS_ADDR) resultAddr(ctx, d, d->dst);
        break;
    case COL_REMOTE_PORT:
        if (has & DIAG_HAS_ADDR) sqlite3_result_int(ctx, d->dport);
        break;
    case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)d->inode); break;
    case COL_UID:
        if (has & DIAG_HAS_UID) sqlite3_result_int64(ctx, d->uid);
        break;
    case COL_RECV_Q:
        if (has & DIAG_HAS_QUEUES) sqlite3_result_int64(ctx, d->rqueue);
        break;
    case COL_SEND_Q:
        if (has & DIAG_HAS_QUEUES) sqlite3_result_int64(ctx, d->wqueue);
        break;
    case COL_INTERFACE:
        if (has & DIAG_HAS_IFINDEX) resultText(ctx, r->ifname);
        break;
    case COL_COOKIE: sqlite3_result_int64(ctx, (sqlite3_int64)d->cookie); break;
    case COL_PATH:
        if (has & DIAG_HAS_PATH) resultPath(ctx, d);
        break;
    case COL_PEER_INODE:
        if (has & DIAG_HAS_PEER) sqlite3_result_int64(ctx, d->peer);
        break;
    case COL_TIMER:
        if ((has & DIAG_HAS_TIMER) && d->timer < sizeof timerNames / sizeof *timerNames)
            resultText(ctx, timerNames[d->timer]);
        break;
    case COL_RETRANS:
        if (has & DIAG_HAS_TIMER) sqlite3_result_int(ctx, d->retrans);
        break;
    case COL_EXPIRES_MS:
        if (has & DIAG_HAS_TIMER) sqlite3_result_int64(ctx, d->expires);
        break;
    case COL_RTT_US:
        if (has & DIAG_HAS_TCPINFO) sqlite3_result_int64(ctx, d->tcp.rtt);
        break;
    case COL_RTTVAR_US:
        if (has & DIAG_HAS_TCPINFO) sqlite3_result_int64(ctx, d->tcp.rttvar);
        break;
    case COL_CWND:
        if (has & DIAG_HAS_TCPINFO) sqlite3_result_int64(ctx, d->tcp.cwnd);
        break;
    case COL_SSTHRESH:
        if (has & DIAG_HAS_TCPINFO) sqlite3_result_int64(ctx, d->tcp.ssthresh);
        break;
    case COL_TOTAL_RETRANS:
        if (has & DIAG_HAS_TCPINFO) sqlite3_result_int64(ctx, d->tcp.totalRetrans);
        break;
    case COL_BYTES_ACKED:
        if (has & DIAG_HAS_TCPBYTES) sqlite3_result_int64(ctx, (sqlite3_int64)d->tcp.bytesAcked);
        break;
    case COL_BYTES_RECEIVED:
        if (has & DIAG_HAS_TCPBYTES) sqlite3_result_int64(ctx, (sqlite3_int64)d->tcp.bytesReceived);
        break;
    case COL_CONGESTION:
        if (has & DIAG_HAS_CONG) resultText(ctx, d->cong);
        break;
    }
    return SQLITE_OK;
}

static sqlite3_module socketsModule = {
    .xConnect = vtabConnect,
    .xBestIndex = socketsBestIndex,
    .xDisconnect = vtabDisconnect,
    .xOpen = socketsOpen,
    .xClose = socketsClose,
    .xFilter = socketsFilter,
    .xNext = socketsNext,
    .xEof = socketsEof,
    .xColumn = socketsColumn,
    .xRowid = socketsRowid,
};

int socketsRegister(sqlite3 *db)
{
    return sqlite3_create_module(db, "sockets", &socketsModule, (void *)socketsSchema);
}
