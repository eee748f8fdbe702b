/*
** The endpoints table's answer without SQLite: for each descriptor, every other (pid, fd) that
** holds its other end — the same pipe, FIFO, eventfd or message queue; the peer of a unix socket;
** the socket at the other end of a TCP or UDP connection on this host (sock_peer.h); the master
** of a pty slave and the slaves of a master.
**
** A question about some processes costs what they hold: each one's descriptors described
** (fd_peers.h), the keys of their other ends, then one pass over the host that keeps only the
** descriptors holding those keys. The whole host is one description of every descriptor, its
** sockets' peers paired in memory. BPF or /proc (and sock_diag), per the mode.
*/
#ifndef SQLSOF_SOCK_ENDPOINTS_H
#define SQLSOF_SOCK_ENDPOINTS_H

#include <stddef.h>

#include "fd/fd_peers.h"
#include "util/keyset.h"

struct ep_row {
    int pid, fd, peerPid, peerFd;
    const char *kind;   /* pipe fifo unix tcp udp udplite pty eventfd mqueue */
    unsigned peerFlags; /* the peer's open flags (its mode letter) */
    struct ep_key object;
};

struct ep_rows {
    struct ep_row *v; /* by pid, fd, peer pid, peer fd once answered */
    size_t n, cap;
};

enum ep_source { EP_SOURCE_AUTO, EP_SOURCE_PROC, EP_SOURCE_BPF };

/* One statement's answers (a cursor's), added to as later xFilter calls ask more. */
struct ep_answer {
    int procfd;
    enum ep_source mode;
    struct ep_bpf_cache *bpf; /* the table's programs */
    const char *last;         /* "bpf" or "proc": what answered the latest question */
    struct keyset done;       /* processes answered */
    int host;                 /* the whole host answered */
    int passes;               /* host passes made for processes */
    struct ep_rows rows;
    char why[200]; /* the reason of a failure, one line */
};

void epAnswerInit(struct ep_answer *a, int procfd, enum ep_source mode, struct ep_bpf_cache *bpf);
void epAnswerFree(struct ep_answer *a);
/* Adds the rows of PIDS (those not answered yet) or of the whole host (PIDS NULL): 0, or -errno
 * with the reason in a->why. */
int epAnswer(struct ep_answer *a, const struct keyset *pids);
/* The first row of PID (rows are sorted), or rows.n. */
size_t epAnswerFirst(const struct ep_answer *a, int pid);

#endif
