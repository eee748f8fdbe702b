#include "fd/fd_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/buf.h"
#include "fd/fd_info.h"
#include "fd/fd_sockproto.h"

#ifdef SQLSOF_BPF
/* The light skeleton: the object and a loader program, loaded by bare bpf(2) calls (no libbpf
 * at run time); the kernel applies the CO-RE relocations from its own BTF. */
#include "fds_full.lskel.h"
#include "fds_ids.lskel.h"
#include "fds_sock.lskel.h"
#endif

/* Reads go in pieces of this: the kernel hands at most its 32 KiB seq buffer per read(). */
#define ITER_BUF (64 * 1024)

/* The longest unix socket name (sun_path) that follows a socket's fields. */
#define SOCK_NAME_MAX 108

long fdBpfParse(const char *buf, size_t len, struct fd_bpf_row *row)
{
    if (len < sizeof row->rec) return 0;
    memcpy(&row->rec, buf, sizeof row->rec);
    const struct fds_bpf_record *r = &row->rec;
    int fields = (r->flags & FDS_BPF_SOCKFIELDS) != 0;
    size_t extra = fields ? sizeof row->sock : 0;
    size_t pathLen = r->pathLen > 0 ? (size_t)r->pathLen : 0;
    if (r->pathLen >= (fields ? SOCK_NAME_MAX + 1 : FDS_BPF_PATH_MAX) ||
        (fields && !(r->flags & FDS_BPF_SOCKFS)) || r->size != sizeof *r + extra + pathLen ||
        r->pid <= 0 || r->fd < 0)
        return -EINVAL;
    if (len < r->size) return 0;
    if (fields) memcpy(&row->sock, buf + sizeof *r, sizeof row->sock); /* records are unaligned */
    row->path = buf + sizeof *r + extra;
    return (long)r->size;
}

long fdBpfParseId(const char *buf, size_t len, struct fd_bpf_row *row)
{
    struct fds_bpf_id id;
    if (len < sizeof id) return 0;
    memcpy(&id, buf, sizeof id);
    if (id.pid <= 0 || id.fd < 0) return -EINVAL;
    memset(&row->rec, 0, sizeof row->rec);
    row->rec.size = sizeof row->rec;
    row->rec.pid = id.pid;
    row->rec.fd = id.fd;
    row->rec.inode = id.inode;
    row->rec.magic = id.magic;
    row->rec.pathLen = -1;
    row->path = NULL;
    return (long)sizeof id;
}

int fdBpfIterOpenFd(struct fd_bpf_iter *it, int fd)
{
    memset(it, 0, sizeof *it);
    it->fd = fd;
    it->buf = malloc(ITER_BUF);
    if (!it->buf) {
        close(fd);
        it->fd = -1;
        return -ENOMEM;
    }
    it->cap = ITER_BUF;
    return 0;
}

/* Keeps the partial record (or none) at the front of IT's buffer and reads after it: 1, 0 at
 * the end of the walk, or -errno. */
static int readMore(struct fd_bpf_iter *it)
{
    memmove(it->buf, it->buf + it->off, it->len - it->off);
    it->len -= it->off;
    it->off = 0;
    for (;;) {
        if (it->len == it->cap) return -EINVAL;
        ssize_t got = read(it->fd, it->buf + it->len, it->cap - it->len);
        /* EAGAIN: the kernel stops after a long stretch of files that wrote nothing. */
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (got < 0) return -errno;
        if (got == 0) return it->len ? -EINVAL : 0;
        it->len += (size_t)got;
        return 1;
    }
}

int fdBpfIterNext(struct fd_bpf_iter *it, struct fd_bpf_row *row)
{
    for (;;) {
        const char *at = it->buf + it->off;
        long n = it->ids ? fdBpfParseId(at, it->len - it->off, row)
                         : fdBpfParse(at, it->len - it->off, row);
        if (n < 0) return (int)n;
        if (n > 0) {
            it->off += (size_t)n;
            return 1;
        }
        int rc = readMore(it);
        if (rc <= 0) return rc;
    }
}

int fdBpfIterNextRaw(struct fd_bpf_iter *it, size_t size, const void **rec)
{
    while (it->len - it->off < size) {
        int rc = readMore(it);
        if (rc <= 0) return rc;
    }
    *rec = it->buf + it->off;
    it->off += size;
    return 1;
}

void fdBpfIterStop(struct fd_bpf_iter *it)
{
    if (it->fd >= 0) close(it->fd);
    free(it->buf);
    memset(it, 0, sizeof *it);
    it->fd = -1;
}

int fdBpfLinkText(const struct fd_bpf_row *row, struct buf *link)
{
    const struct fds_bpf_record *r = &row->rec;
    if (r->flags & FDS_BPF_SOCKFS) {
        static const char prefix[] = "socket:[";
        char text[40], *end = text + sizeof text;
        end[-1] = ']';
        char *p = decimalBefore(end - 1, r->inode) - (sizeof prefix - 1);
        memcpy(p, prefix, sizeof prefix - 1);
        size_t n = (size_t)(end - p);
        if (bufReserve(link, n) != 0) return -ENOMEM;
        memcpy(link->data, p, n);
        link->len = n;
    } else {
        if (r->pathLen < 0) return -ENOENT;
        if (bufReserve(link, (size_t)r->pathLen) != 0) return -ENOMEM;
        memcpy(link->data, row->path, (size_t)r->pathLen);
        link->len = (size_t)r->pathLen;
    }
    link->data[link->len] = '\0';
    return 0;
}

/* s_magic values (linux/magic.h) of the file systems a record's stat fields are checked for. */
#define MAGIC_PROC    0x9fa0
#define MAGIC_OVERLAY 0x794c7630

/* File systems whose getattr reports what the inode holds: ext4, xfs, tmpfs, ramfs, sockfs,
 * pipefs, anonymous inodes, devpts, nsfs, bpffs. */
static const unsigned statMagics[] = {0xEF53,     0x58465342, 0x01021994, 0x858458f6, 0x534F434B,
                                      0x50495045, 0x09041934, 0x1cd1,     0x6e736673, 0xcafe4a11};

static int statTrusted(unsigned magic, unsigned mode)
{
    /* A /proc directory's stat counts its entries (fds, threads) into size and nlink. */
    if (magic == MAGIC_PROC) return !S_ISDIR(mode);
    for (size_t i = 0; i < sizeof statMagics / sizeof *statMagics; i++)
        if (statMagics[i] == magic) return 1;
    return 0;
}

int fdBpfInodeTrusted(const struct fds_bpf_record *r)
{
    return r->magic != MAGIC_OVERLAY;
}

/* The kernel's dev_t encoding (MAJOR << 20 | MINOR) as user space's. */
static dev_t userDev(__u32 d)
{
    return makedev(d >> 20, d & 0xfffff);
}

int fdBpfStat(const struct fds_bpf_record *r, struct stat *st)
{
    if (!statTrusted(r->magic, r->mode)) return -1;
    memset(st, 0, sizeof *st);
    st->st_ino = r->inode;
    st->st_mode = r->mode;
    st->st_dev = userDev(r->dev);
    st->st_rdev = userDev(r->rdev);
    st->st_size = r->isize;
    st->st_nlink = r->nlink;
    return 0;
}

int fdBpfInfo(const struct fds_bpf_record *r, struct fd_info *info)
{
    if (r->flags & FDS_BPF_LOCKS) return -1;
    memset(info, 0, sizeof *info);
    info->pos = (long long)r->pos;
    info->flags = r->fFlags | ((r->flags & FDS_BPF_CLOEXEC) ? O_CLOEXEC : 0);
    info->mntId = r->mntId;
    info->hasIno = 1;
    info->ino = r->inode;
    return 0;
}

const char *fdBpfSocketType(const struct fds_bpf_record *r)
{
    if (!(r->flags & FDS_BPF_SOCKET)) return NULL;
    return fdSockprotoType(r->proto, strnlen(r->proto, sizeof r->proto));
}

/* WALK's program, loaded on first use; a failed load is not tried again. */
static int cacheLoad(struct fd_bpf_cache *c, enum fd_bpf_walk walk)
{
    if (!c->err) c->err = fdBpfLoad(&c->bpf, walk, c->why, sizeof c->why);
    return c->err;
}

int fdBpfCacheStart(struct fd_bpf_cache *c, enum fd_bpf_walk walk, struct fd_bpf_iter *it)
{
    if (cacheLoad(c, walk) != 0) return c->err;
    int err = fdBpfIterStart(c->bpf, walk, it);
    if (err) snprintf(c->why, sizeof c->why, "cannot start the BPF iterator: %s", strerror(-err));
    return err;
}

int fdBpfCacheUsable(const struct fd_bpf_cache *c)
{
#ifdef SQLSOF_BPF
    return c->err == 0;
#else
    (void)c;
    return 0;
#endif
}

int fdBpfCacheStartTask(struct fd_bpf_cache *c, int pid, struct fd_bpf_iter *it)
{
    if (cacheLoad(c, FD_BPF_SOCK) != 0) return c->err;
    return fdBpfIterStartTask(c->bpf, pid, it);
}

void fdBpfCacheFree(struct fd_bpf_cache *c)
{
    fdBpfFree(c->bpf);
    c->bpf = NULL;
}

#ifdef SQLSOF_BPF

struct fd_bpf {
    struct fds_full_bpf *full;
    struct fds_ids_bpf *ids;
    struct fds_sock_bpf *sock;
};

/* Loads WALK's skeleton into BPF; the whole-host programs are attached (a link each), fds_sock
 * is not: each walk of it makes a link bound to its process. 0 or -errno, and the step. */
static int loadProgram(struct fd_bpf *bpf, enum fd_bpf_walk walk, const char **step)
{
    int err = 0;
    errno = 0;
    *step = "load";
    switch (walk) {
    case FD_BPF_FULL:
        if (!bpf->full && !(bpf->full = fds_full_bpf__open_and_load())) break;
        if ((err = fds_full_bpf__attach(bpf->full)) != 0) *step = "attach";
        return err;
    case FD_BPF_IDS:
        if (!bpf->ids && !(bpf->ids = fds_ids_bpf__open_and_load())) break;
        if ((err = fds_ids_bpf__attach(bpf->ids)) != 0) *step = "attach";
        return err;
    case FD_BPF_SOCK:
        if (!bpf->sock && !(bpf->sock = fds_sock_bpf__open_and_load())) break;
        return 0;
    case FD_BPF_WALKS: return -EINVAL;
    }
    return errno ? -errno : -EINVAL;
}

static int loaded(const struct fd_bpf *bpf, enum fd_bpf_walk walk)
{
    switch (walk) {
    case FD_BPF_FULL: return bpf->full && bpf->full->links.fds_full_fd > 0;
    case FD_BPF_IDS: return bpf->ids && bpf->ids->links.fds_ids_fd > 0;
    case FD_BPF_SOCK: return bpf->sock != NULL;
    case FD_BPF_WALKS: break;
    }
    return 0;
}

int fdBpfLoad(struct fd_bpf **out, enum fd_bpf_walk walk, char *why, size_t whyLen)
{
    if (!*out && !(*out = calloc(1, sizeof **out))) return -ENOMEM;
    if (loaded(*out, walk)) return 0;
    const char *step;
    int err = loadProgram(*out, walk, &step);
    if (err) snprintf(why, whyLen, "cannot %s the BPF iterator: %s", step, strerror(-err));
    return err;
}

void fdBpfFree(struct fd_bpf *bpf)
{
    if (!bpf) return;
    if (bpf->full) fds_full_bpf__destroy(bpf->full);
    if (bpf->ids) fds_ids_bpf__destroy(bpf->ids);
    if (bpf->sock) fds_sock_bpf__destroy(bpf->sock);
    free(bpf);
}

/* A link of the iter/task_file program PROGFD bound to process PID (0: every task), or -errno. */
static int iterLink(int progFd, int pid)
{
    union bpf_iter_link_info info;
    union bpf_attr attr;
    memset(&info, 0, sizeof info);
    info.task.pid = (__u32)pid;
    memset(&attr, 0, sizeof attr);
    attr.link_create.prog_fd = (__u32)progFd;
    attr.link_create.attach_type = BPF_TRACE_ITER;
    attr.link_create.iter_info = (__u64)(uintptr_t)&info;
    attr.link_create.iter_info_len = sizeof info;
    int link = skel_sys_bpf(BPF_LINK_CREATE, &attr, sizeof attr);
    return link < 0 ? -errno : link;
}

/* Makes an iterator of LINK's program into IT. */
static int iterCreate(int link, struct fd_bpf_iter *it)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.iter_create.link_fd = (__u32)link;
    int fd = skel_sys_bpf(BPF_ITER_CREATE, &attr, sizeof attr);
    if (fd < 0) return -errno;
    return fdBpfIterOpenFd(it, fd);
}

int fdBpfIterStartProg(int progFd, int pid, struct fd_bpf_iter *it)
{
    int link = iterLink(progFd, pid);
    if (link < 0) return link;
    int rc = iterCreate(link, it);
    close(link); /* the iterator holds its own reference */
    return rc;
}

/* WALK's link: the whole-host one of fds_full and fds_ids, or one made for fds_sock. */
static int linkFor(struct fd_bpf *bpf, enum fd_bpf_walk walk, int pid, int *made)
{
    *made = 0;
    if (walk == FD_BPF_FULL) return bpf->full->links.fds_full_fd;
    if (walk == FD_BPF_IDS) return bpf->ids->links.fds_ids_fd;
    int link = iterLink(bpf->sock->progs.fds_sock.prog_fd, pid);
    *made = link >= 0;
    return link;
}

/* Starts a walk of WALK's program on its link for PID (fds_sock; 0: every process). */
static int startOn(struct fd_bpf *bpf, enum fd_bpf_walk walk, int pid, struct fd_bpf_iter *it)
{
    int made, link = linkFor(bpf, walk, pid, &made);
    if (link < 0) return link;
    int rc = iterCreate(link, it);
    if (made) close(link); /* the iterator holds its own reference */
    if (rc == 0) it->ids = walk == FD_BPF_IDS;
    return rc;
}

int fdBpfIterStart(struct fd_bpf *bpf, enum fd_bpf_walk walk, struct fd_bpf_iter *it)
{
    return startOn(bpf, walk, 0, it);
}

int fdBpfIterStartTask(struct fd_bpf *bpf, int pid, struct fd_bpf_iter *it)
{
    return startOn(bpf, FD_BPF_SOCK, pid, it);
}

#else /* built without the program (make BPF=0) */

int fdBpfLoad(struct fd_bpf **out, enum fd_bpf_walk walk, char *why, size_t whyLen)
{
    (void)walk;
    *out = NULL;
    snprintf(why, whyLen, "built without BPF (make BPF=0)");
    return -ENOSYS;
}

void fdBpfFree(struct fd_bpf *bpf)
{
    (void)bpf;
}

int fdBpfIterStart(struct fd_bpf *bpf, enum fd_bpf_walk walk, struct fd_bpf_iter *it)
{
    (void)bpf, (void)walk, (void)it;
    return -ENOSYS;
}

int fdBpfIterStartTask(struct fd_bpf *bpf, int pid, struct fd_bpf_iter *it)
{
    (void)bpf, (void)pid, (void)it;
    return -ENOSYS;
}

int fdBpfIterStartProg(int progFd, int pid, struct fd_bpf_iter *it)
{
    (void)progFd, (void)pid, (void)it;
    return -ENOSYS;
}

#endif
