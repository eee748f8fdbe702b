/*
** One row of the fds table: a descriptor (pid, fd), its link text and what is read of it on
** first use — the stat of the open file, its fdinfo, a socket's protocol — each at most once.
** The walks (fds_walk.h) and the inode map (fds_map.h) make a descriptor the current row;
** fdRowLoad() then reads what the statement needs and tells whether the row stands.
** No SQLite here.
**
** A row's link is NAME under LINKDIR: "12" under the walked process's fd directory, or
** "PID/fd/12" under /proc for a lookup. A row loaded from a BPF record (fdRowLoadRecord) reads
** the record first and /proc only for what the record cannot say.
*/
#ifndef SQLSOF_FD_ROW_H
#define SQLSOF_FD_ROW_H

#include <sys/stat.h>

#include "fd/fd_bpf.h"
#include "fd/fd_info.h"
#include "fd/fd_link.h"
#include "fd/fd_mounts.h"
#include "util/buf.h"
#include "util/keyset.h"
#include "util/stat_guard.h"

/* What a statement reads of each row (the table sets them from colUsed). */
enum {
    FD_NEED_LINK = 1 << 0,         /* any column but pid and fd: the row reads its link */
    FD_NEED_INFO = 1 << 1,         /* mode, pos, flags, mnt_id, lock: the fdinfo */
    FD_NEED_TYPE = 1 << 2,         /* type: a stat, or a socket's getxattr */
    FD_NEED_STAT_ALL = 1 << 3,     /* device, size: every row's stat */
    FD_NEED_STAT_INODE = 1 << 4,   /* inode: a stat when the link text has none */
    FD_NEED_STAT_DELETED = 1 << 5, /* deleted: a path's stat */
    FD_NEED_STAT_PATH = 1 << 6,    /* path: a stat of one ending " (deleted)" */
};

/* Tells the owner of a row that it read a socket's link (the table notes its holder). */
struct fd_row;
typedef void fd_row_socket_fn(void *arg, const struct fd_row *row);

struct fd_row {
    /* Set once per cursor or statement. */
    int procfd;                  /* /proc */
    unsigned need;               /* FD_NEED_* */
    const struct keyset *inodes; /* when set, only rows of these inodes stand */
    fd_row_socket_fn *onSocket;  /* called for each socket link read, or NULL */
    void *onSocketArg;
    struct stat_guard *guard; /* stats of files on mounts that may hang go through it; or NULL */
    struct fd_mounts mounts;  /* which mounts may hang, as far as read */

    /* The walked process, when the row comes from its fd directory. */
    int dirFd;   /* /proc/PID/fd, or -1 */
    int infoDir; /* /proc/PID/fdinfo, opened on first use, or -1 */

    /* The current row. */
    int pid, fd;
    int linkDir;
    char fdName[16];  /* "12" */
    char nameBuf[48]; /* "PID/fd/12" */
    const char *name;
    struct buf link;
    struct fd_link kind;
    int haveLink;
    const struct fd_bpf_row *record; /* the row's BPF record, read before /proc; or NULL */
    unsigned tried, ok;              /* lazy reads done and succeeded: FD_ROW_* */
    struct stat st;
    struct fd_info info;
    const char *proto;

    struct buf scratch;
    int nomem; /* a read ran out of memory: the statement ends with SQLITE_NOMEM */
};

void fdRowInit(struct fd_row *r, int procfd);
void fdRowFree(struct fd_row *r);

/* Makes (PID, FD) the current row, its link named relative to /proc (a lookup). */
void fdRowSetLookup(struct fd_row *r, int pid, int fd);
/* Makes FD, named NAME in the open fd directory DIRFD of process PID, the current row. */
void fdRowSetFromDir(struct fd_row *r, int dirFd, int pid, int fd, const char *name);
/* Forgets the walked process's directories (the walk closes them). */
void fdRowEndProcess(struct fd_row *r);

/*
** Loads the current row: its link (when the statement reads more than pid and fd, MUSTREAD,
** or inodes are asked), and what the statement needs of it. Returns 1 when the row stands, 0
** when it is to be skipped: the fd closed (before or after its link was read) or its inode is
** not asked. An fd whose link may not be read (EACCES) stands with NULL columns.
*/
int fdRowLoad(struct fd_row *r, int mustRead);
/* The same for a row from the BPF record REC (which stays valid until the next record). */
int fdRowLoadRecord(struct fd_row *r, const struct fd_bpf_row *rec);
/* Reads only the link (the inode map's walk). Returns 0 or -errno. */
int fdRowReadLink(struct fd_row *r);

/*
** What the row says; each is read on first use. NULL / 0 when it cannot be read. The stat of a
** file on a mount that may hang (fd_mounts.h) is made through the guard, with its deadline:
** NULL when it did not answer in time, and fdRowStatHung() then says so.
*/
const struct stat *fdRowStat(struct fd_row *r);
int fdRowStatHung(const struct fd_row *r);
const struct fd_info *fdRowInfo(struct fd_row *r);
const char *fdRowType(struct fd_row *r);
/* The inode: from the link text when it has one, else the stat. Returns 1, or 0 unknown. */
int fdRowInode(struct fd_row *r, unsigned long long *ino);
/* 1 unlinked, 0 not, -1 cannot tell (the stat failed). Only paths can be unlinked. */
int fdRowDeleted(struct fd_row *r);
/* Whether the fd is a POSIX message queue (a statfs, for links like "/q" only). */
int fdRowIsQueue(struct fd_row *r);
/* The path's length without the kernel's " (deleted)", or -1 when the row is no path of a file
 * system (a socket, a memfd, a message queue, ...). */
long fdRowPathLen(struct fd_row *r);

#endif
