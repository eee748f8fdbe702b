/*
** A FUSE file system served by a child of the test, speaking the raw /dev/fuse protocol
** (<linux/fuse.h>): a root directory holding one file, "file", of 5 bytes. Until
** fuseFixtureHang(), it answers every request; after it, it reads each GETATTR and never
** answers it, as a server stuck on its network does — a stat of the file then waits in the
** kernel, past SIGKILL. fuseFixtureStop() kills the server, which aborts the connection: every
** waiting stat returns (ENOTCONN), and nothing stays stuck.
**
** Mounted with mount(2) in the test's own mount namespace (fuseFixtureNamespace, once, while
** the test has one thread), so that a failed test leaves no mount behind on the host.
*/
#ifndef SQLSOF_FUSE_FIXTURE_H
#define SQLSOF_FUSE_FIXTURE_H

#include <sys/types.h>

#define FUSE_FIXTURE_SIZE         5  /* the file's st_size */
#define FUSE_FIXTURE_HANG_SECONDS 20 /* the server dies this long after its first hung request */

struct fuse_fixture {
    char dir[64];       /* the mount point */
    char file[96];      /* dir/file */
    pid_t server;       /* dies with the test */
    volatile int *hang; /* shared with the server */
    unsigned long dev;  /* the mount's device (st_dev), read before the hang */
    unsigned long ino;  /* the file's inode, likewise */
};

/* Moves the test into a mount namespace of its own (private propagation). */
void fuseFixtureNamespace(void);
/* Mounts the file system and starts its server; fails the test when it cannot. */
void fuseFixtureStart(struct fuse_fixture *f);
/* From now on GETATTR requests are read and never answered. */
void fuseFixtureHang(struct fuse_fixture *f);
/* Kills the server (aborting the connection), unmounts and removes the mount point. */
void fuseFixtureStop(struct fuse_fixture *f);

#endif
