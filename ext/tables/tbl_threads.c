/*
** The `threads` table: one row per thread of every process, and what it waits on, from
** /proc/PID/task/TID/{stat,wchan,syscall}.
**
**     CREATE TABLE threads(
**       pid INTEGER,        -- the process (thread group); pushed down: = and IN
**       tid INTEGER,        -- the thread; pushed down: = and IN
**       name TEXT,          -- the thread's comm
**       state TEXT,         -- R S D Z T t X I ...
**       wchan TEXT,         -- the kernel function it sleeps in ("wait_woken"); NULL if none
**       syscall TEXT,       -- the system call it is in ("recvfrom", "epoll_wait"); NULL when
**                           --   running, outside a call, unreadable or unknown to this build
**       syscall_nr INTEGER, -- its number on this architecture; -1 outside a system call
**       fd INTEGER,         -- the descriptor that call works on (read's, recvfrom's,
**                           --   epoll_wait's epoll fd, ...); NULL for calls that take none
**       args TEXT,          -- the call's six arguments as the kernel shows them ("0x4 0x...")
**       sp INTEGER, pc INTEGER, -- user stack pointer and program counter
**       arg_pid HIDDEN      -- threads(1234) means pid = 1234
**     );
**
**     SELECT t.pid, t.tid, t.syscall, f.type, f.name FROM threads t
**     JOIN fds f ON f.pid = t.pid AND f.fd = t.fd WHERE t.syscall LIKE 'recv%';
**
** The syscall file needs the right to ptrace the thread (root, or the same user without
** Yama's restriction); without it the columns it feeds are NULL. Each file is read only when a
** column of it is used: `SELECT tid FROM threads WHERE pid = ?` is one readdir.
*/
#include "tables/tables.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc/pid_iter.h"
#include "proc/proc_parse.h"
#include "proc/syscall_names.h"
#include "proc/thread_parse.h"
#include "util/buf.h"
#include "vtab/vtab.h"

enum {
    COL_PID,
    COL_TID,
    COL_NAME,
    COL_STATE,
    COL_WCHAN,
    COL_SYSCALL,
    COL_SYSCALL_NR,
    COL_FD,
    COL_ARGS,
    COL_SP,
    COL_PC,
    COL_ARG_PID,
};

static const char threadsSchema[] =
    "CREATE TABLE x(pid INTEGER, tid INTEGER, name TEXT, state TEXT, wchan TEXT, syscall TEXT,"
    " syscall_nr INTEGER, fd INTEGER, args TEXT, sp INTEGER, pc INTEGER, arg_pid HIDDEN)";

/* The per-thread files, one bit each. */
enum { SRC_STAT = 1 << 0, SRC_WCHAN = 1 << 1, SRC_SYSCALL = 1 << 2 };

static unsigned sourceOfColumn(int col)
{
    switch (col) {
    case COL_NAME:
    case COL_STATE: return SRC_STAT;
    case COL_WCHAN: return SRC_WCHAN;
    case COL_SYSCALL:
    case COL_SYSCALL_NR:
    case COL_FD:
    case COL_ARGS:
    case COL_SP:
    case COL_PC: return SRC_SYSCALL;
    default: return 0;
    }
}

/*
** xBestIndex → xFilter. Pushable columns, in idxNum bit order (see vtab.h):
**   bit 0  pid = ? or pid IN (...)          argv: the value or the list
**   bit 1  arg_pid = ? (threads(1234))      argv: the value
**   bit 2  tid = ? or tid IN (...)          argv: the value or the list
** Bits VTAB_OWN_BITS and up: the SRC_* files that colUsed asks for.
*/
enum { PUSH_PID, PUSH_ARG_PID, PUSH_TID, PUSH_COUNT };
static const struct vtab_push threadsPush[PUSH_COUNT] = {
    [PUSH_PID] = {.name = "pid", .iColumn = COL_PID},
    [PUSH_ARG_PID] = {.name = "arg_pid", .iColumn = COL_ARG_PID},
    [PUSH_TID] = {.name = "tid", .iColumn = COL_TID}};

typedef struct ThreadsCursor ThreadsCursor;
struct ThreadsCursor {
    sqlite3_vtab_cursor base;
    int procfd;
    struct pid_iter procs; /* the processes, or the pushed tids when no pid was pushed */
    struct pid_iter tasks; /* the threads of the current process */
    struct keyset pids, tids;
    int pidsPushed, tidsPushed;
    int inProcess; /* walking the threads of cur->pid */
    int nextTid;   /* index into tids when both pids and tids were pushed */
    unsigned need;
    int eof, nomem;

    /* The current row. */
    int pid, tid;
    unsigned have;
    struct proc_stat stat;
    const char *wchan;
    size_t wchanLen;
    struct thread_syscall sc;
    struct buf wchanText, syscallText, scratch;
};

static int threadsBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
    (void)vtab;
    int idxNum = vtabPushEq(info, threadsPush, PUSH_COUNT);
    unsigned need = 0;
    for (int col = 0; col < 64 && col <= COL_ARG_PID; col++)
        if (info->colUsed & ((sqlite3_uint64)1 << col)) need |= sourceOfColumn(col);
    double perRow = 1 + 2 * __builtin_popcount(need);
    if (VTAB_PUSHED(idxNum, PUSH_TID)) {
        info->estimatedRows = 1;
        info->estimatedCost = 5 + perRow;
    } else if (VTAB_PUSHED(idxNum, PUSH_PID) || VTAB_PUSHED(idxNum, PUSH_ARG_PID)) {
        info->estimatedRows = 4;
        info->estimatedCost = 10 + 4 * perRow;
    } else {
        info->estimatedRows = 4000;
        info->estimatedCost = 4000 * perRow + 50;
    }
    info->idxNum = idxNum | (int)(need << VTAB_OWN_BITS);
    return SQLITE_OK;
}

static int threadsOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **ppCursor)
{
    return vtabOpenProcCursor(vtab, "threads", sizeof(ThreadsCursor),
                              offsetof(ThreadsCursor, procfd), ppCursor);
}

static int threadsClose(sqlite3_vtab_cursor *base)
{
    ThreadsCursor *cur = (ThreadsCursor *)base;
    pidIterStop(&cur->procs);
    pidIterStop(&cur->tasks);
    keysetFree(&cur->pids);
    keysetFree(&cur->tids);
    bufFree(&cur->wchanText);
    bufFree(&cur->syscallText);
    bufFree(&cur->scratch);
    return vtabCloseProcCursor(base, cur->procfd);
}

static int isGone(int err)
{
    return err == -ENOENT || err == -ESRCH;
}

/* Reads NAME under DIRFD into B, noting an out-of-memory failure; 0 or -errno. */
static int readFile(ThreadsCursor *cur, int dirfd, const char *name, struct buf *b)
{
    int rc = bufReadFileAt(b, dirfd, name);
    if (rc == -ENOMEM) cur->nomem = 1;
    return rc;
}

/*
** Reads what the row needs of thread cur->tid of cur->pid. Returns 1 when the row stands, 0 when
** the thread is gone. An unreadable file (another user's syscall) leaves its columns NULL.
*/
static int loadThread(ThreadsCursor *cur)
{
    cur->have = 0;
    if (!cur->need) return 1;
    char name[48];
    snprintf(name, sizeof name, "%d/task/%d", cur->pid, cur->tid);
    int dirfd = openat(cur->procfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) return !isGone(-errno);
    int stands = 1, rc;
    if (cur->need & SRC_STAT) {
        rc = readFile(cur, dirfd, "stat", &cur->scratch);
        if (isGone(rc))
            stands = 0;
        else if (rc == 0 && procParseStat(cur->scratch.data, cur->scratch.len, &cur->stat) == 0)
            cur->have |= SRC_STAT;
    }
    if (stands && (cur->need & SRC_WCHAN)) {
        rc = readFile(cur, dirfd, "wchan", &cur->wchanText);
        if (isGone(rc))
            stands = 0;
        else if (rc == 0 && threadParseWchan(cur->wchanText.data, cur->wchanText.len, &cur->wchan,
                                             &cur->wchanLen) == 0)
            cur->have |= SRC_WCHAN;
    }
    if (stands && (cur->need & SRC_SYSCALL)) {
        rc = readFile(cur, dirfd, "syscall", &cur->syscallText);
        if (isGone(rc))
            stands = 0;
        else if (rc == 0 &&
                 threadParseSyscall(cur->syscallText.data, cur->syscallText.len, &cur->sc) == 0)
            cur->have |= SRC_SYSCALL;
    }
    close(dirfd);
    return stands;
}

/* The next pushed tid that is a thread of cur->pid; 0 when none is left. */
static int nextPushedTid(ThreadsCursor *cur)
{
    while (cur->nextTid < cur->tids.n) {
        long long tid = cur->tids.v[cur->nextTid++];
        char name[48];
        if (tid <= 0 || tid > 0x7fffffff) continue;
        snprintf(name, sizeof name, "%d/task/%lld", cur->pid, tid);
        if (faccessat(cur->procfd, name, F_OK, 0) == 0) {
            cur->tid = (int)tid;
            return 1;
        }
    }
    return 0;
}

/* Enters process cur->pid: 1 when its threads can be walked. */
static int enterProcess(ThreadsCursor *cur)
{
    /* /proc/TID opens for any thread, and its task directory lists the whole group. */
    if (cur->pidsPushed && !procIsLeader(cur->procfd, cur->pid, &cur->scratch)) return 0;
    cur->nextTid = 0;
    if (cur->tidsPushed) return 1;
    int rc = pidIterStartTasks(&cur->tasks, cur->procfd, cur->pid);
    if (rc == -ENOMEM) cur->nomem = 1;
    return rc == 0;
}

/* A pushed tid alone: its process is its status's Tgid. 1 when the thread exists. */
static int enterTid(ThreadsCursor *cur, int tid)
{
    char name[32];
    struct proc_status st;
    snprintf(name, sizeof name, "%d/status", tid);
    if (procReadStatus(cur->procfd, name, &cur->scratch, &st) != 0) return 0;
    cur->pid = st.tgid;
    cur->tid = tid;
    return 1;
}

static int threadsNext(sqlite3_vtab_cursor *base)
{
    ThreadsCursor *cur = (ThreadsCursor *)base;
    for (;;) {
        if (cur->inProcess) {
            int more = cur->tidsPushed ? nextPushedTid(cur) : pidIterNext(&cur->tasks, &cur->tid);
            if (more) {
                if (loadThread(cur)) return cur->nomem ? SQLITE_NOMEM : SQLITE_OK;
                continue;
            }
            cur->inProcess = 0;
        }
        int id;
        if (cur->nomem || !pidIterNext(&cur->procs, &id)) break;
        if (cur->tidsPushed && !cur->pidsPushed) {
            if (enterTid(cur, id) && loadThread(cur)) return cur->nomem ? SQLITE_NOMEM : SQLITE_OK;
            continue;
        }
        cur->pid = id;
        cur->inProcess = enterProcess(cur);
    }
    cur->eof = 1;
    return cur->nomem ? SQLITE_NOMEM : SQLITE_OK;
}

static int threadsFilter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
                         sqlite3_value **argv)
{
    (void)idxStr, (void)argc;
    ThreadsCursor *cur = (ThreadsCursor *)base;
    cur->need = (unsigned)idxNum >> VTAB_OWN_BITS;
    cur->eof = cur->nomem = cur->inProcess = 0;
    pidIterStop(&cur->tasks);
    int rc = vtabKeysetFromColumns(&cur->pids, idxNum, 1u << PUSH_PID | 1u << PUSH_ARG_PID, argv,
                                   &cur->pidsPushed);
    if (rc == SQLITE_OK)
        rc = vtabKeysetFromColumns(&cur->tids, idxNum, 1u << PUSH_TID, argv, &cur->tidsPushed);
    if (rc != SQLITE_OK) return rc;
    /* The outer walk: the pushed pids, else the pushed tids, else every process. */
    const struct keyset *outer = cur->pidsPushed ? &cur->pids : cur->tidsPushed ? &cur->tids : NULL;
    rc = vtabPidIterStart(base, "threads", &cur->procs, cur->procfd, outer);
    return rc == SQLITE_OK ? threadsNext(base) : rc;
}

static int threadsEof(sqlite3_vtab_cursor *base)
{
    return ((ThreadsCursor *)base)->eof;
}

/* A tid names one thread of the host. */
static int threadsRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    *rowid = ((ThreadsCursor *)base)->tid;
    return SQLITE_OK;
}

static void syscallColumn(ThreadsCursor *cur, sqlite3_context *ctx, int col)
{
    const struct thread_syscall *sc = &cur->sc;
    if (sc->in == THREAD_RUNNING) return;
    const char *name = sc->in == THREAD_SYSCALL ? syscallName(sc->nr) : NULL;
    switch (col) {
    case COL_SYSCALL:
        if (name) vtabResultWord(ctx, name);
        break;
    case COL_SYSCALL_NR: sqlite3_result_int64(ctx, sc->nr); break;
    case COL_FD:
        if (syscallTakesFd(name) && threadFdArgument(sc) >= 0)
            sqlite3_result_int(ctx, threadFdArgument(sc));
        break;
    case COL_ARGS:
        if (sc->in == THREAD_SYSCALL) vtabResultText(ctx, sc->args, sc->argsLen);
        break;
    case COL_SP: sqlite3_result_int64(ctx, (sqlite3_int64)sc->sp); break;
    case COL_PC: sqlite3_result_int64(ctx, (sqlite3_int64)sc->pc); break;
    }
}

static int threadsColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    ThreadsCursor *cur = (ThreadsCursor *)base;
    if (col == COL_PID || col == COL_ARG_PID) {
        sqlite3_result_int(ctx, cur->pid);
        return SQLITE_OK;
    }
    if (col == COL_TID) {
        sqlite3_result_int(ctx, cur->tid);
        return SQLITE_OK;
    }
    if (!(cur->have & sourceOfColumn(col))) return SQLITE_OK; /* unreadable: NULL */
    switch (col) {
    case COL_NAME: vtabResultText(ctx, cur->stat.comm, strlen(cur->stat.comm)); break;
    case COL_STATE: vtabResultText(ctx, &cur->stat.state, 1); break;
    case COL_WCHAN:
        if (cur->wchanLen) vtabResultText(ctx, cur->wchan, cur->wchanLen);
        break;
    default: syscallColumn(cur, ctx, col); break;
    }
    return SQLITE_OK;
}

static sqlite3_module threadsModule = VTAB_MODULE(threads);

int threadsRegister(sqlite3 *db)
{
    return sqlite3_create_module(db, "threads", &threadsModule, (void *)threadsSchema);
}
