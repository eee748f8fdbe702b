/*
** What an fd's link text (/proc/PID/fd/N) says: a path, or a kernel object named by kind and
** inode ("socket:[123]", "pipe:[9]", "net:[4026531840]"), or an anon inode
** ("anon_inode:[eventpoll]", "anon_inode:inotify"). Pure text, no I/O: a path's inode and
** whether it is really deleted need a stat, which the caller does only when a column asks.
*/
#ifndef SQLSOF_FD_LINK_H
#define SQLSOF_FD_LINK_H

#include <stddef.h>

enum fd_link_kind {
    FD_LINK_PATH,     /* "/..." */
    FD_LINK_SOCKET,   /* "socket:[N]" */
    FD_LINK_PIPE,     /* "pipe:[N]" */
    FD_LINK_ANON,     /* "anon_inode:NAME" */
    FD_LINK_NUMBERED, /* any other "KIND:[N]": namespaces (net, mnt, ...) and the like */
    FD_LINK_UNKNOWN,
};

struct fd_link {
    enum fd_link_kind kind;
    int hasInode; /* the text carries the inode (socket, pipe, numbered) */
    unsigned long long inode;
    int endsDeleted; /* a path ending in PROC_DELETED_SUFFIX: unlinked, or so named */
};

void fdLinkClassify(const char *text, size_t len, struct fd_link *link);

#endif
