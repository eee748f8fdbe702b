/*
** Container and pod names in cgroup paths (see container_cgroup.h). A path is taken apart at
** '/'; each component is matched against the forms the runtimes write, for the systemd driver
** (NAME-<id>.scope, machine-NAME.scope, kubepods-QOS-pod<uid>.slice) and the cgroupfs driver
** (/docker/<id>, /libpod_parent/libpod-<id>, /kubepods/QOS/pod<uid>/<id>, /lxc/NAME).
*/
#include "container/container_cgroup.h"

#include <errno.h>
#include <string.h>

const char *containerRuntimeName(enum container_runtime rt)
{
    switch (rt) {
    case RUNTIME_DOCKER: return "docker";
    case RUNTIME_CONTAINERD: return "containerd";
    case RUNTIME_CRIO: return "cri-o";
    case RUNTIME_PODMAN: return "podman";
    case RUNTIME_LXC: return "lxc";
    case RUNTIME_NSPAWN: return "systemd-nspawn";
    default: return NULL;
    }
}

/* One component of a path. */
struct comp {
    const char *s;
    size_t n;
};

static int compIs(struct comp c, const char *word)
{
    return c.n == strlen(word) && memcmp(c.s, word, c.n) == 0;
}

static int hasPrefix(struct comp c, const char *prefix)
{
    size_t n = strlen(prefix);
    return c.n >= n && memcmp(c.s, prefix, n) == 0;
}

static int isHex64(const char *s, size_t n)
{
    if (n != 64) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

/* Whether C is PREFIX<64 hex>SUFFIX, with SUFFIX optional when OPTIONAL; copies the id. */
static int matchId(struct comp c, const char *prefix, const char *suffix, int optional, char *id)
{
    size_t p = strlen(prefix), s = strlen(suffix);
    if (!hasPrefix(c, prefix)) return 0;
    const char *hex = c.s + p;
    size_t n = c.n - p;
    if (n == 64 + s && memcmp(hex + 64, suffix, s) == 0)
        n = 64;
    else if (!optional)
        return 0;
    if (!isHex64(hex, n)) return 0;
    memcpy(id, hex, 64);
    id[64] = '\0';
    return 1;
}

static int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Copies N bytes of S into OUT, undoing systemd's unit-name escapes (\x2d is '-') when
 * UNESCAPE. 0, or -1 when empty or too long. */
static int copyName(const char *s, size_t n, char *out, int unescape)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (unescape && c == '\\' && i + 3 < n && s[i + 1] == 'x' && hexValue(s[i + 2]) >= 0 &&
            hexValue(s[i + 3]) >= 0) {
            c = (char)(hexValue(s[i + 2]) * 16 + hexValue(s[i + 3]));
            i += 3;
        }
        if (c == '\0' || k + 1 >= CONTAINER_ID_MAX) return -1;
        out[k++] = c;
    }
    out[k] = '\0';
    return k ? 0 : -1;
}

/* A pod uid of 36 characters at S, '_' read as '-' (systemd slices); 0 or -1. */
static int copyPodUid(const char *s, size_t n, char *out)
{
    char uid[POD_UID_MAX];
    if (n != POD_UID_MAX - 1) return -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i] == '_' ? '-' : s[i];
        if (c != '-' && hexValue(c) < 0) return -1;
        uid[i] = c;
    }
    uid[n] = '\0';
    memcpy(out, uid, sizeof uid); /* only a whole uid replaces what was there */
    return 0;
}

/* kubepods-burstable-pod<uid>.slice (systemd) or pod<uid> under /kubepods (cgroupfs). */
static void matchPod(struct comp c, int inKube, char *podUid)
{
    if (hasPrefix(c, "kubepods") && c.n > 6 && memcmp(c.s + c.n - 6, ".slice", 6) == 0) {
        const char *pod = memmem(c.s, c.n, "-pod", 4);
        if (pod) copyPodUid(pod + 4, (size_t)(c.s + c.n - 6 - pod - 4), podUid);
    } else if (inKube && hasPrefix(c, "pod")) {
        copyPodUid(c.s + 3, c.n - 3, podUid);
    }
}

/* The container that component C (after PREV) names, into REF; 1 when it names one. */
static int matchContainer(struct comp c, struct comp prev, int inKube, struct container_ref *ref)
{
    static const struct {
        const char *prefix, *suffix;
        int optional;
        enum container_runtime rt;
    } forms[] = {
        {"docker-", ".scope", 0, RUNTIME_DOCKER},
        {"cri-containerd-", ".scope", 0, RUNTIME_CONTAINERD},
        {"crio-", ".scope", 1, RUNTIME_CRIO},     /* crio-conmon-<id> is not hex: no match */
        {"libpod-", ".scope", 1, RUNTIME_PODMAN}, /* nor libpod-conmon-<id> */
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        if (matchId(c, forms[i].prefix, forms[i].suffix, forms[i].optional, ref->id))
            return ref->runtime = forms[i].rt, 1;
    if (isHex64(c.s, c.n) && (compIs(prev, "docker") || inKube)) {
        matchId(c, "", "", 1, ref->id);
        ref->runtime = compIs(prev, "docker") ? RUNTIME_DOCKER : RUNTIME_KUBE;
        return 1;
    }
    if (hasPrefix(c, "lxc.payload.") && copyName(c.s + 12, c.n - 12, ref->id, 0) == 0)
        return ref->runtime = RUNTIME_LXC, 1;
    if ((compIs(prev, "lxc.payload") || compIs(prev, "lxc")) && copyName(c.s, c.n, ref->id, 0) == 0)
        return ref->runtime = RUNTIME_LXC, 1;
    /* libvirt registers its guests with machined too: machine-qemu\x2d1\x2dNAME.scope is a VM's
     * qemu, machine-lxc\x2dPID\x2dNAME.scope a libvirt-lxc guest; neither is nspawn's */
    if (hasPrefix(c, "machine-") && c.n > 14 && memcmp(c.s + c.n - 6, ".scope", 6) == 0 &&
        !hasPrefix(c, "machine-qemu\\x2d") && !hasPrefix(c, "machine-lxc\\x2d") &&
        copyName(c.s + 8, c.n - 14, ref->id, 1) == 0)
        return ref->runtime = RUNTIME_NSPAWN, 1;
    return 0;
}

int containerParsePath(const char *path, size_t len, struct container_ref *ref)
{
    memset(ref, 0, sizeof *ref);
    const char *end = path + len;
    struct comp prev = {"", 0};
    int inKube = 0;
    for (const char *p = path; p < end;) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        struct comp c = {p, (size_t)((slash ? slash : end) - p)};
        p = slash ? slash + 1 : end;
        if (c.n == 0) continue;
        if (hasPrefix(c, "kubepods")) inKube = 1;
        if (hasPrefix(c, "user@") && c.n > 13 && !memcmp(c.s + c.n - 8, ".service", 8))
            ref->delegated = 1;
        matchPod(c, inKube, ref->podUid);
        if (matchContainer(c, prev, inKube, ref)) {
            /* systemd-nspawn's own process sits in the scope's "supervisor" cgroup */
            if (ref->runtime == RUNTIME_NSPAWN && end - p >= 10 &&
                memcmp(p, "supervisor", 10) == 0 && (end - p == 10 || p[10] == '/'))
                break;
            return 1;
        }
        prev = c;
    }
    memset(ref, 0, sizeof *ref);
    return 0;
}

/* The path of the line at P (up to END): what follows the second ':'; NULL if none. */
static const char *linePath(const char *p, const char *eol)
{
    const char *colon = memchr(p, ':', (size_t)(eol - p));
    if (!colon) return NULL;
    colon = memchr(colon + 1, ':', (size_t)(eol - colon - 1));
    return colon ? colon + 1 : NULL;
}

int containerParseCgroup(const char *text, size_t len, struct container_ref *ref)
{
    memset(ref, 0, sizeof *ref);
    const char *end = text + len;
    int any = 0;
    /* Pass 0 looks at the v2 line only, pass 1 at the v1 lines. */
    for (int pass = 0; pass < 2; pass++) {
        for (const char *p = text; p < end;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *eol = nl ? nl : end;
            const char *path = linePath(p, eol);
            int v2 = eol - p >= 3 && memcmp(p, "0::", 3) == 0;
            if (path && v2 == !pass) {
                any = 1;
                if (containerParsePath(path, (size_t)(eol - path), ref)) return 1;
            }
            p = nl ? nl + 1 : end;
        }
    }
    return any ? 0 : -EINVAL;
}
