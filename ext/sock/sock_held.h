/*
** The sockets of a namespace that its own processes hold, read from their descriptors through
** BPF (fds_sock, bound to each process), and the kinds they are all of: a dump of such a kind
** would list these sockets and no other, so the scans answer it from them. It spares the
** kernel's walk of its host-wide table for every small namespace (a container's few sockets
** cost a dump that passes over every socket of the host). No SQLite here.
**
** The proof is a count (sock_inuse.h), read before and after the walk: a kind is proved when
** both counts equal the sockets of that kind the walk found that the namespace's tables hold
** (TCP: all but CLOSE; UDP, UDP-Lite: the bound ones), and for TCP when there is no TIME_WAIT
** socket and no listener has a request socket (SYN_RECV), which no descriptor holds. A socket
** the walk cannot describe (no cookie yet), one held by a process of another namespace, an
** orphan, a connection waiting in an accept queue or one the kernel made makes the counts
** differ: that kind is dumped, as before. What the counts cannot show is a bound TCP socket
** that neither listens nor connects and that no descriptor holds (only the kernel's own).
*/
#ifndef SQLSOF_SOCK_HELD_H
#define SQLSOF_SOCK_HELD_H

#include <stdint.h>

#include "fd/fd_bpf.h"
#include "sock/netns.h"
#include "sock/sock_row.h"

struct sock_held {
    struct sock_rows rows; /* the sockets found, one row each, of the proved kinds */
    uint32_t proved;       /* the kinds (1 << kind, sock_filter.h) these rows are all of */
};

/*
** Reads namespace NS's held sockets into H when it has processes, at most NETNS_FEW_PROCS
** (PROCFD: /proc), through BPF's programs. 0 (H->proved says what is known; none when
** the walk or a count failed), or -ENOMEM.
*/
int sockHeldRead(struct sock_held *h, struct fd_bpf_cache *bpf, int procfd, const struct netns *ns);
void sockHeldFree(struct sock_held *h);

#endif
