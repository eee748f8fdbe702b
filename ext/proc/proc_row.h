/*
** One row of the processes table: what a statement reads of one process, each /proc file
** only when a used column needs it (PROC_SRC_* bits), and a memo of pushed pids already read.
** No SQLite here.
*/
#ifndef SQLSOF_PROC_ROW_H
#define SQLSOF_PROC_ROW_H

#include <stddef.h>
#include <sys/types.h>

#include "proc/proc_parse.h"
#include "util/buf.h"

/* The per-process sources, one bit each. */
enum {
    PROC_SRC_STAT = 1 << 0,
    PROC_SRC_STATUS = 1 << 1,
    PROC_SRC_CMDLINE = 1 << 2,
    PROC_SRC_EXE = 1 << 3,
    PROC_SRC_CWD = 1 << 4,
    PROC_SRC_ROOT = 1 << 5,
    PROC_SRC_NETNS = 1 << 6,
    PROC_SRC_PIDNS = 1 << 7,
    PROC_SRC_MNTNS = 1 << 8,
    PROC_SRC_CGROUP = 1 << 9,
    PROC_SRC_LIMITS = 1 << 10,
    PROC_SRC_CONTAINER = 1 << 11, /* the cgroup file, taken apart by the caller */
};

struct proc_row {
    int pid;
    unsigned have; /* PROC_SRC_* bits read successfully */
    struct proc_stat stat;
    struct proc_status status;
    struct buf cmdline, exe, cwd, root, cgroup, scratch;
    size_t cmdlineLen;
    const char *cgroupPath;
    size_t cgroupLen;
    int cgroupRead; /* the cgroup file was read (into cgroup), parsed or not */
    ino_t netns, pidns, mntns;
    long long fdLimit; /* -1: unlimited */
    int nomem;         /* a read ran out of memory */
};

/*
** Reads what NEED asks of process r->pid under PROCFD (the cgroup file too for
** PROC_SRC_CONTAINER). Returns 1 when the row stands, 0 when the process is gone or, when
** PUSHED (the pid came from a query), is not a thread-group leader.
*/
int procRowRead(struct proc_row *r, int procfd, unsigned need, int pushed);
void procRowFree(struct proc_row *r);

/*
** The memo: a pushed pid's row as first read in a statement. The inner side of a join on pid
** (`fds JOIN processes USING(pid)`) is asked for the same few processes once per outer row;
** rows of the fixed-size sources (PROC_SRC_MEMOABLE) are kept per cursor, so never older
** than the statement, and later lookups of that pid answer from here.
*/
#define PROC_SRC_MEMOABLE                                                                          \
    (PROC_SRC_STAT | PROC_SRC_STATUS | PROC_SRC_NETNS | PROC_SRC_PIDNS | PROC_SRC_MNTNS |          \
     PROC_SRC_CONTAINER)

struct proc_memo_entry;
struct proc_memo {
    struct proc_memo_entry *v; /* open addressing, capacity a power of two */
    size_t len, cap;
    unsigned need; /* the sources the memo holds */
};

/* Empties M when NEED differs from what it holds. */
void procMemoFor(struct proc_memo *m, unsigned need);
/* Loads R's row for r->pid: 1 (with *STANDS and the caller's *TAG), or 0 when not kept. */
int procMemoLoad(const struct proc_memo *m, struct proc_row *r, int *stands, int *tag);
/* Keeps R's row, STANDS and the caller's TAG. Returns 0 or -ENOMEM. */
int procMemoStore(struct proc_memo *m, const struct proc_row *r, int stands, int tag);
void procMemoFree(struct proc_memo *m);

#endif
