/*
** A socket's kind from getxattr(fd link, "system.sockprotoname"), the kernel's proto name
** ("TCP", "UDPv6", "UNIX-STREAM", "NETLINK", ...), as lsof's TYPE word: IPv4 IPv6 unix netlink
** pack, or sock for every other family. One getxattr, no netlink dump.
*/
#ifndef SQLSOF_FD_SOCKPROTO_H
#define SQLSOF_FD_SOCKPROTO_H

#include <stddef.h>

const char *fdSockprotoType(const char *name, size_t len);

#endif
