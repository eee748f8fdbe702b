/*
** The BPF source tests' children (test_fds_bpf, test_fds_source): one holding a descriptor of
** every kind the fds table tells apart plus the cases where a kernel walk could differ
** (unlinked files, its own mount namespace, a thread with its own fd table, fds >= 10000, /proc
** and sysfs directories, a lock); one with sockets in a network namespace of its own; one that
** forks short-lived processes without end.
*/
#ifndef SQLSOF_TEST_FDS_BPF_FIXTURE_H
#define SQLSOF_TEST_FDS_BPF_FIXTURE_H

#include <stddef.h>

#include <sqlite3.h>

#include "fixture.h"

/* What a child reports: fds the checks name, by role. */
struct held {
    int high;    /* dup'ed to 12345 */
    int own;     /* opened by the thread with its own fd table, after unsharing it */
    int tcp;     /* a listening TCP socket */
    long ownTid; /* that thread */
    unsigned long long tcpIno, fileIno;
};

extern char bpfDir[64];                   /* the kinds child's files (and its tmpfs mount) */
extern struct fixture bpfKinds, bpfNetns; /* the kinds child, the namespaced child */
extern const struct held *bpfHeld;        /* what the kinds child reported */
extern char bpfPids[64];                  /* "a, b": the stable fixture processes */

/* A group SETUP and TEARDOWN: the three children; stopping them and removing the files. */
int bpfFixturesStart(void **state);
int bpfFixturesStop(void **state);

/*
** Runs SQL (printf-formatted) through the BPF source, then through /proc, and fails unless both
** give the same rows and the first really came from the kernel. Returns the rows (malloc'd) and
** their count in *N.
*/
char *testSameOnBoth(sqlite3 *db, size_t *n, const char *fmt, ...);

#endif
