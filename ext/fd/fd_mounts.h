/*
** Which stats may hang: those of files on file systems whose getattr asks a server (FUSE, NFS,
** SMB, 9p, Ceph, ...), which may never answer. Told without asking the file system: from a BPF
** record's s_magic, or from the mounts of the process's mount namespace as its mountinfo lists
** them. No SQLite here.
**
** A struct fd_mounts is a cursor's, zeroed to start. Each mount namespace's mountinfo is read once, on the first
** question about one of its processes, into its mounts that may hang (id and mount point) and
** the ids of all its mounts; the namespace of the process asked last is remembered, so a walk
** pays one stat of /proc/PID/ns/mnt per process. A namespace without a mount that may hang —
** the common case — answers at once, and no fdinfo is read for its files. In one that has
** some, an open file is told by its fdinfo's mnt_id: on such a mount, or on one the namespace
** does not list (lazily unmounted, or received from another namespace), it may hang. A path is
** told by the mount points it lies under (fdMountsPathMayHang).
*/
#ifndef SQLSOF_FD_MOUNTS_H
#define SQLSOF_FD_MOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/keyset.h"

/* Whether a file system of type TYPE (LEN bytes, as mountinfo names it) may hang a stat. */
int fdMountTypeMayHang(const char *type, size_t len);
/* Whether a file system of super block magic MAGIC (linux/magic.h) may hang a stat. */
int fdMountMagicMayHang(unsigned magic);

struct mount_point {
    int id;      /* the mount's id: the stat guard's key */
    char *point; /* its mount point, unescaped */
};

struct mount_ns {
    uint64_t ino;             /* the namespace: its ns/mnt inode */
    struct mount_point *hang; /* its mounts that may hang */
    int nHang;
    struct keyset ids; /* every mount it lists, sealed */
};

struct fd_mounts {
    struct mount_ns *ns;
    int nNs, capNs;
    int asked;    /* whether a process was asked: then */
    int askedPid; /* the process asked last (0: ourselves), */
    int askedNs;  /* its namespace's index in NS, or -1 when it is gone */
    struct buf text;
    int nomem;
};

/* Whether process PID's mount namespace has a mount that may hang (1) or not (0: none, or the
 * process is gone). PROCFD is /proc. */
int fdMountsProcessMayHang(struct fd_mounts *m, int procfd, int pid);
/* Whether mount MNT, as PID's fdinfo names it, may hang; PID was asked last of
 * fdMountsProcessMayHang, which said 1. */
int fdMountsIdMayHang(const struct fd_mounts *m, int mnt);
/*
** Whether stat(PATH) may hang, and then *KEY is the mount's id: PATH lies under the mount point
** of a mount that may hang in our own namespace, or PATH is a magic link of a process
** (/proc/PID/cwd, root, exe or fd/N) whose target, as readlink tells it without touching the
** file system, lies under one in that process's namespace. Symbolic links inside PATH are not
** followed for this.
*/
int fdMountsPathMayHang(struct fd_mounts *m, int procfd, const char *path, int *key);
void fdMountsFree(struct fd_mounts *m);

#endif
