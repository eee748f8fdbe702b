/*
** Which container a process is in, read from its /proc/PID/cgroup text: the runtimes name the
** cgroups they make after the container (docker-<id>.scope, /docker/<id>, crio-<id>.scope,
** cri-containerd-<id>.scope, libpod-<id>.scope, /libpod_parent/libpod-<id>, lxc.payload.NAME,
** machine-NAME.scope) and Kubernetes names a pod's cgroup after the pod's uid
** (kubepods-besteffort-pod<uid>.slice, /kubepods/burstable/pod<uid>). No I/O, no SQLite.
*/
#ifndef SQLSOF_CONTAINER_CGROUP_H
#define SQLSOF_CONTAINER_CGROUP_H

#include <stddef.h>

enum container_runtime {
    RUNTIME_NONE,       /* on the host */
    RUNTIME_DOCKER,     /* docker, moby */
    RUNTIME_CONTAINERD, /* containerd's CRI plugin */
    RUNTIME_CRIO,       /* cri-o */
    RUNTIME_PODMAN,     /* podman (libpod) */
    RUNTIME_LXC,        /* lxc, lxd, incus */
    RUNTIME_NSPAWN,     /* systemd-nspawn (systemd-machined's machine-NAME.scope) */
    RUNTIME_KUBE,       /* a bare id in a Kubernetes pod (cgroupfs driver): containerd or docker,
                           which only the state files tell */
};

/* The runtime's name as sqlsof reports it ("docker", "cri-o", ...); NULL for NONE and KUBE. */
const char *containerRuntimeName(enum container_runtime rt);

#define CONTAINER_ID_MAX 256 /* 64 hex digits, or an lxc or nspawn name (not longer than 255) */
#define POD_UID_MAX      37  /* 36 characters, dashes between the groups */

struct container_ref {
    enum container_runtime runtime;
    char id[CONTAINER_ID_MAX]; /* 64 hex digits; the name for lxc and nspawn; "" on the host */
    char podUid[POD_UID_MAX];  /* Kubernetes pod uid with dashes; "" when none */
    int delegated; /* below a user's own subtree (user@UID.service), where the user names the
                      cgroups: only root's state of the runtime can confirm (container.h) */
};

/*
** Fills REF from the text of /proc/PID/cgroup (LEN bytes, need not be NUL-terminated). The
** cgroup v2 line ("0::") is looked at first, then each v1 hierarchy in order (on a hybrid host
** a runtime with the cgroupfs driver names only the v1 cgroups); within a path the outermost
** container wins (docker in docker is the outer one). A runtime's own processes (conmon,
** nspawn's supervisor, lxc's monitor) are not in the container. Returns 1 when the process is in
** a container, 0 when not (REF->runtime is NONE), -EINVAL when no line has a path.
*/
int containerParseCgroup(const char *text, size_t len, struct container_ref *ref);

/* The same for one cgroup path (PATH, LEN bytes): 1 in a container, 0 not. */
int containerParsePath(const char *path, size_t len, struct container_ref *ref);

#endif
