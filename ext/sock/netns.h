/*
** Network namespaces: which ones the host has (those any process is in, the files under
** /run/netns, those bind-mounted anywhere in any mount namespace, and — when named — those a
** process holds open as a descriptor only), and a sock_diag socket inside each. No SQLite here.
*/
#ifndef SQLSOF_NETNS_H
#define SQLSOF_NETNS_H

#include <stdint.h>

#include "util/keyset.h"

/* A namespace of this many processes or fewer keeps their pids: its sockets can be read from
 * their descriptors (sock_held.h). */
#define NETNS_FEW_PROCS 16

struct netns {
    uint64_t ino;              /* the namespace's inode number, as processes.netns */
    char path[288];            /* a file that opens it: /proc/PID/ns/net, /run/netns/NAME,
                       /proc/PID/root/MOUNT-POINT or /proc/PID/fd/N */
    int nprocs;                /* the processes in it */
    int pids[NETNS_FEW_PROCS]; /* the first of them */
};

struct netns_list {
    struct netns *v; /* the caller's own namespace first, then by inode */
    int n, cap;
    uint64_t self; /* the calling thread's namespace */
};

/*
** Fills L with the host's network namespaces, or when ONLY is not NULL with just those of
** ONLY (the walks after that of the processes stop once all are found). A namespace that only a descriptor keeps
** is looked for among every process's fds only when ONLY names it. Namespaces that cannot be seen
** (EACCES on /proc/PID/ns/net) are left out. Returns 0 or -errno (-ENOMEM, or the own
** namespace unreadable).
*/
int netnsList(struct netns_list *l, int procfd, const struct keyset *only);
void netnsFree(struct netns_list *l);

/*
** Runs FN(ARG) in namespace NS and returns its result, or -errno. For a namespace other than
** the caller's (SELF) a short-lived helper thread setns()es into it and runs FN there, so no
** thread of the caller ever changes namespace (a socket FN makes stays in that namespace).
** -EPERM / -EACCES: not allowed to enter; -ENOENT / -ESTALE: gone (the process exited, its pid
** now names another namespace).
*/
int netnsRun(const struct netns *ns, uint64_t self, int (*fn)(void *arg), void *arg);

/* The same for the namespace that NSFD (a namespace file, or SIOCGSKNS's answer) opens. */
int netnsRunAt(int nsfd, int (*fn)(void *arg), void *arg);

#endif
