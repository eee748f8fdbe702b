/*
** The `fd_details` table: what each descriptor of a kind beyond lsof's TYPE holds, from its link
** text and fdinfo, one row per such fd (fds that are plain files, pipes or devices have none).
** Anon-inode kinds are told apart by their own id, never by the one anon inode they share.
**
**     CREATE TABLE fd_details(
**       pid INTEGER, fd INTEGER, -- pushed (=, IN): only those processes / exactly those fds
**       kind TEXT,          -- eventfd eventpoll inotify fanotify timerfd signalfd pidfd io_uring
**                           --   bpf-map bpf-prog bpf-link anon memfd nsfs pty tun mqueue socket
**       id INTEGER,         -- the object's own id: eventfd-id, BPF map/prog/link id, a pty's
**                           --   tty index, a namespace's inode
**       name TEXT,          -- memfd: its name; mqueue: the queue's name ("/q")
**       count INTEGER, semaphore INTEGER,      -- eventfd
**       targets INTEGER,    -- eventpoll: fds watched (epoll_targets); inotify: watches
**                           --   (inotify_watches)
**       clock TEXT, interval REAL, remaining REAL, ticks INTEGER, -- timerfd (seconds)
**       signals TEXT,       -- signalfd: 'SIGUSR1,SIGUSR2'
**       target_pid INTEGER, exited INTEGER,    -- pidfd: the process; 1 once it has exited
**       ns_type TEXT,       -- nsfs: net mnt pid user uts ipc cgroup time ...
**       pty_side TEXT,      -- pty: master or slave
**       iface TEXT,         -- tun/tap: the interface attached
**       mq_size INTEGER, mq_notify_pid INTEGER, mq_signo INTEGER, -- mqueue
**       bpf_type TEXT,      -- map_type, prog_type, link_type as fdinfo writes it
**       seals TEXT,         -- memfd: 'shrink,grow' (F_GET_SEALS)
**       protocol TEXT,      -- socket: the kernel's protocol name (TCP, UDPv6, PACKET, ...)
**       sock_type TEXT,     -- packet socket: SOCK_RAW or SOCK_DGRAM
**       arg_pid HIDDEN      -- fd_details(1234) means pid = 1234
**     );
**
**     SELECT f.pid, f.fd, d.id, d.count FROM fds f JOIN fd_details d USING(pid, fd)
**     WHERE d.kind = 'eventfd';
**
** Cost per fd: a readlink; a statfs of a link that names one file at a root ("/q": a message
** queue's only form); fdinfo only when a column from it is used; for seals and mq_* one open of
** /proc/PID/fd/N (O_RDONLY, closed at once: reading a queue's file reads its counters, no
** message); getxattr for protocol; /proc/PID/net/packet for sock_type. Races skip the row.
*/
#include "tables/tables.h"

#include "tables/kind_tables.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fd/fd_kind.h"
#include "fd/fd_link.h"
#include "fd/fd_scan.h"
#include "vtab/vtab.h"

enum {
    COL_PID,
    COL_FD,
    COL_KIND,
    COL_ID,
    COL_NAME,
    COL_COUNT,
    COL_SEMAPHORE,
    COL_TARGETS,
    COL_CLOCK,
    COL_INTERVAL,
    COL_REMAINING,
    COL_TICKS,
    COL_SIGNALS,
    COL_TARGET_PID,
    COL_EXITED,
    COL_NS_TYPE,
    COL_PTY_SIDE,
    COL_IFACE,
    COL_MQ_SIZE,
    COL_MQ_NOTIFY_PID,
    COL_MQ_SIGNO,
    COL_BPF_TYPE,
    COL_SEALS,
    COL_PROTOCOL,
    COL_SOCK_TYPE,
    COL_ARG_PID,
};

static const char fdDetailsSchema[] =
    "CREATE TABLE x(pid INTEGER, fd INTEGER, kind TEXT, id INTEGER, name TEXT, count INTEGER,"
    " semaphore INTEGER, targets INTEGER, clock TEXT, interval REAL, remaining REAL,"
    " ticks INTEGER, signals TEXT, target_pid INTEGER, exited INTEGER, ns_type TEXT,"
    " pty_side TEXT, iface TEXT, mq_size INTEGER, mq_notify_pid INTEGER, mq_signo INTEGER,"
    " bpf_type TEXT, seals TEXT, protocol TEXT, sock_type TEXT, arg_pid HIDDEN)";

/*
** xBestIndex → xFilter (fdScanBestIndex, fdScanFilter; epoll_targets and inotify_watches plan
** the same way), argv in this order:
**   bit 0  pid = ? or pid IN (...)
**   bit 1  fd = ? or fd IN (...)
**   bit 2  arg_pid = ?
*/
static const struct vtab_push fdDetailsPush[KIND_PUSH_COUNT] = {
    [KIND_PUSH_PID] = {.name = "pid", .iColumn = COL_PID},
    [KIND_PUSH_FD] = {.name = "fd", .iColumn = COL_FD},
    [KIND_PUSH_ARG_PID] = {.name = "arg_pid", .iColumn = COL_ARG_PID}};

/* What a row has read: each at most once. */
#define ROW_INFO  1
#define ROW_OPEN  2
#define ROW_PROTO 4

typedef struct FdDetailsCursor FdDetailsCursor;
struct FdDetailsCursor {
    sqlite3_vtab_cursor base;
    int procfd;
    struct fd_scan scan;
    struct keyset pids, fds;
    int eof;

    enum fd_kind kind;
    struct fd_link link;
    unsigned tried, ok; /* ROW_* */
    struct buf info;
    struct fd_details d;
    struct fd_mqueue mq;
    int seals;
    char proto[32];
};

int fdScanBestIndex(sqlite3_index_info *info, const struct vtab_push *push, double perFd)
{
    int idxNum = vtabPushEq(info, push, KIND_PUSH_COUNT);
    int byPid = VTAB_PUSHED(idxNum, KIND_PUSH_PID) || VTAB_PUSHED(idxNum, KIND_PUSH_ARG_PID);
    int byFd = VTAB_PUSHED(idxNum, KIND_PUSH_FD);
    /* A process has a few dozen such descriptors; a host, tens of thousands. */
    info->estimatedRows = (sqlite3_int64)(perFd * (byPid && byFd ? 1 : byPid ? 20 : 20000));
    info->estimatedCost = byPid && byFd ? 5 : byPid ? 100 : 100000;
    if (perFd == 1 && byPid && byFd && !VTAB_IS_IN(idxNum, KIND_PUSH_PID) &&
        !VTAB_IS_IN(idxNum, KIND_PUSH_FD))
        info->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
    info->idxNum = idxNum;
    return SQLITE_OK;
}

int fdScanFilter(sqlite3_vtab_cursor *base, const char *table, struct fd_scan *scan,
                 struct keyset *pids, struct keyset *fds, int idxNum, sqlite3_value **argv)
{
    int byPid = 0, byFd = 0;
    int rc = vtabKeysetFromColumns(pids, idxNum, 1u << KIND_PUSH_PID | 1u << KIND_PUSH_ARG_PID,
                                   argv, &byPid);
    if (rc == SQLITE_OK) rc = vtabKeysetFromColumns(fds, idxNum, 1u << KIND_PUSH_FD, argv, &byFd);
    if (rc != SQLITE_OK) return rc;
    rc = fdScanStart(scan, byPid ? pids : NULL, byFd ? fds : NULL);
    if (rc != 0) return vtabError(base->pVtab, "%s: cannot read /proc: %s", table, strerror(-rc));
    return SQLITE_OK;
}

static int fdDetailsBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
    (void)vtab;
    return fdScanBestIndex(info, fdDetailsPush, 1);
}

static int fdDetailsOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **ppCursor)
{
    int rc = vtabOpenProcCursor(vtab, "fd_details", sizeof(FdDetailsCursor),
                                offsetof(FdDetailsCursor, procfd), ppCursor);
    if (rc == SQLITE_OK) {
        FdDetailsCursor *c = (FdDetailsCursor *)*ppCursor;
        fdScanInit(&c->scan, c->procfd);
    }
    return rc;
}

static int fdDetailsClose(sqlite3_vtab_cursor *base)
{
    FdDetailsCursor *cur = (FdDetailsCursor *)base;
    fdScanFree(&cur->scan);
    keysetFree(&cur->pids);
    keysetFree(&cur->fds);
    bufFree(&cur->info);
    return vtabCloseProcCursor(base, cur->procfd);
}

/* The kind of the scan's current fd, NONE to skip it. */
static enum fd_kind rowKind(FdDetailsCursor *cur)
{
    const struct buf *l = &cur->scan.row.link;
    enum fd_kind kind = fdKindOfLink(l->data, l->len);
    if (kind == FD_KIND_NONE && fdRowIsQueue(&cur->scan.row)) kind = FD_KIND_MQUEUE;
    return kind;
}

static int fdDetailsNext(sqlite3_vtab_cursor *base)
{
    FdDetailsCursor *cur = (FdDetailsCursor *)base;
    for (;;) {
        int rc = fdScanNext(&cur->scan);
        if (rc < 0) return SQLITE_NOMEM;
        if (rc == 0) {
            cur->eof = 1;
            return SQLITE_OK;
        }
        cur->kind = rowKind(cur);
        if (cur->kind == FD_KIND_NONE) continue;
        fdLinkClassify(cur->scan.row.link.data, cur->scan.row.link.len, &cur->link);
        cur->tried = cur->ok = 0;
        return SQLITE_OK;
    }
}

static int fdDetailsFilter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
                           sqlite3_value **argv)
{
    (void)idxStr, (void)argc;
    FdDetailsCursor *cur = (FdDetailsCursor *)base;
    cur->eof = 0;
    int rc = fdScanFilter(base, "fd_details", &cur->scan, &cur->pids, &cur->fds, idxNum, argv);
    if (rc != SQLITE_OK) return rc;
    return fdDetailsNext(base);
}

static int fdDetailsEof(sqlite3_vtab_cursor *base)
{
    return ((FdDetailsCursor *)base)->eof;
}

static int fdDetailsRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    FdDetailsCursor *cur = (FdDetailsCursor *)base;
    const int key[2] = {cur->scan.row.pid, cur->scan.row.fd};
    *rowid = vtabRowidOf(key, sizeof key);
    return SQLITE_OK;
}

/* The row's fdinfo details, read on first use; NULL when they cannot be read. */
static const struct fd_details *rowDetails(FdDetailsCursor *cur)
{
    if (!(cur->tried & ROW_INFO)) {
        cur->tried |= ROW_INFO;
        if (fdScanInfo(&cur->scan, &cur->info) == 0 &&
            fdDetailsParse(cur->kind, cur->info.data, cur->info.len, &cur->d) == 0)
            cur->ok |= ROW_INFO;
    }
    return cur->ok & ROW_INFO ? &cur->d : NULL;
}

/* Opens the fd's file again (read-only) for what only the file tells: seals, queue counters. */
static int rowOpened(FdDetailsCursor *cur)
{
    if (!(cur->tried & ROW_OPEN)) {
        char path[64], text[256];
        cur->tried |= ROW_OPEN;
        fdScanPath(&cur->scan, path, sizeof path);
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) return 0;
        if (cur->kind == FD_KIND_MEMFD) {
            cur->seals = fcntl(fd, F_GET_SEALS);
            if (cur->seals >= 0) cur->ok |= ROW_OPEN;
        } else if (cur->kind == FD_KIND_MQUEUE) {
            ssize_t n = read(fd, text, sizeof text - 1);
            if (n > 0 && fdMqueueParse(text, (size_t)n, &cur->mq) == 0) cur->ok |= ROW_OPEN;
        }
        close(fd);
    }
    return (cur->ok & ROW_OPEN) != 0;
}

static const char *rowProtocol(FdDetailsCursor *cur)
{
    if (!(cur->tried & ROW_PROTO)) {
        char path[64];
        cur->tried |= ROW_PROTO;
        fdScanPath(&cur->scan, path, sizeof path);
        ssize_t n = getxattr(path, "system.sockprotoname", cur->proto, sizeof cur->proto - 1);
        if (n > 0) {
            cur->proto[n] = '\0';
            cur->ok |= ROW_PROTO;
        }
    }
    return cur->ok & ROW_PROTO ? cur->proto : NULL;
}

/* A packet socket's SOCK_* type, from the /proc/PID/net/packet of its process's namespace. */
static void resultSockType(FdDetailsCursor *cur, sqlite3_context *ctx)
{
    const char *proto = rowProtocol(cur);
    if (!proto || strcmp(proto, "PACKET") != 0) return;
    char name[48];
    snprintf(name, sizeof name, "%d/net/packet", cur->scan.row.pid);
    if (bufReadFileAt(&cur->info, cur->procfd, name) != 0) return;
    cur->tried &= ~(unsigned)ROW_INFO; /* the buffer no longer holds the fdinfo */
    cur->ok &= ~(unsigned)ROW_INFO;
    int type = fdPacketSockType(cur->info.data, cur->info.len, cur->link.inode);
    if (type == 3) vtabResultWord(ctx, "SOCK_RAW");
    if (type == 2) vtabResultWord(ctx, "SOCK_DGRAM");
}

static void resultId(FdDetailsCursor *cur, sqlite3_context *ctx)
{
    const struct buf *l = &cur->scan.row.link;
    if (cur->kind == FD_KIND_NSFS && cur->link.hasInode) {
        sqlite3_result_int64(ctx, (sqlite3_int64)cur->link.inode);
    } else if (cur->kind == FD_KIND_PTY_SLAVE) {
        sqlite3_result_int64(ctx, atoll(l->data + strlen("/dev/pts/")));
    } else {
        const struct fd_details *d = rowDetails(cur);
        if (d && d->has & FD_HAS_ID) sqlite3_result_int64(ctx, d->id);
    }
}

/* The memfd's or queue's name (COL_NAME), or the namespace's type (COL_NS_TYPE). */
static void resultName(FdDetailsCursor *cur, sqlite3_context *ctx, int col)
{
    const char *name;
    size_t len;
    const struct buf *l = &cur->scan.row.link;
    if (col == COL_NAME && cur->kind == FD_KIND_MQUEUE)
        vtabResultText(ctx, l->data, cur->link.endsDeleted ? l->len - 10 : l->len);
    else if ((col == COL_NAME) == (cur->kind == FD_KIND_MEMFD) &&
             fdKindLinkName(cur->kind, l->data, l->len, &name, &len))
        vtabResultText(ctx, name, len);
}

static void resultText(sqlite3_context *ctx, const char *s)
{
    if (s) vtabResultText(ctx, s, strlen(s));
}

/* The columns read from fdinfo; D is NULL when it could not be read. */
static void resultFromInfo(FdDetailsCursor *cur, sqlite3_context *ctx, int col)
{
    const struct fd_details *d = rowDetails(cur);
    if (!d) return;
    char text[512];
    switch (col) {
    case COL_COUNT:
    case COL_SEMAPHORE:
        if (d->has & FD_HAS_COUNT)
            sqlite3_result_int64(ctx, col == COL_COUNT ? (sqlite3_int64)d->count : d->semaphore);
        break;
    case COL_TARGETS:
        if (cur->kind == FD_KIND_EVENTPOLL || cur->kind == FD_KIND_INOTIFY)
            sqlite3_result_int(ctx, d->targets);
        break;
    case COL_CLOCK:
        if (d->has & FD_HAS_TIMER) resultText(ctx, fdClockName(d->clockid));
        break;
    case COL_INTERVAL:
        if (d->has & FD_HAS_TIMER) sqlite3_result_double(ctx, d->interval);
        break;
    case COL_REMAINING:
        if (d->has & FD_HAS_TIMER) sqlite3_result_double(ctx, d->remaining);
        break;
    case COL_TICKS:
        if (d->has & FD_HAS_TIMER) sqlite3_result_int64(ctx, d->ticks);
        break;
    case COL_SIGNALS:
        if (d->has & FD_HAS_SIGMASK) {
            fdSignalNames(d->sigmask, text, sizeof text);
            resultText(ctx, text);
        }
        break;
    case COL_TARGET_PID:
        if (d->has & FD_HAS_PID && d->pid > 0) sqlite3_result_int64(ctx, d->pid);
        break;
    case COL_EXITED:
        if (d->has & FD_HAS_PID) sqlite3_result_int(ctx, d->pid <= 0);
        break;
    case COL_IFACE:
        if (d->has & FD_HAS_IFACE) resultText(ctx, d->iface);
        break;
    case COL_BPF_TYPE:
        if (d->has & FD_HAS_BPFTYPE) resultText(ctx, d->bpfType);
        break;
    }
}

static void resultFromFile(FdDetailsCursor *cur, sqlite3_context *ctx, int col)
{
    char text[96];
    if (col == COL_SEALS && cur->kind == FD_KIND_MEMFD && rowOpened(cur)) {
        fdSealNames((unsigned)cur->seals, text, sizeof text);
        resultText(ctx, text);
    } else if (col != COL_SEALS && cur->kind == FD_KIND_MQUEUE && rowOpened(cur)) {
        sqlite3_result_int64(ctx, col == COL_MQ_SIZE         ? cur->mq.size
                                  : col == COL_MQ_NOTIFY_PID ? cur->mq.notifyPid
                                                             : cur->mq.signo);
    }
}

static int fdDetailsColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    FdDetailsCursor *cur = (FdDetailsCursor *)base;
    switch (col) {
    case COL_PID:
    case COL_ARG_PID: sqlite3_result_int(ctx, cur->scan.row.pid); break;
    case COL_FD: sqlite3_result_int(ctx, cur->scan.row.fd); break;
    case COL_KIND: vtabResultWord(ctx, fdKindName(cur->kind)); break;
    case COL_ID: resultId(cur, ctx); break;
    case COL_NAME:
    case COL_NS_TYPE: resultName(cur, ctx, col); break;
    case COL_PTY_SIDE:
        if (cur->kind == FD_KIND_PTY_MASTER) vtabResultWord(ctx, "master");
        if (cur->kind == FD_KIND_PTY_SLAVE) vtabResultWord(ctx, "slave");
        break;
    case COL_SEALS:
    case COL_MQ_SIZE:
    case COL_MQ_NOTIFY_PID:
    case COL_MQ_SIGNO: resultFromFile(cur, ctx, col); break;
    case COL_PROTOCOL:
        if (cur->kind == FD_KIND_SOCKET) resultText(ctx, rowProtocol(cur));
        break;
    case COL_SOCK_TYPE:
        if (cur->kind == FD_KIND_SOCKET) resultSockType(cur, ctx);
        break;
    default: resultFromInfo(cur, ctx, col);
    }
    return SQLITE_OK;
}

static sqlite3_module fdDetailsModule = VTAB_MODULE(fdDetails);

int fdDetailsRegister(sqlite3 *db)
{
    return sqlite3_create_module(db, "fd_details", &fdDetailsModule, (void *)fdDetailsSchema);
}
