// SPDX-License-Identifier: GPL-2.0
/*
** The endpoints table's BPF side (fd_peers.c reads it): iterators that name the object each open
** file holds by what identifies it (struct ep_key, endpoints_record.h: a pipe's or socket's
** inode, a FIFO's or queue's device and inode, an eventfd's id, a pty's tty index). Two objects,
** like fds.bpf.c's, so that a question loads only what it walks with:
**
**   EP_PROG_scan  ep_scan, an iter/task program: each process's fd table in one loop, 64
**                 descriptors a read. EP_MODE_DESCRIBE writes a record of every open file (on a
**                 link bound to the asked process): its key, f_flags, an inet or unix socket's
**                 ends and namespace, and a unix socket's peer inode.
**                 EP_MODE_MATCH writes only the files whose key user space put in epWanted: one
**                 pass over the host at a few loads per descriptor, most turned away by a bit of
**                 epBloom (a hash of the inode number) before the key is even made.
**   EP_PROG_file  ep_describe and ep_match: the same records file by file (iter/task_file), for
**                 a process whose records overflow the iterator's buffer (~290 in one process's
**                 write, E2BIG), and for the whole host's description.
**
** Fields are read by probe reads or through bpf_rdonly_cast pointers, not by loads from the
** iterator's trusted pointers: the verifier looks each of those up in the kernel's BTF by name
** (~1 ms a load, measured), and a program loaded per statement must verify fast.
** fds.bpf.c's helpers are included, not copied; it defines no program here (no FDS_PROG_*).
*/
#ifdef EP_FIXED
/*
** Built for the running kernel alone: its own offsets and BTF ids (ep_kernel.h, from its BTF
** at build time), no CO-RE relocation, which the kernel resolves at every load by searching
** its BTF for each type (~0.2 ms a type, measured). fd_peers.c loads this object only on the
** kernel it was built on, the CO-RE one elsewhere.
*/
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>

#include "ep_kernel.h"
#undef BPF_CORE_READ
#undef BPF_CORE_READ_INTO
#undef bpf_core_field_offset
#define BPF_CORE_READ                      BPF_PROBE_READ
#define BPF_CORE_READ_INTO                 BPF_PROBE_READ_INTO
#define bpf_core_field_offset(type, field) __builtin_offsetof(type, field)
#define EP_TYPE_ID(type)                   EP_BTF_ID_##type
#else
#define EP_TYPE_ID(type) bpf_core_type_id_kernel(struct type)
#endif

#include "fds.bpf.c"

#include "endpoints_record.h"

#define MODE_FIFO    0010000
#define MODE_CHR     0020000
#define MODE_REG     0100000
#define MAGIC_PIPEFS 0x50495045
#define MAGIC_ANON   0x09041934
#define MAGIC_MQUEUE 0x19800202
#define MAGIC_SOCKFS 0x534F434B
#define PTS_MAJOR    136 /* UNIX98_PTY_SLAVE_MAJOR, up to 143 */
#define PTMX_RDEV    ((5u << 20) | 2u)

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC); /* filled for a pass, emptied after it */
    __uint(max_entries, EP_WANTED_MAX);
    __type(key, struct ep_key);
    __type(value, __u8);
} epWanted SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct ep_config);
} epConfig SEC(".maps");

/* An anon-inode file is an eventfd when its dentry is "[eventfd]" (its link's anon_inode:...). */
static __always_inline int isEventfd(struct file *file)
{
    char name[10];
    const unsigned char *d = file->f_path.dentry->d_name.name;
    if (bpf_probe_read_kernel_str(name, sizeof name, d) != 10) return 0;
    return name[0] == '[' && name[1] == 'e' && name[2] == 'v' && name[3] == 'e' && name[4] == 'n' &&
           name[5] == 't' && name[6] == 'f' && name[7] == 'd' && name[8] == ']';
}

/*
** FILE's key into K: 1, or 0 when it holds nothing with another end (or nothing WANT asks for:
** an eventfd's id and a pty master's index cost pointer chases, done only when wanted).
*/
static __always_inline int keyOf(struct file *file, struct ep_key *k, __u32 want)
{
    struct inode *inode = file->f_inode;
    struct super_block *sb = inode->i_sb;
    __u32 mode = inode->i_mode & MODE_FMT;
    unsigned long magic = sb->s_magic;
    k->dev = 0;
    k->id = inode->i_ino;
    if (mode == MODE_SOCK) {
        k->kind = EP_SOCK; /* an O_PATH file of a bound name is no socket */
        return magic == MAGIC_SOCKFS;
    }
    if (mode == MODE_FIFO) {
        k->kind = magic == MAGIC_PIPEFS ? EP_PIPE : EP_FIFO;
        if (k->kind == EP_FIFO) k->dev = sb->s_dev;
        return 1;
    }
    if (mode == MODE_CHR) {
        __u32 rdev = inode->i_rdev, major = rdev >> 20;
        if (major >= PTS_MAJOR && major < PTS_MAJOR + 8) {
            k->kind = EP_PTS;
            k->id = ((major - PTS_MAJOR) << 8) + (rdev & 0xfffff);
            return 1;
        }
        if (rdev != PTMX_RDEV || !(want & EP_WANT_PTM)) return 0;
        struct tty_file_private *priv = file->private_data;
        k->kind = EP_PTM;
        k->id = (__u32)BPF_CORE_READ(priv, tty, index);
        return 1;
    }
    if (magic == MAGIC_ANON) {
        if (!(want & EP_WANT_EVENTFD) || !isEventfd(file)) return 0;
        struct eventfd_ctx *ctx = file->private_data;
        k->kind = EP_EVENTFD;
        k->id = (__u32)BPF_CORE_READ(ctx, id);
        return 1;
    }
    if (magic == MAGIC_MQUEUE && mode == MODE_REG) {
        k->kind = EP_MQUEUE;
        k->dev = sb->s_dev;
        return 1;
    }
    return 0;
}

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* P as a pointer the verifier lets a program read through without a BTF lookup per load. */
#define UNTRUSTED(type, p) ((struct type *)bpf_rdonly_cast((void *)(p), EP_TYPE_ID(type)))

/* The inode of a unix socket's peer, as unix_diag reports it (0: none, or it has no file). */
static __always_inline __u64 unixPeer(struct socket *sock)
{
    struct sock *peer = BPF_CORE_READ((struct unix_sock *)sock->sk, peer);
    struct socket *ps = peer ? BPF_CORE_READ(peer, sk_socket) : NULL;
    return ps ? BPF_CORE_READ((struct socket_alloc *)ps, vfs_inode.i_ino) : 0;
}

/*
** SOCK's fields that tell its other end, into K: family, type, protocol, state, namespace,
** ports and addresses (as fds.bpf.c's readSockFields reads them, but for every inet or unix
** socket: an end is found without the cookie that sock_diag makes on first request).
*/
static __always_inline int sockFields(struct socket *sock, struct fds_bpf_sock *k)
{
    struct sock *sk = sock->sk;
    if (!sk) return 0;
    k->family = sk->__sk_common.skc_family;
    k->type = sk->sk_type;
    k->protocol = sk->sk_protocol;
    if (k->family != FAMILY_UNIX && k->family != FAMILY_INET && k->family != FAMILY_INET6) return 0;
    k->state = sk->__sk_common.skc_state;
    k->netns = sk->__sk_common.skc_net.net->ns.inum;
    if (k->family == FAMILY_UNIX) return 1;
    k->sport = sk->__sk_common.skc_num;
    k->dport = __builtin_bswap16(sk->__sk_common.skc_dport);
    if (k->family == FAMILY_INET) {
        __be32 src = sk->__sk_common.skc_rcv_saddr, dst = sk->__sk_common.skc_daddr;
        __builtin_memcpy(k->src, &src, 4);
        __builtin_memcpy(k->dst, &dst, 4);
    } else {
        __builtin_memcpy(k->src, &sk->__sk_common.skc_v6_rcv_saddr, 16);
        __builtin_memcpy(k->dst, &sk->__sk_common.skc_v6_daddr, 16);
    }
    return 1;
}

/*
** R for FILE (a pointer read through without BTF lookups) as fd FD of PID: the key, f_flags and
** inode; with DESCRIBE, a socket's fields and a unix socket's peer. 0 when the file holds nothing
** with another end and only keys are asked.
*/
static __always_inline int fillRecord(struct ep_record *r, struct file *file, int pid, int fd,
                                      __u32 want, int describe)
{
    __builtin_memset(r, 0, sizeof *r);
    r->pid = pid;
    r->fd = fd;
    if (!keyOf(file, &r->key, want)) {
        if (!describe) return 0;
        r->key.kind = EP_NONE;
    }
    r->fFlags = file->f_flags;
    r->ino = file->f_inode->i_ino;
    if (!describe || r->key.kind != EP_SOCK) return 1;
    struct socket *sock = UNTRUSTED(socket, file->private_data);
    if (!sockFields(sock, &r->sock)) return 1;
    r->flags |= EP_REC_SOCKFIELDS;
    if (r->sock.family == FAMILY_UNIX) r->peer = unixPeer(sock);
    return 1;
}

static __always_inline struct ep_config *epConfigNow(void)
{
    __u32 zero = 0;
    return bpf_map_lookup_elem(&epConfig, &zero);
}

#ifdef EP_PROG_file
/* Every open file of the walk (one process's, or the host's). */
SEC("iter/task_file") int ep_describe(struct bpf_iter__task_file *ctx)
{
    struct scratch *s = taskScratch(ctx);
    struct ep_record r;
    if (!s || !ctx->file) return 0;
    fillRecord(&r, UNTRUSTED(file, ctx->file), s->pid, (int)ctx->fd, EP_WANT_ALL, 1);
    bpf_seq_write(ctx->meta->seq, &r, sizeof r);
    return 0;
}

/* The open files whose key is in epWanted. */
SEC("iter/task_file") int ep_match(struct bpf_iter__task_file *ctx)
{
    struct ep_config *cfg = epConfigNow();
    struct ep_record r;
    if (!cfg || !ctx->file) return 0;
    struct file *file = UNTRUSTED(file, ctx->file);
    if (!fillRecord(&r, file, 0, (int)ctx->fd, cfg->want, 0)) return 0;
    if (!bpf_map_lookup_elem(&epWanted, &r.key)) return 0;
    struct scratch *s = taskScratch(ctx);
    if (!s) return 0;
    r.pid = s->pid;
    bpf_seq_write(ctx->meta->seq, &r, sizeof r);
    return 0;
}
#endif

#ifdef EP_PROG_scan
/* ep_scan's first test: a bit per hash of a wanted inode number. */
struct ep_bloom {
    __u64 bits[EP_BLOOM_BITS / 64];
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct ep_bloom);
} epBloom SEC(".maps");

/* The file pointers of 64 fds, read from the fd table at once, and their f_inode (struct inode
 * pointers) as the match pass reads them. */
struct ep_ptrs {
    struct file *f[64];
    __u64 inode[64];
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct ep_ptrs);
} epPtrs SEC(".maps");

/* One process's walk of its fd table: what the loops' bodies need. */
struct scan {
    struct seq_file *seq;
    struct file **fds;
    unsigned long *open;
    struct ep_bloom *bloom;
    struct ep_ptrs *ptrs;
    int describe;       /* EP_MODE_DESCRIBE */
    unsigned long word; /* the open fds of the current 64 not visited yet */
    __u64 hits;         /* the fds that bloomGroup let through */
    __u32 base;         /* the first fd of the current 64 */
    __u32 want;
    int pid;
};

/* The index of the lowest bit set in B (a power of two): de Bruijn, as BPF has no ctz. */
static __always_inline __u32 bitIndex(__u64 b)
{
    static const __u8 table[64] = {0,  1,  2,  53, 3,  7,  54, 27, 4,  38, 41, 8,  34, 55, 48, 28,
                                   62, 5,  39, 46, 44, 42, 22, 9,  24, 35, 59, 56, 49, 18, 29, 11,
                                   63, 52, 6,  26, 37, 40, 33, 47, 61, 45, 43, 21, 23, 58, 17, 10,
                                   51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12};
    return table[((b * 0x022fdd63cc95386dULL) >> 58) & 63];
}

/*
** The match pass's first test, of every open file of the host: whether its inode number has its
** bit in epBloom. Reading file->f_inode and then inode->i_ino misses the cache twice a file on a
** host of many files, and a bpf_loop callback a file (as scanBit) waits for each file's two
** misses in turn: that was most of a pass. So the 64 files of a word are tested in groups of
** EP_GROUP, each group's loads unrolled and independent of one another, and pipelined: call K
** reads the f_inode of group K and the i_ino of group K - 1, whose inodes call K - 1 read.
** Larger groups wait less but cost the verifier more at each load (16: ~0.6 ms more than 8, for
** little). A NULL file pointer reads as a NULL inode and an inode number 0 (a probe load that
** fails yields 0); the caller keeps only the open fds of the bits set in hits.
*/
#define EP_GROUP 8
static long bloomGroup(__u64 k, void *data)
{
    struct scan *c = data;
    struct ep_ptrs *p = c->ptrs;
    __u32 at = ((__u32)k * EP_GROUP) & 63, prev = ((__u32)k * EP_GROUP - EP_GROUP) & 63;
    if (k < 64 / EP_GROUP) {
#pragma unroll
        for (int i = 0; i < EP_GROUP; i++)
            p->inode[at + i] = (__u64)UNTRUSTED(file, p->f[at + i])->f_inode;
    }
    if (k > 0) {
        __u64 hits = 0;
#pragma unroll
        for (int i = 0; i < EP_GROUP; i++) {
            __u64 h = (UNTRUSTED(inode, p->inode[prev + i])->i_ino * EP_BLOOM_MUL) >>
                      (64 - EP_BLOOM_SHIFT);
            hits |= ((c->bloom->bits[(h / 64) & (EP_BLOOM_BITS / 64 - 1)] >> (h & 63)) & 1) << i;
        }
        c->hits |= hits << prev;
    }
    return 0;
}

/* The fds of the current 64 that pass the match pass's first test (a superset of the open). */
static __always_inline __u64 bloomHits(struct scan *c)
{
    c->hits = 0;
    bpf_loop(64 / EP_GROUP + 1, bloomGroup, c, 0);
    return c->hits;
}

/* The next fd of the current 64 (the match pass: of those bloomHits let through). */
static long scanBit(__u64 n, void *data)
{
    struct scan *c = data;
    if (!c->word) return 1;
    __u64 low = c->word & -c->word;
    c->word ^= low;
    __u32 j = bitIndex(low);
    struct file *fp = c->ptrs->f[j & 63];
    if (!fp) return 0;
    struct file *file = UNTRUSTED(file, fp);
    struct ep_record r;
    if (!fillRecord(&r, file, c->pid, (int)(c->base + j), c->want, c->describe)) return 0;
    if (!c->describe && !bpf_map_lookup_elem(&epWanted, &r.key)) return 0;
    bpf_seq_write(c->seq, &r, sizeof r);
    (void)n;
    return 0;
}

/* The open fds W * 64 .. W * 64 + 63. */
static long scanWord(__u64 w, void *data)
{
    struct scan *c = data;
    if (bpf_probe_read_kernel(&c->word, sizeof c->word, c->open + w)) return 1;
    if (!c->word) return 0;
    if (bpf_probe_read_kernel(c->ptrs->f, sizeof c->ptrs->f, c->fds + w * 64)) return 1;
    c->base = (__u32)w * 64;
    if (!c->describe) c->word &= bloomHits(c);
    if (c->word) bpf_loop(64, scanBit, c, 0);
    return 0;
}

/* The tgid of LEADER (a thread group's leader, read through without BTF lookups) as the
 * reader's pid namespace numbers it (0: none there): readerTgid's reading. The number at the
 * reader's level is at a variable offset, which a probe read reads. */
static __always_inline int scanTgid(struct task_struct *leader)
{
    struct pid *mine = UNTRUSTED(task_struct, bpf_get_current_task_btf())->thread_pid;
    struct pid *theirs = leader->thread_pid;
    unsigned level = mine->level;
    struct upid m, t;
    if (level >= MAX_PID_LEVEL || theirs->level < level) return 0;
    unsigned long off = bpf_core_field_offset(struct pid, numbers) + level * sizeof(struct upid);
    if (bpf_probe_read_kernel(&m, sizeof m, (char *)mine + off) ||
        bpf_probe_read_kernel(&t, sizeof t, (char *)theirs + off) || m.ns != t.ns)
        return 0;
    return t.nr;
}

/*
** Each process's fd table. The task's fields are read through a bpf_rdonly_cast pointer, as
** the files' are: a load apiece, where a probe read is a helper call (11 of the 13 a task were
** probe reads, ~0.7 ms a pass over a host of a thousand processes).
*/
SEC("iter/task") int ep_scan(struct bpf_iter__task *ctx)
{
    __u32 zero = 0;
    if (!ctx->task) return 0;
    struct task_struct *task = UNTRUSTED(task_struct, ctx->task);
    /* The task iterator visits every thread, and a thread shares its leader's fd table (or has
     * one of its own, which /proc/PID/fd does not show): the leader's is the process's. */
    if (task->group_leader != task) return 0;
    struct files_struct *files = task->files;
    if (!files) return 0;
    struct ep_config *cfg = epConfigNow();
    struct scan c = {
        .seq = ctx->meta->seq,
        .bloom = bpf_map_lookup_elem(&epBloom, &zero),
        .ptrs = bpf_map_lookup_elem(&epPtrs, &zero),
        .pid = scanTgid(task),
    };
    if (!cfg || !c.bloom || !c.ptrs || c.pid <= 0) return 0;
    c.want = cfg->want;
    if (cfg->mode == EP_MODE_DESCRIBE) {
        c.want = EP_WANT_ALL;
        c.describe = 1;
    }
    struct fdtable *fdt = files->fdt;
    c.fds = fdt->fd;
    c.open = fdt->open_fds;
    bpf_loop((fdt->max_fds + 63) / 64, scanWord, &c, 0);
    return 0;
}
#endif
