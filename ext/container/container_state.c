/*
** Container names and pods from the runtimes' state files (see container_state.h), read with
** json_scan.c. A field that is missing, not a string or too long is left alone.
*/
#include "container/container_state.h"

#include <string.h>

#include "util/json_scan.h"

/* Copies the string at P into FIELD when it is one and not empty; 1 when copied. */
static int take(const char *p, const char *end, char field[CONTAINER_FIELD_MAX])
{
    char tmp[CONTAINER_FIELD_MAX];
    if (jsonString(p, end, tmp, sizeof tmp) <= 0) return 0;
    memcpy(field, tmp, sizeof tmp);
    return 1;
}

/* The members of object OBJ named in KEYS, each into its FIELDS entry; how many were found. */
static int takeMembers(const char *obj, const char *end, const char *const keys[4],
                       char *const fields[4])
{
    int found = 0;
    for (int i = 0; i < 4; i++)
        if (keys[i]) found += take(jsonMember(obj, end, keys[i]), end, fields[i]);
    return found;
}

int containerStateDocker(const char *text, size_t len, struct container_info *info)
{
    const char *end = text + len, *doc = text;
    while (doc < end && *doc != '{') doc++;
    int found = 0;
    char name[CONTAINER_FIELD_MAX];
    if (jsonString(jsonMember(doc, end, "Name"), end, name, sizeof name) > 1 && name[0] == '/') {
        memmove(info->name, name + 1, strlen(name));
        found = 1;
    }
    static const char *const labels[] = {"Config", "Labels", NULL};
    static const char *const keys[4] = {"io.kubernetes.container.name", "io.kubernetes.pod.name",
                                        "io.kubernetes.pod.namespace", "io.kubernetes.pod.uid"};
    char *const fields[4] = {info->name, info->podName, info->podNamespace, info->podUid};
    found += takeMembers(jsonPath(doc, end, labels), end, keys, fields);
    return found ? 0 : -1;
}

int containerStateOci(const char *text, size_t len, struct container_info *info)
{
    const char *end = text + len, *doc = text;
    while (doc < end && *doc != '{') doc++;
    const char *ann = jsonMember(doc, end, "annotations");
    if (!ann) return -1;
    char *const fields[4] = {info->name, info->podName, info->podNamespace, info->podUid};
    static const char *const containerd[4] = {
        "io.kubernetes.cri.container-name", "io.kubernetes.cri.sandbox-name",
        "io.kubernetes.cri.sandbox-namespace", "io.kubernetes.cri.sandbox-uid"};
    static const char *const crio[4] = {"io.kubernetes.container.name", "io.kubernetes.pod.name",
                                        "io.kubernetes.pod.namespace", "io.kubernetes.pod.uid"};
    static const char *const nerdctl[4] = {"nerdctl/name", NULL, NULL, NULL};
    int found = takeMembers(ann, end, containerd, fields);
    found += takeMembers(ann, end, crio, fields);
    found += takeMembers(ann, end, nerdctl, fields);
    return found ? 0 : -1;
}

int containerStateStorage(const char *text, size_t len, const char *id, struct container_info *info)
{
    const char *end = text + len, *doc = text;
    while (doc < end && *doc != '[') doc++;
    for (const char *c = jsonFirst(doc, end); c; c = jsonNext(c, end)) {
        if (!jsonStringIs(jsonMember(c, end, "id"), end, id)) continue;
        return take(jsonFirst(jsonMember(c, end, "names"), end), end, info->name) ? 0 : -1;
    }
    return -1;
}
