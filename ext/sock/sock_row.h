/*
** A row of the `sockets` table as its sources produce it — what sock_diag said, in which
** namespace, and the bound device's name — and a growable vector of them. No SQLite here.
*/
#ifndef SQLSOF_SOCK_ROW_H
#define SQLSOF_SOCK_ROW_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "fd/bpf/fds_record.h"

struct sock_row {
    struct diag_row d;
    uint64_t netns;
    char ifname[IF_NAMESIZE];
};

struct sock_rows {
    struct sock_row *v;
    size_t n, cap;
};

/*
** The row of socket INODE from the fields a BPF record carried (K, and a unix socket's bound
** NAME of LEN bytes): what sock_diag would report in the columns those fields give — netns,
** family, protocol, state, addresses and ports, uid, cookie, path. The others stay unset.
*/
void sockRowFromFields(struct sock_row *out, uint64_t inode, const struct fds_bpf_sock *k,
                       const char *name, int len);
/* Whether sock_diag lists the socket K describes at all: an inet socket never bound (local
 * port 0) is in no hash that a dump walks, while every unix socket is listed. */
int sockFieldsListed(const struct fds_bpf_sock *k);

/* A new slot at the end, or NULL when out of memory. */
struct sock_row *sockRowsPush(struct sock_rows *r);
void sockRowsFree(struct sock_rows *r);

/* Sorts rows FROM.. by cookie and drops repeats (a dump retried after NLM_F_DUMP_INTR). */
void sockRowsDedupe(struct sock_rows *r, size_t from);

/* Sorts every row by inode; sockRowsFindInode gives the first row of INODE or r->n. */
void sockRowsSortByInode(struct sock_rows *r);
size_t sockRowsFindInode(const struct sock_rows *r, uint64_t inode);

/*
** The row's rowid: a key of the socket itself, the same in every xFilter of a statement (as
** SQLite's OR plans need). Cookies are unique per host since Linux 5.11 and were unique per
** namespace before, so the namespace's low 23 bits go above the cookie's low 40: distinct for
** sockets in namespaces fewer than 2^23 inode numbers apart and cookies below 2^40.
*/
int64_t sockRowKey(const struct sock_row *r);

#endif
