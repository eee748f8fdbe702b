/*
** Which dumps a namespace can skip: /proc/net/protocols counts the sockets of each protocol
** in the reader's namespace that its hash tables hold, which are the ones sock_diag's dumps
** walk to. A UDP, UDP-Lite, raw, SCTP or MPTCP dump of a namespace whose count is 0 (or whose
** protocol is not even registered) would walk the kernel's host-wide table to find nothing.
** TCP is always dumped: its count leaves out TIME_WAIT sockets. No SQLite here.
*/
#ifndef SQLSOF_SOCK_INUSE_H
#define SQLSOF_SOCK_INUSE_H

#include <stddef.h>
#include <stdint.h>

/* The kinds (bits 1 << kind, sock_filter.h) that the protocols TEXT (LEN bytes) shows empty;
 * 0 when TEXT is not that file. */
uint32_t sockInuseParse(const char *text, size_t len);

/* The same for the calling thread's namespace (/proc/thread-self/net/protocols); 0 when it
 * cannot be read. */
uint32_t sockInuseRead(void);

#endif
