/*
** One row of the fds table and its lazy reads (fd_row.h).
*/
#include "fd/fd_row.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fd/fd_kind.h"
#include "fd/fd_sockproto.h"
#include "fd/file_type.h"
#include "proc/pid_iter.h"
#include "proc/proc_parse.h"

/* Lazy reads of the current row: the tried and ok bits. */
enum { FD_ROW_STAT = 1, FD_ROW_INFO = 2, FD_ROW_PROTO = 4, FD_ROW_QUEUE = 8 };
/* An ok bit of the stat alone: it went through the guard and did not answer in time. */
enum { FD_ROW_HUNG = 16 };

void fdRowInit(struct fd_row *r, int procfd)
{
    memset(r, 0, sizeof *r);
    r->procfd = procfd;
    r->dirFd = r->infoDir = -1;
}

void fdRowEndProcess(struct fd_row *r)
{
    if (r->infoDir >= 0) close(r->infoDir);
    r->dirFd = r->infoDir = -1;
}

void fdRowFree(struct fd_row *r)
{
    fdRowEndProcess(r);
    fdMountsFree(&r->mounts);
    bufFree(&r->link);
    bufFree(&r->scratch);
}

static void startRow(struct fd_row *r)
{
    r->tried = r->ok = 0;
    r->haveLink = 0;
    r->record = NULL;
}

void fdRowSetLookup(struct fd_row *r, int pid, int fd)
{
    startRow(r);
    r->pid = pid;
    r->fd = fd;
    r->linkDir = r->procfd;
    r->name = NULL; /* named by rowName() when a read needs it: a BPF walk's rows rarely do */
}

void fdRowSetFromDir(struct fd_row *r, int dirFd, int pid, int fd, const char *name)
{
    startRow(r);
    if (r->dirFd != dirFd || r->pid != pid) fdRowEndProcess(r);
    r->dirFd = dirFd;
    r->pid = pid;
    r->fd = fd;
    snprintf(r->fdName, sizeof r->fdName, "%s", name);
    r->linkDir = dirFd;
    r->name = r->fdName;
}

/* The current row's link relative to linkDir: "12" in a walk, "PID/fd/12" in a lookup. */
static const char *rowName(struct fd_row *r)
{
    if (!r->name) {
        snprintf(r->fdName, sizeof r->fdName, "%d", r->fd);
        snprintf(r->nameBuf, sizeof r->nameBuf, "%d/fd/%d", r->pid, r->fd);
        r->name = r->nameBuf;
    }
    return r->name;
}

/* The fd's number as text ("12"), as the fd and fdinfo directories name it. */
static const char *rowFdName(struct fd_row *r)
{
    rowName(r);
    return r->fdName;
}

static int inWalk(const struct fd_row *r)
{
    return r->dirFd >= 0 && r->linkDir == r->dirFd;
}

/* The link text is read: classify it, and tell the owner of a socket. */
static void linkRead(struct fd_row *r)
{
    r->haveLink = 1;
    fdLinkClassify(r->link.data, r->link.len, &r->kind);
    if (r->kind.kind == FD_LINK_SOCKET && r->onSocket) r->onSocket(r->onSocketArg, r);
}

int fdRowReadLink(struct fd_row *r)
{
    r->tried = r->ok = 0;
    r->record = NULL;
    int rc = bufReadLinkAt(&r->link, r->linkDir, rowName(r));
    if (rc == -ENOMEM) r->nomem = 1;
    r->haveLink = 0;
    if (rc == 0) linkRead(r);
    return rc;
}

/* Whether the row's file is on a mount that may hang a stat, and which (KEY: its id). Told
 * from its record's magic, else from the mounts of the process's namespace: its fdinfo's mount
 * id is read only where one may hang. A path only (no socket, pipe or anon inode file system
 * waits for a server). */
static int mayHang(struct fd_row *r, int *key)
{
    if (r->kind.kind != FD_LINK_PATH) return 0;
    if (r->record) {
        *key = r->record->rec.mntId;
        return fdMountMagicMayHang(r->record->rec.magic);
    }
    int some = fdMountsProcessMayHang(&r->mounts, r->procfd, r->pid);
    if (r->mounts.nomem) r->nomem = 1;
    if (!some) return 0;
    const struct fd_info *info = fdRowInfo(r);
    *key = info ? info->mntId : -1; /* no fdinfo: closed, most likely; the guard will say */
    return !info || fdMountsIdMayHang(&r->mounts, info->mntId);
}

/* The stat through the link: by the guard's helper, with its deadline, when it may hang. */
static int statLink(struct fd_row *r)
{
    int key;
    if (!r->guard || !mayHang(r, &key)) return fstatat(r->linkDir, rowName(r), &r->st, 0);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd/%d", r->pid, r->fd);
    int rc = statGuardStat(r->guard, key, path, &r->st);
    if (rc == -ETIMEDOUT || rc == -EAGAIN) r->ok |= FD_ROW_HUNG;
    return rc;
}

const struct stat *fdRowStat(struct fd_row *r)
{
    if (!(r->tried & FD_ROW_STAT)) {
        r->tried |= FD_ROW_STAT;
        if ((r->record && fdBpfStat(&r->record->rec, &r->st) == 0) || statLink(r) == 0)
            r->ok |= FD_ROW_STAT;
    }
    return (r->ok & FD_ROW_STAT) ? &r->st : NULL;
}

int fdRowStatHung(const struct fd_row *r)
{
    return (r->ok & FD_ROW_HUNG) != 0;
}

/*
** The fdinfo of the current row. A walk opens the process's fdinfo directory once, so each
** fd costs an open, one read and a close; a lookup names the file from /proc.
*/
const struct fd_info *fdRowInfo(struct fd_row *r)
{
    if (!(r->tried & FD_ROW_INFO)) {
        char name[48];
        int rc;
        r->tried |= FD_ROW_INFO;
        if (r->record && fdBpfInfo(&r->record->rec, &r->info) == 0) {
            r->ok |= FD_ROW_INFO;
            return &r->info;
        }
        if (inWalk(r) && r->infoDir < 0) {
            snprintf(name, sizeof name, "%d/fdinfo", r->pid);
            r->infoDir = openat(r->procfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
        }
        if (inWalk(r) && r->infoDir >= 0) {
            rc = fdInfoRead(&r->scratch, r->infoDir, rowFdName(r));
        } else {
            snprintf(name, sizeof name, "%d/fdinfo/%s", r->pid, rowFdName(r));
            rc = fdInfoRead(&r->scratch, r->procfd, name);
        }
        if (rc == -ENOMEM) r->nomem = 1;
        if (rc == 0 && fdInfoParse(r->scratch.data, r->scratch.len, &r->info) == 0)
            r->ok |= FD_ROW_INFO;
    }
    return (r->ok & FD_ROW_INFO) ? &r->info : NULL;
}

/* A socket's TYPE word: one getxattr; "sock" when the kernel will not say. */
static const char *socketType(struct fd_row *r)
{
    if (!(r->tried & FD_ROW_PROTO)) {
        char path[64], name[64];
        r->tried |= FD_ROW_PROTO;
        if (r->record && (r->proto = fdBpfSocketType(&r->record->rec)) != NULL) {
            r->ok |= FD_ROW_PROTO;
            return r->proto;
        }
        snprintf(path, sizeof path, "/proc/%d/fd/%s", r->pid, rowFdName(r));
        ssize_t n = getxattr(path, "system.sockprotoname", name, sizeof name);
        r->proto = n > 0 ? fdSockprotoType(name, (size_t)n) : "sock";
        if (n > 0) r->ok |= FD_ROW_PROTO;
    }
    return r->proto;
}

int fdRowInode(struct fd_row *r, unsigned long long *ino)
{
    if (r->kind.hasInode) {
        *ino = r->kind.inode;
        return 1;
    }
    const struct stat *st = fdRowStat(r);
    if (!st) return 0;
    *ino = (unsigned long long)st->st_ino;
    return 1;
}

#define MQUEUE_MAGIC_NUMBER 0x19800202

int fdRowIsQueue(struct fd_row *r)
{
    if (!(r->tried & FD_ROW_QUEUE)) {
        r->tried |= FD_ROW_QUEUE;
        /* Only a link naming one file at a root can be a queue: no statfs for other paths.
         * A file on a mount that may hang is asked through the guard (an mqueue's internal
         * mount is one no mountinfo lists). */
        int key;
        if (r->kind.kind == FD_LINK_PATH && fdKindMayBeQueue(r->link.data, r->link.len)) {
            char path[64];
            struct statfs fs;
            snprintf(path, sizeof path, "/proc/%d/fd/%d", r->pid, r->fd);
            int rc = r->guard && mayHang(r, &key) ? statGuardStatfs(r->guard, key, path, &fs)
                                                  : (statfs(path, &fs) == 0 ? 0 : -errno);
            if (rc == 0 && fs.f_type == MQUEUE_MAGIC_NUMBER) r->ok |= FD_ROW_QUEUE;
        }
    }
    return (r->ok & FD_ROW_QUEUE) != 0;
}

const char *fdRowType(struct fd_row *r)
{
    switch (r->kind.kind) {
    case FD_LINK_SOCKET: return socketType(r);
    case FD_LINK_PIPE: return "FIFO";
    case FD_LINK_ANON: return "a_inode";
    default: {
        /* An open fd whose file cannot be stat'ed (say, a /proc directory of a process that
         * has exited) is lsof's "unknown". */
        const struct stat *st = fdRowStat(r);
        if (st && S_ISREG(st->st_mode) && major(st->st_dev) == 0 && fdRowIsQueue(r)) return "PSXMQ";
        return st ? fileTypeOfMode(st->st_mode) : "unknown";
    }
    }
}

int fdRowDeleted(struct fd_row *r)
{
    if (r->kind.kind != FD_LINK_PATH) return 0;
    const struct stat *st = fdRowStat(r);
    return st ? st->st_nlink == 0 : -1;
}

long fdRowPathLen(struct fd_row *r)
{
    if (r->kind.kind != FD_LINK_PATH) return -1;
    /* A memfd or a message queue names no file of the root file system (fd_details names it). */
    if (fdKindOfLink(r->link.data, r->link.len) == FD_KIND_MEMFD || fdRowIsQueue(r)) return -1;
    /* The kernel appends the suffix to unlinked files; a live file may end in it too. */
    if (r->kind.endsDeleted && fdRowDeleted(r) == 1)
        return (long)(r->link.len - PROC_DELETED_SUFFIX_LEN);
    return (long)r->link.len;
}

/* Whether the row is in the asked inode set (when there is one). */
static int matchesInodes(struct fd_row *r)
{
    unsigned long long ino;
    if (!r->inodes) return 1;
    return r->haveLink && fdRowInode(r, &ino) && keysetHas(r->inodes, (int64_t)ino);
}

/* Whether the used columns read the row's stat: exactly when the table's xColumn would. */
static int needsStat(const struct fd_row *r)
{
    int isPath = r->kind.kind == FD_LINK_PATH;
    return (r->need & FD_NEED_STAT_ALL) || ((r->need & FD_NEED_STAT_INODE) && !r->kind.hasInode) ||
           ((r->need & FD_NEED_STAT_DELETED) && isPath) ||
           ((r->need & FD_NEED_STAT_PATH) && isPath && r->kind.endsDeleted);
}

/* Whether a read that the statement needs for the row failed: its fdinfo, its stat, or the
 * stat or getxattr behind its type (which then reads "unknown" or "sock"). A stat that timed
 * out did not fail so: the row stands with its stat columns NULL, and is not asked again. */
static int readFailed(struct fd_row *r)
{
    if ((r->need & FD_NEED_INFO) && !fdRowInfo(r)) return 1;
    if (needsStat(r) && !fdRowStat(r) && !fdRowStatHung(r)) return 1;
    if (!(r->need & FD_NEED_TYPE)) return 0;
    fdRowType(r);
    switch (r->kind.kind) {
    case FD_LINK_SOCKET: return !(r->ok & FD_ROW_PROTO);
    case FD_LINK_PIPE:
    case FD_LINK_ANON: return 0;
    default: return !(r->ok & (FD_ROW_STAT | FD_ROW_HUNG));
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

static int closedSinceLink(struct fd_row *r)
{
    for (int attempt = 0; attempt < REREAD_TRIES && readFailed(r); attempt++) {
        int rc = bufReadLinkAt(&r->scratch, r->linkDir, rowName(r));
        if (rc == -ENOMEM) r->nomem = 1;
        if (procGone(rc)) return 1;
        if (rc != 0) return 0;
        if (r->scratch.len != r->link.len || memcmp(r->scratch.data, r->link.data, r->link.len))
            return 1;
        r->tried = r->ok = 0;
        r->record = NULL;
    }
    return 0;
}

int fdRowLoad(struct fd_row *r, int mustRead)
{
    if (!(r->need & FD_NEED_LINK) && !mustRead && !r->inodes) return 1;
    int rc = fdRowReadLink(r);
    if (procGone(rc) || (rc == 0 && closedSinceLink(r))) return 0;
    /* A pushed fd of a directory we may not search: as if the directory were unreadable. */
    struct stat st;
    if (rc != 0 && fstatat(r->linkDir, rowName(r), &st, AT_SYMLINK_NOFOLLOW) != 0) return 0;
    return matchesInodes(r);
}

/*
** The link text, stat and fdinfo come with a record; what it cannot say is read from /proc,
** as a lookup would (a stat where the file system's getattr differs, fdinfo for lock lines,
** the link when bpf_d_path failed), and now: an fd closed since is skipped as in the walk.
*/
int fdRowLoadRecord(struct fd_row *r, const struct fd_bpf_row *rec)
{
    fdRowSetLookup(r, rec->rec.pid, rec->rec.fd);
    if (!(r->need & FD_NEED_LINK) && !r->inodes) return 1;
    int rc = fdBpfLinkText(rec, &r->link);
    if (rc == -ENOENT) return fdRowLoad(r, 1); /* no path from bpf_d_path: the readlink */
    if (rc != 0) {
        r->nomem = 1;
        return 0;
    }
    r->record = rec;
    linkRead(r);
    return !closedSinceLink(r) && matchesInodes(r);
}
