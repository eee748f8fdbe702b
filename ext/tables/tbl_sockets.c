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
**       congestion TEXT,      -- tcp_info; asked of the kernel only when used; tcp only
**       last_data_recv_ms INTEGER, last_data_sent_ms INTEGER, -- tcp_info: ms since data
**       last_ack_recv_ms INTEGER  --   last came, went, and an ACK came: a stalled connection
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
** Request sockets (half-open, TCP_NEW_SYN_RECV in the kernel) show as SYN_RECV with inode 0, as
** ss shows them: NEW_SYN_RECV names no row on the kernels known (docs/architecture.md).
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
** Sources (sock/sock_dump.c, sock/sock_lookup.c; sockets_sources.c), chosen per xFilter:
**   scan     every namespace the filter allows (netns pushed: only those), the dumps of the
**            kinds it needs, states and ports as kernel filters; one dump's rows at a time.
**   ports    a port pushed on one end is dumped with bytecode for either end, and those rows
**            kept for the statement: `local_port = P OR remote_port = P` (two xFilter calls
**            under SQLite's OR plan) costs one dump per namespace and kind, not two.
**   holder   `inode = ?` where the fds table noted the socket's holder (conn.h) while a
**            per-process question walked it: that one socket, through the holder (pidfd_getfd,
**            an exact request, or one protocol's dump in one namespace): cost follows it.
**   held     a scan's dump of a namespace of few processes, when its counts show their
**            descriptors hold all its sockets of that kind: their BPF records (sock_held.h).
**   map      `inode = ?` otherwise (no holder noted, a holder seen by a whole-host scan, more
**            than LOOKUP_LIMIT lookups, or sqlsof_socket_source('dumps')): every socket of
**            every namespace once, sorted by inode, answering every later xFilter.
** sqlsof_socket_source() (fn_source.c) counts each source's sockets and sets which may run;
** the dumps are the reference the holder, fields and held paths are tested against. A socket
** in a namespace that no process is in (held only by sockets) is found through its holder
** and missed by the dumps, which cannot name that namespace.
**
** Every pushed filter is also checked on each row, so a kernel that ignores part of a
** request (bytecode, states) cannot change the answer.
*/
#include "tables/tables.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tables/conn.h"
#include "tables/sockets.h"
#include "tables/sockets_delete.h"
#include "util/buf.h"
#include "vtab/vtab.h"

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
    COL_LAST_DATA_RECV_MS,
    COL_LAST_DATA_SENT_MS,
    COL_LAST_ACK_RECV_MS,
};

static const char socketsSchema[] =
    "CREATE TABLE x(netns INTEGER, family TEXT, protocol TEXT, state TEXT, local_addr TEXT,"
    " local_port INTEGER, remote_addr TEXT, remote_port INTEGER, inode INTEGER, uid INTEGER,"
    " recv_q INTEGER, send_q INTEGER, interface TEXT, cookie INTEGER, path TEXT,"
    " peer_inode INTEGER, timer TEXT, retrans INTEGER, expires_ms INTEGER, rtt_us INTEGER,"
    " rttvar_us INTEGER, cwnd INTEGER, ssthresh INTEGER, total_retrans INTEGER,"
    " bytes_acked INTEGER, bytes_received INTEGER, congestion TEXT, last_data_recv_ms INTEGER,"
    " last_data_sent_ms INTEGER, last_ack_recv_ms INTEGER)";

/*
** xBestIndex → xFilter. Pushable columns, in idxNum bit order (see vtab.h; the order of
** enum sock_by), each = or IN:
**   bit 0  state        argv: the word(s)      → idiag_states / udiag_states
**   bit 1  family       argv: the word(s)      → which dumps are sent
**   bit 2  protocol     argv: the word(s)      → which dumps are sent
**   bit 3  local_port   argv: the port(s)      → INET_DIAG_REQ_BYTECODE; inet dumps only
**   bit 4  remote_port  argv: the port(s)      → INET_DIAG_REQ_BYTECODE; inet dumps only
**   bit 5  inode        argv: the inode(s)     → through the holder, or the inode map
**   bit 6  netns        argv: the inode(s)     → only those namespaces are entered
** Bits VTAB_OWN_BITS and up: SOCK_NEED_TCPINFO, SOCK_NEED_IFNAME, SOCK_NEED_UNIX_DIAG from
** colUsed; and NEED_DIAG_ONLY: a column that a BPF record's socket fields do not give (queues,
** interface, peer, timers, tcp_info), so `inode = ?` cannot be answered from them.
*/
static const struct vtab_push socketsPush[SOCK_NBY] = {
    [SOCK_BY_STATE] = {.name = "state", .iColumn = COL_STATE, .isText = 1},
    [SOCK_BY_FAMILY] = {.name = "family", .iColumn = COL_FAMILY, .isText = 1},
    [SOCK_BY_PROTOCOL] = {.name = "protocol", .iColumn = COL_PROTOCOL, .isText = 1},
    [SOCK_BY_SPORT] = {.name = "local_port", .iColumn = COL_LOCAL_PORT},
    [SOCK_BY_DPORT] = {.name = "remote_port", .iColumn = COL_REMOTE_PORT},
    [SOCK_BY_INODE] = {.name = "inode", .iColumn = COL_INODE},
    [SOCK_BY_NETNS] = {.name = "netns", .iColumn = COL_NETNS},
};

/* The columns that a BPF record's socket fields give (sock/sock_row.h, sockRowFromFields). */
#define COLUMN(c) ((sqlite3_uint64)1 << (c))
static const sqlite3_uint64 fieldColumns =
    COLUMN(COL_NETNS) | COLUMN(COL_FAMILY) | COLUMN(COL_PROTOCOL) | COLUMN(COL_STATE) |
    COLUMN(COL_LOCAL_ADDR) | COLUMN(COL_LOCAL_PORT) | COLUMN(COL_REMOTE_ADDR) |
    COLUMN(COL_REMOTE_PORT) | COLUMN(COL_INODE) | COLUMN(COL_UID) | COLUMN(COL_COOKIE) |
    COLUMN(COL_PATH);
#define NEED_DIAG_ONLY (1 << (VTAB_OWN_BITS + 8))

/* Whether the statement asks for listeners alone (state = 'LISTEN', a constant). */
static int asksListenersOnly(sqlite3_index_info *info)
{
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        sqlite3_value *v = NULL;
        if (c->iColumn != COL_STATE || !c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
        if (sqlite3_vtab_rhs_value(info, i, &v) == SQLITE_OK && v &&
            sqlite3_value_type(v) == SQLITE_TEXT &&
            !strcmp((const char *)sqlite3_value_text(v), "LISTEN"))
            return 1;
    }
    return 0;
}

/*
** Costs: a host is assumed to hold ~30,000 sockets in ~10 namespaces, each row returned costs
** 1. Each dump request walks its kind's table of the whole host (the kernel keeps one for
** every namespace) once in each namespace: ~5,000, about a BPF walk of every fd; a dump of
** listeners alone walks only the listeners' table (~50). A port or state filter runs in the
** kernel and returns few rows; family/protocol filters send fewer dumps. An inode lookup
** costs a few syscalls (through its holder) or a binary search (in the map), and nearly
** nothing from the fields of a BPF walk of every fd, when the statement uses no other column:
** then `fds JOIN sockets` costs one walk with fds outside, against every dump and the same
** walk (for the inode map) with sockets outside.
*/
static int socketsBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
    int idxNum = vtabPushEq(info, socketsPush, SOCK_NBY);
    double rows = 30000, dumps = SOCK_NKINDS;
    double perDump = asksListenersOnly(info) ? 50 : 10000;
    int fieldsAnswer =
        !(info->colUsed & ~fieldColumns) && connFieldsAnswer(((VtabShared *)vtab)->conn);
    if (VTAB_PUSHED(idxNum, SOCK_BY_STATE)) rows *= VTAB_IS_IN(idxNum, SOCK_BY_STATE) ? 0.02 : 0.01;
    if (VTAB_PUSHED(idxNum, SOCK_BY_FAMILY)) rows *= 0.3, dumps /= 3;
    if (VTAB_PUSHED(idxNum, SOCK_BY_PROTOCOL)) rows *= 0.2, dumps /= 5;
    /* The branches of `local_port = P OR remote_port = P` share one set of dumps (sock_ports):
     * each is priced at half. */
    if (VTAB_PUSHED(idxNum, SOCK_BY_SPORT)) rows *= 0.002, perDump /= 2;
    if (VTAB_PUSHED(idxNum, SOCK_BY_DPORT)) rows *= 0.002, perDump /= 2;
    if (VTAB_PUSHED(idxNum, SOCK_BY_NETNS)) rows *= 0.5, perDump /= 10;
    double cost = dumps * perDump + rows;
    if (VTAB_PUSHED(idxNum, SOCK_BY_INODE)) {
        rows = VTAB_IS_IN(idxNum, SOCK_BY_INODE) ? 5 : 1;
        cost = fieldsAnswer ? 0.01 * rows : 10 + rows;
    }
    if (rows < 1) rows = 1;
    info->estimatedRows = (sqlite3_int64)rows;
    info->estimatedCost = cost;

    for (int col = COL_RTT_US; col <= COL_LAST_ACK_RECV_MS; col++)
        if (info->colUsed & ((sqlite3_uint64)1 << col))
            idxNum |= SOCK_NEED_TCPINFO << VTAB_OWN_BITS;
    if (info->colUsed & ((sqlite3_uint64)1 << COL_INTERFACE))
        idxNum |= SOCK_NEED_IFNAME << VTAB_OWN_BITS;
    if (info->colUsed & ((sqlite3_uint64)1 << COL_UID | (sqlite3_uint64)1 << COL_RECV_Q |
                         (sqlite3_uint64)1 << COL_SEND_Q | (sqlite3_uint64)1 << COL_PEER_INODE))
        idxNum |= SOCK_NEED_UNIX_DIAG << VTAB_OWN_BITS;
    if (info->colUsed & ~fieldColumns) idxNum |= NEED_DIAG_ONLY;
    info->idxNum = idxNum;
    return SQLITE_OK;
}

static int socketsConnect(sqlite3 *db, void *conn, int argc, const char *const *argv,
                          sqlite3_vtab **ppVtab, char **pzErr)
{
    (void)argc, (void)argv, (void)pzErr;
    return vtabConnectShared(db, socketsSchema, conn, ppVtab);
}

static int socketsOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **ppCursor)
{
    int rc = vtabOpenProcCursor(vtab, "sockets", sizeof(SocketsCursor),
                                offsetof(SocketsCursor, procfd), ppCursor);
    if (rc != SQLITE_OK) return rc;
    SocketsCursor *cur = (SocketsCursor *)*ppCursor;
    int err = sockDiagInit(&cur->diag, cur->procfd);
    if (err < 0) {
        close(cur->procfd);
        sockDiagFree(&cur->diag);
        sqlite3_free(cur);
        *ppCursor = NULL;
        if (err == -ENOMEM) return SQLITE_NOMEM;
        return vtabError(vtab, "sockets: cannot read /proc: %s", strerror(-err));
    }
    sockLookupInit(&cur->lookup, cur->procfd);
    cur->portsUser = sockPortsJoin(&((VtabShared *)vtab)->conn->ports);
    ((VtabShared *)vtab)->conn->socketCursors++;
    return SQLITE_OK;
}

static void endScan(SocketsCursor *cur)
{
    if (cur->scanning) sockScanFree(&cur->scan);
    cur->scanning = 0;
}

static int socketsClose(sqlite3_vtab_cursor *base)
{
    SocketsCursor *cur = (SocketsCursor *)base;
    VTAB_CONN(base)->socketCursors--;
    endScan(cur);
    sockFilterFree(&cur->f);
    if (cur->portsUser) sockPortsLeave(&VTAB_CONN(base)->ports);
    sockRowsFree(&cur->rows);
    sockRowsFree(&cur->map);
    sockLookupFree(&cur->lookup);
    sockDiagFree(&cur->diag);
    return vtabCloseProcCursor(base, cur->procfd);
}

/* ---- xFilter, xNext ---- */

static int nextDump(SocketsCursor *cur)
{
    int rc = sockScanNext(&cur->scan, &cur->diag, &cur->f, &cur->rows, &cur->eof);
    socketsCountHeld(cur);
    cur->rowAt = 0;
    return rc < 0 ? socketsSourceError(cur, rc, cur->scan.failedKind) : SQLITE_OK;
}

static int socketsNext(sqlite3_vtab_cursor *base)
{
    SocketsCursor *cur = (SocketsCursor *)base;
    if (++cur->rowAt < cur->rows.n) return SQLITE_OK;
    if (!cur->scanning) {
        cur->eof = 1;
        return SQLITE_OK;
    }
    return nextDump(cur);
}

static int addWord(void *ctx, sqlite3_value *v)
{
    const char *s = vtabValueText(v);
    if (!s) return SQLITE_OK; /* NULL equals nothing */
    return sockWordsAdd(ctx, s) < 0 ? SQLITE_NOMEM : SQLITE_OK;
}

static int readFilter(struct sock_filter *f, int idxNum, sqlite3_value **argv)
{
    int arg = 0, rc = SQLITE_OK;
    sockFilterFree(f);
    for (int k = 0; k < SOCK_NBY && rc == SQLITE_OK; k++) {
        if (!VTAB_PUSHED(idxNum, k)) continue;
        f->by |= 1u << k;
        sqlite3_value *v = argv[arg++];
        int isIn = VTAB_IS_IN(idxNum, k);
        switch (k) {
        case SOCK_BY_STATE: rc = vtabEachValue(v, isIn, addWord, &f->states); break;
        case SOCK_BY_FAMILY: rc = vtabEachValue(v, isIn, addWord, &f->families); break;
        case SOCK_BY_PROTOCOL: rc = vtabEachValue(v, isIn, addWord, &f->protocols); break;
        case SOCK_BY_SPORT: rc = vtabKeysetFrom(&f->sports, v, isIn); break;
        case SOCK_BY_DPORT: rc = vtabKeysetFrom(&f->dports, v, isIn); break;
        case SOCK_BY_INODE: rc = vtabKeysetFrom(&f->inodes, v, isIn); break;
        case SOCK_BY_NETNS: rc = vtabKeysetFrom(&f->netns, v, isIn); break;
        }
    }
    return rc;
}

static int socketsFilter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
                         sqlite3_value **argv)
{
    (void)idxStr, (void)argc;
    SocketsCursor *cur = (SocketsCursor *)base;
    cur->diag.need = (idxNum >> VTAB_OWN_BITS) & 0xff;
    cur->fieldsAnswer = !(idxNum & NEED_DIAG_ONLY);
    cur->diag.bpf = socketsHeldSource(cur);
    cur->eof = 0;
    cur->rowAt = 0;
    cur->rows.n = 0;
    endScan(cur);
    int rc = readFilter(&cur->f, idxNum, argv);
    if (rc != SQLITE_OK) return rc;

    const struct sock_filter *f = &cur->f;
    /* An empty set (inode = NULL: a LEFT JOIN from a file that is no socket) needs no dump. */
    if ((sockFilterHas(f, SOCK_BY_INODE) && !f->inodes.n) ||
        (sockFilterHas(f, SOCK_BY_NETNS) && !f->netns.n)) {
        cur->eof = 1;
        return SQLITE_OK;
    }
    if (sockFilterHas(f, SOCK_BY_INODE))
        rc = socketsFilterByInode(cur);
    else if (sockFilterHas(f, SOCK_BY_SPORT) || sockFilterHas(f, SOCK_BY_DPORT))
        rc = socketsFilterByPorts(cur);
    else {
        rc = sockScanStart(&cur->scan, cur->procfd,
                           sockFilterHas(f, SOCK_BY_NETNS) ? &f->netns : NULL);
        if (rc < 0) return socketsSourceError(cur, rc, -1);
        cur->scanning = 1;
        return nextDump(cur);
    }
    cur->eof = cur->rows.n == 0;
    return rc;
}

static int socketsEof(sqlite3_vtab_cursor *base)
{
    return ((SocketsCursor *)base)->eof;
}

static int socketsRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    SocketsCursor *cur = (SocketsCursor *)base;
    *rowid = sockRowKey(&cur->rows.v[cur->rowAt]);
    socketsDeleteSeen(VTAB_CONN(base), &cur->rows.v[cur->rowAt]);
    return SQLITE_OK;
}

static void resultWord(sqlite3_context *ctx, const char *s)
{
    vtabResultText(ctx, s, strlen(s));
}

/* An address as inet_ntop writes it; IPv4 by hand, as most rows are: inet_ntop prints it
 * through sprintf, a fifth of a busy server's per-socket cost. */
static void resultAddr(sqlite3_context *ctx, const struct diag_row *d, const uint8_t *addr)
{
    char text[INET6_ADDRSTRLEN], *end = text + sizeof text, *p = end;
    if (d->family == AF_INET) {
        for (int i = 3; i >= 0; i--) {
            p = decimalBefore(p, addr[i]);
            if (i) *--p = '.';
        }
        vtabResultText(ctx, p, (size_t)(end - p));
    } else if (inet_ntop(d->family, addr, text, sizeof text)) {
        resultWord(ctx, text);
    }
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
    vtabResultText(ctx, text, n);
}

static const char *const timerNames[] = {"off", "on", "keepalive", "timewait", "persist"};

/* A number the kernel reports when it sets bit *NEED of a row's `has`: 1 and *V, or 0. */
static int socketNumber(const struct diag_row *d, int col, unsigned *need, sqlite3_int64 *v)
{
    switch (col) {
    case COL_LOCAL_PORT: *need = DIAG_HAS_ADDR, *v = d->sport; return 1;
    case COL_REMOTE_PORT: *need = DIAG_HAS_ADDR, *v = d->dport; return 1;
    case COL_UID: *need = DIAG_HAS_UID, *v = d->uid; return 1;
    case COL_RECV_Q: *need = DIAG_HAS_QUEUES, *v = d->rqueue; return 1;
    case COL_SEND_Q: *need = DIAG_HAS_QUEUES, *v = d->wqueue; return 1;
    case COL_PEER_INODE: *need = DIAG_HAS_PEER, *v = d->peer; return 1;
    case COL_RETRANS: *need = DIAG_HAS_TIMER, *v = d->retrans; return 1;
    case COL_EXPIRES_MS: *need = DIAG_HAS_TIMER, *v = d->expires; return 1;
    case COL_RTT_US: *need = DIAG_HAS_TCPINFO, *v = d->tcp.rtt; return 1;
    case COL_RTTVAR_US: *need = DIAG_HAS_TCPINFO, *v = d->tcp.rttvar; return 1;
    case COL_CWND: *need = DIAG_HAS_TCPINFO, *v = d->tcp.cwnd; return 1;
    case COL_SSTHRESH: *need = DIAG_HAS_TCPINFO, *v = d->tcp.ssthresh; return 1;
    case COL_TOTAL_RETRANS: *need = DIAG_HAS_TCPINFO, *v = d->tcp.totalRetrans; return 1;
    case COL_LAST_DATA_RECV_MS: *need = DIAG_HAS_TCPINFO, *v = d->tcp.lastDataRecv; return 1;
    case COL_LAST_DATA_SENT_MS: *need = DIAG_HAS_TCPINFO, *v = d->tcp.lastDataSent; return 1;
    case COL_LAST_ACK_RECV_MS: *need = DIAG_HAS_TCPINFO, *v = d->tcp.lastAckRecv; return 1;
    case COL_BYTES_ACKED:
        *need = DIAG_HAS_TCPBYTES, *v = (sqlite3_int64)d->tcp.bytesAcked;
        return 1;
    case COL_BYTES_RECEIVED:
        *need = DIAG_HAS_TCPBYTES, *v = (sqlite3_int64)d->tcp.bytesReceived;
        return 1;
    }
    return 0;
}

static int socketsColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    SocketsCursor *cur = (SocketsCursor *)base;
    const struct sock_row *r = &cur->rows.v[cur->rowAt];
    const struct diag_row *d = &r->d;
    char buf[16];
    unsigned has = d->has;
    switch (col) {
    case COL_NETNS: sqlite3_result_int64(ctx, (sqlite3_int64)r->netns); break;
    case COL_FAMILY: vtabResultWord(ctx, sockFamilyName(d->family)); break;
    case COL_PROTOCOL:
        resultWord(ctx, diagProtocolName(d->family, d->protocol, buf, sizeof buf));
        break;
    case COL_STATE: vtabResultWord(ctx, diagStateName(d->family, d->protocol, d->state)); break;
    case COL_LOCAL_ADDR:
        if (has & DIAG_HAS_ADDR) resultAddr(ctx, d, d->src);
        break;
    case COL_REMOTE_ADDR:
        if (has & DIAG_HAS_ADDR) resultAddr(ctx, d, d->dst);
        break;
    case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)d->inode); break;
    case COL_INTERFACE:
        if (has & DIAG_HAS_IFINDEX) resultWord(ctx, r->ifname);
        break;
    case COL_COOKIE: sqlite3_result_int64(ctx, (sqlite3_int64)d->cookie); break;
    case COL_PATH:
        if (has & DIAG_HAS_PATH) resultPath(ctx, d);
        break;
    case COL_TIMER:
        if ((has & DIAG_HAS_TIMER) && d->timer < sizeof timerNames / sizeof *timerNames)
            vtabResultWord(ctx, timerNames[d->timer]);
        break;
    case COL_CONGESTION:
        if (has & DIAG_HAS_CONG) resultWord(ctx, d->cong);
        break;
    default: {
        unsigned need;
        sqlite3_int64 v;
        if (socketNumber(d, col, &need, &v) && (has & need)) sqlite3_result_int64(ctx, v);
    }
    }
    return SQLITE_OK;
}

/* The one writable table: DELETE closes sockets (sockets_delete.c). */
static sqlite3_module socketsModule = VTAB_SHARED_MODULE_WITH(sockets, SOCKETS_DELETE_METHODS);

int socketsRegister(sqlite3 *db, struct sqlsof_conn *conn)
{
    return sqlite3_create_module_v2(db, "sockets", &socketsModule, connRetain(conn), connRelease);
}
