/*
** The `processes` table: one row per process (thread-group leader) of the host.
**
**     CREATE TABLE processes(
**       pid INTEGER,          -- pushed down: = and IN read only those processes
**       ppid INTEGER, pgid INTEGER, sid INTEGER,
**       name TEXT,            -- comm, as in /proc/PID/stat
**       cmdline TEXT,         -- argv joined by single spaces; NULL for kernel threads
**       exe TEXT, cwd TEXT, root TEXT,
**       state TEXT,           -- R S D Z T t X I ...
**       uid INTEGER, euid INTEGER, gid INTEGER, egid INTEGER,
**       user TEXT,            -- login name of uid
**       threads INTEGER, nice INTEGER,
**       start_time REAL,      -- Unix epoch seconds
**       utime REAL, stime REAL, -- CPU seconds
**       rss INTEGER, vsize INTEGER, -- bytes
**       netns INTEGER, pidns INTEGER, mntns INTEGER, -- namespace inode numbers
**       cgroup TEXT,          -- cgroup v2 path
**       fd_limit INTEGER,     -- soft RLIMIT_NOFILE ("Max open files"); NULL if unlimited
**       container_id TEXT,    -- the container the process is in (container_cgroup.h): NULL on
**       container_runtime TEXT, --   the host; runtime docker containerd cri-o podman lxc
**       container_name TEXT,  --   systemd-nspawn; name and pod from the runtime's state files
**       pod_uid TEXT, pod_name TEXT, pod_namespace TEXT, -- Kubernetes pods
**       nspid INTEGER,        -- pid inside its own pid namespace (NSpid's last field)
**       arg_pid HIDDEN        -- processes(1234) means pid = 1234
**     );
**
**     SELECT pid, name, user FROM processes WHERE ppid = 1 ORDER BY rss DESC;
**
** Each per-process file is read only when the statement uses one of its columns (colUsed):
** `SELECT pid FROM processes` is one readdir of /proc and nothing else.
*/
#include "tables/tables.h"

#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "proc/pid_iter.h"
#include "proc/proc_row.h"
#include "proc/usernames.h"
#include "vtab/vtab.h"

enum {
    COL_PID,
    COL_PPID,
    COL_PGID,
    COL_SID,
    COL_NAME,
    COL_CMDLINE,
    COL_EXE,
    COL_CWD,
    COL_ROOT,
    COL_STATE,
    COL_UID,
    COL_EUID,
    COL_GID,
    COL_EGID,
    COL_USER,
    COL_THREADS,
    COL_NICE,
    COL_START_TIME,
    COL_UTIME,
    COL_STIME,
    COL_RSS,
    COL_VSIZE,
    COL_NETNS,
    COL_PIDNS,
    COL_MNTNS,
    COL_CGROUP,
    COL_FD_LIMIT,
    COL_CONTAINER_ID,
    COL_CONTAINER_RUNTIME,
    COL_CONTAINER_NAME,
    COL_POD_UID,
    COL_POD_NAME,
    COL_POD_NAMESPACE,
    COL_NSPID,
    COL_ARG_PID,
};

static const char processesSchema[] =
    "CREATE TABLE x(pid INTEGER, ppid INTEGER, pgid INTEGER, sid INTEGER, name TEXT,"
    " cmdline TEXT, exe TEXT, cwd TEXT, root TEXT, state TEXT, uid INTEGER, euid INTEGER,"
    " gid INTEGER, egid INTEGER, user TEXT, threads INTEGER, nice INTEGER, start_time REAL,"
    " utime REAL, stime REAL, rss INTEGER, vsize INTEGER, netns INTEGER, pidns INTEGER,"
    " mntns INTEGER, cgroup TEXT, fd_limit INTEGER, container_id TEXT, container_runtime TEXT,"
    " container_name TEXT, pod_uid TEXT, pod_name TEXT, pod_namespace TEXT, nspid INTEGER,"
    " arg_pid HIDDEN)";

/* The per-process sources (proc_row.h), one bit each; a row reads the ones its used columns
 * need. */
enum {
    SRC_STAT = PROC_SRC_STAT,
    SRC_STATUS = PROC_SRC_STATUS,
    SRC_CMDLINE = PROC_SRC_CMDLINE,
    SRC_EXE = PROC_SRC_EXE,
    SRC_CWD = PROC_SRC_CWD,
    SRC_ROOT = PROC_SRC_ROOT,
    SRC_NETNS = PROC_SRC_NETNS,
    SRC_PIDNS = PROC_SRC_PIDNS,
    SRC_MNTNS = PROC_SRC_MNTNS,
    SRC_CGROUP = PROC_SRC_CGROUP,
    SRC_LIMITS = PROC_SRC_LIMITS,
    SRC_CONTAINER = PROC_SRC_CONTAINER, /* the state files: containerColumn */
};

static unsigned sourceOfColumn(int col)
{
    switch (col) {
    case COL_PPID:
    case COL_PGID:
    case COL_SID:
    case COL_NAME:
    case COL_STATE:
    case COL_THREADS:
    case COL_NICE:
    case COL_START_TIME:
    case COL_UTIME:
    case COL_STIME:
    case COL_RSS:
    case COL_VSIZE: return SRC_STAT;
    case COL_UID:
    case COL_EUID:
    case COL_GID:
    case COL_EGID:
    case COL_USER:
    case COL_NSPID: return SRC_STATUS;
    case COL_CMDLINE: return SRC_CMDLINE;
    case COL_EXE: return SRC_EXE;
    case COL_CWD: return SRC_CWD;
    case COL_ROOT: return SRC_ROOT;
    case COL_NETNS: return SRC_NETNS;
    case COL_PIDNS: return SRC_PIDNS;
    case COL_MNTNS: return SRC_MNTNS;
    case COL_CGROUP: return SRC_CGROUP;
    case COL_FD_LIMIT: return SRC_LIMITS;
    case COL_CONTAINER_ID:
    case COL_CONTAINER_RUNTIME:
    case COL_CONTAINER_NAME:
    case COL_POD_UID:
    case COL_POD_NAME:
    case COL_POD_NAMESPACE: return SRC_CONTAINER;
    default: return 0;
    }
}

/*
** xBestIndex → xFilter. Pushable columns, in idxNum bit order (see vtab.h):
**   bit 0  pid = ? or pid IN (...)          argv: the value or the list
**   bit 1  arg_pid = ? (processes(1234))     argv: the value
** Bits VTAB_OWN_BITS and up: the SRC_* sources that colUsed asks for.
*/
enum { PUSH_PID, PUSH_ARG_PID, PUSH_COUNT };
static const struct vtab_push processesPush[PUSH_COUNT] = {
    [PUSH_PID] = {.name = "pid", .iColumn = COL_PID},
    [PUSH_ARG_PID] = {.name = "arg_pid", .iColumn = COL_ARG_PID}};

typedef struct ProcessesCursor ProcessesCursor;
struct ProcessesCursor {
    sqlite3_vtab_cursor base;
    int procfd;         /* /proc */
    struct pid_iter it; /* the processes to visit */
    struct keyset pids; /* pushed pids; it walks them */
    int pushed;         /* pids came from the query: check each is a leader */
    unsigned need;      /* SRC_* bits the statement's columns use */
    int eof;

    struct proc_row row;                 /* the current row */
    struct container *container;         /* its container; NULL on the host */
    int lastContainerPid, lastContainer; /* the last pid whose container was read, its index */
    struct proc_memo memo;               /* pushed pids already read (proc_row.h) */

    /* Per scan. */
    long long bootTime; /* -1 until read */
    long ticksPerSecond;
    long pageSize;
    struct usernames users;
    int nomem; /* the memo or a container ran out of memory: the statement ends SQLITE_NOMEM */
    struct container_cache containers; /* each container's state read once per cursor */
};

static int processesBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
    (void)vtab;
    int idxNum = vtabPushEq(info, processesPush, PUSH_COUNT);
    int byPid = VTAB_PUSHED(idxNum, PUSH_PID) || VTAB_PUSHED(idxNum, PUSH_ARG_PID);
    int byOnePid = VTAB_PUSHED_ONE(idxNum, PUSH_PID) || VTAB_PUSHED_ONE(idxNum, PUSH_ARG_PID);

    unsigned need = 0;
    for (int col = 0; col <= COL_ARG_PID; col++)
        if (info->colUsed & ((sqlite3_uint64)1 << col)) need |= sourceOfColumn(col);
    idxNum |= (int)(need << VTAB_OWN_BITS);

    /* A host has ~1,000 processes; each costs a few syscalls per source read. A lookup of one
     * pid is mostly a probe of the cursor's memo: in a join from fds, a process's first
     * descriptor reads it and its other ~100 find it there (priced at a fiftieth). */
    double perRow = 2.0 + 3.0 * __builtin_popcount(need);
    if (byOnePid) {
        info->estimatedRows = 1;
        info->estimatedCost = 0.1 + perRow / 50;
        info->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
    } else if (byPid) {
        info->estimatedRows = 10;
        info->estimatedCost = 10 * (perRow + 5);
    } else {
        info->estimatedRows = 1000;
        info->estimatedCost = 1000 * perRow + 50;
    }
    /* /proc lists pids in ascending order, and so does a keyset. */
    if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == COL_PID && !info->aOrderBy[0].desc)
        info->orderByConsumed = 1;
    info->idxNum = idxNum;
    return SQLITE_OK;
}

static int processesOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **ppCursor)
{
    int rc = vtabOpenProcCursor(vtab, "processes", sizeof(ProcessesCursor),
                                offsetof(ProcessesCursor, procfd), ppCursor);
    if (rc != SQLITE_OK) return rc;
    ProcessesCursor *cur = (ProcessesCursor *)*ppCursor;
    cur->bootTime = -1;
    cur->ticksPerSecond = sysconf(_SC_CLK_TCK);
    cur->pageSize = sysconf(_SC_PAGESIZE);
    containerCacheInit(&cur->containers, "");
    return SQLITE_OK;
}

static int processesClose(sqlite3_vtab_cursor *base)
{
    ProcessesCursor *cur = (ProcessesCursor *)base;
    pidIterStop(&cur->it);
    keysetFree(&cur->pids);
    procRowFree(&cur->row);
    procMemoFree(&cur->memo);
    usernamesFree(&cur->users);
    containerCacheFree(&cur->containers);
    return vtabCloseProcCursor(base, cur->procfd);
}

/* The container of the cgroup just read; its state comes from the cursor's cache. */
static void readContainer(ProcessesCursor *cur)
{
    struct proc_row *r = &cur->row;
    struct container_ref ref;
    cur->container = NULL;
    if (containerParseCgroup(r->cgroup.data, r->cgroup.len, &ref) == 1 &&
        containerConfirmed(&cur->containers, &ref) &&
        !(cur->container = containerLookup(&cur->containers, &ref)))
        return; /* out of memory: not had, and containerColumn says so */
    r->have |= SRC_CONTAINER;
    cur->lastContainerPid = r->pid;
    cur->lastContainer = cur->container ? (int)(cur->container - cur->containers.v) : -1;
}

/*
** Whether a pushed pid's container is the one read last: the inner side of a join asks for the
** same pid once per outer row (an fd, a mapping), and the lsof views carry the container
** columns, so without this a statement would read the cgroup file once per row, not per process.
*/
static int sameContainerAsLast(ProcessesCursor *cur)
{
    if (!cur->pushed || cur->lastContainerPid != cur->row.pid) return 0;
    cur->container = cur->lastContainer >= 0 ? &cur->containers.v[cur->lastContainer] : NULL;
    return 1;
}

static int readProcess(ProcessesCursor *cur)
{
    unsigned need = cur->need;
    int same = (need & SRC_CONTAINER) && sameContainerAsLast(cur);
    if (same) need &= ~SRC_CONTAINER;
    int stands = procRowRead(&cur->row, cur->procfd, need, cur->pushed);
    if (same) cur->row.have |= SRC_CONTAINER;
    if (stands && (need & SRC_CONTAINER) && cur->row.cgroupRead) readContainer(cur);
    return stands;
}

/*
** Reads what the row needs of process row.pid. Returns 1 when the row stands, 0 when the
** process is gone or, for a pushed pid, is not a thread-group leader. A pushed pid whose
** columns come from fixed-size sources only is read once per cursor (proc_row.h's memo).
*/
static int loadProcess(ProcessesCursor *cur)
{
    int stands, container;
    if (!cur->pushed || (cur->need & ~PROC_SRC_MEMOABLE)) return readProcess(cur);
    procMemoFor(&cur->memo, cur->need);
    if (procMemoLoad(&cur->memo, &cur->row, &stands, &container)) {
        cur->container = container >= 0 ? &cur->containers.v[container] : NULL;
        return stands;
    }
    stands = readProcess(cur);
    container = cur->container ? (int)(cur->container - cur->containers.v) : -1;
    if (procMemoStore(&cur->memo, &cur->row, stands, container) != 0) cur->nomem = 1;
    return stands;
}

static int processesNext(sqlite3_vtab_cursor *base)
{
    ProcessesCursor *cur = (ProcessesCursor *)base;
    while (pidIterNext(&cur->it, &cur->row.pid)) {
        int stands = loadProcess(cur);
        if (cur->nomem || cur->row.nomem) return SQLITE_NOMEM;
        if (stands) return SQLITE_OK;
    }
    cur->eof = 1;
    return SQLITE_OK;
}

static int processesFilter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
                           sqlite3_value **argv)
{
    (void)idxStr, (void)argc;
    ProcessesCursor *cur = (ProcessesCursor *)base;

    cur->need = (unsigned)idxNum >> VTAB_OWN_BITS;
    cur->eof = 0;
    int rc = vtabKeysetFromColumns(&cur->pids, idxNum, 1u << PUSH_PID | 1u << PUSH_ARG_PID, argv,
                                   &cur->pushed);
    if (rc != SQLITE_OK) return rc;

    rc =
        vtabPidIterStart(base, "processes", &cur->it, cur->procfd, cur->pushed ? &cur->pids : NULL);
    return rc == SQLITE_OK ? processesNext(base) : rc;
}

static int processesEof(sqlite3_vtab_cursor *base)
{
    return ((ProcessesCursor *)base)->eof;
}

static int processesRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    *rowid = ((ProcessesCursor *)base)->row.pid;
    return SQLITE_OK;
}

static long long bootTime(ProcessesCursor *cur)
{
    if (cur->bootTime < 0) {
        long long t = 0;
        struct buf *b = &cur->row.scratch;
        if (bufReadFileAt(b, cur->procfd, "stat") == 0) procParseBootTime(b->data, b->len, &t);
        cur->bootTime = t;
    }
    return cur->bootTime;
}

/* FIELD as TEXT, NULL when empty. */
static void resultField(sqlite3_context *ctx, const char *field)
{
    if (field[0]) vtabResultText(ctx, field, strlen(field));
}

static void containerColumn(ProcessesCursor *cur, sqlite3_context *ctx, int col)
{
    if (!cur->container) return; /* on the host */
    /* the id and (but for a bare id under kubepods) the runtime need no state file */
    const struct container *ct = cur->container;
    if (col != COL_CONTAINER_ID &&
        (col != COL_CONTAINER_RUNTIME || ct->ref.runtime == RUNTIME_KUBE))
        ct = containerResolve(&cur->containers, cur->container);
    switch (col) {
    case COL_CONTAINER_ID: resultField(ctx, ct->ref.id); break;
    case COL_CONTAINER_RUNTIME: {
        const char *name = containerRuntimeName(ct->ref.runtime);
        if (name) resultField(ctx, name);
        break;
    }
    case COL_CONTAINER_NAME: resultField(ctx, ct->info.name); break;
    case COL_POD_UID: resultField(ctx, ct->info.podUid); break;
    case COL_POD_NAME: resultField(ctx, ct->info.podName); break;
    case COL_POD_NAMESPACE: resultField(ctx, ct->info.podNamespace); break;
    }
}

static int processesColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    ProcessesCursor *cur = (ProcessesCursor *)base;
    const struct proc_row *r = &cur->row;
    const struct proc_stat *st = &r->stat;
    double tick = 1.0 / (double)cur->ticksPerSecond;

    if (col == COL_PID || col == COL_ARG_PID) {
        sqlite3_result_int(ctx, r->pid);
        return SQLITE_OK;
    }
    if (!(r->have & sourceOfColumn(col))) {
        /* the container's entry could not be kept: out of memory, not unreadable */
        if (sourceOfColumn(col) == SRC_CONTAINER && (r->have & SRC_CGROUP))
            sqlite3_result_error_nomem(ctx);
        return SQLITE_OK; /* unreadable: NULL */
    }

    switch (col) {
    case COL_PPID: sqlite3_result_int(ctx, st->ppid); break;
    case COL_PGID: sqlite3_result_int(ctx, st->pgid); break;
    case COL_SID: sqlite3_result_int(ctx, st->sid); break;
    case COL_NAME: vtabResultText(ctx, st->comm, strlen(st->comm)); break;
    case COL_CMDLINE: vtabResultText(ctx, r->cmdline.data, r->cmdlineLen); break;
    case COL_EXE: vtabResultText(ctx, r->exe.data, r->exe.len); break;
    case COL_CWD: vtabResultText(ctx, r->cwd.data, r->cwd.len); break;
    case COL_ROOT: vtabResultText(ctx, r->root.data, r->root.len); break;
    case COL_STATE: vtabResultText(ctx, &st->state, 1); break;
    case COL_UID: sqlite3_result_int64(ctx, r->status.uid[0]); break;
    case COL_EUID: sqlite3_result_int64(ctx, r->status.uid[1]); break;
    case COL_GID: sqlite3_result_int64(ctx, r->status.gid[0]); break;
    case COL_EGID: sqlite3_result_int64(ctx, r->status.gid[1]); break;
    case COL_USER: {
        const char *name;
        if (usernamesLookup(&cur->users, r->status.uid[0], &name) != 0)
            sqlite3_result_error_nomem(ctx);
        else if (name)
            vtabResultText(ctx, name, strlen(name));
        break;
    }
    case COL_THREADS: sqlite3_result_int64(ctx, st->threads); break;
    case COL_NICE: sqlite3_result_int64(ctx, st->nice); break;
    case COL_START_TIME:
        sqlite3_result_double(ctx, (double)bootTime(cur) + (double)st->starttime * tick);
        break;
    case COL_UTIME: sqlite3_result_double(ctx, (double)st->utime * tick); break;
    case COL_STIME: sqlite3_result_double(ctx, (double)st->stime * tick); break;
    case COL_RSS: sqlite3_result_int64(ctx, st->rss * cur->pageSize); break;
    case COL_VSIZE: sqlite3_result_int64(ctx, (sqlite3_int64)st->vsize); break;
    case COL_NETNS: sqlite3_result_int64(ctx, (sqlite3_int64)r->netns); break;
    case COL_PIDNS: sqlite3_result_int64(ctx, (sqlite3_int64)r->pidns); break;
    case COL_MNTNS: sqlite3_result_int64(ctx, (sqlite3_int64)r->mntns); break;
    case COL_CGROUP: vtabResultText(ctx, r->cgroupPath, r->cgroupLen); break;
    case COL_FD_LIMIT:
        if (r->fdLimit >= 0) sqlite3_result_int64(ctx, r->fdLimit);
        break;
    case COL_NSPID:
        if (r->status.nspid > 0) sqlite3_result_int(ctx, r->status.nspid);
        break;
    default: containerColumn(cur, ctx, col); break;
    }
    return SQLITE_OK;
}

static sqlite3_module processesModule = VTAB_MODULE(processes);

int processesRegister(sqlite3 *db)
{
    return sqlite3_create_module(db, "processes", &processesModule, (void *)processesSchema);
}
