/*
** /proc/PID/mountinfo, for what sqlsof needs of it: the network namespaces kept alive by a
** bind mount (`ip netns add` mounts one on /run/netns/NAME; any path will do), and the file
** system type of each mount id (fdinfo's mnt_id), which tells whether a stat may hang. No
** I/O, no SQLite.
*/
#ifndef SQLSOF_MOUNTINFO_H
#define SQLSOF_MOUNTINFO_H

#include <stddef.h>
#include <stdint.h>

/*
** Finds the next line of TEXT (LEN bytes, need not be NUL-terminated) from *POS on that mounts
** a network namespace: file system type nsfs, root "net:[INO]". Stores INO, and the mount point
** with mountinfo's octal escapes (\040 for a space) undone into PATH (CAP bytes,
** NUL-terminated; a longer one is skipped). Advances *POS past the line. Returns 1 when found,
** 0 at the end.
*/
int mountinfoNextNetns(const char *text, size_t len, size_t *pos, uint64_t *ino, char *path,
                       size_t cap);

/* One mount: its id (fdinfo's mnt_id), its file system type ("ext4", "fuse.sshfs") and its
 * mount point (with mountinfo's escapes: mountinfoUnescape). */
struct mountinfo_mount {
    int id;
    const char *type; /* typeLen bytes inside the text, not NUL-terminated */
    size_t typeLen;
    const char *point; /* likewise */
    size_t pointLen;
};

/* Finds the next line of TEXT (LEN bytes) from *POS on that has a mount id and a type, into
 * M. Advances *POS past the line. Returns 1 when found, 0 at the end. */
int mountinfoNextMount(const char *text, size_t len, size_t *pos, struct mountinfo_mount *m);
/* The mount point S (LEN bytes) with \ooo escapes undone into PATH (CAP bytes,
 * NUL-terminated). Returns 0 when it does not fit or holds a NUL, else 1. */
int mountinfoUnescape(const char *s, size_t len, char *path, size_t cap);

#endif
