/*
** The `endpoints` table: for each descriptor, every other descriptor that holds its other end.
**
**     CREATE TABLE endpoints(
**       pid INTEGER, fd INTEGER, -- pushed (=, IN): only those processes / those fds
**       peer_pid INTEGER, peer_fd INTEGER, -- a descriptor holding the other end
**       kind TEXT,       -- pipe fifo unix tcp udp udplite pty eventfd mqueue
**       peer_mode TEXT,  -- the peer's r w u (its open flags, as fds.mode)
**       object TEXT      -- what pid's fd holds, by what identifies it: pipe:INODE, sock:INODE,
**                        --   fifo:MAJ,MIN:INODE, mqueue:MAJ,MIN:INODE, eventfd:ID (its
**                        --   eventfd-id, not the anon inode all share), ptm:INDEX, pts:INDEX
**     );
**
**     SELECT e.fd, e.kind, e.peer_pid, p.name, e.peer_fd, e.peer_mode
**     FROM endpoints e JOIN processes p ON p.pid = e.peer_pid WHERE e.pid = 1234;
**
** Other ends: the same pipe, FIFO, eventfd or message queue (every other holder); a unix
** socket's peer (unix_diag's); the socket whose addresses and ports are a TCP or UDP socket's
** the other way round, in its network namespace, or else the one such socket of another
** namespace (a veth away; never for a loopback address), an IPv4 end matching its IPv4-mapped
** form; a pty slave's master (same tty index) and a master's slaves.
**
** Plans (sock/sock_endpoints.h does the work, fd/fd_peers.h reads the descriptors):
**   pid pushed  the pushed processes' descriptors described (BPF: one iterator read each), the
**               keys of their other ends (exact sock_diag lookups for TCP/UDP peers), then one
**               pass over the host that keeps only the descriptors holding those keys (BPF:
**               ep_scan, filtered in the kernel); a later xFilter of the statement answers
**               processes already asked from memory, and after 8 passes the host once
**   otherwise   the whole host: every descriptor described once, sockets paired in memory
** fd is applied to the rows. Source: sqlsof_endpoints_source() ('auto': BPF when it loads,
** 'proc': /proc and sock_diag, 'bpf': BPF or an error), SQLSOF_ENDPOINTS_SOURCE.
*/
#include "tables/tables.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd/fd_info.h"
#include "sock/sock_endpoints.h"
#include "tables/conn.h"
#include "vtab/vtab.h"

enum { COL_PID, COL_FD, COL_PEER_PID, COL_PEER_FD, COL_KIND, COL_PEER_MODE, COL_OBJECT };

static const char endpointsSchema[] =
    "CREATE TABLE x(pid INTEGER, fd INTEGER, peer_pid INTEGER, peer_fd INTEGER, kind TEXT,"
    " peer_mode TEXT, object TEXT)";

/*
** xBestIndex → xFilter, argv in this order:
**   bit 0  pid = ? or pid IN (...)
**   bit 1  fd = ? or fd IN (...)
*/
enum { PUSH_PID, PUSH_FD, PUSH_COUNT };
static const struct vtab_push endpointsPush[PUSH_COUNT] = {
    [PUSH_PID] = {.name = "pid", .iColumn = COL_PID},
    [PUSH_FD] = {.name = "fd", .iColumn = COL_FD}};

typedef struct EndpointsCursor EndpointsCursor;
struct EndpointsCursor {
    sqlite3_vtab_cursor base;
    int procfd;
    struct ep_answer answer; /* kept across the statement's xFilter calls */
    struct keyset pids, fds;
    int pidsPushed, fdsPushed;
    int pidAt;    /* the pushed pid whose rows are read */
    size_t rowAt; /* the current row */
    int eof;
};

static int endpointsConnect(sqlite3 *db, void *conn, int argc, const char *const *argv,
                            sqlite3_vtab **ppVtab, char **pzErr)
{
    (void)argc, (void)argv, (void)pzErr;
    return vtabConnectShared(db, endpointsSchema, conn, ppVtab);
}

static int endpointsBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
    (void)vtab;
    int idxNum = vtabPushEq(info, endpointsPush, PUSH_COUNT);
    int byPid = VTAB_PUSHED(idxNum, PUSH_PID), byFd = VTAB_PUSHED(idxNum, PUSH_FD);
    /* A process's other ends cost its description and one filtered pass over the host; the
     * host's, every descriptor described. */
    info->estimatedRows = byPid ? (byFd ? 2 : 20) : 100000;
    info->estimatedCost = byPid ? 10000 : 1000000;
    info->idxNum = idxNum;
    return SQLITE_OK;
}

static int endpointsOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **ppCursor)
{
    int rc = vtabOpenProcCursor(vtab, "endpoints", sizeof(EndpointsCursor),
                                offsetof(EndpointsCursor, procfd), ppCursor);
    if (rc != SQLITE_OK) return rc;
    EndpointsCursor *cur = (EndpointsCursor *)*ppCursor;
    struct sqlsof_conn *conn = ((VtabShared *)vtab)->conn;
    epAnswerInit(&cur->answer, cur->procfd,
                 (enum ep_source)conn->sources[CONN_SOURCE_ENDPOINTS].mode, &conn->endpointsBpf);
    return SQLITE_OK;
}

static int endpointsClose(sqlite3_vtab_cursor *base)
{
    EndpointsCursor *cur = (EndpointsCursor *)base;
    epAnswerFree(&cur->answer);
    keysetFree(&cur->pids);
    keysetFree(&cur->fds);
    return vtabCloseProcCursor(base, cur->procfd);
}

/* Whether row I is one the statement asked for: of the current pushed pid, of a pushed fd. */
static int wanted(const EndpointsCursor *cur, size_t i)
{
    const struct ep_row *r = &cur->answer.rows.v[i];
    if (cur->pidsPushed && r->pid != cur->pids.v[cur->pidAt]) return 0;
    return !cur->fdsPushed || keysetHas(&cur->fds, r->fd);
}

/* Moves to the next asked row from rowAt (included), pid by pushed pid. */
static void seekRow(EndpointsCursor *cur)
{
    const struct ep_rows *rows = &cur->answer.rows;
    for (;;) {
        while (cur->rowAt < rows->n &&
               (!cur->pidsPushed || rows->v[cur->rowAt].pid == cur->pids.v[cur->pidAt])) {
            if (wanted(cur, cur->rowAt)) return;
            cur->rowAt++;
        }
        if (!cur->pidsPushed || ++cur->pidAt >= cur->pids.n) break;
        cur->rowAt = epAnswerFirst(&cur->answer, (int)cur->pids.v[cur->pidAt]);
    }
    cur->eof = 1;
}

static int endpointsNext(sqlite3_vtab_cursor *base)
{
    EndpointsCursor *cur = (EndpointsCursor *)base;
    cur->rowAt++;
    seekRow(cur);
    return SQLITE_OK;
}

static int endpointsFilter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
                           sqlite3_value **argv)
{
    (void)idxStr, (void)argc;
    EndpointsCursor *cur = (EndpointsCursor *)base;
    cur->eof = 0;
    cur->pidAt = 0;
    cur->rowAt = 0;
    int rc = vtabKeysetFromColumns(&cur->pids, idxNum, 1u << PUSH_PID, argv, &cur->pidsPushed);
    if (rc == SQLITE_OK)
        rc = vtabKeysetFromColumns(&cur->fds, idxNum, 1u << PUSH_FD, argv, &cur->fdsPushed);
    if (rc != SQLITE_OK) return rc;
    if ((cur->pidsPushed && !cur->pids.n) || (cur->fdsPushed && !cur->fds.n)) {
        cur->eof = 1; /* pid = NULL: no row */
        return SQLITE_OK;
    }
    struct ep_answer *a = &cur->answer;
    int err = epAnswer(a, cur->pidsPushed ? &cur->pids : NULL);
    struct sqlsof_conn *conn = VTAB_CONN(base);
    conn->sources[CONN_SOURCE_ENDPOINTS].last = a->last;
    if (err == -ENOMEM) return SQLITE_NOMEM;
    if (err) return vtabError(base->pVtab, "endpoints: %s", a->why);
    if (cur->pidsPushed) cur->rowAt = epAnswerFirst(a, (int)cur->pids.v[0]);
    seekRow(cur);
    return SQLITE_OK;
}

static int endpointsEof(sqlite3_vtab_cursor *base)
{
    return ((EndpointsCursor *)base)->eof;
}

static int endpointsColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    EndpointsCursor *cur = (EndpointsCursor *)base;
    const struct ep_row *r = &cur->answer.rows.v[cur->rowAt];
    char text[64];
    switch (col) {
    case COL_PID: sqlite3_result_int(ctx, r->pid); break;
    case COL_FD: sqlite3_result_int(ctx, r->fd); break;
    case COL_PEER_PID: sqlite3_result_int(ctx, r->peerPid); break;
    case COL_PEER_FD: sqlite3_result_int(ctx, r->peerFd); break;
    case COL_KIND: vtabResultWord(ctx, r->kind); break;
    case COL_PEER_MODE: {
        char m = fdInfoMode(r->peerFlags);
        if (m) vtabResultText(ctx, &m, 1);
        break;
    }
    case COL_OBJECT:
        epKeyText(&r->object, text, sizeof text);
        vtabResultText(ctx, text, strlen(text));
        break;
    }
    return SQLITE_OK;
}

/* A row is a pair of descriptors: the key of the row itself. */
static int endpointsRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    const struct ep_row *r =
        &((EndpointsCursor *)base)->answer.rows.v[((EndpointsCursor *)base)->rowAt];
    int key[4] = {r->pid, r->fd, r->peerPid, r->peerFd};
    *rowid = vtabRowidOf(key, sizeof key);
    return SQLITE_OK;
}

static sqlite3_module endpointsModule = VTAB_SHARED_MODULE(endpoints);

int endpointsRegister(sqlite3 *db, struct sqlsof_conn *conn)
{
    return sqlite3_create_module_v2(db, "endpoints", &endpointsModule, connRetain(conn),
                                    connRelease);
}
