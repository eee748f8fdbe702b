/*
** The sockets table's sources for `inode = ?` (through the holder the fds table noted, or the
** whole-host map) and for pushed ports (sockets.h).
*/
#include "tables/sockets.h"

#include <errno.h>
#include <string.h>

#include "tables/conn.h"
#include "vtab/vtab.h"

int socketsSourceError(SocketsCursor *cur, int err, int failedKind)
{
    if (err == -ENOMEM) return SQLITE_NOMEM;
    if (failedKind < 0) return vtabError(cur->base.pVtab, "sockets: %s", sockDiagError(err));
    const struct sock_kind *k = &sockKinds[failedKind];
    char buf[16];
    const char *protocol = k->protocol == DIAG_ANY_PROTOCOL
                               ? ""
                               : diagProtocolName(k->family, k->protocol, buf, sizeof buf);
    return vtabError(cur->base.pVtab, "sockets: sock_diag dump of %s%s%s failed: %s",
                     sockFamilyName(k->family), *protocol ? " " : "", protocol, sockDiagError(err));
}

struct fd_bpf_cache *socketsHeldSource(SocketsCursor *cur)
{
    struct sqlsof_conn *conn = VTAB_CONN(&cur->base);
    return cur->fieldsAnswer && conn->sources[CONN_SOURCE_SOCKETS].mode == SOURCE_AUTO ? &conn->bpf
                                                                                       : NULL;
}

void socketsCountHeld(SocketsCursor *cur)
{
    struct sqlsof_conn *conn = VTAB_CONN(&cur->base);
    if (!cur->diag.heldRows) return;
    conn->stats.held += cur->diag.heldRows;
    conn->sources[CONN_SOURCE_SOCKETS].last = "held";
    cur->diag.heldRows = 0;
}

/* ---- inode = ?: through holders, or the map ---- */

static int socketsBuildMap(SocketsCursor *cur, struct sqlsof_conn *conn)
{
    int failedKind;
    int rc = sockMapBuild(&cur->diag, cur->procfd, &cur->map, &failedKind);
    if (rc < 0) return socketsSourceError(cur, rc, failedKind);
    cur->mapBuilt = 1;
    conn->stats.maps++;
    socketsCountHeld(cur);
    conn->sources[CONN_SOURCE_SOCKETS].last = "map";
    return SQLITE_OK;
}

/* Copies the map's rows of INODE that pass the filter into the cursor's rows. */
static int rowsFromMap(SocketsCursor *cur, uint64_t inode)
{
    for (size_t i = sockRowsFindInode(&cur->map, inode);
         i < cur->map.n && cur->map.v[i].d.inode == inode; i++) {
        if (!sockRowMatches(&cur->f, &cur->map.v[i])) continue;
        struct sock_row *slot = sockRowsPush(&cur->rows);
        if (!slot) return SQLITE_NOMEM;
        *slot = cur->map.v[i];
    }
    return SQLITE_OK;
}

/* Counts how a lookup through the holder found its socket (sqlsof_socket_source()). */
static void countFound(struct sqlsof_conn *conn, enum sock_found how)
{
    static const char *const names[] = {[SOCK_FOUND_DIRECT] = "direct",
                                        [SOCK_FOUND_EXACT] = "exact",
                                        [SOCK_FOUND_RESTRICTED] = "restricted"};
    uint64_t *counter[] = {[SOCK_FOUND_DIRECT] = &conn->stats.direct,
                           [SOCK_FOUND_EXACT] = &conn->stats.exact,
                           [SOCK_FOUND_RESTRICTED] = &conn->stats.restricted};
    if (how == SOCK_FOUND_NONE) return;
    ++*counter[how];
    conn->sources[CONN_SOURCE_SOCKETS].last = names[how];
}

/* Keeps the rows FROM.. that pass the statement's other filters. */
static void keepMatching(SocketsCursor *cur, size_t from)
{
    size_t at = from;
    for (size_t i = from; i < cur->rows.n; i++)
        if (sockRowMatches(&cur->f, &cur->rows.v[i])) cur->rows.v[at++] = cur->rows.v[i];
    cur->rows.n = at;
}

/*
** The socket INODE from the fields that the fds row just read carried (conn.h), when the
** statement uses only columns they give: no request at all. 1 answered, 0 not, or an error.
*/
static int rowFromFields(SocketsCursor *cur, struct sqlsof_conn *conn, uint64_t inode)
{
    const struct conn_socket *k = connFindSocket(conn, inode);
    if (!k || !cur->fieldsAnswer || conn->sources[CONN_SOURCE_SOCKETS].mode != SOURCE_AUTO)
        return 0;
    conn->stats.fields++;
    conn->sources[CONN_SOURCE_SOCKETS].last = "fields";
    if (!sockFieldsListed(&k->fields)) return 1; /* the socket of that inode has no row */
    struct sock_row *slot = sockRowsPush(&cur->rows);
    if (!slot) return -SQLITE_NOMEM;
    sockRowFromFields(slot, inode, &k->fields, k->name, k->nameLen);
    keepMatching(cur, cur->rows.n - 1);
    return 1;
}

/* The one socket INODE through its holder; *VIA_MAP when the holder cannot answer. */
static int rowsFromHolder(SocketsCursor *cur, struct sqlsof_conn *conn, uint64_t inode, int *viaMap)
{
    const struct conn_holder *h = connFindHolder(conn, inode);
    *viaMap = !h || h->wholeHost ||
              conn->sources[CONN_SOURCE_SOCKETS].mode == SOCKETS_SOURCE_DUMPS ||
              cur->lookups >= LOOKUP_LIMIT;
    if (*viaMap) return SQLITE_OK;
    cur->lookups++;
    size_t from = cur->rows.n;
    enum sock_found how;
    int rc = sockLookupByHolder(&cur->lookup, &cur->diag, h->pid, h->fd, inode, &cur->rows, &how);
    if (rc < 0) return socketsSourceError(cur, rc, -1);
    if (rc == SOCK_LOOKUP_ANSWERED) countFound(conn, how);
    if (rc == SOCK_LOOKUP_UNKNOWN) {
        *viaMap = 1;
        return SQLITE_OK;
    }
    keepMatching(cur, from); /* what passes the statement's other filters */
    return SQLITE_OK;
}

int socketsFilterByInode(SocketsCursor *cur)
{
    struct sqlsof_conn *conn = VTAB_CONN(&cur->base);
    for (int k = 0; k < cur->f.inodes.n; k++) {
        uint64_t inode = (uint64_t)cur->f.inodes.v[k];
        int viaMap = 1, rc = rowFromFields(cur, conn, inode);
        if (rc < 0) return -rc;
        if (rc == 1) continue; /* the fields answered, even when a map is built */
        if (!cur->mapBuilt) rc = rowsFromHolder(cur, conn, inode, &viaMap);
        if (rc == SQLITE_OK && viaMap && !cur->mapBuilt) rc = socketsBuildMap(cur, conn);
        if (rc == SQLITE_OK && viaMap) rc = rowsFromMap(cur, inode);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

/* ---- ports: either end, one dump shared by the branches of an OR ---- */

int socketsFilterByPorts(SocketsCursor *cur)
{
    struct sock_ports *kept = &VTAB_CONN(&cur->base)->ports;
    if (!cur->portsUser || !sockPortsAnswer(kept, cur->diag.need, &cur->f)) {
        int failedKind;
        int rc = sockPortsDump(kept, &cur->diag, cur->procfd, &cur->f, &failedKind);
        if (rc < 0) return socketsSourceError(cur, rc, failedKind);
        if (!cur->portsUser) kept->users++;
        cur->portsUser = 1;
    }
    for (size_t i = 0; i < kept->rows.n; i++) {
        if (!sockRowMatches(&cur->f, &kept->rows.v[i])) continue;
        struct sock_row *slot = sockRowsPush(&cur->rows);
        if (!slot) return SQLITE_NOMEM;
        *slot = kept->rows.v[i];
    }
    return SQLITE_OK;
}
