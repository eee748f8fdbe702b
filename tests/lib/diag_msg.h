/*
** Crafted sock_diag replies for the parser and dump-loop unit tests (test_diag,
** test_diag_request), built with libmnl in one static buffer: each call overwrites the message
** the one before returned.
*/
#ifndef SQLSOF_TEST_DIAG_MSG_H
#define SQLSOF_TEST_DIAG_MSG_H

#include <stddef.h>

#include <libmnl/libmnl.h>

/* A SOCK_DIAG_BY_FAMILY reply with a zeroed family header of HDRLEN bytes, at *HDR. */
struct nlmsghdr *testDiagMessage(size_t hdrlen, void **hdr);

/* An inet_diag_msg of FAMILY (AF_INET, AF_INET6) in STATE with every field set: ports 8080 and
 * 54321, 127.0.0.1 to 10.1.2.3 (v4-mapped 10.0.0.1 to fe80::1 for AF_INET6), ifindex 3, uid
 * 1000, inode 424242, queues 5 and 128, timer 2 with one retransmit, expiring in 7500 ms. */
struct nlmsghdr *testDiagInetMessage(int family, int state);

#endif
