/*
** What a container runtime's own state files say about a container: its name and its pod. Each
** parser takes one file's text (need not be NUL-terminated) and fills what it finds; a field
** it does not find is left as it was ("" at first). No I/O, no SQLite.
**
**   docker      /var/lib/docker/containers/ID/config.v2.json    "Name", Config.Labels (cri-dockerd)
**   containerd  /run/containerd/io.containerd.runtime.v2.task/NS/ID/config.json  annotations
**   cri-o       /var/lib/containers/storage/overlay-containers/ID/userdata/config.json annotations
**   podman      /var/lib/containers/storage/overlay-containers/containers.json   names[0]
*/
#ifndef SQLSOF_CONTAINER_STATE_H
#define SQLSOF_CONTAINER_STATE_H

#include <stddef.h>

#define CONTAINER_FIELD_MAX 256 /* Kubernetes names are at most 253 bytes; docker's 128 */

struct container_info {
    char name[CONTAINER_FIELD_MAX];
    char podName[CONTAINER_FIELD_MAX];
    char podNamespace[CONTAINER_FIELD_MAX];
    char podUid[CONTAINER_FIELD_MAX];
};

/* docker's config.v2.json: "Name" without its '/', or the Kubernetes labels cri-dockerd sets.
 * Returns 0, or -1 when the text holds none of them. */
int containerStateDocker(const char *text, size_t len, struct container_info *info);

/* An OCI runtime config.json: the Kubernetes annotations of containerd's CRI plugin and of
 * CRI-O, and nerdctl's name. Returns 0, or -1 when it holds none of them. */
int containerStateOci(const char *text, size_t len, struct container_info *info);

/* containers/storage's containers.json (podman, CRI-O): the first name of container ID.
 * Returns 0, or -1 when ID is not there. */
int containerStateStorage(const char *text, size_t len, const char *id,
                          struct container_info *info);

#endif
