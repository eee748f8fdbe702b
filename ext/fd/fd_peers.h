/*
** The other ends of open files, for the endpoints table: each descriptor as a struct ep_record
** (fd/bpf/endpoints_record.h) that names the object it holds by what identifies it — a pipe's or
** socket's inode, a FIFO's or message queue's device and inode, an eventfd's id, a pty's tty
** index — and the holders of a set of such keys found in one pass over the host. No SQLite here.
**
** Two sources, one answer:
**   - BPF (endpoints.bpf.c): ep_describe reads one process (or every process) in one iterator
**     read, socket fields and a unix socket's peer included; ep_match walks every descriptor of
**     the host in the kernel and writes only those whose key is wanted;
**   - /proc (fd_peers_proc.c): the fds table's walk, a readlink per descriptor, a stat only
**     for paths when a FIFO or queue is wanted, fdinfo only for eventfds and pty masters (and
**     for the flags of what matched). Sockets' fields come from the caller (sock_diag).
*/
#ifndef SQLSOF_FD_PEERS_H
#define SQLSOF_FD_PEERS_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>

#include "fd/bpf/endpoints_record.h"
#include "util/keyset.h"

struct ep_records {
    struct ep_record *v;
    size_t n, cap;
};

/* A new zeroed record at the end, or NULL when out of memory. */
struct ep_record *epRecordsPush(struct ep_records *r);
void epRecordsFree(struct ep_records *r);
/* Sorts R by key, then pid and fd; epRecordsFind gives the first of KEY, or r->n. */
void epRecordsSortByKey(struct ep_records *r);
size_t epRecordsFind(const struct ep_records *r, const struct ep_key *key);
int epKeyCompare(const struct ep_key *a, const struct ep_key *b);

/* A sorted set of keys (no duplicates once sealed), what ep_match must look at for them, and
 * the inode numbers of the files that hold them (ep_scan's first test). */
struct ep_keys {
    struct ep_key *v;
    size_t n, cap;
    unsigned want; /* EP_WANT_* */
    struct keyset inos;
};
/* Adds KEY, held by files of inode number INO (a pipe's, a socket's: the key's own; an eventfd's:
 * the anon inode; a pty's: its devpts node). 0 or -ENOMEM. */
int epKeysAdd(struct ep_keys *k, const struct ep_key *key, uint64_t ino);
void epKeysSeal(struct ep_keys *k);
int epKeysHas(const struct ep_keys *k, const struct ep_key *key);
void epKeysFree(struct ep_keys *k);

/* The loaded programs of one table (per connection), loaded on first use; a failed load is not
 * tried again and WHY says why. */
struct ep_bpf;
struct ep_bpf_cache {
    struct ep_bpf *bpf;
    int err;
    char why[160];
};
/* Loads the programs: 0, or -errno with the reason in C->why (-ENOSYS: built with BPF=0). */
int epBpfLoad(struct ep_bpf_cache *c);
void epBpfCacheFree(struct ep_bpf_cache *c);
/* Appends a record of every descriptor of process PID (0: of every process) to OUT. */
int epBpfDescribe(struct ep_bpf_cache *c, int pid, struct ep_records *out);
/* Appends a record of every descriptor of the host whose key is in KEYS to OUT. */
int epBpfMatch(struct ep_bpf_cache *c, const struct ep_keys *keys, struct ep_records *out);

/* The /proc source. PIDS NULL: every process. Sockets get their key only (no fields). */
int epProcDescribe(int procfd, const struct keyset *pids, struct ep_records *out);
int epProcMatch(int procfd, const struct ep_keys *keys, struct ep_records *out);

/* The key's object as the table's `object` column writes it ("pipe:123", "fifo:0,35:77"),
 * into BUF (at least 64 bytes). */
void epKeyText(const struct ep_key *k, char *buf, size_t size);

#endif
