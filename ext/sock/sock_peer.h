/*
** The other end of a connected Internet socket on this host, for the endpoints table: the socket
** whose ends are this one's the other way round, in the same network namespace, or else the one
** socket of another namespace with them (a veth away; a loopback address never leaves its
** namespace). An IPv4 end matches its IPv4-mapped IPv6 form. No SQLite here.
**
** Two ways, one answer: sockPeerAsk sends one exact sock_diag request per namespace tried (a hash
** lookup in the kernel), for a few sockets; a whole-host answer sorts every socket's ends once
** (struct sock_tuple) and searches them.
*/
#ifndef SQLSOF_SOCK_PEER_H
#define SQLSOF_SOCK_PEER_H

#include <stdint.h>

#include "sock/sock_dump.h"

/* Whether R is a TCP, UDP or UDP-Lite socket with a remote end (remote port not 0). */
int sockPeerConnected(const struct sock_row *r);
/* Whether R's remote address is a loopback one (127/8, ::ffff:127/104, ::1). */
int sockPeerLoopback(const struct sock_row *r);

/* A socket's ends as its peer's would be written, addresses in IPv6 form. */
struct sock_tuple {
    uint64_t netns;
    uint16_t protocol, localPort, remotePort, pad;
    uint8_t local[16], remote[16];
};
/* R's ends (REVERSED: as its peer has them). */
void sockTupleOf(const struct sock_row *r, int reversed, struct sock_tuple *t);
/* Orders tuples; ANYNETNS: the namespace is not compared. */
int sockTupleCompare(const struct sock_tuple *a, const struct sock_tuple *b, int anyNetns);

/* What the exact lookups of one statement share: the sock_diag sockets, the host's namespaces
 * (listed on first need). */
struct sock_peer {
    int procfd;
    struct sock_diag diag;
    struct netns_list all;
    int listed;
};
int sockPeerInit(struct sock_peer *p, int procfd);
void sockPeerFree(struct sock_peer *p);

/*
** The inode of the socket at the other end of R (connected, sockPeerConnected), which process
** HOLDER holds (its namespace opens R's when they are the same), into *PEER; 0 when none is on
** this host. Returns 0 or -errno.
*/
int sockPeerAsk(struct sock_peer *p, const struct sock_row *r, int holder, uint64_t *peer);

#endif
