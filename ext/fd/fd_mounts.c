/*
** Which stats may hang (fd_mounts.h).
*/
#include "fd/fd_mounts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Adds a mount that may hang, ID at POINT (mountinfo's escapes undone), to NS. 0 or -ENOMEM;
 * a point too long to be a path is left out (no path names a file under it). */
static int addHang(struct mount_ns *ns, int id, const char *point, size_t len)
{
    char path[4096];
    if (!mountinfoUnescape(point, len, path, sizeof path)) return 0;
    struct mount_point *grown = realloc(ns->hang, (size_t)(ns->nHang + 1) * sizeof *grown);
    char *copy = strdup(path);
    if (grown) ns->hang = grown;
    if (!grown || !copy) {
        free(copy);
        return -ENOMEM;
    }
    ns->hang[ns->nHang++] = (struct mount_point){.id = id, .point = copy};
    return 0;
}

/* Reads the mountinfo of process PROC ("PID" or "self") into NS. 0 or -errno. */
static int readNamespace(struct fd_mounts *m, int procfd, const char *proc, struct mount_ns *ns)
{
    char name[48];
    snprintf(name, sizeof name, "%s/mountinfo", proc);
    int rc = bufReadFileAt(&m->text, procfd, name);
    size_t pos = 0;
    struct mountinfo_mount mnt;
    while (rc == 0 && mountinfoNextMount(m->text.data, m->text.len, &pos, &mnt)) {
        rc = keysetAdd(&ns->ids, mnt.id);
        if (rc == 0 && fdMountTypeMayHang(mnt.type, mnt.typeLen))
            rc = addHang(ns, mnt.id, mnt.point, mnt.pointLen);
    }
    keysetSeal(&ns->ids);
    return rc;
}

/* The index of process PID's namespace (0: ourselves), read on first use; -1 when the process
 * is gone or out of memory. */
static int namespaceOf(struct fd_mounts *m, int procfd, int pid)
{
    if (m->asked && pid == m->askedPid) return m->askedNs;
    char proc[16], name[32];
    struct stat st;
    snprintf(proc, sizeof proc, pid ? "%d" : "self", pid);
    snprintf(name, sizeof name, "%s/ns/mnt", proc);
    m->asked = 1;
    m->askedPid = pid;
    m->askedNs = -1;
    if (fstatat(procfd, name, &st, 0) != 0) return -1;
    for (int i = 0; i < m->nNs; i++)
        if (m->ns[i].ino == st.st_ino) return m->askedNs = i;
    if (m->nNs == m->capNs) {
        int cap = m->capNs ? 2 * m->capNs : 4;
        struct mount_ns *grown = realloc(m->ns, (size_t)cap * sizeof *grown);
        if (!grown) {
            m->nomem = 1;
            return -1;
        }
        m->ns = grown;
        m->capNs = cap;
    }
    struct mount_ns *ns = &m->ns[m->nNs];
    *ns = (struct mount_ns){.ino = st.st_ino};
    if (readNamespace(m, procfd, proc, ns) == -ENOMEM) m->nomem = 1;
    return m->askedNs = m->nNs++;
}

int fdMountsProcessMayHang(struct fd_mounts *m, int procfd, int pid)
{
    int at = namespaceOf(m, procfd, pid);
    return at >= 0 && m->ns[at].nHang > 0;
}

int fdMountsIdMayHang(const struct fd_mounts *m, int mnt)
{
    if (!m->asked || m->askedNs < 0) return 1;
    const struct mount_ns *ns = &m->ns[m->askedNs];
    for (int i = 0; i < ns->nHang; i++)
        if (ns->hang[i].id == mnt) return 1;
    return !keysetHas(&ns->ids, mnt); /* listed nowhere: as far as anyone can tell, it may */
}

/* The pid of "/proc/PID/cwd" (root, exe, fd/N; PID may be "self": 0) when PATH is such a link,
 * else -1. */
static int procLinkPid(const char *path)
{
    if (strncmp(path, "/proc/", 6) != 0) return -1;
    const char *p = path + 6, *q = p;
    long pid = 0;
    if (strncmp(q, "self/", 5) == 0) q += 4;
    for (; *q >= '0' && *q <= '9' && pid < (1 << 22); q++) pid = 10 * pid + (*q - '0');
    if (q == p || *q != '/') return -1;
    const char *tail = q + 1;
    if (!strcmp(tail, "cwd") || !strcmp(tail, "root") || !strcmp(tail, "exe")) return (int)pid;
    if (strncmp(tail, "fd/", 3) != 0 || !tail[3]) return -1;
    for (const char *d = tail + 3; *d; d++)
        if (*d < '0' || *d > '9') return -1;
    return (int)pid;
}

/* Whether PATH is POINT or lies under it. */
static int under(const char *path, const char *point)
{
    size_t n = strlen(point);
    if (n == 1 && point[0] == '/') return path[0] == '/';
    return strncmp(path, point, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int fdMountsPathMayHang(struct fd_mounts *m, int procfd, const char *path, int *key)
{
    int pid = procLinkPid(path);
    if (!fdMountsProcessMayHang(m, procfd, pid >= 0 ? pid : 0)) return 0;
    const char *target = path;
    if (pid >= 0) {
        /* The link's text, read without touching the file system it names. */
        if (bufReadLinkAt(&m->text, procfd, path + 6) != 0) return 0; /* gone, or not ours */
        target = m->text.data;
    }
    const struct mount_ns *ns = &m->ns[m->askedNs];
    for (int i = 0; i < ns->nHang; i++)
        if (under(target, ns->hang[i].point)) {
            *key = ns->hang[i].id;
            return 1;
        }
    return 0;
}

void fdMountsFree(struct fd_mounts *m)
{
    for (int i = 0; i < m->nNs; i++) {
        for (int k = 0; k < m->ns[i].nHang; k++) free(m->ns[i].hang[k].point);
        free(m->ns[i].hang);
        keysetFree(&m->ns[i].ids);
    }
    free(m->ns);
    bufFree(&m->text);
    memset(m, 0, sizeof *m);
}
