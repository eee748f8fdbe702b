/*
** One socket found through a process that holds it, at the cost of that socket: the fds
** table noted (conn.h) that PID holds inode INODE as FD. With ptrace access to the holder,
** pidfd_getfd lends a duplicate for a moment — fstat confirms the inode, SO_DOMAIN/SO_PROTOCOL
** and SO_COOKIE name it, SIOCGSKNS its namespace, getsockname/getpeername its ID — and it is
** closed before sock_diag is asked: exactly (TCP, UDP, UDP-Lite by ID and cookie; unix by
** inode), else by a dump of that one protocol in that one namespace (a SO_REUSEPORT sibling
** answered, or the kernel has no exact lookup for the protocol). Without ptrace access the
** protocol comes from the fd's system.sockprotoname and the namespace from the holder's
** /proc/PID/ns/net, and the same one-protocol dump is sent there (and, if the socket is not
** there, in the other namespaces). Nothing is read from, written to or set on the socket.
** No SQLite here.
*/
#ifndef SQLSOF_SOCK_LOOKUP_H
#define SQLSOF_SOCK_LOOKUP_H

#include <stdint.h>

#include "sock/sock_dump.h"

struct sock_lookup {
    int procfd;
    int pid, pidfd; /* the last holder's pidfd (-1: none) */
};

void sockLookupInit(struct sock_lookup *l, int procfd);
void sockLookupFree(struct sock_lookup *l);

/* What sockLookupByHolder could say. */
enum {
    SOCK_LOOKUP_ANSWERED = 1, /* OUT has the socket's row, or it has none anywhere */
    SOCK_LOOKUP_UNKNOWN = 0,  /* the holder no longer holds it: ask the whole-host map */
};

/* How an answered lookup found its socket. */
enum sock_found {
    SOCK_FOUND_NONE,       /* no request was needed: the socket has no row anywhere */
    SOCK_FOUND_DIRECT,     /* a unix socket read from the holder's duplicate alone */
    SOCK_FOUND_EXACT,      /* an exact sock_diag request */
    SOCK_FOUND_RESTRICTED, /* a dump of one protocol in one namespace */
};

/*
** Appends the row of socket INODE, which PID was seen holding as FD, to OUT. Returns
** SOCK_LOOKUP_ANSWERED (with *HOW) or SOCK_LOOKUP_UNKNOWN, or -errno for a failure to report.
*/
int sockLookupByHolder(struct sock_lookup *l, struct sock_diag *s, int pid, int fd, uint64_t inode,
                       struct sock_rows *out, enum sock_found *how);

#endif
