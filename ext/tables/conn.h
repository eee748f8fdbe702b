/*
** What the tables of one database connection share, for as long as its modules live:
**   - where each socket inode was last seen held: the fds table notes it, the sockets table
**     reads it to look that one socket up through its holder instead of dumping every namespace;
**   - which source each table may read (fn_source.c), what answered last, and counters;
**   - the fds and endpoints tables' BPF programs, loaded on the first walk that may use them;
**   - the socket of the fds row just read through BPF, with its own fields;
**   - the rows of a port dump that the other cursors of the same statement answer from;
**   - whether DELETE FROM sockets may close sockets, and the rows a DELETE selected;
**   - the stat guard: the helper that stats files on mounts that may hang, with a deadline,
**     and the helpers left stuck on hung mounts, which later statements do not wait for again.
** No SQLite calls here.
**
** A note is a hint, never an answer: the sockets table checks it (the holder's fd must still
** be that inode) and falls back to dumps when it is stale, so a note cannot change a row.
*/
#ifndef SQLSOF_CONN_H
#define SQLSOF_CONN_H

#include <stdint.h>

#include "fd/fd_bpf.h"
#include "fd/fd_peers.h"
#include "sock/sock_ports.h"
#include "sock/netns.h"
#include "sock/sock_row.h"
#include "util/stat_guard.h"

/* The tables whose source can be chosen, and their modes (connSourceWords names them). */
enum conn_source_table {
    CONN_SOURCE_FDS,
    CONN_SOURCE_SOCKETS,
    CONN_SOURCE_ENDPOINTS,
    CONN_SOURCE_TABLES
};
enum {
    SOURCE_AUTO = 0,          /* every table: the fastest source that can answer */
    FDS_SOURCE_PROC = 1,      /* fds: /proc only */
    FDS_SOURCE_BPF = 2,       /* fds: the BPF iterator for whole-host walks, or an error */
    SOCKETS_SOURCE_DUMPS = 1, /* sockets: the whole-host map of dumps for every lookup */
    /* endpoints: 1 proc (/proc and sock_diag), 2 bpf (its BPF iterators, or an error), as fds */
};

struct conn_source {
    int mode;         /* one of the table's modes above */
    const char *last; /* what answered the latest scan or lookup; NULL before any */
};

struct conn_holder {
    uint64_t inode; /* 0: empty slot */
    int pid, fd;
    int wholeHost; /* noted by a scan of every process: a join from it wants the map */
};

/* How the sockets table found sockets since the connection opened. */
struct conn_stats {
    uint64_t direct;     /* unix sockets read from the holder's duplicate alone */
    uint64_t exact;      /* sockets found by an exact sock_diag request */
    uint64_t restricted; /* ... by a dump of one protocol in one namespace */
    uint64_t maps;       /* whole-host maps built (every dump of every namespace) */
    uint64_t fields;     /* sockets answered from a BPF record's fields, no request */
    uint64_t held;       /* sockets of a scan or map read from their holders (sock_held.h) */
};

/* DELETE FROM sockets (sockets_delete.c): whether this connection may, and the rows one
 * DELETE selected (SQLite hands xUpdate a rowid only). */
struct conn_kill {
    int allowed;           /* sqlsof_allow_kill() */
    int deleting;          /* between xBegin and xCommit / xRollback: each rowid read is kept */
    int checked;           /* the kept rows were checked, before the first is closed */
    int nomem;             /* a row could not be kept: the DELETE fails */
    struct sock_rows seen; /* sorted by rowid once checked */
    struct netns_list ns;  /* their namespaces */
};

#define CONN_HOLDERS 4096 /* a power of two: the slot is the inode's low bits */

/*
** The socket of the fds row just read from a BPF record that carried its fields. The nested
** loop of `fds JOIN sockets USING(inode)` asks the sockets table for that inode right after,
** and it answers from these fields when the statement uses no column that only sock_diag
** gives. Noted by an fds cursor and forgotten when it restarts or closes: never older than
** the statement.
*/
struct conn_socket {
    const void *owner; /* the fds cursor that noted it; NULL: none */
    uint64_t inode;
    struct fds_bpf_sock fields;
    char name[108]; /* a unix socket's bound name, nameLen bytes */
    int nameLen;
};

struct sqlsof_conn {
    int refs;
    int socketCursors; /* sockets cursors open: an fds walk of the host then reads socket fields */
    struct conn_source sources[CONN_SOURCE_TABLES];
    struct conn_stats stats;
    struct fd_bpf_cache bpf;          /* the fds table's kernel source */
    struct ep_bpf_cache endpointsBpf; /* the endpoints table's iterators (fd_peers.h) */
    struct sock_ports ports;          /* shared by the branches of an OR on ports */
    struct conn_socket socket;
    struct conn_holder holders[CONN_HOLDERS];
    struct conn_kill kill;
    struct stat_guard guard; /* SQLSOF_STAT_TIMEOUT_MS, read when the state is made */
};

/* A new connection state with no references (NULL: out of memory). Each table's source mode
 * comes from its environment variable (connSourceEnv) when that names one of its modes. */
struct sqlsof_conn *connNew(void);
/* Takes a reference; connRelease drops one and frees the state with the last. */
struct sqlsof_conn *connRetain(struct sqlsof_conn *c);
void connRelease(void *c);

/* Whether a whole-host fds walk may go through BPF and read each socket's fields, which the
 * sockets table then answers `inode = ?` from (the planner's costs follow it). */
int connFieldsAnswer(const struct sqlsof_conn *c);

/* Notes that PID holds socket INODE as FD. */
void connNoteHolder(struct sqlsof_conn *c, uint64_t inode, int pid, int fd, int wholeHost);
/* The last note for INODE, or NULL. */
const struct conn_holder *connFindHolder(const struct sqlsof_conn *c, uint64_t inode);

/* Notes socket INODE's FIELDS (and its unix NAME, LEN bytes), read by OWNER's current row. */
void connNoteSocket(struct sqlsof_conn *c, const void *owner, uint64_t inode,
                    const struct fds_bpf_sock *fields, const char *name, int len);
/* Forgets the socket OWNER noted, if it is the one noted. */
void connForgetSocket(struct sqlsof_conn *c, const void *owner);
/* The fields noted for INODE, or NULL. */
const struct conn_socket *connFindSocket(const struct sqlsof_conn *c, uint64_t inode);

/* TABLE's mode words, NULL-terminated and indexed by mode; its name ("fds") and the
 * environment variable that sets its starting mode (SQLSOF_FDS_SOURCE). */
const char *const *connSourceWords(enum conn_source_table t);
const char *connSourceTable(enum conn_source_table t);
const char *connSourceEnv(enum conn_source_table t);
/* WORD's mode for TABLE, or -1. */
int connSourceFromName(enum conn_source_table t, const char *word);

#endif
