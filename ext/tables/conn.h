/*
** What the tables of one database connection share, for as long as its modules live:
**   - where each socket inode was last seen held: the fds table notes it, the sockets table
**     reads it to look that one socket up through its holder instead of dumping every namespace;
**   - the sources the fds and sockets tables may use, and counters of which answered;
**   - the rows of a port dump that the other cursors of the same statement answer from.
** No SQLite calls here.
**
** A note is a hint, never an answer: the sockets table checks it (the holder's fd must still
** be that inode) and falls back to dumps when it is stale, so a note cannot change a row.
*/
#ifndef SQLSOF_CONN_H
#define SQLSOF_CONN_H

#include <stdint.h>

#include "tables/fds_source.h"
#include "sock/sock_ports.h"

/* Which sources the sockets table may use for `inode = ?`. */
enum conn_socket_source {
    CONN_SOCKETS_AUTO,  /* through the holder when one is known, else the whole-host map */
    CONN_SOCKETS_DUMPS, /* always the whole-host map of dumps: the reference path */
};

struct conn_holder {
    uint64_t inode; /* 0: empty slot */
    int pid, fd;
    int wholeHost; /* noted by a scan of every process: a join from it wants the map */
};

/* Counters since the connection opened (sqlsof_socket_source() prints them). */
struct conn_stats {
    uint64_t direct;     /* unix sockets read from the holder's duplicate alone */
    uint64_t exact;      /* sockets found by an exact sock_diag request */
    uint64_t restricted; /* ... by a dump of one protocol in one namespace */
    uint64_t maps;       /* whole-host maps built (every dump of every namespace) */
};

#define CONN_HOLDERS 4096 /* a power of two: the slot is the inode's low bits */

struct sqlsof_conn {
    int refs;
    enum conn_socket_source socketSource;
    struct conn_stats stats;
    struct sock_ports ports; /* shared by the branches of an OR on ports */
    struct fds_source fds;   /* which source the fds table walks the host with */
    struct conn_holder holders[CONN_HOLDERS];
};

/* A new connection state with no references (NULL: out of memory); the source setting comes
 * from SQLSOF_SOCKET_SOURCE ("dumps" or "auto") when it is set. */
struct sqlsof_conn *connNew(void);
/* Takes a reference; connRelease drops one and frees the state with the last. */
struct sqlsof_conn *connRetain(struct sqlsof_conn *c);
void connRelease(void *c);

/* Notes that PID holds socket INODE as FD. */
void connNoteHolder(struct sqlsof_conn *c, uint64_t inode, int pid, int fd, int wholeHost);
/* The last note for INODE, or NULL. */
const struct conn_holder *connFindHolder(const struct sqlsof_conn *c, uint64_t inode);

/* "auto" / "dumps" ↔ the setting; -1 for another word. */
int connSourceFromName(const char *name);
const char *connSourceName(enum conn_socket_source s);

#endif
