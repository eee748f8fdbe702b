/*
** The `maps` table: one row per memory mapping of every process, from /proc/PID/maps.
** It feeds lsof's txt/mem/DEL rows and answers "who maps this library".
**
**     CREATE TABLE maps(
**       pid INTEGER,     -- pushed down: = and IN read only those processes
**       start INTEGER,   -- first address (64-bit; kernel addresses read as negative)
**       end INTEGER,     -- one past the last address
**       perms TEXT,      -- "r-xp": read, write, execute, p(rivate) or s(hared)
**       offset INTEGER,  -- offset into the file
**       device TEXT,     -- "major,minor" of the file's device, as lsof prints it
**       inode INTEGER,   -- 0 for anonymous mappings
**       path TEXT,       -- file path or [heap], [stack], [vdso] ...; NULL when anonymous
**       deleted INTEGER, -- 1 when the mapped file has been unlinked
**       arg_pid HIDDEN   -- maps(1234) means pid = 1234
**     );
**
**     SELECT DISTINCT pid FROM maps WHERE path LIKE '%/libssl.so%';
*/
#include "tables/tables.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "proc/maps_parse.h"
#include "proc/pid_iter.h"
#include "proc/proc_parse.h"
#include "vtab/vtab.h"

enum {
    COL_PID,
    COL_START,
    COL_END,
    COL_PERMS,
    COL_OFFSET,
    COL_DEVICE,
    COL_INODE,
    COL_PATH,
    COL_DELETED,
    COL_ARG_PID
};

static const char mapsSchema[] =
    "CREATE TABLE x(pid INTEGER, start INTEGER, \"end\" INTEGER, perms TEXT, offset INTEGER,"
    " device TEXT, inode INTEGER, path TEXT, deleted INTEGER, arg_pid HIDDEN)";

/*
** xBestIndex → xFilter. Pushable columns, in idxNum bit order (see vtab.h):
**   bit 0  pid = ? or pid IN (...)          argv: the value or the list
**   bit 1  arg_pid = ? (maps(1234))         argv: the value
*/
enum { PUSH_PID, PUSH_ARG_PID, PUSH_COUNT };
static const struct vtab_push mapsPush[PUSH_COUNT] = {
    [PUSH_PID] = {.name = "pid", .iColumn = COL_PID},
    [PUSH_ARG_PID] = {.name = "arg_pid", .iColumn = COL_ARG_PID}};

typedef struct MapsCursor MapsCursor;
struct MapsCursor {
    sqlite3_vtab_cursor base;
    int procfd;
    struct pid_iter it;
    struct keyset pids;
    int pushed; /* pids came from the query: check each is a leader */
    int eof;

    int pid;
    int dirfd;          /* /proc/PID of the current process, -1 between processes */
    struct buf text;    /* its maps file */
    size_t next;        /* offset of the next line in text */
    struct map_entry e; /* the current row */
    int deleted;
    int nomem; /* reading a maps file ran out of memory */
    struct buf scratch;
};

static int mapsBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
    (void)vtab;
    int idxNum = vtabPushEq(info, mapsPush, PUSH_COUNT);
    int byPid = VTAB_PUSHED(idxNum, PUSH_PID) || VTAB_PUSHED(idxNum, PUSH_ARG_PID);
    /* A process has a few hundred mappings; a host, a few hundred thousand. */
    info->estimatedRows = byPid ? 300 : 300000;
    info->estimatedCost = byPid ? 400 : 400000;
    info->idxNum = idxNum;
    return SQLITE_OK;
}

static int mapsOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **ppCursor)
{
    int rc = vtabOpenProcCursor(vtab, "maps", sizeof(MapsCursor), offsetof(MapsCursor, procfd),
                                ppCursor);
    if (rc == SQLITE_OK) ((MapsCursor *)*ppCursor)->dirfd = -1;
    return rc;
}

static void leaveProcess(MapsCursor *cur)
{
    if (cur->dirfd >= 0) close(cur->dirfd);
    cur->dirfd = -1;
}

static int mapsClose(sqlite3_vtab_cursor *base)
{
    MapsCursor *cur = (MapsCursor *)base;
    leaveProcess(cur);
    pidIterStop(&cur->it);
    keysetFree(&cur->pids);
    bufFree(&cur->text);
    bufFree(&cur->scratch);
    return vtabCloseProcCursor(base, cur->procfd);
}

/* Reads the maps of the next process that has any; 0 when there are no more processes. */
static int enterNextProcess(MapsCursor *cur)
{
    leaveProcess(cur);
    while (pidIterNext(&cur->it, &cur->pid)) {
        int dirfd = procOpenPid(cur->procfd, cur->pid);
        if (dirfd < 0) continue; /* gone */
        int rc = -ENOENT;
        if (!cur->pushed || procIsLeader(cur->procfd, cur->pid, &cur->scratch))
            rc = bufReadFileAt(&cur->text, dirfd, "maps");
        if (rc == -ENOMEM) {
            cur->nomem = 1;
            close(dirfd);
            return 0;
        }
        if (rc == 0 && cur->text.len > 0) {
            cur->dirfd = dirfd;
            cur->next = 0;
            return 1;
        }
        close(dirfd); /* a thread, gone, not ours to read, or a kernel thread */
    }
    return 0;
}

/* The kernel marks an unlinked file " (deleted)"; a file may also be named so. */
static int isDeleted(MapsCursor *cur)
{
    if (!cur->e.deletedSuffix) return 0;
    char name[64];
    struct stat st;
    snprintf(name, sizeof name, "map_files/%llx-%llx", (unsigned long long)cur->e.start,
             (unsigned long long)cur->e.end);
    if (fstatat(cur->dirfd, name, &st, 0) == 0) return st.st_nlink == 0;
    return 1; /* map_files needs CAP_SYS_ADMIN; trust the kernel's marker */
}

static int mapsNext(sqlite3_vtab_cursor *base)
{
    MapsCursor *cur = (MapsCursor *)base;
    for (;;) {
        while (cur->dirfd >= 0 && cur->next < cur->text.len) {
            const char *line = cur->text.data + cur->next;
            const char *nl = memchr(line, '\n', cur->text.len - cur->next);
            size_t len = nl ? (size_t)(nl - line) : cur->text.len - cur->next;
            cur->next += len + 1;
            if (mapsParseLine(line, len, &cur->e) == 0) {
                /* A live file really named "... (deleted)" keeps its whole name. */
                cur->deleted = isDeleted(cur);
                if (cur->e.deletedSuffix && !cur->deleted)
                    cur->e.pathLen += PROC_DELETED_SUFFIX_LEN;
                return SQLITE_OK;
            }
        }
        if (!enterNextProcess(cur)) {
            cur->eof = 1;
            return cur->nomem ? SQLITE_NOMEM : SQLITE_OK;
        }
    }
}

static int mapsFilter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
                      sqlite3_value **argv)
{
    (void)idxStr, (void)argc;
    MapsCursor *cur = (MapsCursor *)base;
    cur->eof = 0;
    leaveProcess(cur);
    int rc = vtabKeysetFromColumns(&cur->pids, idxNum, 1u << PUSH_PID | 1u << PUSH_ARG_PID, argv,
                                   &cur->pushed);
    if (rc != SQLITE_OK) return rc;
    rc = vtabPidIterStart(base, "maps", &cur->it, cur->procfd, cur->pushed ? &cur->pids : NULL);
    return rc == SQLITE_OK ? mapsNext(base) : rc;
}

static int mapsEof(sqlite3_vtab_cursor *base)
{
    return ((MapsCursor *)base)->eof;
}

/* The row's key, pid and start: a mapping keeps its rowid when others come or go between two
 * xFilter calls (OR branches re-read the file), where its line number would not. */
static int mapsRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    MapsCursor *cur = (MapsCursor *)base;
    const struct {
        sqlite3_int64 pid;
        sqlite3_uint64 start;
    } key = {cur->pid, cur->e.start};
    *rowid = vtabRowidOf(&key, sizeof key);
    return SQLITE_OK;
}

static int mapsColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    MapsCursor *cur = (MapsCursor *)base;
    const struct map_entry *e = &cur->e;
    switch (col) {
    case COL_PID:
    case COL_ARG_PID: sqlite3_result_int(ctx, cur->pid); break;
    case COL_START: sqlite3_result_int64(ctx, (sqlite3_int64)e->start); break;
    case COL_END: sqlite3_result_int64(ctx, (sqlite3_int64)e->end); break;
    case COL_PERMS: vtabResultText(ctx, e->perms, strlen(e->perms)); break;
    case COL_OFFSET: sqlite3_result_int64(ctx, (sqlite3_int64)e->offset); break;
    case COL_DEVICE: vtabResultDevice(ctx, e->major, e->minor); break;
    case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)e->inode); break;
    case COL_PATH:
        if (e->path) vtabResultText(ctx, e->path, e->pathLen);
        break;
    case COL_DELETED: sqlite3_result_int(ctx, cur->deleted); break;
    }
    return SQLITE_OK;
}

static sqlite3_module mapsModule = VTAB_MODULE(maps);

int mapsRegister(sqlite3 *db)
{
    return sqlite3_create_module(db, "maps", &mapsModule, (void *)mapsSchema);
}
