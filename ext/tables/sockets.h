/*
** The sockets table's cursor, shared by tbl_sockets.c (the table) and sockets_sources.c (the
** sources that answer `inode = ?` and pushed ports).
*/
#ifndef SQLSOF_SOCKETS_H
#define SQLSOF_SOCKETS_H

#include "sock/sock_dump.h"
#include "sock/sock_filter.h"
#include "sock/sock_lookup.h"
#include "sock/sock_ports.h"
#include "vtab/sqlite_api.h"

/* Past this many lookups through holders in one statement, the whole-host map is cheaper. */
#define LOOKUP_LIMIT 4096

typedef struct SocketsCursor SocketsCursor;
struct SocketsCursor {
    sqlite3_vtab_cursor base;
    int procfd;
    struct sock_diag diag;
    struct sock_filter f;

    struct sock_rows rows; /* what this xFilter returns (a scan: the current dump) */
    size_t rowAt;
    int eof;
    struct sock_scan scan;
    int scanning;

    /* inode = ?: lookups through holders, then perhaps the map (built once). */
    struct sock_lookup lookup;
    int lookups, mapBuilt;
    struct sock_rows map;

    int portsUser;    /* may answer from the connection's port rows (conn.h) */
    int fieldsAnswer; /* the statement uses only columns a BPF record's fields give */
};

/* Turns a source's -errno into the table's error: one line, what and why. FAILEDKIND is
 * the index into sockKinds of the dump that failed, or -1. */
int socketsSourceError(SocketsCursor *cur, int err, int failedKind);

/* The connection's BPF programs when a dump may be answered from the holders' descriptors
 * (sock_held.h): the statement uses only the columns their fields give, in mode auto. */
struct fd_bpf_cache *socketsHeldSource(SocketsCursor *cur);
/* Counts the rows that came so (sqlsof_socket_source()'s "held"). */
void socketsCountHeld(SocketsCursor *cur);

/* The rows of the pushed inodes (through holders, or the map), into cur->rows. */
int socketsFilterByInode(SocketsCursor *cur);
/* The rows of the pushed ports: one dump for either end, shared by an OR's branches. */
int socketsFilterByPorts(SocketsCursor *cur);

#endif
