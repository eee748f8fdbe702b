/*
** The I/O half of sock_diag: send one dump request on a NETLINK_SOCK_DIAG socket and read the
** multipart answer to its end. No SQLite, no parsing of the rows (the caller's ON_MSG does).
*/
#ifndef SQLSOF_DIAG_DUMP_H
#define SQLSOF_DIAG_DUMP_H

#include <stddef.h>

#include <libmnl/libmnl.h>

/* Receive buffer: a dump's datagrams are up to 32 KiB (more with large pages). */
#define DIAG_DUMP_BUFSIZE (64 * 1024)

/*
** Sends REQ (LEN bytes, a NLM_F_DUMP request) on FD and calls ON_MSG(msg, msglen, CTX) for
** each reply message of the request's sequence number until NLMSG_DONE. BUF is the caller's
** receive buffer of DIAG_DUMP_BUFSIZE bytes.
** Returns 0 at the end; 0 too when the kernel lacks the family or protocol (ENOENT or
** EOPNOTSUPP in NLMSG_DONE / NLMSG_ERROR: no rows); -EINTR when the kernel flagged the dump
** NLM_F_DUMP_INTR (the caller drops what it got and dumps again); ON_MSG's negative result;
** or -errno.
*/
int diagDump(int fd, const void *req, size_t len, void *buf,
             int (*onMsg)(const void *msg, size_t msglen, void *ctx), void *ctx);

/*
** Sends REQ (LEN bytes, a request with NLM_F_ACK that the kernel answers with an
** acknowledgement only, such as SOCK_DESTROY) on FD and returns the acknowledgement's error:
** 0, or -errno (-ENOENT: no such socket; -EPERM: not allowed).
*/
int diagAck(int fd, const void *req, size_t len);

/* A new NETLINK_SOCK_DIAG socket in the calling thread's network namespace, or -errno. */
int diagSocket(void);

#endif
