/*
** Which open files a stat may hang on: those of file systems whose getattr asks a server (FUSE,
** NFS, SMB, 9p, Ceph, ...), which may never answer. Told from what the kernel says without
** asking the file system: a BPF record's s_magic, or fdinfo's mnt_id looked up in the
** process's /proc/PID/mountinfo. No SQLite here.
**
** A cursor keeps one struct fd_mounts: each mountinfo it reads is parsed once into the mount
** ids of file systems that may hang and those that may not. Mount ids are unique across mount
** namespaces, so one set serves every process; a process of another namespace whose mount is
** not known yet has its mountinfo read then. A mount no mountinfo lists (lazily unmounted,
** or received from another namespace) may hang, as far as anyone can tell.
*/
#ifndef SQLSOF_FD_MOUNTS_H
#define SQLSOF_FD_MOUNTS_H

#include <stddef.h>

#include "util/buf.h"
#include "util/keyset.h"

/* Whether a file system of type TYPE (LEN bytes, as mountinfo names it) may hang a stat. */
int fdMountTypeMayHang(const char *type, size_t len);
/* Whether a file system of super block magic MAGIC (linux/magic.h) may hang a stat. */
int fdMountMagicMayHang(unsigned magic);

struct fd_mounts {
    struct keyset hang, safe; /* mount ids, sealed */
    struct buf text;          /* the mountinfo read last */
    int nomem;
};

/* Whether a stat of a file on mount MNT of process PID may hang (1) or not (0): known mounts
 * at once, an unknown one after a read of /proc/PID/mountinfo (under PROCFD). */
int fdMountsMayHang(struct fd_mounts *m, int procfd, int pid, int mnt);
void fdMountsFree(struct fd_mounts *m);

#endif
