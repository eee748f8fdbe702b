/* Small helpers for socket fixtures: the inode, port and namespace of what a test made. */
#ifndef SQLSOF_TEST_SOCKETS_H
#define SQLSOF_TEST_SOCKETS_H

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

unsigned long long inodeOf(int fd);
/* The local port of an inet or inet6 socket, or -1. */
int portOf(int fd);
/* The inode of the namespace file PATH (/proc/self/ns/net), or 0. */
unsigned long long nsOf(const char *path);
struct sockaddr_in loopback(int port);
/* A TCP listener on 127.0.0.1, an ephemeral port; -1 on failure. */
int tcpListen(int backlog, int *port);
int tcpConnect(int port);
/* A listener on 127.0.0.1, a connection to it and its accepted end (all three kept open): the
 * listener's fd, or -1; its port in *PORT. */
int tcpLoopbackPair(int *port);
int unixListen(const struct sockaddr_un *a, socklen_t len, int backlog);
/* A silent server on listener FD: a thread accepts every connection and never writes. 0 or -1. */
int acceptSilently(int fd);
/* Brings the current network namespace's lo up. 0 or -1. */
int loopbackUp(void);

#endif
