/*
** The containers of a statement: what a container_ref (from a process's cgroup) resolves to,
** read from the runtime's state files once per container and kept for the statement (a cursor
** holds one container_cache). Files that cannot be read leave fields empty: never an error.
** No SQLite here.
*/
#ifndef SQLSOF_CONTAINER_H
#define SQLSOF_CONTAINER_H

#include "util/buf.h"
#include "container/container_cgroup.h"
#include "container/container_state.h"

struct container {
    int resolved;                 /* INFO (and a KUBE runtime) read from the state files */
    enum container_runtime asked; /* the runtime the cgroup named: with the id, the key */
    struct container_ref ref;     /* runtime KUBE resolved to CONTAINERD or DOCKER when known */
    struct container_info info;
};

struct container_cache {
    const char *root; /* "" for the host; tests point it at recorded state files */
    struct container *v;
    int n, cap;
    int last;           /* the entry found last: processes of one container come together */
    struct buf storage; /* containers.json, read at the first podman or cri-o container */
    int storageRead;    /* 1 once tried */
    struct buf scratch;
};

/* An empty cache reading state files under ROOT ("" for the host). */
void containerCacheInit(struct container_cache *c, const char *root);
void containerCacheFree(struct container_cache *c);

/* The container REF names, kept in C; NULL only without memory. Reads nothing. */
struct container *containerLookup(struct container_cache *c, const struct container_ref *ref);

/*
** Whether REF may be taken for a container: yes when its cgroup is not in a user's delegated
** subtree; there, where the user may name a cgroup docker-<id>.scope, only when the runtime's
** own state (a regular file owned by root under /var/lib/docker, /run/containerd or
** /var/lib/containers) confirms the id. Rootless containers, whose state the user owns, and lxc
** or nspawn names there are not taken. Reads one stat at most.
*/
int containerConfirmed(const struct container_cache *c, const struct container_ref *ref);

/* CT with its name and pod read from the runtime's state files, the first time only. */
const struct container *containerResolve(struct container_cache *c, struct container *ct);

#endif
