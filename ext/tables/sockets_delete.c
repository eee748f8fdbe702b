/*
** DELETE FROM sockets WHERE ...: closes the sockets the WHERE selects, through SOCK_DESTROY in
** each socket's own namespace (sock/sock_destroy.h says which kinds), and nothing else is ever
** written. A dry run is the same WHERE in a SELECT.
**
**     DELETE FROM sockets WHERE protocol = 'tcp' AND remote_port = 5432
**       AND last_data_recv_ms > 600000;   -- sqlite3_changes(): the sockets closed
**
** Refused unless the connection was switched on for it: sqlsof_allow_kill(db, 1) in C (sqlsof.h),
** the command's --allow-kill. The switch is a function SQL text cannot work: it takes a pointer
** that only sqlite3_bind_pointer() makes, so a query an application passes on cannot turn it on,
** and the table stays direct-only, so no view or trigger reaches the DELETE.
**
** SQLite gives xUpdate a rowid only. The table's xBegin starts keeping the row behind each rowid
** its cursors hand out (socketsDeleteSeen, from xRowid), which a DELETE reads for exactly the rows
** its WHERE keeps; the first xUpdate checks them all — the switch, CAP_NET_ADMIN, every row's kind
** — before it closes any, so a refused DELETE closes nothing. A socket gone meanwhile counts as
** closed (the kernel closed it: live state races). xCommit and xRollback forget the rows.
*/
#include "tables/tables.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sock/sock_destroy.h"
#include "sock/sock_filter.h"
#include "tables/conn.h"
#include "tables/sockets_delete.h"
#include "vtab/vtab.h"

static struct conn_kill *killOf(sqlite3_vtab *vtab)
{
    return &((VtabShared *)vtab)->conn->kill;
}

/* Every write is refused, whatever it would match, until the connection is switched on. */
static int refused(sqlite3_vtab *vtab)
{
    return vtabError(vtab, "DELETE FROM sockets: refused: this connection was not allowed to "
                           "close sockets (sqlsof --allow-kill; sqlsof_allow_kill() in C)");
}

static void forgetRows(struct conn_kill *k)
{
    sockRowsFree(&k->seen);
    netnsFree(&k->ns);
    k->checked = k->nomem = 0;
}

int socketsDeleteBegin(sqlite3_vtab *vtab)
{
    struct conn_kill *k = killOf(vtab);
    forgetRows(k);
    if (!k->allowed) return refused(vtab);
    k->deleting = 1;
    return SQLITE_OK;
}

int socketsDeleteEnd(sqlite3_vtab *vtab)
{
    struct conn_kill *k = killOf(vtab);
    forgetRows(k);
    k->deleting = 0;
    return SQLITE_OK;
}

void socketsDeleteSeen(struct sqlsof_conn *conn, const struct sock_row *row)
{
    struct conn_kill *k = &conn->kill;
    if (!k->deleting || k->checked) return;
    struct sock_row *slot = sockRowsPush(&k->seen);
    if (slot)
        *slot = *row;
    else
        k->nomem = 1;
}

/* "tcp 10.0.0.2:41234 -> 10.0.0.1:5555 (netns N, cookie C)", or the inode for other kinds. */
static char *describeRow(const struct sock_row *r)
{
    const struct diag_row *d = &r->d;
    char proto[16], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    const char *name = diagProtocolName(d->family, d->protocol, proto, sizeof proto);
    if ((d->family == AF_INET || d->family == AF_INET6) && (d->has & DIAG_HAS_ADDR) &&
        inet_ntop(d->family, d->src, src, sizeof src) &&
        inet_ntop(d->family, d->dst, dst, sizeof dst))
        return sqlite3_mprintf("%s %s:%d -> %s:%d (netns %llu, cookie %llu)", name, src, d->sport,
                               dst, d->dport, (unsigned long long)r->netns,
                               (unsigned long long)d->cookie);
    return sqlite3_mprintf("%s %s socket inode %llu (netns %llu)", sockFamilyName(d->family), name,
                           (unsigned long long)d->inode, (unsigned long long)r->netns);
}

/* The vtab's error about ROW: "DELETE FROM sockets: <what> <row>: <why>". */
static int rowError(sqlite3_vtab *vtab, const char *what, const struct sock_row *row,
                    const char *why)
{
    char *desc = describeRow(row);
    int rc = vtabError(vtab, "DELETE FROM sockets: %s %s: %s", what, desc ? desc : "a socket", why);
    sqlite3_free(desc);
    return desc ? rc : SQLITE_NOMEM;
}

static int compareKey(const void *a, const void *b)
{
    int64_t x = sockRowKey(a), y = sockRowKey(b);
    return x < y ? -1 : x > y;
}

/* The namespace of ROW among the DELETE's, or NULL when it has gone. */
static const struct netns *namespaceOf(const struct conn_kill *k, const struct sock_row *row)
{
    for (int i = 0; i < k->ns.n; i++)
        if (k->ns.v[i].ino == row->netns) return &k->ns.v[i];
    return NULL;
}

/* Finds the namespaces of the kept rows (those only: the walk of /proc stops once it has them). */
static int listNamespaces(sqlite3_vtab *vtab, struct conn_kill *k)
{
    struct keyset only = {0};
    int err = 0;
    for (size_t i = 0; i < k->seen.n && !err; i++) err = keysetAdd(&only, k->seen.v[i].netns);
    keysetSeal(&only);
    int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (!err) err = procfd < 0 ? -errno : netnsList(&k->ns, procfd, &only);
    if (procfd >= 0) close(procfd);
    keysetFree(&only);
    if (err == -ENOMEM) return SQLITE_NOMEM;
    return err ? vtabError(vtab, "DELETE FROM sockets: cannot list network namespaces: %s",
                           strerror(-err))
               : SQLITE_OK;
}

/* Checks every kept row before any is closed; SQLITE_OK when all may be. */
static int checkRows(sqlite3_vtab *vtab, struct conn_kill *k)
{
    if (k->nomem) return SQLITE_NOMEM;
    int can = sockCanDestroy();
    if (can != 1)
        return vtabError(vtab, "DELETE FROM sockets: closing a socket needs CAP_NET_ADMIN, which "
                               "this process does not have");
    qsort(k->seen.v, k->seen.n, sizeof *k->seen.v, compareKey);
    int rc = listNamespaces(vtab, k);
    for (size_t i = 0; i < k->seen.n && rc == SQLITE_OK; i++) {
        const struct sock_row *row = &k->seen.v[i];
        const struct netns *ns = namespaceOf(k, row);
        if (!ns) continue; /* the namespace went, and its sockets with it */
        int low = 0, high = 0, verdict = sockDestroyCheck(row, ns, k->ns.self, &low, &high);
        if (verdict == SOCK_DESTROY_UNSUPPORTED)
            rc = rowError(vtab, "cannot close", row, "the kernel closes TCP and UDP sockets only");
        else if (verdict == SOCK_DESTROY_EPHEMERAL) {
            char why[200];
            snprintf(why, sizeof why,
                     "its port is in the ephemeral range %d-%d, where the kernel may have bound "
                     "it itself and would then release it; only UDP bound outside it is closed",
                     low, high);
            rc = rowError(vtab, "will not close", row, why);
        } else if (verdict < 0 && verdict != -ENOENT && verdict != -ESTALE)
            rc = rowError(vtab, "cannot enter the namespace of", row, strerror(-verdict));
    }
    k->checked = rc == SQLITE_OK;
    return rc;
}

/* The kept row of ROWID, or NULL. */
static const struct sock_row *findRow(const struct conn_kill *k, sqlite3_int64 rowid)
{
    size_t lo = 0, hi = k->seen.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t key = sockRowKey(&k->seen.v[mid]);
        if (key == rowid) return &k->seen.v[mid];
        if (key < rowid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int socketsDelete(sqlite3_vtab *vtab, int argc, sqlite3_value **argv, sqlite3_int64 *rowid)
{
    (void)rowid;
    struct conn_kill *k = killOf(vtab);
    if (argc != 1)
        return vtabError(vtab, "sockets: only DELETE changes this table (its rows are the "
                               "kernel's sockets)");
    if (!k->allowed) return refused(vtab);
    if (!k->checked) {
        int rc = checkRows(vtab, k);
        if (rc != SQLITE_OK) return rc;
    }
    const struct sock_row *row = findRow(k, sqlite3_value_int64(argv[0]));
    const struct netns *ns = row ? namespaceOf(k, row) : NULL;
    if (!ns) return SQLITE_OK; /* gone with its namespace */
    int err = sockDestroy(row, ns, k->ns.self);
    if (err == -ENOENT) return SQLITE_OK; /* closed meanwhile */
    if (err == -EPERM || err == -EACCES)
        return rowError(vtab, "cannot close", row,
                        "closing it needs CAP_NET_ADMIN in its network namespace");
    if (err == -EOPNOTSUPP)
        return rowError(vtab, "cannot close", row,
                        "this kernel has no SOCK_DESTROY (CONFIG_INET_DIAG_DESTROY)");
    return err ? rowError(vtab, "cannot close", row, strerror(-err)) : SQLITE_OK;
}

/*
** sqlsof_kill_switch(P): the switch behind sqlsof_allow_kill(). P must be a pointer bound with
** sqlite3_bind_pointer() as type "sqlsof_kill_switch", to an int: 1 allows, 0 refuses. Any other
** argument (all that SQL text can write) is an error.
*/
static void killSwitch(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct sqlsof_conn *conn = sqlite3_user_data(ctx);
    const int *on = sqlite3_value_pointer(argv[0], SQLSOF_KILL_SWITCH);
    if (!on) {
        sqlite3_result_error(ctx, "sqlsof_kill_switch: only sqlsof_allow_kill() in C sets it", -1);
        return;
    }
    conn->kill.allowed = *on != 0;
    sqlite3_result_int(ctx, conn->kill.allowed);
}

int socketsDeleteRegister(sqlite3 *db, struct sqlsof_conn *conn)
{
    return sqlite3_create_function_v2(db, SQLSOF_KILL_SWITCH, 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                      connRetain(conn), killSwitch, NULL, NULL, connRelease);
}
