/*
** Which mounts may hang a stat (fd_mounts.h).
*/
#include "fd/fd_mounts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proc/mountinfo.h"

/* File systems whose getattr waits for a server: by mountinfo's type (any "fuse.NAME" too). */
static const char *const hangTypes[] = {
    "fuse", "fuseblk", "virtiofs", "nfs",  "nfs4",   "cifs",  "smb3",     "smbfs",  "9p",   "ceph",
    "afs",  "coda",    "ocfs2",    "gfs2", "lustre", "pvfs2", "orangefs", "beegfs", "gpfs",
};

/* The same by s_magic: FUSE (virtiofs too), NFS, CIFS, SMB2, SMB, 9p, Ceph, AFS (both), Coda,
 * OCFS2, GFS2, OrangeFS, Lustre. */
static const unsigned hangMagics[] = {
    0x65735546, 0x6969,     0xFF534D42, 0xFE534D42, 0x517B,     0x01021997, 0x00c36400,
    0x6B414653, 0x5346414F, 0x73757245, 0x7461636f, 0x01161970, 0x20030528, 0x0BD00BD0,
};

int fdMountTypeMayHang(const char *type, size_t len)
{
    if (len > 5 && memcmp(type, "fuse.", 5) == 0) return 1;
    for (size_t i = 0; i < sizeof hangTypes / sizeof *hangTypes; i++)
        if (strlen(hangTypes[i]) == len && memcmp(hangTypes[i], type, len) == 0) return 1;
    return 0;
}

int fdMountMagicMayHang(unsigned magic)
{
    for (size_t i = 0; i < sizeof hangMagics / sizeof *hangMagics; i++)
        if (hangMagics[i] == magic) return 1;
    return 0;
}

/* Adds every mount of PID's mountinfo to the sets; 0 or -errno. */
static int readMounts(struct fd_mounts *m, int procfd, int pid)
{
    char name[48];
    snprintf(name, sizeof name, "%d/mountinfo", pid);
    int rc = bufReadFileAt(&m->text, procfd, name);
    if (rc != 0) return rc;
    size_t pos = 0;
    struct mountinfo_mount mnt;
    while (rc == 0 && mountinfoNextMount(m->text.data, m->text.len, &pos, &mnt)) {
        struct keyset *set = fdMountTypeMayHang(mnt.type, mnt.typeLen) ? &m->hang : &m->safe;
        rc = keysetAdd(set, mnt.id);
    }
    keysetSeal(&m->hang);
    keysetSeal(&m->safe);
    return rc;
}

int fdMountsMayHang(struct fd_mounts *m, int procfd, int pid, int mnt)
{
    if (keysetHas(&m->safe, mnt)) return 0;
    if (keysetHas(&m->hang, mnt)) return 1;
    if (readMounts(m, procfd, pid) == -ENOMEM) m->nomem = 1;
    if (keysetHas(&m->safe, mnt)) return 0;
    /* Listed nowhere we looked: remember it as one that may hang, not to read again. */
    if (keysetInsert(&m->hang, mnt) < 0) m->nomem = 1;
    return 1;
}

void fdMountsFree(struct fd_mounts *m)
{
    keysetFree(&m->hang);
    keysetFree(&m->safe);
    bufFree(&m->text);
    memset(m, 0, sizeof *m);
}
