/*
** Closing sockets for `DELETE FROM sockets`: SOCK_DESTROY, the request `ss -K` sends, asked in
** the socket's own network namespace (netns.c's helper thread), with the socket's addresses,
** ports and cookie, so the kernel closes that very socket or none (a socket made since on the
** same ports has another cookie: ESTALE / ENOENT). The kernel aborts it with ECONNABORTED,
** which a thread blocked in recv() gets at once. No SQLite here; errors are -errno.
**
** Which sockets (the kernel has SOCK_DESTROY for TCP, UDP and raw; sqlsof closes these):
**   tcp               any state (a listener too; its accept() fails)
**   udp, udplite      only with a local port outside the namespace's ephemeral range
**                     (ip_local_port_range): the kernel keeps the port of a socket bound to it
**                     explicitly, but releases one it bound automatically, and sock_diag does
**                     not tell which; a port outside the range was always chosen explicitly
**   anything else     refused (SOCK_DESTROY_UNSUPPORTED)
*/
#ifndef SQLSOF_SOCK_DESTROY_H
#define SQLSOF_SOCK_DESTROY_H

#include <stdint.h>

#include "sock/netns.h"
#include "sock/sock_row.h"

/* sockDestroyCheck's refusals. */
enum {
    SOCK_DESTROY_OK = 0,
    SOCK_DESTROY_UNSUPPORTED = 1, /* not TCP or UDP */
    SOCK_DESTROY_EPHEMERAL = 2,   /* UDP on a port the kernel may have chosen itself */
};

/*
** Whether ROW (in namespace NS; SELF: the caller's) may be closed: SOCK_DESTROY_OK or a refusal,
** or -errno when its namespace cannot be read. *LOW and *HIGH get the namespace's ephemeral
** port range for a UDP row.
*/
int sockDestroyCheck(const struct sock_row *row, const struct netns *ns, uint64_t self, int *low,
                     int *high);

/* Closes ROW in namespace NS: 0, -ENOENT (gone already), -EPERM (no CAP_NET_ADMIN there), or
 * -errno. */
int sockDestroy(const struct sock_row *row, const struct netns *ns, uint64_t self);

/* Whether this process has CAP_NET_ADMIN in its effective set: 1, 0, or -errno. */
int sockCanDestroy(void);

#endif
