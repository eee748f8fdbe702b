/*
** The fds table's kernel source: a BPF iter/task_file program (bpf/fds.bpf.c) that streams one
** record per open file of every process through read() of an iterator fd, in place of a
** readdir and a readlink (and a stat, and an fdinfo read) per fd under /proc. No SQLite here.
**
** fdBpfLoad() loads and attaches one of the programs once (a light skeleton each: the kernel
** relocates it against its own BTF and verifies it, ~3 ms measured), the first time a walk
** needs it; each walk is then fdBpfIterStart() and fdBpfIterNext() until it returns 0.
** fdBpfParse() is the pure part, fed crafted records by the unit test.
**
** Built without the program (make BPF=0), fdBpfLoad() fails with ENOSYS and the rest still works.
*/
#ifndef SQLSOF_FD_BPF_H
#define SQLSOF_FD_BPF_H

#include <linux/types.h>
#include <stddef.h>

#include "fd/bpf/fds_record.h"

/* One record as read: the header, and its path (pathLen bytes, not NUL-terminated). A record
 * of fds_sock's walk of one process may carry its socket's fields: then SOCK is set and the
 * path is a unix socket's bound name. */
struct fd_bpf_row {
    struct fds_bpf_record rec;
    const char *path;
    struct fds_bpf_sock sock; /* when rec.flags has FDS_BPF_SOCKFIELDS */
};

/*
** Parses the record at the start of BUF (LEN bytes). Returns the bytes it takes (> 0), 0 when
** BUF holds only part of it, or -EINVAL when the header does not describe a record.
*/
long fdBpfParse(const char *buf, size_t len, struct fd_bpf_row *row);
/* The same for a struct fds_bpf_id, read into ROW's pid, fd, inode and magic. */
long fdBpfParseId(const char *buf, size_t len, struct fd_bpf_row *row);

/* What a walk's records carry, and the program that writes them: pid, fd and inode (fds_ids:
 * struct fds_bpf_id, read into a row's rec with the rest zero); every field and the path
 * (fds_full); the same and a socket's own fields, one process at a time (fds_sock). */
enum fd_bpf_walk { FD_BPF_IDS, FD_BPF_FULL, FD_BPF_SOCK, FD_BPF_WALKS };

/* The loaded programs; one set per database connection. */
struct fd_bpf;
/*
** Loads and attaches WALK's program into *OUT (made first when NULL), unless it is loaded.
** Returns 0, or -errno with the reason in WHY (one line): no privilege (EPERM), no BTF or no
** task_file iterator (ENOENT, EINVAL), built without the programs (ENOSYS).
*/
int fdBpfLoad(struct fd_bpf **out, enum fd_bpf_walk walk, char *why, size_t whyLen);
void fdBpfFree(struct fd_bpf *bpf);

/* One walk of every fd of the host (or of one process), in pid then fd order. */
struct fd_bpf_iter {
    int fd;
    int ids; /* the records are struct fds_bpf_id */
    char *buf;
    size_t cap, len, off; /* bytes read into buf, and the next record */
};
/* Starts a walk of every process of WALK's records (FD_BPF_IDS or FULL, loaded). Returns 0 or
 * -errno. */
int fdBpfIterStart(struct fd_bpf *bpf, enum fd_bpf_walk walk, struct fd_bpf_iter *it);
/* Starts a walk of process PID's fds alone (an iterator bound to it, Linux 6.1), full records
 * with their sockets' fields (FD_BPF_SOCK, loaded). Returns 0 or -errno. */
int fdBpfIterStartTask(struct fd_bpf *bpf, int pid, struct fd_bpf_iter *it);

/* The programs of one database connection, each loaded on the first walk that needs it. */
struct fd_bpf_cache {
    struct fd_bpf *bpf;
    int err;       /* -errno of a failed load, which is not tried again (for any program) */
    char why[160]; /* the reason for err, one line */
};
/* Starts a walk through C's programs, loading them first. Returns 0, or -errno with the
 * reason in C->why. */
int fdBpfCacheStart(struct fd_bpf_cache *c, enum fd_bpf_walk walk, struct fd_bpf_iter *it);
/* Whether C's walks may be tried: built with the programs, and no load has failed. */
int fdBpfCacheUsable(const struct fd_bpf_cache *c);
/* The same for one process's walk (fdBpfIterStartTask). */
int fdBpfCacheStartTask(struct fd_bpf_cache *c, int pid, struct fd_bpf_iter *it);
void fdBpfCacheFree(struct fd_bpf_cache *c);
/* Starts a walk of another iter/task_file program (PROGFD, loaded by its owner: fd_peers.c) over
 * process PID (0: every process), its records read with fdBpfIterNextRaw. 0 or -errno. */
int fdBpfIterStartProg(int progFd, int pid, struct fd_bpf_iter *it);
/* The next record of a walk of SIZE-byte records into *REC (valid until the next call): 1, 0 at
 * the end, or -errno (-EINVAL: a partial record at the end). */
int fdBpfIterNextRaw(struct fd_bpf_iter *it, size_t size, const void **rec);
/* Like fdBpfIterStart on an iterator fd of the caller's (the unit test's pipe); takes FD. */
int fdBpfIterOpenFd(struct fd_bpf_iter *it, int fd);
/* The next record: 1, 0 at the end, or -errno (a record the parser rejects: -EINVAL). ROW's
 * path points into IT's buffer until the next call. */
int fdBpfIterNext(struct fd_bpf_iter *it, struct fd_bpf_row *row);
void fdBpfIterStop(struct fd_bpf_iter *it);

/* What a record says, as the /proc source reads it. */
/*
** The link text (readlink of /proc/PID/fd/N) into BUF, NUL-terminated: the record's path, or
** "socket:[inode]" for a socket. Returns 0, -ENOENT when the record has none (bpf_d_path
** failed: read the link), or -ENOMEM.
*/
struct buf;
int fdBpfLinkText(const struct fd_bpf_row *row, struct buf *link);
struct stat;
struct fd_info;
/*
** Fills ST's inode, mode, dev, rdev, size and nlink as stat(2) of the fd would. Returns 0, or
** -1 for a file system whose getattr reports other numbers (overlayfs, btrfs, /proc
** directories, ...), which the caller stats instead.
*/
int fdBpfStat(const struct fds_bpf_record *r, struct stat *st);
/* Whether the record's inode is what stat(2) says (all but overlayfs, which remaps it). */
int fdBpfInodeTrusted(const struct fds_bpf_record *r);
/* Fills INFO as /proc/PID/fdinfo/N reads. Returns 0, or -1 when the file has locks, whose
 * lines only fdinfo has. */
int fdBpfInfo(const struct fds_bpf_record *r, struct fd_info *info);
/* A socket's TYPE word (fd_sockproto.h) from its proto name, or NULL when not a socket. */
const char *fdBpfSocketType(const struct fds_bpf_record *r);

#endif
