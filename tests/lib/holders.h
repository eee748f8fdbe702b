/*
** Socket holders for the live tests: a child process holding a socket of every kind a process
** can hold (TCP in each state, a SO_REUSEPORT group, UDP, raw, unix of every type and state,
** netlink, packet), on the host, in a namespace of its own, or as nobody. Start one with
** fixtureStartReport(&fx, makeHolder, &kind, &h, sizeof h).
*/
#ifndef SQLSOF_TEST_HOLDERS_H
#define SQLSOF_TEST_HOLDERS_H

/* What a holder fixture made. */
struct holder {
    unsigned long long netns;      /* the holder's own namespace */
    unsigned long long otherNetns; /* where some of its sockets live (0: none) */
    int reusePort, udpReusePort, twPort, boundPort, nsPort;
    unsigned long long listenIno[2], nsListenIno;
    int keeper;   /* a process kept in otherNetns, so that the dumps can enter it */
    int nsockets; /* socket fds it holds */
};

/* The holders: on the host (some of its sockets made in a namespace of its own, kept there by
 * a keeper process); inside a namespace of its own (lo up); become nobody, dumpable, so that
 * nobody may read its fds (no packet socket: nobody may not make one back). */
enum holderKind { HOLDER_HOST, HOLDER_NAMESPACED, HOLDER_NOBODY };

/* A fixture SETUP: ARG points to an enum holderKind; reports a struct holder. */
int makeHolder(void *arg);

/* Removes the named unix socket file the holder PID made. */
void holderCleanup(int pid);

#endif
