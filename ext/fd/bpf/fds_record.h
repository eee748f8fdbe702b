/*
** The record that the BPF iterator (fds.bpf.c) writes for each open file and that fd_bpf.c
** reads back: a fixed header, then pathLen bytes of the path that bpf_d_path gave (the text a
** readlink of /proc/PID/fd/N gives, no NUL; none for sockets, whose text the header makes).
** fds_sock's records of inet and unix sockets put a struct fds_bpf_sock between the two, and
** the path is then the unix socket's bound name.
** Shared by the BPF program and user space, so only fixed-width kernel types.
*/
#ifndef SQLSOF_FDS_RECORD_H
#define SQLSOF_FDS_RECORD_H

#define FDS_BPF_PATH_MAX 4096 /* PATH_MAX, a power of two: the verifier bounds lengths by mask */

enum {
    FDS_BPF_CLOEXEC = 1, /* close-on-exec, which lives in the fd table, not in f_flags */
    FDS_BPF_LOCKS = 2,   /* the inode has a lock or lease of some process: fdinfo says whose */
    FDS_BPF_SOCKET = 4,  /* a socket whose proto name is set */
    FDS_BPF_SOCKFS = 8,  /* a socket file: its link text is "socket:[inode]", not in the record */
    FDS_BPF_SOCKFIELDS = 16, /* a struct fds_bpf_sock follows the header */
};

struct fds_bpf_record {
    __u32 size; /* the header and the path that follows it */
    __s32 pid;  /* the thread-group id in the reader's pid namespace */
    __s32 fd;
    __u32 flags; /* FDS_BPF_* */
    __u64 inode;
    __u64 pos;
    __s64 isize;
    __u32 dev;  /* the inode's super block, in the kernel's encoding (major << 20 | minor) */
    __u32 rdev; /* likewise */
    __u32 mode; /* i_mode */
    __u32 fFlags;
    __u32 fMode;
    __s32 mntId;
    __u32 nlink;
    __u32 magic;    /* the super block's s_magic: which file system */
    __s32 pathLen;  /* bytes of path after the header; negative: bpf_d_path's error */
    char proto[32]; /* sockets: the proto name, as getxattr("system.sockprotoname") says */
    __u32 pad;
};

/*
** A socket's own fields, read in the kernel as sock_diag would report them: TCP, UDP and
** UDP-Lite of both inet families, and unix sockets. Addresses are in network order as
** inet_diag gives them (AF_INET: the first 4 bytes); ports in host order.
*/
struct fds_bpf_sock {
    __u64 netns;  /* the socket's network namespace, as its inode number */
    __u64 cookie; /* the kernel's socket cookie (a socket that has none yet has no fields) */
    __u32 uid;
    __u16 family, type, protocol; /* sk_family, sk_type, sk_protocol */
    __u8 state, pad;
    __u16 sport, dport;
    __u8 src[16], dst[16];
    __u32 ifindex;  /* the device the socket is bound to, 0: none */
    __u32 requests; /* a TCP listener's request sockets (SYN_RECV), which no descriptor holds */
};

/* The record of a walk for the inode map: a file's pid, fd and inode, no more. */
struct fds_bpf_id {
    __s32 pid, fd;
    __u64 inode;
    __u32 magic; /* as in fds_bpf_record: whether the inode is what stat(2) says */
    __u32 pad;
};

/* The same layout on both sides: no padding the two compilers could place differently. */
_Static_assert(sizeof(struct fds_bpf_record) == 112, "fds_bpf_record is 112 bytes");
_Static_assert(sizeof(struct fds_bpf_id) == 24, "fds_bpf_id is 24 bytes");
_Static_assert(sizeof(struct fds_bpf_sock) == 72, "fds_bpf_sock is 72 bytes");

#endif
