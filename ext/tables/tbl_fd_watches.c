/*
** Two tables of what one descriptor watches, one row per line of its fdinfo:
**
**     CREATE TABLE epoll_targets(
**       pid INTEGER, fd INTEGER, -- the epoll fd; pushed (=, IN)
**       target_fd INTEGER,       -- the fd it watches, a number in the same process
**       events INTEGER,          -- EPOLL* bits asked for (EPOLLIN 1, EPOLLOUT 4, ...)
**       target_inode INTEGER,    -- the watched file's inode (the anon inode for anon kinds:
**                                --   join on pid and target_fd, not on it)
**       target_device TEXT,      -- "major,minor" of the watched file's device
**       data INTEGER,            -- the user's epoll_data word (often the fd again)
**       arg_pid HIDDEN
**     );
**     CREATE TABLE inotify_watches(
**       pid INTEGER, fd INTEGER, -- the inotify fd; pushed (=, IN)
**       wd INTEGER,              -- the watch descriptor inotify_add_watch returned
**       inode INTEGER, device TEXT, -- the watched file, as fds and file_stat give them
**       mask INTEGER, ignored_mask INTEGER,  -- IN_* bits
**       arg_pid HIDDEN
**     );
**
**     SELECT e.fd, e.target_fd, f.target FROM epoll_targets(1234) e
**     JOIN fds f ON f.pid = e.pid AND f.fd = e.target_fd;
**
** Cost: a readlink per fd of the processes asked for, an fdinfo read per epoll or inotify fd.
** argv order and idxNum bits as in fd_details: pid, fd, arg_pid.
*/
#include "tables/tables.h"

#include "tables/kind_tables.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fd/fd_kind.h"
#include "fd/fd_scan.h"
#include "vtab/vtab.h"

enum { COL_PID, COL_FD, COL_A, COL_B, COL_C, COL_D, COL_E, COL_ARG_PID };

static const char epollSchema[] =
    "CREATE TABLE x(pid INTEGER, fd INTEGER, target_fd INTEGER, events INTEGER,"
    " target_inode INTEGER, target_device TEXT, data INTEGER, arg_pid HIDDEN)";
static const char inotifySchema[] =
    "CREATE TABLE x(pid INTEGER, fd INTEGER, wd INTEGER, inode INTEGER, device TEXT,"
    " mask INTEGER, ignored_mask INTEGER, arg_pid HIDDEN)";

static const struct vtab_push watchesPush[KIND_PUSH_COUNT] = {
    [KIND_PUSH_PID] = {.name = "pid", .iColumn = COL_PID},
    [KIND_PUSH_FD] = {.name = "fd", .iColumn = COL_FD},
    [KIND_PUSH_ARG_PID] = {.name = "arg_pid", .iColumn = COL_ARG_PID}};

/* Each table's vtab: which kind of fd it reads. */
typedef struct WatchesVtab {
    sqlite3_vtab base;
    enum fd_kind kind;
} WatchesVtab;

typedef struct WatchesCursor WatchesCursor;
struct WatchesCursor {
    sqlite3_vtab_cursor base;
    int procfd;
    enum fd_kind kind;
    struct fd_scan scan;
    struct keyset pids, fds;
    struct buf info; /* the current fd's fdinfo */
    size_t pos;      /* the next line in it */
    int inFd;        /* info holds a watching fd's lines */
    int eof;
    struct fd_epoll_target target;
    struct fd_inotify_watch watch;
};

static int watchesConnect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                          sqlite3_vtab **ppVtab, char **pzErr)
{
    (void)argc, (void)argv, (void)pzErr;
    enum fd_kind kind = (enum fd_kind)(intptr_t)aux;
    int rc = sqlite3_declare_vtab(db, kind == FD_KIND_EVENTPOLL ? epollSchema : inotifySchema);
    if (rc != SQLITE_OK) return rc;
    WatchesVtab *v = sqlite3_malloc(sizeof *v);
    if (!v) return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    v->kind = kind;
    sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
    *ppVtab = &v->base;
    return SQLITE_OK;
}

static int watchesBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
    (void)vtab;
    return fdScanBestIndex(info, watchesPush, 4);
}

static int watchesOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **ppCursor)
{
    int rc = vtabOpenProcCursor(vtab, "epoll_targets", sizeof(WatchesCursor),
                                offsetof(WatchesCursor, procfd), ppCursor);
    if (rc != SQLITE_OK) return rc;
    WatchesCursor *cur = (WatchesCursor *)*ppCursor;
    cur->kind = ((WatchesVtab *)vtab)->kind;
    fdScanInit(&cur->scan, cur->procfd);
    return SQLITE_OK;
}

static int watchesClose(sqlite3_vtab_cursor *base)
{
    WatchesCursor *cur = (WatchesCursor *)base;
    fdScanFree(&cur->scan);
    keysetFree(&cur->pids);
    keysetFree(&cur->fds);
    bufFree(&cur->info);
    return vtabCloseProcCursor(base, cur->procfd);
}

/* The next line of the current fd's fdinfo that is a target or watch: 1, else 0. */
static int nextLine(WatchesCursor *cur)
{
    if (cur->kind == FD_KIND_EVENTPOLL)
        return fdEpollNext(cur->info.data, cur->info.len, &cur->pos, &cur->target);
    return fdInotifyNext(cur->info.data, cur->info.len, &cur->pos, &cur->watch);
}

static int watchesNext(sqlite3_vtab_cursor *base)
{
    WatchesCursor *cur = (WatchesCursor *)base;
    for (;;) {
        if (cur->inFd && nextLine(cur)) return SQLITE_OK;
        cur->inFd = 0;
        int rc = fdScanNext(&cur->scan);
        if (rc < 0) return SQLITE_NOMEM;
        if (rc == 0) {
            cur->eof = 1;
            return SQLITE_OK;
        }
        if (fdKindOfLink(cur->scan.row.link.data, cur->scan.row.link.len) != cur->kind) continue;
        rc = fdScanInfo(&cur->scan, &cur->info);
        if (rc == -ENOMEM) return SQLITE_NOMEM;
        cur->inFd = rc == 0; /* closed since: skipped */
        cur->pos = 0;
    }
}

static int watchesFilter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
                         sqlite3_value **argv)
{
    (void)idxStr, (void)argc;
    WatchesCursor *cur = (WatchesCursor *)base;
    cur->eof = cur->inFd = 0;
    int rc = fdScanFilter(base, "epoll_targets", &cur->scan, &cur->pids, &cur->fds, idxNum, argv);
    if (rc != SQLITE_OK) return rc;
    return watchesNext(base);
}

static int watchesEof(sqlite3_vtab_cursor *base)
{
    return ((WatchesCursor *)base)->eof;
}

/* The row's key: the watching fd and what it watches (a target fd, a wd). */
static int watchesRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    WatchesCursor *cur = (WatchesCursor *)base;
    const int key[3] = {cur->scan.row.pid, cur->scan.row.fd,
                        cur->kind == FD_KIND_EVENTPOLL ? cur->target.fd : cur->watch.wd};
    *rowid = vtabRowidOf(key, sizeof key);
    return SQLITE_OK;
}

static int watchesColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    WatchesCursor *cur = (WatchesCursor *)base;
    const struct fd_epoll_target *t = &cur->target;
    const struct fd_inotify_watch *w = &cur->watch;
    int epoll = cur->kind == FD_KIND_EVENTPOLL;
    switch (col) {
    case COL_PID:
    case COL_ARG_PID: sqlite3_result_int(ctx, cur->scan.row.pid); break;
    case COL_FD: sqlite3_result_int(ctx, cur->scan.row.fd); break;
    case COL_A: sqlite3_result_int(ctx, epoll ? t->fd : w->wd); break;
    case COL_B: sqlite3_result_int64(ctx, epoll ? t->events : (sqlite3_int64)w->inode); break;
    case COL_C:
        if (epoll)
            sqlite3_result_int64(ctx, (sqlite3_int64)t->inode);
        else
            vtabResultDevice(ctx, w->major, w->minor);
        break;
    case COL_D:
        if (epoll)
            vtabResultDevice(ctx, t->major, t->minor);
        else
            sqlite3_result_int64(ctx, w->mask);
        break;
    case COL_E: sqlite3_result_int64(ctx, epoll ? (sqlite3_int64)t->data : w->ignoredMask); break;
    }
    return SQLITE_OK;
}

/* Connected with the kind of each table (epoll_targets or inotify_watches) as its aux. */
static sqlite3_module watchesModule = VTAB_MODULE_CONNECTED(watches, watchesConnect);

int fdWatchesRegister(sqlite3 *db)
{
    int rc = sqlite3_create_module(db, "epoll_targets", &watchesModule,
                                   (void *)(intptr_t)FD_KIND_EVENTPOLL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_module(db, "inotify_watches", &watchesModule,
                                   (void *)(intptr_t)FD_KIND_INOTIFY);
    return rc;
}
