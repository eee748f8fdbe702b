/*
** The `file_stat` table-valued function: what stat(2) says of one path, in the words lsof
** uses. The lsof view reads the cwd, root and executable of each process through it
** (file_stat('/proc/PID/cwd') follows the link into any mount namespace).
**
**     CREATE TABLE file_stat(
**       type TEXT,      -- REG DIR CHR BLK FIFO LINK sock unknown
**       device TEXT,    -- "major,minor" of the device holding the file
**       rdev TEXT,      -- "major,minor" a device file stands for, else NULL
**       inode INTEGER,
**       size INTEGER,
**       nlink INTEGER,  -- 0 for an unlinked file still held open
**       mode INTEGER,   -- permission bits
**       uid INTEGER, gid INTEGER,
**       mtime REAL,     -- Unix epoch seconds
**       path HIDDEN     -- the argument: file_stat('/etc/hosts')
**     );
**
** No row when the path cannot be stat()ed (missing, or not ours to see); an error without a
** path. The rowid is a hash of the path: two paths to one file are two rows.
**
** A path that may lie on a file system that waits for a server (fd/fd_mounts.h: under a FUSE
** or NFS mount point, or a process's cwd, root, exe or fd link into one) is stat()ed by the
** connection's stat guard (util/stat_guard.h), with its deadline: no row when it does not
** answer in time. Any other path is stat()ed here.
*/
#include "tables/tables.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fd/file_type.h"
#include "fd/fd_mounts.h"
#include "tables/conn.h"
#include "vtab/vtab.h"

enum {
    COL_TYPE,
    COL_DEVICE,
    COL_RDEV,
    COL_INODE,
    COL_SIZE,
    COL_NLINK,
    COL_MODE,
    COL_UID,
    COL_GID,
    COL_MTIME,
    COL_PATH
};

static const char fileStatSchema[] =
    "CREATE TABLE x(type TEXT, device TEXT, rdev TEXT, inode INTEGER, size INTEGER,"
    " nlink INTEGER, mode INTEGER, uid INTEGER, gid INTEGER, mtime REAL, path HIDDEN)";

/*
** xBestIndex → xFilter:
**   bit 0  path = ?   argv: the path. Without it xFilter fails: a path is required.
*/
enum { PUSH_PATH, PUSH_COUNT };
static const struct vtab_push fileStatPush[PUSH_COUNT] = {
    [PUSH_PATH] = {.name = "path", .iColumn = COL_PATH, .isText = 1, .oneByOne = 1}};

typedef struct FileStatCursor FileStatCursor;
struct FileStatCursor {
    sqlite3_vtab_cursor base;
    int procfd;              /* /proc */
    struct fd_mounts mounts; /* the mounts that may hang, per namespace, read once */
    struct stat st;
    sqlite3_int64 rowid; /* of the path */
    int eof;
};

static int fileStatBestIndex(sqlite3_vtab *vtab, sqlite3_index_info *info)
{
    (void)vtab;
    info->idxNum = vtabPushEq(info, fileStatPush, PUSH_COUNT);
    info->estimatedRows = 1;
    /* Without a path there is nothing to do, but the planner must prefer a plan with one. */
    info->estimatedCost = VTAB_PUSHED(info->idxNum, PUSH_PATH) ? 2 : 1e12;
    return SQLITE_OK;
}

static int fileStatOpen(sqlite3_vtab *vtab, sqlite3_vtab_cursor **ppCursor)
{
    return vtabOpenProcCursor(vtab, "file_stat", sizeof(FileStatCursor),
                              offsetof(FileStatCursor, procfd), ppCursor);
}

static int fileStatClose(sqlite3_vtab_cursor *base)
{
    FileStatCursor *cur = (FileStatCursor *)base;
    fdMountsFree(&cur->mounts);
    return vtabCloseProcCursor(base, cur->procfd);
}

/* stat(2) of PATH, through the guard when it may hang: 0 or -errno. */
static int statPath(FileStatCursor *cur, const char *path)
{
    int key;
    if (fdMountsPathMayHang(&cur->mounts, cur->procfd, path, &key))
        return statGuardStat(&VTAB_CONN(&cur->base)->guard, key, path, &cur->st);
    return stat(path, &cur->st) == 0 ? 0 : -errno;
}

static int fileStatFilter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
                          sqlite3_value **argv)
{
    (void)idxStr, (void)argc;
    FileStatCursor *cur = (FileStatCursor *)base;
    if (!VTAB_PUSHED(idxNum, PUSH_PATH))
        return vtabError(base->pVtab,
                         "file_stat: a path is required, as in file_stat('/etc/hosts')");
    const char *path = vtabValueText(argv[0]);
    cur->eof = !path || statPath(cur, path) != 0;
    if (!cur->eof) cur->rowid = vtabRowidOf(path, strlen(path));
    return cur->mounts.nomem ? SQLITE_NOMEM : SQLITE_OK;
}

static int fileStatNext(sqlite3_vtab_cursor *base)
{
    ((FileStatCursor *)base)->eof = 1;
    return SQLITE_OK;
}

static int fileStatEof(sqlite3_vtab_cursor *base)
{
    return ((FileStatCursor *)base)->eof;
}

static int fileStatRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
    *rowid = ((FileStatCursor *)base)->rowid;
    return SQLITE_OK;
}

static int fileStatColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
    const struct stat *st = &((FileStatCursor *)base)->st;
    switch (col) {
    case COL_TYPE: {
        const char *type = fileTypeOfMode(st->st_mode);
        vtabResultText(ctx, type, strlen(type));
        break;
    }
    case COL_DEVICE: vtabResultDevice(ctx, major(st->st_dev), minor(st->st_dev)); break;
    case COL_RDEV:
        if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
            vtabResultDevice(ctx, major(st->st_rdev), minor(st->st_rdev));
        break;
    case COL_INODE: sqlite3_result_int64(ctx, (sqlite3_int64)st->st_ino); break;
    case COL_SIZE: sqlite3_result_int64(ctx, (sqlite3_int64)st->st_size); break;
    case COL_NLINK: sqlite3_result_int64(ctx, (sqlite3_int64)st->st_nlink); break;
    case COL_MODE: sqlite3_result_int(ctx, (int)(st->st_mode & 07777)); break;
    case COL_UID: sqlite3_result_int64(ctx, st->st_uid); break;
    case COL_GID: sqlite3_result_int64(ctx, st->st_gid); break;
    case COL_MTIME:
        sqlite3_result_double(ctx, (double)st->st_mtim.tv_sec + st->st_mtim.tv_nsec / 1e9);
        break;
    case COL_PATH: break; /* the argument; SQLite does not read it back */
    }
    return SQLITE_OK;
}

static int fileStatConnect(sqlite3 *db, void *conn, int argc, const char *const *argv,
                           sqlite3_vtab **ppVtab, char **pzErr)
{
    (void)argc, (void)argv, (void)pzErr;
    return vtabConnectShared(db, fileStatSchema, conn, ppVtab);
}

static sqlite3_module fileStatModule = VTAB_SHARED_MODULE(fileStat);

int fileStatRegister(sqlite3 *db, struct sqlsof_conn *conn)
{
    return sqlite3_create_module_v2(db, "file_stat", &fileStatModule, connRetain(conn),
                                    connRelease);
}
