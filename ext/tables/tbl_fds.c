/*
** The `fds` table: one row per open file descriptor of every process. Threads share their
** leader's table, so each descriptor is listed once, under the thread-group id.
**
**     CREATE TABLE fds(
**       pid INTEGER,      -- pushed (=, IN): only those processes' fd directories are read
**       fd INTEGER,       -- pushed (=, IN): with pid, a point lookup of exactly those fds
**       type TEXT,        -- lsof's TYPE: REG DIR CHR BLK FIFO LINK IPv4 IPv6 unix netlink
**                         --   pack sock a_inode unknown
**       mode TEXT,        -- r w u, from fdinfo flags & O_ACCMODE
**       target TEXT,      -- the link text: /etc/hosts, socket:[123], anon_inode:[eventpoll]
**       path TEXT,        -- path targets only, without the " (deleted)" of an unlinked file
**       deleted INTEGER,  -- 1 for an unlinked file (st_nlink 0), 0 otherwise
**       inode INTEGER,    -- pushed (=, IN); from the link text for sockets, pipes, nsfs
**       device TEXT,      -- "major,minor" as lsof prints it: st_rdev of CHR/BLK, else
**                         --   st_dev (0,9 sockfs, 0,15 pipefs, 0,16 anon inodes here)
**       size INTEGER,     -- st_size, REG and DIR only
**       pos INTEGER, flags INTEGER, mnt_id INTEGER, -- /proc/PID/fdinfo/N
**       lock TEXT,        -- lsof's lock letter from fdinfo's lock lines: r R w W u U
**       arg_pid HIDDEN    -- fds(1234) means pid = 1234
**     );
**
**     SELECT p.name, f.fd, f.path FROM fds f JOIN processes p USING(pid) WHERE f.deleted;
**
** What each column costs, per row (read on first use in xColumn, at most once per row):
**   pid, fd            the readdir of /proc/PID/fd, nothing per fd
**   target             one readlinkat relative to the open fd directory
**   inode              the link text for sockets, pipes and "KIND:[N]"; a stat for paths and
**                      anon inodes (a regular file's inode is not in its link text, so
**                      "inode from readdir+readlink only" cannot hold for files)
**   type               the text for pipes and anon inodes; one getxattr("system.sockprotoname")
**                      for sockets; a stat otherwise
**   path, deleted      the text; a stat only when a path ends in " (deleted)" (path) or is a
**                      path at all (deleted): the link count decides, not the text
**   device, size       a stat through the fd link (which follows it to the open file)
**   mode, pos, flags, mnt_id   one read of /proc/PID/fdinfo/N
**   lock               the same read of fdinfo (its "lock:" lines)
**
** Plans (enum fds_plan, chosen once in fdsFilter, switched on in fdsNext):
**   PLAN_NONE    inode = NULL: no row can match
**   PLAN_PROC    the /proc walk (fd/fds_walk.h): pushed pids (each checked to be a thread-group
**                leader: a pushed TID lists nothing), pushed fds (a readlink of exactly those
**                names, no readdir), or every process when the BPF source is off. A pushed
**                process of TASK_MIN_FDS fds or more (any, in 'bpf') is read through a BPF
**                iterator bound to it: its records carry its sockets' fields, which the
**                sockets table then answers from (conn.h's struct conn_socket)
**   PLAN_KERNEL  no pid or fd pushed: every fd of the host from the BPF iterator (fd/fd_bpf.h),
**                merged with /proc's process list; a row comes with its link text, stat and
**                fdinfo, and only what the record lacks is read from /proc
**   PLAN_MAP     inode without pid or fd: the cursor's first xFilter walks every fd once (the
**                kernel walk's 24-byte records when it may) into the inode map (fd/fds_map.h)
**                and every later xFilter (one per outer row of a join) answers from it
** The row itself and its lazy reads are fd/fd_row.h; the source is set per connection with
** sqlsof_fds_source() (fn_source.c).
**
** Races: an fd closed or a process gone between readdir and readlink is skipped, and so is
** one gone by the time its fdinfo or type is read (when the statement uses them); another
** failed stat, fdinfo or getxattr after that leaves its columns NULL (type "unknown", as lsof
** says), and so does a link that may
** not be read (EACCES) of an fd that the directory lists. A process whose fd directory
** cannot be read (EACCES) has no rows. A full scan holds one getdents buffer at a time.
*/
#include "tables/tables.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "fd/fd_row.h"
#include "fd/fds_map.h"
#include "fd/fds_walk.h"
#include "tables/conn.h"
#include "vtab/vtab.h"

enum {
    COL_PID,
    COL_FD,
    COL_TYPE,
    COL_MODE,
    COL_TARGET,
    COL_PATH,
    COL_DELETED,
    COL_INODE,
    COL_DEVICE,
    COL_SIZE,
    COL_POS,
    COL_FLAGS,
    COL_MNT_ID,
    COL_LOCK,
    COL_ARG_PID,
};

static const char fdsSchema[] =
    "CREATE TABLE x(pid INTEGER, fd INTEGER, type TEXT, mode TEXT, target TEXT, path TEXT,"
    " deleted INTEGER, inode INTEGER, device TEXT, size INTEGER, pos INTEGER, flags INTEGER,"
    " mnt_id INTEGER, lock TEXT, arg_pid HIDDEN)";

/*
** xBestIndex → xFilter. Pushable columns, in idxNum bit order (see vtab.h), argv in this order:
**   bit 0  pid = ? or pid IN (...)
**   bit 1  fd = ? or fd IN (...)
**   bit 2  inode = ? or inode IN (...)
**   bit 3  arg_pid = ? (fds(1234))
** Bits VTAB_OWN_BITS and up: what the statement reads of each row, fd_row.h's FD_NEED_* bits
** shifted by VTAB_OWN_BITS (FD_NEED_LINK: some column other than pid and fd is used).
** idxStr: what was pushed, as vtabPushEq writes it ("pid= fd IN").
*/
enum { PUSH_PID, PUSH_FD, PUSH_INODE, PUSH_ARG_PID, PUSH_COUNT };
static const struct vtab_push fdsPush[PUSH_COUNT] = {
    [PUSH_PID] = {.name = "pid", .iColumn = COL_PID},
    [PUSH_FD] = {.name = "fd", .iColumn = COL_FD},
    [PUSH_INODE] = {.name = "inode", .iColumn = COL_INODE},
    [PUSH_ARG_PID] = {.name = "arg_pid", .iColumn = COL_ARG_PID}};

#define COLUMN_BIT(c) ((sqlite3_uint64)1 << (c))

/* Which FD_NEED_* bit each column's use sets. */
static const unsigned columnNeeds[] = {
    [COL_TYPE] = FD_NEED_TYPE,        [COL_MODE] = FD_NEED_INFO,
    [COL_PATH] = FD_NEED_STAT_PATH,   [COL_DELETED] = FD_NEED_STAT_DELETED,
    [COL_INODE] = FD_NEED_STAT_INODE, [COL_DEVICE] = FD_NEED_STAT_ALL,
    [COL_SIZE] = FD_NEED_STAT_ALL,    [COL_POS] = FD_NEED_INFO,
    [COL_FLAGS] = FD_NEED_INFO,       [COL_MNT_ID] = FD_NEED_INFO,
    [COL_LOCK] = FD_NEED_INFO,
};

enum fds_plan { PLAN_NONE, PLAN_PROC, PLAN_KERNEL, PLAN_MAP };

/* A pushed process with this many fds is read through BPF in 'auto' (every one in 'bpf'):
 * loading fds_sock costs ~4 ms once per connection; /proc costs ~5 µs a descriptor and ~40 µs
 * a socket looked up through its holder, so below this the load costs more than it saves. */
#define TASK_MIN_FDS 256

typedef struct FdsCursor FdsCursor;
struct FdsCursor {
    sqlite3_vtab_cursor base;
    int procfd; /* /proc */
    enum fds_plan plan;
    int eof;
    struct keyset pids, fds, inodes; /* what xFilter pushed */
    int byPid;
    struct fds_walk walk;
    struct fds_map map;     /* built on the first xFilter that needs it, kept for the statement */
    struct fds_cache cache; /* the map's hits in busy processes, read through BPF */
    struct fd_row row;      /* the current row */
};

static unsigned needsOf(sqlite3_uint64 colUsed)
{
    unsigned need = 0;
    if (colUsed & ~(COLUMN_BIT(COL_PID) | COLUMN_BIT(COL_FD) | COLUMN_BIT(COL_ARG_PID)))
        need |= FD_NEED_LINK;
    for (int c = 0; c < (int)(sizeof columnNeeds / sizeof *columnNeeds); c++)
        if (colUsed & COLUMN_BIT(c)) need |= columnNeeds[c];
    return need;
}

/*
** Costs count syscalls: a host has ~1,000 processes and ~100,000 fds. A row costs a readlink
** when any column but pid/fd is used (the rest is read on demand and not priced). A lookup by
** inode is priced as the map answers it: the one walk that builds the map is shared by all
** the xFilter calls of a join, so the inner side of `JOIN fds USING(inode)` is cheap.
*/
static int fdsBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
    int idxNum = vtabPushEq(info, fdsPush, PUSH_COUNT);
    int pidPushed = VTAB_PUSHED(idxNum, PUSH_PID) || VTAB_PUSHED(idxNum, PUSH_ARG_PID);
    int onePid = VTAB_PUSHED_ONE(idxNum, PUSH_PID) || VTAB_PUSHED_ONE(idxNum, PUSH_ARG_PID);
    int fdPushed = VTAB_PUSHED(idxNum, PUSH_FD);
    int oneFd = VTAB_PUSHED_ONE(idxNum, PUSH_FD);
    int byInode = VTAB_PUSHED(idxNum, PUSH_INODE);
    unsigned need = needsOf(info->colUsed);
    idxNum |= (int)(need << VTAB_OWN_BITS);

    double perRow = 1.0 + ((need & FD_NEED_LINK) ? 1.0 : 0.0);
    /* A walk of every process through BPF costs about a tenth of /proc's readlink each. */
    if (!pidPushed && !fdPushed && connFieldsAnswer(((VtabShared *)vtab)->conn)) perRow *= 0.1;
    double procs = pidPushed ? (onePid ? 1 : 5) : 1000; /* processes visited */
    double perProc = pidPushed ? 4 : 1;                 /* open fd dir; + status when pushed */
    double fdsPerProc = fdPushed ? (oneFd ? 1 : 3) : 100;

    if (pidPushed || fdPushed || !byInode) {
        info->estimatedRows = (sqlite3_int64)(procs * fdsPerProc * (byInode ? 0.02 : 1) + 1);
        info->estimatedCost = procs * (perProc + fdsPerProc * (fdPushed ? 2 : perRow)) + 10;
        if (onePid && oneFd) {
            info->estimatedRows = 1;
            info->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
        }
    } else {
        info->estimatedRows = 2;
        info->estimatedCost = 20;
    }
    /* /proc lists pids ascending, /proc/PID/fd lists fds ascending, and keysets are sorted.
     * The inode map yields rows in inode order instead. */
    if (!(byInode && !pidPushed && !fdPushed) && info->nOrderBy >= 1 && info->nOrderBy <= 2) {
        int ok = info->aOrderBy[0].iColumn == COL_PID && !info->aOrderBy[0].desc;
        if (info->nOrderBy == 2)
            ok = ok && info->aOrderBy[1].iColumn == COL_FD && !info->aOrderBy[1].desc;
        if (ok) info->orderByConsumed = 1;
    }
    info->idxNum = idxNum;
    return SQLITE_OK;
}

/*
** A socket row tells the connection who holds it (conn.h): a join to sockets looks it up next,
** through the holder, whether or not the statement reads the inode column.
*/
static void noteSocket(void *arg, const struct fd_row *row)
{
    FdsCursor *cur = arg;
    struct sqlsof_conn *conn = VTAB_CONN(&cur->base);
    connNoteHolder(conn, row->kind.inode, row->pid, row->fd, !cur->byPid);
    const struct fd_bpf_row *rec = row->record;
    if (rec && (rec->rec.flags & FDS_BPF_SOCKFIELDS))
        connNoteSocket(conn, cur, row->kind.inode, &rec->sock, rec->path, rec->rec.pathLen);
}

static int fdsOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **ppCursor)
{
    int rc =
        vtabOpenProcCursor(vtab, "fds", sizeof(FdsCursor), offsetof(FdsCursor, procfd), ppCursor);
    if (rc != SQLITE_OK) return rc;
    FdsCursor *cur = (FdsCursor *)*ppCursor;
    fdsWalkInit(&cur->walk, cur->procfd);
    fdRowInit(&cur->row, cur->procfd);
    cur->row.onSocket = noteSocket;
    cur->row.onSocketArg = cur;
    return SQLITE_OK;
}

static int fdsClose(sqlite3_vtab_cursor *base)
{
    FdsCursor *cur = (FdsCursor *)base;
    connForgetSocket(VTAB_CONN(base), cur);
    fdsWalkFree(&cur->walk);
    fdsMapFree(&cur->map);
    fdsCacheClear(&cur->cache);
    fdRowFree(&cur->row);
    keysetFree(&cur->pids);
    keysetFree(&cur->fds);
    keysetFree(&cur->inodes);
    return vtabCloseProcCursor(base, cur->procfd);
}

/* A reader's -errno as the statement's error: one line, what and why. */
static int readError(FdsCursor *cur, int err)
{
    if (err == -ENOMEM) return SQLITE_NOMEM;
    const char *what = cur->plan == PLAN_PROC ? "/proc" : "the BPF iterator";
    return vtabError(cur->base.pVtab, "fds: cannot read %s: %s", what, strerror(-err));
}

/*
** Starts the BPF iterator for a walk of every fd when the connection's source allows it:
** 1 started, 0 read /proc instead, or an SQLite error code (negated) when 'bpf' is forced.
*/
static int startKernelWalk(FdsCursor *cur, enum fd_bpf_walk records)
{
    struct sqlsof_conn *conn = VTAB_CONN(&cur->base);
    struct conn_source *src = &conn->sources[CONN_SOURCE_FDS];
    int err = src->mode == FDS_SOURCE_PROC ? -EPERM
                                           : fdBpfCacheStart(&conn->bpf, records, &cur->walk.bpfIt);
    src->last = err ? "proc" : "bpf";
    if (err && src->mode == FDS_SOURCE_BPF)
        return -vtabError(cur->base.pVtab, "fds: %s", conn->bpf.why);
    if (err) return 0;
    err = fdsWalkStartKernel(&cur->walk);
    if (err < 0) return -vtabError(cur->base.pVtab, "fds: cannot read /proc: %s", strerror(-err));
    return 1;
}

static int fdsNext(sqlite3_vtab_cursor *base)
{
    FdsCursor *cur = (FdsCursor *)base;
    int more = 0;
    switch (cur->plan) {
    case PLAN_NONE: break;
    case PLAN_PROC: more = fdsWalkNextProc(&cur->walk, &cur->row); break;
    case PLAN_KERNEL: more = fdsWalkNextKernel(&cur->walk, &cur->row); break;
    case PLAN_MAP: more = fdsMapNext(&cur->map, &cur->row); break;
    }
    if (more <= 0) cur->eof = 1;
    if (cur->walk.taskWalks) VTAB_CONN(base)->sources[CONN_SOURCE_FDS].last = "bpf";
    if (more < 0) return readError(cur, more);
    return cur->row.nomem ? SQLITE_NOMEM : SQLITE_OK;
}

/* Builds the inode map, through the kernel walk's pid/fd/inode records when it may; its hits
 * in busy processes are then read through BPF too. */
static int buildMap(FdsCursor *cur)
{
    int viaKernel = startKernelWalk(cur, FD_BPF_IDS);
    if (viaKernel < 0) return -viaKernel;
    struct sqlsof_conn *conn = VTAB_CONN(&cur->base);
    fdsCacheInit(&cur->cache, cur->procfd, viaKernel ? &conn->bpf : NULL, TASK_MIN_FDS);
    cur->map.cache = &cur->cache;
    int err = fdsMapBuild(&cur->map, &cur->walk, &cur->row, viaKernel);
    return err < 0 ? readError(cur, err) : SQLITE_OK;
}

/* Picks the plan for what xFilter pushed, and starts it. */
static int startPlan(FdsCursor *cur, int byFd, int byInode)
{
    int rc;
    if (byInode && cur->inodes.n == 0) {
        cur->plan = PLAN_NONE; /* inode = NULL: no walk can match */
        return SQLITE_OK;
    }
    if (byInode && !cur->byPid && !byFd) {
        cur->plan = PLAN_MAP;
        if (!cur->map.built && (rc = buildMap(cur)) != SQLITE_OK) return rc;
        fdsMapRewind(&cur->map);
        return SQLITE_OK;
    }
    if (!cur->byPid && !byFd) {
        /* A statement with a sockets cursor joins them (the planner opens every cursor
         * first): the walk then reads each socket's fields too, for its lookups by inode. */
        enum fd_bpf_walk records = !(cur->row.need & FD_NEED_LINK)            ? FD_BPF_IDS
                                   : VTAB_CONN(&cur->base)->socketCursors > 0 ? FD_BPF_SOCK
                                                                              : FD_BPF_FULL;
        rc = startKernelWalk(cur, records);
        if (rc < 0) return -rc;
        if (rc == 1) {
            cur->plan = PLAN_KERNEL;
            return SQLITE_OK;
        }
    }
    cur->plan = PLAN_PROC;
    struct sqlsof_conn *conn = VTAB_CONN(&cur->base);
    int mode = conn->sources[CONN_SOURCE_FDS].mode;
    conn->sources[CONN_SOURCE_FDS].last = "proc";
    int err = fdsWalkStartProc(&cur->walk, cur->byPid ? &cur->pids : NULL, byFd ? &cur->fds : NULL,
                               mode == FDS_SOURCE_PROC || !(cur->row.need & FD_NEED_LINK)
                                   ? NULL /* pid and fd alone: the readdir is all it costs */
                                   : &conn->bpf,
                               mode == FDS_SOURCE_BPF ? 0 : TASK_MIN_FDS);
    return err < 0 ? vtabError(cur->base.pVtab, "fds: cannot read /proc: %s", strerror(-err))
                   : SQLITE_OK;
}

static int fdsFilter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
                     sqlite3_value **argv)
{
    (void)idxStr, (void)argc;
    FdsCursor *cur = (FdsCursor *)base;
    int byFd, byInode;
    cur->eof = 0;
    connForgetSocket(VTAB_CONN(base), cur);
    fdsWalkStop(&cur->walk);
    fdRowEndProcess(&cur->row);
    int rc = vtabKeysetFromColumns(&cur->pids, idxNum, 1u << PUSH_PID | 1u << PUSH_ARG_PID, argv,
                                   &cur->byPid);
    if (rc == SQLITE_OK) rc = vtabKeysetFromColumns(&cur->fds, idxNum, 1u << PUSH_FD, argv, &byFd);
    if (rc == SQLITE_OK)
        rc = vtabKeysetFromColumns(&cur->inodes, idxNum, 1u << PUSH_INODE, argv, &byInode);
    if (rc != SQLITE_OK) return rc;
    cur->row.need = (unsigned)idxNum >> VTAB_OWN_BITS;
    cur->row.guard = &VTAB_CONN(base)->guard; /* stats that may hang (fd/fd_row.h) */
    cur->row.inodes = byInode ? &cur->inodes : NULL;
    if ((rc = startPlan(cur, byFd, byInode)) != SQLITE_OK) return rc;
    return fdsNext(base);
}

static int fdsEof(sqlite3_vtab_cursor *base)
{
    return ((FdsCursor *)base)->eof;
}

static int fdsRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    FdsCursor *cur = (FdsCursor *)base;
    *rowid = (sqlite3_int64)cur->row.pid << 32 | (sqlite3_int64)(unsigned)cur->row.fd;
    return SQLITE_OK;
}

/* lsof prints a device file's own number (rdev), else the file system's. */
static void resultDevice(sqlite3_context *ctx, const struct stat *st)
{
    dev_t d = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ? st->st_rdev : st->st_dev;
    vtabResultDevice(ctx, major(d), minor(d));
}

static int fdsColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    FdsCursor *cur = (FdsCursor *)base;
    struct fd_row *r = &cur->row;
    const struct stat *st;
    const struct fd_info *info;
    unsigned long long ino;
    const char *text;
    char letter;
    long len;
    int d;

    switch (col) {
    case COL_PID:
    case COL_ARG_PID: sqlite3_result_int(ctx, r->pid); return SQLITE_OK;
    case COL_FD: sqlite3_result_int(ctx, r->fd); return SQLITE_OK;
    }
    if (!r->haveLink) return SQLITE_OK; /* only when no column but pid and fd is used */

    switch (col) {
    case COL_TYPE:
        if ((text = fdRowType(r)) != NULL) vtabResultWord(ctx, text);
        break;
    case COL_MODE:
        if ((info = fdRowInfo(r)) != NULL && (letter = fdInfoMode(info->flags)) != 0)
            vtabResultText(ctx, &letter, 1);
        break;
    case COL_TARGET: vtabResultText(ctx, r->link.data, r->link.len); break;
    case COL_PATH:
        if ((len = fdRowPathLen(r)) >= 0) vtabResultText(ctx, r->link.data, (size_t)len);
        break;
    case COL_DELETED:
        if ((d = fdRowDeleted(r)) >= 0) sqlite3_result_int(ctx, d);
        break;
    case COL_INODE:
        if (fdRowInode(r, &ino)) sqlite3_result_int64(ctx, (sqlite3_int64)ino);
        break;
    case COL_DEVICE:
        if ((st = fdRowStat(r)) != NULL) resultDevice(ctx, st);
        break;
    case COL_SIZE:
        if ((st = fdRowStat(r)) != NULL && (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)))
            sqlite3_result_int64(ctx, (sqlite3_int64)st->st_size);
        break;
    case COL_POS:
        if ((info = fdRowInfo(r)) != NULL) sqlite3_result_int64(ctx, info->pos);
        break;
    case COL_FLAGS:
        if ((info = fdRowInfo(r)) != NULL) sqlite3_result_int64(ctx, info->flags);
        break;
    case COL_MNT_ID:
        if ((info = fdRowInfo(r)) != NULL) sqlite3_result_int(ctx, info->mntId);
        break;
    case COL_LOCK:
        /* The process's locks on the file are the "lock:" lines of its fdinfo (no /proc/locks,
         * whose read may wait for an RCU grace period: ~11 ms measured). */
        if ((info = fdRowInfo(r)) != NULL && info->lock) vtabResultText(ctx, &info->lock, 1);
        break;
    }
    if (r->nomem) sqlite3_result_error_nomem(ctx); /* a lazy read above ran out of memory */
    return SQLITE_OK;
}

static int fdsConnect(sqlite3 *db, void *conn, int argc, const char *const *argv,
                      sqlite3_vtab **ppVtab, char **pzErr)
{
    (void)argc, (void)argv, (void)pzErr;
    return vtabConnectShared(db, fdsSchema, conn, ppVtab);
}

static sqlite3_module fdsModule = VTAB_SHARED_MODULE(fds);

int fdsRegister(sqlite3 *db, struct sqlsof_conn *conn)
{
    return sqlite3_create_module_v2(db, "fds", &fdsModule, connRetain(conn), connRelease);
}
