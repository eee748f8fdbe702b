/*
** The records of the endpoints table's BPF programs (endpoints.bpf.c), read by fd_peers.c: one
** per open file, naming the object it holds by what identifies that object (struct ep_key),
** with what its other end is found by. Shared by the BPF program and user space, so only
** fixed-width kernel types.
*/
#ifndef SQLSOF_ENDPOINTS_RECORD_H
#define SQLSOF_ENDPOINTS_RECORD_H

#include "fds_record.h"

/* What an open file holds, as far as its other ends go. */
enum ep_kind {
    EP_NONE,    /* a file, a device, ...: no other end */
    EP_PIPE,    /* id: the pipe's inode (pipefs) */
    EP_FIFO,    /* dev, id: the named FIFO's device and inode */
    EP_SOCK,    /* id: the socket's inode (sockfs) */
    EP_EVENTFD, /* id: the eventfd's own id (eventfd-id), not the anon inode they share */
    EP_PTM,     /* id: a pty master's tty index */
    EP_PTS,     /* id: a pty slave's tty index */
    EP_MQUEUE,  /* dev, id: the message queue's device and inode */
};

struct ep_key {
    __u32 kind; /* enum ep_kind */
    __u32 dev;  /* the kernel's encoding (major << 20 | minor); 0 where the kind needs none */
    __u64 id;
};

/* What a pass must look at beyond the inode: an eventfd's id, a pty master's index (pointer
 * chases, made only when such a key is wanted). */
enum { EP_WANT_EVENTFD = 1, EP_WANT_PTM = 2, EP_WANT_ALL = 3 };

/* ep_scan's two ways: a record of every open file, or only of those whose key is wanted. */
enum { EP_MODE_MATCH, EP_MODE_DESCRIBE };

/* epConfig's one element, set by user space before each walk. */
struct ep_config {
    __u32 mode; /* EP_MODE_* */
    __u32 want; /* EP_WANT_* */
};

enum { EP_REC_SOCKFIELDS = 1 };

/* How many keys epWanted holds: fd_peers.c asks for more in parts. */
#define EP_WANTED_MAX 16384

/* ep_scan's first test: a bit per hash of a wanted inode number, (ino * MUL) >> (64 - SHIFT). */
#define EP_BLOOM_SHIFT 18
#define EP_BLOOM_BITS  (1u << EP_BLOOM_SHIFT)
#define EP_BLOOM_MUL   0x9E3779B97F4A7C15ULL /* sock holds the socket's own fields */

struct ep_record {
    __s32 pid, fd; /* pid: the thread-group id in the reader's pid namespace */
    struct ep_key key;
    __u32 fFlags; /* f_flags: the mode letter (O_ACCMODE) */
    __u32 flags;  /* EP_REC_* */
    __u64 peer;   /* a unix socket's peer's inode (0: none), as unix_diag's peer */
    __u64 ino;    /* the file's inode number (an eventfd's: the anon inode all share) */
    struct fds_bpf_sock sock;
};

_Static_assert(sizeof(struct ep_key) == 16, "ep_key is 16 bytes");
_Static_assert(sizeof(struct ep_record) == 120, "ep_record is 120 bytes");

#endif
