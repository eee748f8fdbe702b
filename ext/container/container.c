/*
** Resolving containers to names (see container.h): where each runtime keeps its state.
*/
#include "container/container.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"

#define DOCKER_DIR     "/var/lib/docker/containers/"
#define STORAGE_DIR    "/var/lib/containers/storage/overlay-containers/"
#define CONTAINERD_DIR "/run/containerd/io.containerd.runtime.v2.task/"

void containerCacheInit(struct container_cache *c, const char *root)
{
    memset(c, 0, sizeof *c);
    c->root = root;
}

void containerCacheFree(struct container_cache *c)
{
    free(c->v);
    bufFree(&c->storage);
    bufFree(&c->scratch);
    memset(c, 0, sizeof *c);
}

/* Reads ROOT + DIR + ID + FILE into SCRATCH and hands it to PARSE; 0 when it said yes. */
static int readState(struct container_cache *c, const char *dir, const char *id, const char *file,
                     int (*parse)(const char *, size_t, struct container_info *),
                     struct container_info *info)
{
    char path[1024];
    if (snprintf(path, sizeof path, "%s%s%s%s", c->root, dir, id, file) >= (int)sizeof path)
        return -1;
    if (bufReadFileAt(&c->scratch, AT_FDCWD, path) != 0) return -1;
    return parse(c->scratch.data, c->scratch.len, info);
}

static int readContainerd(struct container_cache *c, const char *id, struct container_info *info)
{
    /* containerd's namespaces: Kubernetes' (CRI), docker's, and the default of ctr/nerdctl */
    static const char *const ns[] = {"k8s.io/", "moby/", "default/"};
    char sub[CONTAINER_ID_MAX + 16];
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++) {
        snprintf(sub, sizeof sub, "%s%s", ns[i], id);
        if (readState(c, CONTAINERD_DIR, sub, "/config.json", containerStateOci, info) == 0)
            return 0;
    }
    return -1;
}

/* The name from containers/storage's list, read once per cache. */
static void readStorageName(struct container_cache *c, const char *id, struct container_info *info)
{
    if (!c->storageRead) {
        char path[1024];
        c->storageRead = 1;
        snprintf(path, sizeof path, "%s%scontainers.json", c->root, STORAGE_DIR);
        if (bufReadFileAt(&c->storage, AT_FDCWD, path) != 0) c->storage.len = 0;
    }
    if (c->storage.len) containerStateStorage(c->storage.data, c->storage.len, id, info);
}

static void resolve(struct container_cache *c, struct container *ct)
{
    struct container_info *info = &ct->info;
    const char *id = ct->ref.id;
    switch (ct->ref.runtime) {
    case RUNTIME_DOCKER:
        readState(c, DOCKER_DIR, id, "/config.v2.json", containerStateDocker, info);
        break;
    case RUNTIME_CONTAINERD: readContainerd(c, id, info); break;
    case RUNTIME_KUBE:
        if (readContainerd(c, id, info) == 0)
            ct->ref.runtime = RUNTIME_CONTAINERD;
        else if (readState(c, DOCKER_DIR, id, "/config.v2.json", containerStateDocker, info) == 0)
            ct->ref.runtime = RUNTIME_DOCKER;
        break;
    case RUNTIME_CRIO:
    case RUNTIME_PODMAN:
        readState(c, STORAGE_DIR, id, "/userdata/config.json", containerStateOci, info);
        if (!info->name[0]) readStorageName(c, id, info);
        break;
    case RUNTIME_LXC:
    case RUNTIME_NSPAWN: /* the cgroup names the container */
        snprintf(info->name, sizeof info->name, "%s", id);
        break;
    case RUNTIME_NONE: break;
    }
    if (ct->ref.podUid[0] && !info->podUid[0])
        snprintf(info->podUid, sizeof info->podUid, "%s", ct->ref.podUid);
}

/* Whether ROOT + DIR + ID + FILE is a regular file of root's. */
static int rootsFile(const struct container_cache *c, const char *dir, const char *id,
                     const char *file)
{
    char path[1024];
    struct stat st;
    if (snprintf(path, sizeof path, "%s%s%s%s", c->root, dir, id, file) >= (int)sizeof path)
        return 0;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0;
}

static int containerdConfirms(const struct container_cache *c, const char *id)
{
    static const char *const ns[] = {"k8s.io/", "moby/", "default/"};
    char sub[CONTAINER_ID_MAX + 16];
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++) {
        snprintf(sub, sizeof sub, "%s%s", ns[i], id);
        if (rootsFile(c, CONTAINERD_DIR, sub, "/config.json")) return 1;
    }
    return 0;
}

int containerConfirmed(const struct container_cache *c, const struct container_ref *ref)
{
    if (!ref->delegated) return 1;
    switch (ref->runtime) {
    case RUNTIME_DOCKER: return rootsFile(c, DOCKER_DIR, ref->id, "/config.v2.json");
    case RUNTIME_CONTAINERD: return containerdConfirms(c, ref->id);
    case RUNTIME_CRIO:
    case RUNTIME_PODMAN: return rootsFile(c, STORAGE_DIR, ref->id, "/userdata/config.json");
    case RUNTIME_KUBE:
        return containerdConfirms(c, ref->id) ||
               rootsFile(c, DOCKER_DIR, ref->id, "/config.v2.json");
    default: return 0;
    }
}

/* An lxc container and an nspawn machine may share a name: the runtime is part of the key. */
static int isEntry(const struct container *ct, const struct container_ref *ref)
{
    return ct->asked == ref->runtime && strcmp(ct->ref.id, ref->id) == 0;
}

const struct container *containerResolve(struct container_cache *c, struct container *ct)
{
    if (!ct->resolved) resolve(c, ct);
    ct->resolved = 1;
    return ct;
}

struct container *containerLookup(struct container_cache *c, const struct container_ref *ref)
{
    if (c->n > 0 && isEntry(&c->v[c->last], ref)) return &c->v[c->last];
    for (int i = 0; i < c->n; i++)
        if (isEntry(&c->v[i], ref)) return &c->v[c->last = i];
    size_t cap = (size_t)c->cap;
    struct container *v = arrayGrow(c->v, &cap, (size_t)c->n + 1, sizeof *v);
    if (!v) return NULL;
    c->v = v;
    c->cap = (int)cap;
    struct container *ct = &c->v[c->n];
    memset(ct, 0, sizeof *ct);
    ct->asked = ref->runtime;
    ct->ref = *ref;
    c->last = c->n++;
    return ct;
}
