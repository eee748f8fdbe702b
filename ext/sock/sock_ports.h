/*
** The rows of a port dump that the branches of one statement share. For
** `local_port = P OR remote_port = P` SQLite runs each branch in a fresh cursor, opened while
** the previous branch's is still open: one dump with bytecode for either end (inet kinds, every
** namespace the filter allows) answers both. A cursor opened while the rows have users becomes
** one; the last to close frees them; a cursor opened later dumps again. No SQLite here.
*/
#ifndef SQLSOF_SOCK_PORTS_H
#define SQLSOF_SOCK_PORTS_H

#include "util/keyset.h"
#include "sock/sock_dump.h"
#include "sock/sock_filter.h"
#include "sock/sock_row.h"

struct sock_ports {
    int filled;
    int users; /* open cursors that may answer from the rows */
    int need;  /* the SOCK_NEED_* columns the dump asked for */
    struct keyset ports;
    struct sock_filter filter; /* the dump's filter, ports left out */
    struct sock_rows rows;
};

/* A cursor opens: 1 when it becomes a user of filled rows. sockPortsLeave: a user closes. */
int sockPortsJoin(struct sock_ports *p);
void sockPortsLeave(struct sock_ports *p);
void sockPortsFree(struct sock_ports *p);

/* Whether the rows answer F (with NEED columns): the same filters but the ports, all dumped. */
int sockPortsAnswer(const struct sock_ports *p, int need, const struct sock_filter *f);

/*
** Replaces the rows with those of the sockets that have one of F's local or remote ports at
** either end and pass F's other filters. 0 or -errno (*FAILED_KIND: the dump that failed, -1).
*/
int sockPortsDump(struct sock_ports *p, struct sock_diag *s, int procfd,
                  const struct sock_filter *f, int *failedKind);

#endif
