/*
** What a namespace's counts say of its sockets: /proc/net/protocols counts, for each protocol,
** the sockets of the reader's namespace that its hash tables hold, which are the ones sock_diag's
** dumps walk to; /proc/net/sockstat adds TCP's TIME_WAIT sockets, which that count leaves out.
** A dump of a kind whose count is 0 (or whose protocol is not even registered) would walk the
** kernel's host-wide table to find nothing, and one whose count its holders' descriptors
** account for (sock_held.h) would find just those. No SQLite here.
*/
#ifndef SQLSOF_SOCK_INUSE_H
#define SQLSOF_SOCK_INUSE_H

#include <stddef.h>
#include <stdint.h>

#include "sock/sock_filter.h"

struct sock_counts {
    uint32_t known;          /* the kinds (1 << kind, sock_filter.h) counted below */
    uint32_t n[SOCK_NKINDS]; /* the sockets of each kind that the namespace's tables hold */
    int64_t timeWait;        /* TCP's TIME_WAIT sockets, both families; -1: unknown */
};

/* Reads protocols TEXT (LEN bytes) into C's known and n: a kind whose protocol has no line is
 * known and 0 (not registered, so no socket), a line cut short is not known. */
void sockCountsParse(const char *text, size_t len, struct sock_counts *c);
/* The tw of sockstat TEXT's "TCP: inuse N orphan N tw N" line, or -1. */
int64_t sockCountsTimeWait(const char *text, size_t len);
/* Both files of the namespace whose net directory is DIR (/proc/thread-self/net, PID/net
 * under /proc) into C; what cannot be read is not known. */
void sockCountsRead(struct sock_counts *c, int dirfd, const char *dir);

/* The kinds that have no socket at all: a count of 0. TCP is never idle by its count alone,
 * which leaves out bound sockets that neither listen nor connect. */
uint32_t sockCountsIdle(const struct sock_counts *c);

#endif
