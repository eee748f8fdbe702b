/*
** What a `sockets` statement asks for, in sock_diag's terms: which dumps to send (the kinds:
** family and protocol), which state bits and port bytecode go with each, and the check that
** every row passes whatever the kernel applied. No SQLite here.
*/
#ifndef SQLSOF_SOCK_FILTER_H
#define SQLSOF_SOCK_FILTER_H

#include <stdint.h>

#include "util/keyset.h"
#include "sock/sock_row.h"

/* The dumps of one namespace, in the order a scan sends them: tcp, udp, udplite, raw, sctp
 * and mptcp of inet and inet6, then unix, netlink, packet. */
struct sock_kind {
    int family, protocol; /* protocol DIAG_ANY_PROTOCOL: every socket of the family */
};
extern const struct sock_kind sockKinds[];
#define SOCK_NKINDS 15

/* The kind whose dump lists a socket of FAMILY and PROTOCOL (unix: any type), or -1. */
int sockKindOf(int family, int protocol);

/* The filtered columns, in the sockets table's idxNum bit order. */
enum sock_by {
    SOCK_BY_STATE,
    SOCK_BY_FAMILY,
    SOCK_BY_PROTOCOL,
    SOCK_BY_SPORT,
    SOCK_BY_DPORT,
    SOCK_BY_INODE,
    SOCK_BY_NETNS,
    SOCK_NBY
};

/* A set of words from `= ?` or `IN (...)`, compared byte for byte (BINARY). */
struct sock_words {
    char **v;
    int n, cap;
};

struct sock_filter {
    unsigned by; /* 1 << SOCK_BY_* */
    struct sock_words states, families, protocols;
    struct keyset sports, dports, inodes, netns;
};

/* Adds a copy of S. 0 or -ENOMEM. */
int sockWordsAdd(struct sock_words *w, const char *s);
void sockFilterFree(struct sock_filter *f);

static inline int sockFilterHas(const struct sock_filter *f, enum sock_by by)
{
    return (f->by >> by) & 1;
}

/* Whether dump KIND can hold a row F keeps, and the kernel's state bits (1 << TCP_*) for it. */
int sockKindNeeded(const struct sock_filter *f, int kind);
/*
** The family that the dump for KIND asks for: its own; AF_UNSPEC for inet TCP when F needs
** inet6 TCP too (one dump answers both); or -1 when that earlier dump answered KIND already.
** F NULL: every kind is needed.
*/
int sockKindDumpFamily(const struct sock_filter *f, int kind);
uint32_t sockKindStates(const struct sock_filter *f, int kind);

/* Whether row R passes every filter of F. */
int sockRowMatches(const struct sock_filter *f, const struct sock_row *r);

/* inet inet6 unix netlink packet, or "?". */
const char *sockFamilyName(int family);

#endif
