// SPDX-License-Identifier: GPL-2.0
/*
** The BPF side of the fds table's kernel source: an iter/task_file program that writes one
** struct fds_bpf_record (bpf/fds_record.h) per open file of every process to the iterator's
** seq_file, which fd_bpf.c reads. CO-RE: built once against the running kernel's BTF and
** relocated by the kernel (light skeleton) wherever it loads.
**
** fds_full writes the path too (bpf_d_path, the text of the /proc/PID/fd/N link). fds_sock
** does the same and adds an inet or unix socket's own fields (struct fds_bpf_sock): it walks
** one process (a link bound to its pid), whose sockets the sockets table then answers without
** a request. fds_ids writes a struct fds_bpf_id instead, for the inode map and statements that
** use only pid and fd. Each program costs its load ~2-4 ms (CO-RE relocation, the verifier).
**
** The kernel already skips threads that share their leader's fd table. A thread that unshared
** its table is skipped here too: /proc/PID/fd, the reference, shows the leader's table only
** (a thread's own is /proc/PID/task/TID/fd), and (pid, fd) must name one file.
*/
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "fds_record.h"

/* Each object holds one program and leaves the helpers of the others unused. */
#pragma clang diagnostic ignored "-Wunused-function"

char LICENSE[] SEC("license") = "GPL"; /* bpf_d_path and bpf_sock_from_file are GPL-only */

/* A record and its path are built here (512 bytes of stack cannot hold a path), and what is
 * the same for a run of fds of a task is kept for the next one: its pid, the word of its
 * close-on-exec bitmap that holds 64 fds, and the id of the mount its previous fd was on. */
struct scratch {
    struct task_struct *task;
    int pid;
    int cloexecWord; /* fd / 64 of cloexecBits; -1: none read for this task */
    unsigned long cloexecBits;
    struct vfsmount *mnt;
    int mntId;
    struct fds_bpf_record rec;
    char path[FDS_BPF_PATH_MAX]; /* or fds_sock's struct fds_bpf_sock, then the unix name */
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct scratch);
} scratchMap SEC(".maps");

#define MAX_PID_LEVEL 32
#define MODE_FMT      0170000 /* S_IFMT, S_IFSOCK: vmlinux.h has no macros */
#define MODE_SOCK     0140000
#define FAMILY_UNIX   1 /* AF_UNIX, AF_INET, AF_INET6 */
#define FAMILY_INET   2
#define FAMILY_INET6  10
#define TYPE_STREAM   1
#define TYPE_DGRAM    2
#define PROTO_TCP     6
#define PROTO_UDP     17
#define PROTO_UDPLITE 136
#define STATE_LISTEN  10 /* TCP_LISTEN */

/* The tgid of TASK as the reader's pid namespace numbers it; 0 when it has none there. */
static __always_inline int readerTgid(struct task_struct *task)
{
    struct task_struct *me = bpf_get_current_task_btf();
    struct pid *mine = me->thread_pid;
    struct pid *theirs = task->group_leader->thread_pid;
    unsigned level = mine->level;
    struct upid m, t;
    if (level >= MAX_PID_LEVEL || theirs->level < level) return 0;
    unsigned long off = bpf_core_field_offset(struct pid, numbers) + level * sizeof(struct upid);
    if (bpf_probe_read_kernel(&m, sizeof m, (char *)mine + off) ||
        bpf_probe_read_kernel(&t, sizeof t, (char *)theirs + off) || m.ns != t.ns)
        return 0;
    return t.nr;
}

static __always_inline int cloexec(struct scratch *s, struct task_struct *task, unsigned fd)
{
    if (s->cloexecWord != (int)(fd / 64)) {
        unsigned long *bits = task->files->fdt->close_on_exec;
        s->cloexecBits = 0;
        s->cloexecWord = (int)(fd / 64);
        if (bits) bpf_probe_read_kernel(&s->cloexecBits, sizeof s->cloexecBits, bits + fd / 64);
    }
    return (s->cloexecBits >> (fd % 64)) & 1;
}

/* The id /proc's fdinfo gives as mnt_id: that of the struct mount around VM. */
static __always_inline int mountId(struct scratch *s, struct vfsmount *vm)
{
    if (vm != s->mnt) {
        struct mount *mnt = (void *)((char *)vm - bpf_core_field_offset(struct mount, mnt));
        s->mnt = vm;
        s->mntId = BPF_CORE_READ(mnt, mnt_id);
    }
    return s->mntId;
}

/* Whether any process holds a lock or lease on INODE: only then has fdinfo lock lines. */
static __always_inline int hasLocks(struct inode *inode)
{
    struct file_lock_context *lc = inode->i_flctx;
    if (!lc) return 0;
    return lc->flc_flock.next != &lc->flc_flock || lc->flc_posix.next != &lc->flc_posix ||
           lc->flc_lease.next != &lc->flc_lease;
}

/*
** A socket's proto name is its dentry's, which is what getxattr("system.sockprotoname")
** answers (the proto that made it, kept after IPV6_ADDRFORM). Its link text is
** "socket:[inode]" always, which user space writes (no bpf_d_path). Nothing of its struct sock
** is read: the sockets table has those fields, and each costs a cache miss per socket here.
*/
static __always_inline void readSocket(struct file *file, struct fds_bpf_record *r)
{
    r->flags |= FDS_BPF_SOCKFS;
    const unsigned char *name = file->f_path.dentry->d_name.name;
    if (bpf_probe_read_kernel_str(r->proto, sizeof r->proto, name) >= 0) r->flags |= FDS_BPF_SOCKET;
}

/* Whether the socket is of a kind whose fields fds_sock reads: unix, TCP, UDP, UDP-Lite. */
static __always_inline int fieldsKnown(__u16 family, __u16 type, __u16 protocol)
{
    if (family == FAMILY_UNIX) return 1;
    if (family != FAMILY_INET && family != FAMILY_INET6) return 0;
    return (type == TYPE_STREAM && protocol == PROTO_TCP) ||
           (type == TYPE_DGRAM && (protocol == PROTO_UDP || protocol == PROTO_UDPLITE));
}

/*
** A socket's fields as inet_diag and unix_diag report them, into the path buffer (a struct
** fds_bpf_sock, then a unix socket's bound name), so the record stays one write. Returns the
** name's length, or -1 when the socket is of a kind left to sock_diag.
*/
static __always_inline int readSockFields(struct socket *sock, struct scratch *s)
{
    struct sock *sk = sock->sk;
    if (!sk) return -1;
    struct fds_bpf_sock *k = (struct fds_bpf_sock *)s->path;
    char *name = s->path + sizeof *k;
    __builtin_memset(k, 0, sizeof *k);
    k->family = sk->__sk_common.skc_family;
    k->type = sk->sk_type;
    k->protocol = sk->sk_protocol;
    if (!fieldsKnown(k->family, k->type, k->protocol)) return -1;
    /* The cookie as sock_diag reports it; one not made yet (0) is made by the first request
     * or SO_COOKIE that asks (the helper that would make it takes trusted pointers only), so
     * such a socket is left to sock_diag. */
    k->cookie = sk->__sk_common.skc_cookie.counter;
    if (!k->cookie) return -1;
    k->state = sk->__sk_common.skc_state;
    k->netns = sk->__sk_common.skc_net.net->ns.inum;
    k->uid = sk->sk_uid.val;
    k->ifindex = sk->__sk_common.skc_bound_dev_if;
    if (k->family == FAMILY_UNIX) {
        struct unix_address *addr = BPF_CORE_READ((struct unix_sock *)sk, addr);
        if (!addr) return 0;
        int len = BPF_CORE_READ(addr, len) - (int)sizeof(short); /* sun_family */
        if (len <= 0 || len > 108) return 0;
        if (bpf_probe_read_kernel(name, len & 127, addr->name[0].sun_path)) return 0;
        return len;
    }
    if (k->protocol == PROTO_TCP && k->state == STATE_LISTEN)
        k->requests =
            BPF_CORE_READ((struct inet_connection_sock *)sk, icsk_accept_queue.qlen.counter);
    k->sport = sk->__sk_common.skc_num;
    k->dport = __builtin_bswap16(sk->__sk_common.skc_dport);
    if (k->family == FAMILY_INET) {
        __be32 src = sk->__sk_common.skc_rcv_saddr, dst = sk->__sk_common.skc_daddr;
        __builtin_memcpy(k->src, &src, 4);
        __builtin_memcpy(k->dst, &dst, 4);
    } else {
        BPF_CORE_READ_INTO(&k->src, sk, __sk_common.skc_v6_rcv_saddr);
        BPF_CORE_READ_INTO(&k->dst, sk, __sk_common.skc_v6_daddr);
    }
    return 0;
}

/*
** The scratch space for the iterator's current fd, its task's fields kept from the previous
** fd; NULL when the fd is not to be listed (a thread with a table of its own, or a process
** the reader's pid namespace cannot see).
*/
static __always_inline struct scratch *taskScratch(struct bpf_iter__task_file *ctx)
{
    struct task_struct *task = ctx->task;
    __u32 zero = 0;
    if (!task || !ctx->file) return NULL;
    if (task->files != task->group_leader->files) return NULL;
    struct scratch *s = bpf_map_lookup_elem(&scratchMap, &zero);
    if (!s) return NULL;
    if (s->task != task) {
        s->task = task;
        s->pid = readerTgid(task);
        s->cloexecWord = -1;
    }
    return s->pid > 0 ? s : NULL;
}

/*
** Fields are read by direct loads from the iterator's task and file (BTF pointers, which the
** verifier turns into fault-safe loads): much cheaper than a bpf_probe_read_kernel per field.
*/
static __always_inline int emit(struct bpf_iter__task_file *ctx, int withSock)
{
    struct task_struct *task = ctx->task;
    struct file *file = ctx->file;
    struct scratch *s = taskScratch(ctx);
    if (!s || !task || !file) return 0;
    struct fds_bpf_record *r = &s->rec;
    __builtin_memset(r, 0, sizeof *r);
    r->pid = s->pid;
    r->fd = (int)ctx->fd;
    struct inode *inode = file->f_inode;
    struct super_block *sb = inode->i_sb;
    r->inode = inode->i_ino;
    r->mode = inode->i_mode;
    r->rdev = inode->i_rdev;
    r->isize = inode->i_size;
    r->nlink = inode->__i_nlink;
    r->dev = sb->s_dev;
    r->magic = sb->s_magic;
    r->pos = file->f_pos;
    r->fFlags = file->f_flags;
    r->fMode = file->f_mode;
    r->mntId = mountId(s, file->f_path.mnt);
    if (cloexec(s, task, r->fd)) r->flags |= FDS_BPF_CLOEXEC;
    if (hasLocks(inode)) r->flags |= FDS_BPF_LOCKS;
    struct socket *sock = (r->mode & MODE_FMT) == MODE_SOCK ? bpf_sock_from_file(file) : NULL;
    if (sock) readSocket(file, r);

    __u32 len = 0;
    int nameLen = sock && withSock ? readSockFields(sock, s) : -1;
    if (nameLen >= 0) {
        r->flags |= FDS_BPF_SOCKFIELDS;
        r->pathLen = nameLen;
        len = (sizeof(struct fds_bpf_sock) + (__u32)nameLen) & 255;
    }
    if (!sock) {
        long n = bpf_d_path((struct path *)&file->f_path, s->path, sizeof s->path);
        r->pathLen = n > 0 ? (int)n - 1 : (n < 0 ? (int)n : -1);
        if (n > 0) len = ((__u32)n - 1) & (FDS_BPF_PATH_MAX - 1);
    }
    r->size = sizeof *r + len;
    bpf_seq_write(ctx->meta->seq, r, sizeof *r + len); /* r, then its path or socket fields */
    return 0;
}

/* Each program is built into an object of its own (FDS_PROG_full, _sock, _ids: the Makefile),
 * so that a connection loads only those its statements use. */
#ifdef FDS_PROG_full
SEC("iter/task_file") int fds_full(struct bpf_iter__task_file *ctx)
{
    return emit(ctx, 0);
}
#endif

#ifdef FDS_PROG_sock
SEC("iter/task_file") int fds_sock(struct bpf_iter__task_file *ctx)
{
    return emit(ctx, 1);
}
#endif

#ifdef FDS_PROG_ids
/* The pid, fd and inode of each open file, and no more: what a join's inode map is built of. */
SEC("iter/task_file") int fds_ids(struct bpf_iter__task_file *ctx)
{
    struct file *file = ctx->file;
    struct scratch *s = taskScratch(ctx);
    if (!s || !file) return 0;
    struct inode *inode = file->f_inode;
    struct fds_bpf_id id = {
        .pid = s->pid,
        .fd = (int)ctx->fd,
        .inode = inode->i_ino,
        .magic = inode->i_sb->s_magic,
    };
    bpf_seq_write(ctx->meta->seq, &id, sizeof id);
    return 0;
}
#endif
