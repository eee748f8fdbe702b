/*
** Which source the fds table reads a whole-host walk from, per database connection: the BPF
** iterator (fd_bpf.h) when it loads, else /proc. Point lookups (pushed pids or fds) always
** read /proc: a few syscalls cost less than loading the programs (~5 ms).
**
**     SELECT sqlsof_fds_source();         -- 'bpf' or 'proc': what the latest fds scan read
**     SELECT sqlsof_fds_source('proc');   -- this connection reads /proc only
**     SELECT sqlsof_fds_source('bpf');    -- the BPF source or an error, never /proc
**     SELECT sqlsof_fds_source('auto');   -- the default: BPF when it loads, silently
**
** The environment variable SQLSOF_BPF=0 makes 'auto' mean 'proc', SQLSOF_BPF=1 'bpf'.
*/
#ifndef SQLSOF_FDS_SOURCE_H
#define SQLSOF_FDS_SOURCE_H

#include "fd/fd_bpf.h"
#include "vtab/sqlite_api.h"

enum { FDS_SOURCE_AUTO, FDS_SOURCE_PROC, FDS_SOURCE_BPF };

struct fds_source {
    int mode;           /* FDS_SOURCE_*, set by sqlsof_fds_source(MODE) */
    struct fd_bpf *bpf; /* loaded on the first walk that may use it, kept for the connection */
    int loadErr;        /* -errno of a failed load, which is not tried again */
    char why[160];      /* ... and its reason */
    const char *last;   /* "bpf" or "proc": the latest scan's source, NULL before any */
};

/* Frees what SRC loaded (the connection state, conn.h, holds it). */
void fdsSourceClear(struct fds_source *src);
/*
** Starts a whole-host walk through the BPF iterator when the mode allows it and it loads.
** Returns 1 (IT started), 0 (read /proc), or -1 when the mode is 'bpf' and it cannot start:
** the reason is in SRC->why.
*/
int fdsSourceStart(struct fds_source *src, enum fd_bpf_walk walk, struct fd_bpf_iter *it);
/* Registers sqlsof_fds_source() on DB for the connection state CONN's source. */
struct sqlsof_conn;
int fdsSourceRegister(sqlite3 *db, struct sqlsof_conn *conn);

#endif
