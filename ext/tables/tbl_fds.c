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
** Plans (see fdsBestIndex): a full walk; pushed pids (each checked to be a thread-group
** leader: a pushed TID lists nothing); pushed fds (readlink of exactly those names, no readdir);
** and, for inode without pid, the inode map: the cursor's first xFilter walks every fd once
** into a sorted (inode, pid, fd) array and every later xFilter (one per outer row of a join)
** answers from it with a binary search and a re-read of the matching fds, whose inode is
** checked again, so a descriptor reused since the walk is not reported under the old inode.
**
** Sources: a whole-host walk (no pid or fd pushed) and the inode map read the BPF iterator
** (fd_bpf.h) when the connection allows it and it loads (fds_source.h), merged with /proc's
** process list; such a row comes with its link text, stat and fdinfo, and only what the record
** lacks is read from /proc as above. Point lookups always read /proc.
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
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/buf.h"
#include "tables/conn.h"
#include "fd/fd_bpf.h"
#include "fd/fd_dir.h"
#include "fd/fd_info.h"
#include "fd/fd_link.h"
#include "fd/fd_sockproto.h"
#include "tables/fds_source.h"
#include "proc/pid_iter.h"
#include "fd/file_type.h"
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
** Bit VTAB_OWN_BITS: some column other than pid and fd is used, so each row reads its link.
** NEED_INFO, NEED_TYPE, NEED_STAT_*: fdinfo columns (lock too) / type / columns read from a
** stat are used, read as the row is loaded (see closedSinceLink).
*/
enum { PUSH_PID, PUSH_FD, PUSH_INODE, PUSH_ARG_PID, PUSH_COUNT };
static const struct vtab_push fdsPush[PUSH_COUNT] = {
    [PUSH_PID] = {.name = "pid", .iColumn = COL_PID},
    [PUSH_FD] = {.name = "fd", .iColumn = COL_FD},
    [PUSH_INODE] = {.name = "inode", .iColumn = COL_INODE},
    [PUSH_ARG_PID] = {.name = "arg_pid", .iColumn = COL_ARG_PID}};
#define NEED_LINK (1 << VTAB_OWN_BITS)
#define NEED_INFO (1 << (VTAB_OWN_BITS + 1))
#define NEED_TYPE (1 << (VTAB_OWN_BITS + 2))

/* The stat columns, each with the rows whose stat it reads. */
#define NEED_STAT_ALL     (1 << (VTAB_OWN_BITS + 3)) /* device, size: every row's stat */
#define NEED_STAT_INODE   (1 << (VTAB_OWN_BITS + 4)) /* inode: a stat when the link has none */
#define NEED_STAT_DELETED (1 << (VTAB_OWN_BITS + 5)) /* deleted: a path's stat */
#define NEED_STAT_PATH    (1 << (VTAB_OWN_BITS + 6)) /* path: a stat of one ending " (deleted)" */

/* One descriptor of the inode map: sorted by inode, then pid and fd. */
struct fd_ref {
    unsigned long long inode;
    int pid;
    int fd;
};

/* Per-row lazy reads: done (tried) and ok bits. */
enum { ROW_STAT = 1, ROW_INFO = 2, ROW_PROTO = 4 };

typedef struct FdsCursor FdsCursor;
struct FdsCursor {
    sqlite3_vtab_cursor base;
    int procfd; /* /proc */
    int needLink;
    int needInfo, needType;
    int needStat; /* NEED_STAT_* bits */
    int eof;

    /* What xFilter pushed. */
    struct keyset pids, fds, inodes;
    int byPid, byFd, byInode;

    /* Walking processes (every mode but the map). */
    struct pid_iter it;
    struct fd_dir dir;
    int infoDir; /* /proc/PID/fdinfo of the walked process, opened on first use, or -1 */
    int inProc;  /* a process is open: its dir, or its pushed fds */
    int nextFd;  /* index into fds for the current process */

    /* A whole-host walk through the BPF iterator instead, merged with /proc's list of
     * processes (see nextMerged): the next record and the next listed pid, when read. */
    int viaBpf;
    struct fd_bpf_iter bpfIt;
    struct fd_bpf_row bpfRow;
    int bpfHave, bpfDone, procHave, procDone;
    int procPid, lastKernelPid;
    int kernelGone; /* lastKernelPid's process has gone: its records are skipped */

    /* The inode map (built on the first xFilter that needs it) and the walk through it. */
    struct fd_ref *map;
    size_t mapLen, mapCap;
    int mapBuilt;
    int nextKey;    /* index into inodes */
    size_t nextRef; /* index into map for inodes.v[nextKey - 1]; mapLen when done */

    /* The current row: the link is NAME under LINKDIR (the fd dir, or /proc for lookups). */
    int pid, fd;
    int linkDir;
    char fdName[16];  /* "12" */
    char nameBuf[48]; /* "PID/fd/12" for lookups */
    const char *name;
    struct buf link;
    struct fd_link kind;
    int haveLink;
    int fromRecord;     /* the BPF record in bpfRow is the row's: rowStat() etc. read it first */
    unsigned tried, ok; /* ROW_* */
    struct stat st;
    struct fd_info info;
    const char *proto;

    /* Per cursor. */
    struct buf scratch;
    int nomem; /* a read ran out of memory: the statement ends with SQLITE_NOMEM */
};

/*
** Costs count syscalls: a host has ~1,000 processes and ~100,000 fds. A row costs a readlink
** when any column but pid/fd is used (the rest is read on demand and not priced). A lookup by
** inode is priced as the map answers it: the one walk that builds the map is shared by all
** the xFilter calls of a join, so the inner side of `JOIN fds USING(inode)` is cheap.
*/
static int fdsBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
    (void)vtab;
    int idxNum = vtabPushEq(info, fdsPush, PUSH_COUNT);
    int pidPushed = VTAB_PUSHED(idxNum, PUSH_PID) || VTAB_PUSHED(idxNum, PUSH_ARG_PID);
    int onePid = VTAB_PUSHED_ONE(idxNum, PUSH_PID) || VTAB_PUSHED_ONE(idxNum, PUSH_ARG_PID);
    int fdPushed = VTAB_PUSHED(idxNum, PUSH_FD);
    int oneFd = VTAB_PUSHED_ONE(idxNum, PUSH_FD);
    int byInode = VTAB_PUSHED(idxNum, PUSH_INODE);

    int needLink = (info->colUsed & ~((sqlite3_uint64)1 << COL_PID | (sqlite3_uint64)1 << COL_FD |
                                      (sqlite3_uint64)1 << COL_ARG_PID)) != 0;
    if (needLink) idxNum |= NEED_LINK;
    if (info->colUsed & ((sqlite3_uint64)1 << COL_MODE | (sqlite3_uint64)1 << COL_POS |
                         (sqlite3_uint64)1 << COL_FLAGS | (sqlite3_uint64)1 << COL_MNT_ID |
                         (sqlite3_uint64)1 << COL_LOCK))
        idxNum |= NEED_INFO;
    if (info->colUsed & ((sqlite3_uint64)1 << COL_DEVICE | (sqlite3_uint64)1 << COL_SIZE))
        idxNum |= NEED_STAT_ALL;
    if (info->colUsed & ((sqlite3_uint64)1 << COL_INODE)) idxNum |= NEED_STAT_INODE;
    if (info->colUsed & ((sqlite3_uint64)1 << COL_DELETED)) idxNum |= NEED_STAT_DELETED;
    if (info->colUsed & ((sqlite3_uint64)1 << COL_PATH)) idxNum |= NEED_STAT_PATH;
    if (info->colUsed & ((sqlite3_uint64)1 << COL_TYPE)) idxNum |= NEED_TYPE;
    double perRow = 1.0 + (needLink ? 1.0 : 0.0);
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

static int fdsOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **ppCursor)
{
    int rc =
        vtabOpenProcCursor(vtab, "fds", sizeof(FdsCursor), offsetof(FdsCursor, procfd), ppCursor);
    if (rc != SQLITE_OK) return rc;
    FdsCursor *cur = (FdsCursor *)*ppCursor;
    fdDirInit(&cur->dir);
    cur->infoDir = -1;
    cur->bpfIt.fd = -1;
    return SQLITE_OK;
}

/* Ends the walk's current process: its fd directory and fdinfo directory. */
static void closeProcess(FdsCursor *cur)
{
    fdDirClose(&cur->dir);
    if (cur->infoDir >= 0) close(cur->infoDir);
    cur->infoDir = -1;
    cur->inProc = 0;
}

static int fdsClose(sqlite3_vtab_cursor *base)
{
    FdsCursor *cur = (FdsCursor *)base;
    pidIterStop(&cur->it);
    closeProcess(cur);
    fdBpfIterStop(&cur->bpfIt);
    fdDirFree(&cur->dir);
    keysetFree(&cur->pids);
    keysetFree(&cur->fds);
    keysetFree(&cur->inodes);
    free(cur->map);
    bufFree(&cur->link);
    bufFree(&cur->scratch);
    return vtabCloseProcCursor(base, cur->procfd);
}

/* Makes (PID, FD) the current row, its link named relative to /proc: a lookup, no dir. */
static void setLookup(FdsCursor *cur, int pid, int fd)
{
    cur->pid = pid;
    cur->fd = fd;
    cur->linkDir = cur->procfd;
    cur->name = NULL; /* named by rowName() when a read needs it: a BPF walk's rows rarely do */
}

/* The current row's link relative to linkDir: "12" in a walk, "PID/fd/12" in a lookup. */
static const char *rowName(FdsCursor *cur)
{
    if (!cur->name) {
        snprintf(cur->fdName, sizeof cur->fdName, "%d", cur->fd);
        snprintf(cur->nameBuf, sizeof cur->nameBuf, "%d/fd/%d", cur->pid, cur->fd);
        cur->name = cur->nameBuf;
    }
    return cur->name;
}

/* The fd's number as text ("12"), as the fd and fdinfo directories name it. */
static const char *rowFdName(FdsCursor *cur)
{
    rowName(cur);
    return cur->fdName;
}

/* Makes FD of the open fd directory the current row. */
static void setFromDir(FdsCursor *cur, int fd, const char *name)
{
    cur->fd = fd;
    snprintf(cur->fdName, sizeof cur->fdName, "%s", name);
    cur->linkDir = cur->dir.fd;
    cur->name = cur->fdName;
}

/* Reads the current row's link. Returns 0, or -errno when the fd is gone (or hidden). */
/*
** A socket row tells the connection who holds it (conn.h): a join to sockets looks it up next,
** through the holder, whether or not the statement reads the inode column.
*/
static void noteSocket(FdsCursor *cur)
{
    if (cur->kind.kind == FD_LINK_SOCKET)
        connNoteHolder(VTAB_CONN(&cur->base), cur->kind.inode, cur->pid, cur->fd, !cur->byPid);
}

static int fdsReadLink(FdsCursor *cur)
{
    cur->tried = cur->ok = cur->fromRecord = 0;
    int rc = bufReadLinkAt(&cur->link, cur->linkDir, rowName(cur));
    if (rc == -ENOMEM) cur->nomem = 1;
    cur->haveLink = rc == 0;
    if (rc == 0) fdLinkClassify(cur->link.data, cur->link.len, &cur->kind);
    if (rc == 0) noteSocket(cur);
    return rc;
}

/* The stat of the open file: the BPF record's, or through the fd link (which stat follows). */
static const struct stat *rowStat(FdsCursor *cur)
{
    if (!(cur->tried & ROW_STAT)) {
        cur->tried |= ROW_STAT;
        if ((cur->fromRecord && fdBpfStat(&cur->bpfRow.rec, &cur->st) == 0) ||
            fstatat(cur->linkDir, rowName(cur), &cur->st, 0) == 0)
            cur->ok |= ROW_STAT;
    }
    return (cur->ok & ROW_STAT) ? &cur->st : NULL;
}

/*
** The fdinfo of the current row. A walk opens the process's fdinfo directory once, so each
** fd costs an open, one read and a close; a lookup names the file from /proc.
*/
static const struct fd_info *rowInfo(FdsCursor *cur)
{
    if (!(cur->tried & ROW_INFO)) {
        char name[48];
        int dirfd = cur->procfd, rc;
        cur->tried |= ROW_INFO;
        if (cur->fromRecord && fdBpfInfo(&cur->bpfRow.rec, &cur->info) == 0) {
            cur->ok |= ROW_INFO;
            return &cur->info;
        }
        snprintf(name, sizeof name, "%d/fdinfo", cur->pid);
        if (cur->linkDir == cur->dir.fd && cur->infoDir < 0)
            cur->infoDir = openat(cur->procfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur->linkDir == cur->dir.fd && cur->infoDir >= 0) {
            dirfd = cur->infoDir;
            rc = fdInfoRead(&cur->scratch, dirfd, rowFdName(cur));
        } else {
            snprintf(name, sizeof name, "%d/fdinfo/%s", cur->pid, rowFdName(cur));
            rc = fdInfoRead(&cur->scratch, dirfd, name);
        }
        if (rc == -ENOMEM) cur->nomem = 1;
        if (rc == 0 && fdInfoParse(cur->scratch.data, cur->scratch.len, &cur->info) == 0)
            cur->ok |= ROW_INFO;
    }
    return (cur->ok & ROW_INFO) ? &cur->info : NULL;
}

/* A socket's TYPE word: one getxattr; "sock" when the kernel will not say. */
static const char *rowSocketType(FdsCursor *cur)
{
    if (!(cur->tried & ROW_PROTO)) {
        char path[64], name[64];
        cur->tried |= ROW_PROTO;
        if (cur->fromRecord && (cur->proto = fdBpfSocketType(&cur->bpfRow.rec)) != NULL) {
            cur->ok |= ROW_PROTO;
            return cur->proto;
        }
        snprintf(path, sizeof path, "/proc/%d/fd/%s", cur->pid, rowFdName(cur));
        ssize_t n = getxattr(path, "system.sockprotoname", name, sizeof name);
        cur->proto = n > 0 ? fdSockprotoType(name, (size_t)n) : "sock";
        if (n > 0) cur->ok |= ROW_PROTO;
    }
    return cur->proto;
}

/* The inode: from the link text when it has one, else from a stat. 0 when unknown. */
static int rowInode(FdsCursor *cur, unsigned long long *ino)
{
    if (cur->kind.hasInode) {
        *ino = cur->kind.inode;
        return 1;
    }
    const struct stat *st = rowStat(cur);
    if (!st) return 0;
    *ino = (unsigned long long)st->st_ino;
    return 1;
}

static const char *rowType(FdsCursor *cur)
{
    switch (cur->kind.kind) {
    case FD_LINK_SOCKET: return rowSocketType(cur);
    case FD_LINK_PIPE: return "FIFO";
    case FD_LINK_ANON: return "a_inode";
    default: {
        /* An open fd whose file cannot be stat'ed (say, a /proc directory of a process that
         * has exited) is lsof's "unknown". */
        const struct stat *st = rowStat(cur);
        return st ? fileTypeOfMode(st->st_mode) : "unknown";
    }
    }
}

/* 1 unlinked, 0 not, -1 cannot tell (the stat failed). Only paths can be unlinked. */
static int rowDeleted(FdsCursor *cur)
{
    if (cur->kind.kind != FD_LINK_PATH) return 0;
    const struct stat *st = rowStat(cur);
    return st ? st->st_nlink == 0 : -1;
}

/*
** Whether the row is in the pushed inode set (when there is one). Run before the row is
** returned, since the constraint is omitted.
*/
static int rowMatchesInodes(FdsCursor *cur)
{
    unsigned long long ino;
    if (!cur->byInode) return 1;
    return cur->haveLink && rowInode(cur, &ino) && keysetHas(&cur->inodes, (int64_t)ino);
}

/* Whether the used columns read the row's stat: exactly when xColumn would. */
static int rowNeedsStat(const FdsCursor *cur)
{
    int isPath = cur->kind.kind == FD_LINK_PATH;
    return (cur->needStat & NEED_STAT_ALL) ||
           ((cur->needStat & NEED_STAT_INODE) && !cur->kind.hasInode) ||
           ((cur->needStat & NEED_STAT_DELETED) && isPath) ||
           ((cur->needStat & NEED_STAT_PATH) && isPath && cur->kind.endsDeleted);
}

/* Whether a read that the statement needs for the row failed: its fdinfo, its stat, or the
 * stat or getxattr behind its type (which then reads "unknown" or "sock"). */
static int rowReadFailed(FdsCursor *cur)
{
    if (cur->needInfo && !rowInfo(cur)) return 1;
    if (rowNeedsStat(cur) && !rowStat(cur)) return 1;
    if (!cur->needType) return 0;
    rowType(cur);
    switch (cur->kind.kind) {
    case FD_LINK_SOCKET: return !(cur->ok & ROW_PROTO);
    case FD_LINK_PIPE:
    case FD_LINK_ANON: return 0;
    default: return !(cur->ok & ROW_STAT);
    }
}

/*
** Whether the fd closed after its link was read: a read the row needs failed, and the fd is
** gone now or names another file (closed and its number reused; a scanning process reuses its
** own fds all the time). Such a row is skipped like one that closed before the readlink, not
** returned with NULL or wrong columns. When the link still reads the same (the number may have
** been given back to the same file meanwhile), the reads are tried again, a few times; what
** fails then stays NULL.
*/
#define REREAD_TRIES 4

static int closedSinceLink(FdsCursor *cur)
{
    for (int attempt = 0; attempt < REREAD_TRIES && rowReadFailed(cur); attempt++) {
        int rc = bufReadLinkAt(&cur->scratch, cur->linkDir, rowName(cur));
        if (rc == -ENOMEM) cur->nomem = 1;
        if (rc == -ENOENT || rc == -ESRCH) return 1;
        if (rc != 0) return 0;
        if (cur->scratch.len != cur->link.len ||
            memcmp(cur->scratch.data, cur->link.data, cur->link.len))
            return 1;
        cur->tried = cur->ok = cur->fromRecord = 0;
    }
    return 0;
}

/*
** Loads the current row; 1 when it stands, 0 when it is to be skipped. Only a vanished fd
** (ENOENT, ESRCH) is skipped: an fd that the directory lists but whose link may not be read
** (EACCES, e.g. a process of another user namespace, as lsof reports "Permission denied")
** keeps its row with NULL columns, so the rows never depend on which columns are used.
*/
static int loadRow(FdsCursor *cur, int mustRead)
{
    cur->tried = cur->ok = cur->fromRecord = 0;
    cur->haveLink = 0;
    if (!cur->needLink && !mustRead && !cur->byInode) return 1;
    int rc = fdsReadLink(cur);
    if (rc == -ENOENT || rc == -ESRCH || (rc == 0 && closedSinceLink(cur))) return 0;
    /* A pushed fd of a directory we may not search: as if the directory were unreadable. */
    struct stat st;
    if (rc != 0 && fstatat(cur->linkDir, rowName(cur), &st, AT_SYMLINK_NOFOLLOW) != 0) return 0;
    return rowMatchesInodes(cur);
}

/* The next row of a walk over processes (all, or pushed) and their fds (all, or pushed). */
static int nextWalked(FdsCursor *cur)
{
    for (;;) {
        if (!cur->inProc) {
            if (!pidIterNext(&cur->it, &cur->pid)) return 0;
            if (cur->byPid && !procIsLeader(cur->procfd, cur->pid, &cur->scratch)) continue;
            if (cur->byFd)
                cur->nextFd = 0;
            else if (fdDirOpen(&cur->dir, cur->procfd, cur->pid) != 0)
                continue; /* gone, or EACCES: no rows */
            cur->inProc = 1;
        }
        if (cur->byFd) {
            if (cur->nextFd >= cur->fds.n) {
                cur->inProc = 0;
                continue;
            }
            int64_t fd = cur->fds.v[cur->nextFd++];
            if (fd < 0 || fd > 0x7fffffff) continue;
            setLookup(cur, cur->pid, (int)fd);
            if (loadRow(cur, 1)) return 1; /* the readlink tells whether the fd is open */
            continue;
        }
        int fd;
        const char *name;
        if (fdDirNext(&cur->dir, &fd, &name) != 1) {
            closeProcess(cur);
            continue;
        }
        setFromDir(cur, fd, name);
        if (loadRow(cur, 0)) return 1;
    }
}

/*
** Loads the BPF iterator's current record as the row: the link text, stat and fdinfo come with
** it; what it cannot say is read from /proc, as a lookup would (a stat where the file
** system's getattr differs, fdinfo for lock lines, the link when bpf_d_path failed).
** Returns 1, 0 when the row is to be skipped (see loadRow), or -ENOMEM.
*/
static int loadRecord(FdsCursor *cur)
{
    const struct fds_bpf_record *r = &cur->bpfRow.rec;
    setLookup(cur, r->pid, r->fd);
    cur->tried = cur->ok = cur->fromRecord = 0;
    cur->haveLink = 0;
    if (!cur->needLink) return 1;
    int rc = fdBpfLinkText(&cur->bpfRow, &cur->link);
    if (rc == -ENOENT) return loadRow(cur, 1); /* no path from bpf_d_path: the /proc readlink */
    if (rc != 0) return rc;
    cur->haveLink = 1;
    cur->fromRecord = 1;
    fdLinkClassify(cur->link.data, cur->link.len, &cur->kind);
    noteSocket(cur);
    /* What the record lacks is read from /proc now, as the /proc walk does: an fd that closed
     * since is skipped, not returned with NULL columns. */
    return !closedSinceLink(cur);
}

/* Whether PID is still there (not reaped): a signal-0 check, cheaper than a /proc lookup. The
 * iterator numbers pids in the caller's pid namespace, as kill(2) does. */
static int processStands(int pid)
{
    return kill(pid, 0) == 0 || errno == EPERM;
}

/*
** The next step of a kernel walk, merged with the processes /proc lists (both ascend by pid):
** 1, a record in bpfRow; 2, a process that /proc lists and the iterator did not (it skips some,
** e.g. a sandbox's pid 1 here), its fd directory open for the /proc way; 0 at the end; -errno.
** So both sources list the same processes; kernel threads cost an empty fd directory each.
*/

static int nextMerged(FdsCursor *cur)
{
    for (;;) {
        if (!cur->bpfHave && !cur->bpfDone) {
            int rc = fdBpfIterNext(&cur->bpfIt, &cur->bpfRow);
            if (rc < 0) return rc;
            cur->bpfHave = rc == 1;
            cur->bpfDone = rc == 0;
        }
        if (!cur->procHave && !cur->procDone) {
            cur->procHave = pidIterNext(&cur->it, &cur->procPid);
            cur->procDone = !cur->procHave;
        }
        int kernelPid = cur->bpfHave ? cur->bpfRow.rec.pid : INT_MAX;
        if (cur->procHave && cur->procPid <= kernelPid) {
            cur->procHave = 0;
            if (cur->procPid == kernelPid || cur->procPid == cur->lastKernelPid) continue;
            if (fdDirOpen(&cur->dir, cur->procfd, cur->procPid) != 0) continue;
            cur->pid = cur->procPid;
            cur->inProc = 1;
            return 2;
        }
        if (!cur->bpfHave) return 0;
        cur->bpfHave = 0;
        /* A process is read when the walk reaches it, as in /proc's walk: one that has gone
         * since the iterator buffered its records is skipped. */
        if (kernelPid != cur->lastKernelPid) cur->kernelGone = !processStands(kernelPid);
        cur->lastKernelPid = kernelPid;
        if (cur->kernelGone) continue;
        return 1;
    }
}

/* The next row of a whole-host walk through the BPF iterator: 1, 0 at the end, or -errno. */
static int nextFromKernel(FdsCursor *cur)
{
    for (;;) {
        int fd, rc;
        const char *name;
        if (cur->inProc && fdDirNext(&cur->dir, &fd, &name) == 1) {
            setFromDir(cur, fd, name);
            if (loadRow(cur, 0)) return 1;
            continue;
        }
        if (cur->inProc) closeProcess(cur);
        if ((rc = nextMerged(cur)) <= 0) return rc;
        if (rc == 1 && (rc = loadRecord(cur)) != 0) return rc;
    }
}

static int compareRefs(const void *a, const void *b)
{
    const struct fd_ref *x = a, *y = b;
    if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
    if (x->pid != y->pid) return x->pid < y->pid ? -1 : 1;
    return (x->fd > y->fd) - (x->fd < y->fd);
}

static int mapAdd(FdsCursor *cur, unsigned long long ino)
{
    struct fd_ref *m = arrayGrow(cur->map, &cur->mapCap, cur->mapLen + 1, sizeof *m);
    if (!m) return SQLITE_NOMEM;
    cur->map = m;
    cur->map[cur->mapLen++] = (struct fd_ref){ino, cur->pid, cur->fd};
    return SQLITE_OK;
}

/* The inode map's entries of the process whose fd directory is open. */
static int mapAddDir(FdsCursor *cur)
{
    int fd, rc = SQLITE_OK;
    const char *name;
    unsigned long long ino;
    while (rc == SQLITE_OK && fdDirNext(&cur->dir, &fd, &name) == 1) {
        setFromDir(cur, fd, name);
        if (fdsReadLink(cur) == 0 && rowInode(cur, &ino)) rc = mapAdd(cur, ino);
    }
    closeProcess(cur);
    return rc;
}

/* The inode map's entries from one pass of the BPF iterator (pid, fd and inode records). */
static int mapFromKernel(FdsCursor *cur)
{
    int rc = SQLITE_OK, n;
    struct stat st;
    while (rc == SQLITE_OK && (n = nextMerged(cur)) > 0) {
        if (n == 2) {
            rc = mapAddDir(cur);
            continue;
        }
        const struct fds_bpf_record *r = &cur->bpfRow.rec;
        unsigned long long ino = r->inode;
        setLookup(cur, r->pid, r->fd);
        if (!fdBpfInodeTrusted(r)) {
            if (fstatat(cur->procfd, rowName(cur), &st, 0) != 0) continue;
            ino = (unsigned long long)st.st_ino;
        }
        rc = mapAdd(cur, ino);
    }
    fdBpfIterStop(&cur->bpfIt);
    pidIterStop(&cur->it);
    if (rc == SQLITE_OK && n < 0)
        rc = vtabError(cur->base.pVtab, "fds: cannot read the BPF iterator: %s", strerror(-n));
    return rc;
}

/* Starts a whole-host walk through the BPF iterator when the connection's source allows it:
 * 1 started, 0 read /proc, or an SQLite error code (negated) when 'bpf' is forced and fails. */
static int startKernelWalk(FdsCursor *cur, enum fd_bpf_walk walk)
{
    struct fds_source *src = &VTAB_CONN(&cur->base)->fds;
    int rc = fdsSourceStart(src, walk, &cur->bpfIt);
    src->last = rc == 1 ? "bpf" : "proc";
    if (rc < 0) return -vtabError(cur->base.pVtab, "fds: %s", src->why);
    if (rc == 0) return 0;
    cur->bpfHave = cur->bpfDone = cur->procHave = cur->procDone = 0;
    cur->lastKernelPid = 0;
    cur->kernelGone = 0;
    int err = pidIterStart(&cur->it, cur->procfd, NULL);
    if (err < 0) return -vtabError(cur->base.pVtab, "fds: cannot read /proc: %s", strerror(-err));
    return 1;
}

/* One walk of every fd of the host into the sorted inode map. */
static int fdsBuildMap(FdsCursor *cur)
{
    cur->mapLen = 0;
    int viaBpf = startKernelWalk(cur, FD_BPF_IDS);
    if (viaBpf < 0) return -viaBpf;
    if (viaBpf) {
        int rc = mapFromKernel(cur);
        if (cur->mapLen > 1) qsort(cur->map, cur->mapLen, sizeof *cur->map, compareRefs);
        cur->mapBuilt = 1;
        return rc;
    }
    int err = pidIterStart(&cur->it, cur->procfd, NULL);
    if (err < 0) return vtabError(cur->base.pVtab, "fds: cannot read /proc: %s", strerror(-err));
    int rc = SQLITE_OK;
    while (rc == SQLITE_OK && pidIterNext(&cur->it, &cur->pid))
        if (fdDirOpen(&cur->dir, cur->procfd, cur->pid) == 0) rc = mapAddDir(cur);
    pidIterStop(&cur->it);
    if (cur->mapLen > 1) qsort(cur->map, cur->mapLen, sizeof *cur->map, compareRefs);
    cur->mapBuilt = 1;
    return rc;
}

/* An inode against a map entry, for arrayLowerBound. */
static int compareInodeToRef(const void *key, const void *element)
{
    unsigned long long ino = *(const unsigned long long *)key;
    const struct fd_ref *r = element;
    return (ino > r->inode) - (ino < r->inode);
}

/* The first map entry whose inode is not below INO. */
static size_t mapLowerBound(const FdsCursor *cur, unsigned long long ino)
{
    return arrayLowerBound(cur->map, cur->mapLen, sizeof *cur->map, &ino, compareInodeToRef);
}

/* The next row of the map for the pushed inodes, re-read and re-checked. */
static int nextMapped(FdsCursor *cur)
{
    for (;;) {
        if (cur->nextRef >= cur->mapLen ||
            cur->map[cur->nextRef].inode != (unsigned long long)cur->inodes.v[cur->nextKey - 1]) {
            if (cur->nextKey >= cur->inodes.n) return 0;
            cur->nextRef = mapLowerBound(cur, (unsigned long long)cur->inodes.v[cur->nextKey++]);
            continue;
        }
        const struct fd_ref *r = &cur->map[cur->nextRef++];
        setLookup(cur, r->pid, r->fd);
        if (loadRow(cur, 1)) return 1;
    }
}

static int fdsNext(sqlite3_vtab_cursor *base)
{
    FdsCursor *cur = (FdsCursor *)base;
    int more = cur->viaBpf                                                  ? nextFromKernel(cur)
               : cur->mapBuilt && cur->byInode && !cur->byPid && !cur->byFd ? nextMapped(cur)
                                                                            : nextWalked(cur);
    if (more < 0) cur->eof = 1;
    if (more == -ENOMEM) return SQLITE_NOMEM;
    if (more < 0)
        return vtabError(base->pVtab, "fds: cannot read the BPF iterator: %s", strerror(-more));
    if (!more) cur->eof = 1;
    return cur->nomem ? SQLITE_NOMEM : SQLITE_OK;
}

static int fdsFilter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
                     sqlite3_value **argv)
{
    (void)idxStr, (void)argc;
    FdsCursor *cur = (FdsCursor *)base;
    cur->needLink = (idxNum & NEED_LINK) != 0;
    cur->needInfo = (idxNum & NEED_INFO) != 0;
    cur->needType = (idxNum & NEED_TYPE) != 0;
    cur->needStat = idxNum & (NEED_STAT_ALL | NEED_STAT_INODE | NEED_STAT_DELETED | NEED_STAT_PATH);
    cur->eof = 0;
    closeProcess(cur);
    fdBpfIterStop(&cur->bpfIt);
    cur->viaBpf = 0;
    int rc = vtabKeysetFromColumns(&cur->pids, idxNum, 1u << PUSH_PID | 1u << PUSH_ARG_PID, argv,
                                   &cur->byPid);
    if (rc == SQLITE_OK)
        rc = vtabKeysetFromColumns(&cur->fds, idxNum, 1u << PUSH_FD, argv, &cur->byFd);
    if (rc == SQLITE_OK)
        rc = vtabKeysetFromColumns(&cur->inodes, idxNum, 1u << PUSH_INODE, argv, &cur->byInode);
    if (rc != SQLITE_OK) return rc;

    if (cur->byInode && cur->inodes.n == 0) { /* inode = NULL: no walk can match */
        cur->eof = 1;
        return SQLITE_OK;
    }
    if (cur->byInode && !cur->byPid && !cur->byFd) {
        if (!cur->mapBuilt && (rc = fdsBuildMap(cur)) != SQLITE_OK) return rc;
        cur->nextKey = 0;
        cur->nextRef = cur->mapLen;
    } else if (!cur->byPid && !cur->byFd &&
               (rc = startKernelWalk(cur, cur->needLink ? FD_BPF_FULL : FD_BPF_IDS)) != 0) {
        if (rc < 0) return -rc;
        cur->viaBpf = 1;
    } else {
        VTAB_CONN(base)->fds.last = "proc";
        rc = vtabPidIterStart(base, "fds", &cur->it, cur->procfd, cur->byPid ? &cur->pids : NULL);
        if (rc != SQLITE_OK) return rc;
    }
    return fdsNext(base);
}

static int fdsEof(sqlite3_vtab_cursor *base)
{
    return ((FdsCursor *)base)->eof;
}

static int fdsRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    FdsCursor *cur = (FdsCursor *)base;
    *rowid = (sqlite3_int64)cur->pid << 32 | (sqlite3_int64)(unsigned)cur->fd;
    return SQLITE_OK;
}

/* The process's locks on the file are the "lock:" lines of its fdinfo (no /proc/locks, whose
 * read may wait for an RCU grace period: ~11 ms measured). */
static const char *rowLock(FdsCursor *cur, char *letter)
{
    const struct fd_info *info = rowInfo(cur);
    if (!info || !info->lock) return NULL;
    *letter = info->lock;
    return letter;
}

static void resultPath(FdsCursor *cur, sqlite3_context *ctx)
{
    size_t len = cur->link.len, suffix = PROC_DELETED_SUFFIX_LEN;
    if (cur->kind.kind != FD_LINK_PATH) return;
    /* The kernel appends the suffix to unlinked files; a live file may end in it too. */
    if (cur->kind.endsDeleted && rowDeleted(cur) == 1) len -= suffix;
    vtabResultText(ctx, cur->link.data, len);
}

static int fdsColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    FdsCursor *cur = (FdsCursor *)base;
    const struct stat *st;
    const struct fd_info *info;
    unsigned long long ino;
    const char *text;
    char letter;

    switch (col) {
    case COL_PID:
    case COL_ARG_PID: sqlite3_result_int(ctx, cur->pid); return SQLITE_OK;
    case COL_FD: sqlite3_result_int(ctx, cur->fd); return SQLITE_OK;
    }
    if (!cur->haveLink) return SQLITE_OK; /* only when no column but pid and fd is used */

    switch (col) {
    case COL_TYPE:
        if ((text = rowType(cur)) != NULL) vtabResultWord(ctx, text);
        break;
    case COL_MODE:
        if ((info = rowInfo(cur)) != NULL && (letter = fdInfoMode(info->flags)) != 0)
            vtabResultLetter(ctx, letter);
        break;
    case COL_TARGET: vtabResultText(ctx, cur->link.data, cur->link.len); break;
    case COL_PATH: resultPath(cur, ctx); break;
    case COL_DELETED: {
        int d = rowDeleted(cur);
        if (d >= 0) sqlite3_result_int(ctx, d);
        break;
    }
    case COL_INODE:
        if (rowInode(cur, &ino)) sqlite3_result_int64(ctx, (sqlite3_int64)ino);
        break;
    case COL_DEVICE:
        if ((st = rowStat(cur)) != NULL) {
            /* lsof prints a device file's own number (rdev), else the file system's. */
            dev_t d = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ? st->st_rdev : st->st_dev;
            vtabResultDevice(ctx, major(d), minor(d));
        }
        break;
    case COL_SIZE:
        if ((st = rowStat(cur)) != NULL && (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)))
            sqlite3_result_int64(ctx, (sqlite3_int64)st->st_size);
        break;
    case COL_POS:
        if ((info = rowInfo(cur)) != NULL) sqlite3_result_int64(ctx, info->pos);
        break;
    case COL_FLAGS:
        if ((info = rowInfo(cur)) != NULL) sqlite3_result_int64(ctx, info->flags);
        break;
    case COL_MNT_ID:
        if ((info = rowInfo(cur)) != NULL) sqlite3_result_int(ctx, info->mntId);
        break;
    case COL_LOCK:
        if (rowLock(cur, &letter)) vtabResultLetter(ctx, letter);
        break;
    }
    if (cur->nomem) sqlite3_result_error_nomem(ctx); /* a lazy read above ran out of memory */
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
