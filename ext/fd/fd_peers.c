/*
** The records and key sets of fd_peers.h, and its BPF source: the endpoints skeleton loaded
** once per table, ep_describe on a link bound to one process or on every process, and ep_match
** on every process with epWanted filled for the pass and emptied after it.
*/
#include "fd/fd_peers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd/fd_bpf.h"
#include "util/buf.h"

#ifdef SQLSOF_BPF
#include "endpoints_file.lskel.h"
#include "endpoints_scan.lskel.h"
#include "endpoints_scanfixed.lskel.h"
#include "ep_kernel.h"
#endif

struct ep_record *epRecordsPush(struct ep_records *r)
{
    struct ep_record *v = arrayGrow(r->v, &r->cap, r->n + 1, sizeof *v);
    if (!v) return NULL;
    r->v = v;
    memset(&v[r->n], 0, sizeof *v);
    return &v[r->n++];
}

void epRecordsFree(struct ep_records *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

int epKeyCompare(const struct ep_key *a, const struct ep_key *b)
{
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    if (a->dev != b->dev) return a->dev < b->dev ? -1 : 1;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return 0;
}

static int compareRecords(const void *x, const void *y)
{
    const struct ep_record *a = x, *b = y;
    int c = epKeyCompare(&a->key, &b->key);
    if (c) return c;
    if (a->pid != b->pid) return a->pid < b->pid ? -1 : 1;
    return (a->fd > b->fd) - (a->fd < b->fd);
}

void epRecordsSortByKey(struct ep_records *r)
{
    if (r->n) qsort(r->v, r->n, sizeof *r->v, compareRecords);
}

static int keyBeforeRecord(const void *key, const void *element)
{
    return epKeyCompare(key, &((const struct ep_record *)element)->key);
}

size_t epRecordsFind(const struct ep_records *r, const struct ep_key *key)
{
    size_t i = arrayLowerBound(r->v, r->n, sizeof *r->v, key, keyBeforeRecord);
    return i < r->n && epKeyCompare(&r->v[i].key, key) == 0 ? i : r->n;
}

int epKeysAdd(struct ep_keys *k, const struct ep_key *key, uint64_t ino)
{
    struct ep_key *v = arrayGrow(k->v, &k->cap, k->n + 1, sizeof *v);
    if (!v || keysetAdd(&k->inos, (int64_t)ino) != 0) return -ENOMEM;
    k->v = v;
    v[k->n++] = *key;
    if (key->kind == EP_EVENTFD) k->want |= EP_WANT_EVENTFD;
    if (key->kind == EP_PTM) k->want |= EP_WANT_PTM;
    return 0;
}

static int compareKeys(const void *a, const void *b)
{
    return epKeyCompare(a, b);
}

void epKeysSeal(struct ep_keys *k)
{
    if (!k->n) return;
    keysetSeal(&k->inos);
    qsort(k->v, k->n, sizeof *k->v, compareKeys);
    size_t at = 1;
    for (size_t i = 1; i < k->n; i++)
        if (epKeyCompare(&k->v[i], &k->v[at - 1]) != 0) k->v[at++] = k->v[i];
    k->n = at;
}

int epKeysHas(const struct ep_keys *k, const struct ep_key *key)
{
    return k->n && bsearch(key, k->v, k->n, sizeof *k->v, compareKeys) != NULL;
}

void epKeysFree(struct ep_keys *k)
{
    keysetFree(&k->inos);
    free(k->v);
    memset(k, 0, sizeof *k);
}

void epKeyText(const struct ep_key *k, char *buf, size_t size)
{
    unsigned long long id = (unsigned long long)k->id;
    unsigned major = k->dev >> 20, minor = k->dev & 0xfffff;
    switch (k->kind) {
    case EP_PIPE: snprintf(buf, size, "pipe:%llu", id); break;
    case EP_SOCK: snprintf(buf, size, "sock:%llu", id); break;
    case EP_EVENTFD: snprintf(buf, size, "eventfd:%llu", id); break;
    case EP_PTM: snprintf(buf, size, "ptm:%llu", id); break;
    case EP_PTS: snprintf(buf, size, "pts:%llu", id); break;
    case EP_FIFO: snprintf(buf, size, "fifo:%u,%u:%llu", major, minor, id); break;
    case EP_MQUEUE: snprintf(buf, size, "mqueue:%u,%u:%llu", major, minor, id); break;
    default: snprintf(buf, size, "?"); break;
    }
}

/* Appends every record of the walk IT to OUT, then ends it. */
static int readRecords(struct fd_bpf_iter *it, struct ep_records *out)
{
    const void *rec;
    int rc;
    while ((rc = fdBpfIterNextRaw(it, sizeof(struct ep_record), &rec)) > 0) {
        struct ep_record *slot = epRecordsPush(out);
        if (!slot) {
            rc = -ENOMEM;
            break;
        }
        memcpy(slot, rec, sizeof *slot); /* records are unaligned in the buffer */
    }
    fdBpfIterStop(it);
    return rc;
}

#ifdef SQLSOF_BPF

/* Both ep_scan objects have the same maps and program; the fixed one is used through the
 * CO-RE one's type (checked below). */
_Static_assert(sizeof(struct endpoints_scan_bpf) == sizeof(struct endpoints_scanfixed_bpf),
               "the two ep_scan skeletons have one shape");

struct ep_bpf {
    struct endpoints_scan_bpf *scan;
    int fixed;                       /* scan is the fixed-offset object */
    struct endpoints_file_bpf *file; /* loaded only when a walk needs it */
};

/* Notes a failed load of PROGRAM in C (not tried again). */
static int loadFailed(struct ep_bpf_cache *c, const char *program)
{
    c->err = errno ? -errno : -EINVAL;
    snprintf(c->why, sizeof c->why, "cannot load the BPF iterator %s: %s", program,
             strerror(-c->err));
    return c->err;
}

/* The first line of the small file PATH into BUF, NUL-terminated. 0 or -1. */
static int readLine(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
    if (fd >= 0) close(fd);
    if (n <= 0) return -1;
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

/* Whether this is the kernel the fixed-offset object was built for: its release, version and
 * BTF size, as ep_kernel.sh wrote them at build time. */
static int buildKernel(void)
{
    char release[128], version[256];
    struct stat st;
    return readLine("/proc/sys/kernel/osrelease", release, sizeof release) == 0 &&
           readLine("/proc/sys/kernel/version", version, sizeof version) == 0 &&
           strcmp(release, EP_BUILD_RELEASE) == 0 && strcmp(version, EP_BUILD_VERSION) == 0 &&
           stat("/sys/kernel/btf/vmlinux", &st) == 0 && st.st_size == EP_BUILD_BTF_SIZE;
}

int epBpfLoad(struct ep_bpf_cache *c)
{
    if (c->bpf || c->err) return c->err;
    if (!(c->bpf = calloc(1, sizeof *c->bpf))) return -ENOMEM; /* may be tried again */
    errno = 0;
    if (buildKernel()) {
        c->bpf->scan = (struct endpoints_scan_bpf *)endpoints_scanfixed_bpf__open_and_load();
        c->bpf->fixed = c->bpf->scan != NULL;
    }
    if (!c->bpf->scan && !(c->bpf->scan = endpoints_scan_bpf__open_and_load()))
        return loadFailed(c, "ep_scan");
    return 0;
}

/* The file-by-file programs, loaded on first use. */
static int loadFile(struct ep_bpf_cache *c)
{
    int rc = epBpfLoad(c);
    if (rc || c->bpf->file) return rc;
    errno = 0;
    if (!(c->bpf->file = endpoints_file_bpf__open_and_load())) return loadFailed(c, "ep_describe");
    return 0;
}

void epBpfCacheFree(struct ep_bpf_cache *c)
{
    if (c->bpf && c->bpf->scan && c->bpf->fixed)
        endpoints_scanfixed_bpf__destroy((struct endpoints_scanfixed_bpf *)c->bpf->scan);
    else if (c->bpf && c->bpf->scan)
        endpoints_scan_bpf__destroy(c->bpf->scan);
    if (c->bpf && c->bpf->file) endpoints_file_bpf__destroy(c->bpf->file);
    free(c->bpf);
    c->bpf = NULL;
}

/* Sets ep_scan's mode and what it looks at, and its inode filter from KEYS (NULL: empty). */
static int configure(struct endpoints_scan_bpf *skel, __u32 mode, const struct ep_keys *keys)
{
    __u64 *bits = calloc(EP_BLOOM_BITS / 64, sizeof *bits);
    if (!bits) return -ENOMEM;
    for (int i = 0; keys && i < keys->inos.n; i++) {
        __u64 h = ((__u64)keys->inos.v[i] * EP_BLOOM_MUL) >> (64 - EP_BLOOM_SHIFT);
        bits[h / 64] |= 1ULL << (h & 63);
    }
    __u32 zero = 0;
    struct ep_config cfg = {mode, keys ? keys->want : 0};
    int rc = skel_map_update_elem(skel->maps.epBloom.map_fd, &zero, bits, 0) < 0 ? -errno : 0;
    free(bits);
    if (skel_map_update_elem(skel->maps.epConfig.map_fd, &zero, &cfg, 0) < 0 && !rc) rc = -errno;
    return rc;
}

/* One walk of program PROG over PID (0: every process) into OUT; E2BIG (a process whose
 * records overflow the iterator's buffer) leaves OUT as it was. */
static int walk(int prog, int pid, struct ep_records *out)
{
    struct fd_bpf_iter it;
    size_t from = out->n;
    int rc = fdBpfIterStartProg(prog, pid, &it);
    if (rc == 0) rc = readRecords(&it, out);
    if (rc == -E2BIG) out->n = from;
    return rc;
}

int epBpfDescribe(struct ep_bpf_cache *c, int pid, struct ep_records *out)
{
    int rc = epBpfLoad(c);
    if (rc == 0 && pid > 0 && (rc = configure(c->bpf->scan, EP_MODE_DESCRIBE, NULL)) == 0)
        rc = walk(c->bpf->scan->progs.ep_scan.prog_fd, pid, out);
    /* The host, or a process of more records than one write holds: file by file. */
    if ((rc == 0 && pid > 0) || (rc && rc != -E2BIG)) return rc;
    if ((rc = loadFile(c)) != 0) return rc;
    return walk(c->bpf->file->progs.ep_describe.prog_fd, pid, out);
}

/* Puts KEYS in epWanted in one call where the kernel can (Linux 5.6), else one at a time. */
static int putKeys(int mapFd, const struct ep_keys *keys)
{
    unsigned char *ones = malloc(keys->n);
    if (!ones) return -ENOMEM;
    memset(ones, 1, keys->n);
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.batch.map_fd = (__u32)mapFd;
    attr.batch.keys = (__u64)(uintptr_t)keys->v;
    attr.batch.values = (__u64)(uintptr_t)ones;
    attr.batch.count = (__u32)keys->n;
    int rc = skel_sys_bpf(BPF_MAP_UPDATE_BATCH, &attr, sizeof attr) < 0 ? -errno : 0;
    for (size_t i = 0; rc && i < keys->n; i++)
        rc = skel_map_update_elem(mapFd, &keys->v[i], ones, 0) < 0 ? -errno : 0;
    free(ones);
    return rc;
}

/* Takes KEYS out of epWanted again. */
static void dropKeys(int mapFd, const struct ep_keys *keys)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.batch.map_fd = (__u32)mapFd;
    attr.batch.keys = (__u64)(uintptr_t)keys->v;
    attr.batch.count = (__u32)keys->n;
    if (skel_sys_bpf(BPF_MAP_DELETE_BATCH, &attr, sizeof attr) == 0) return;
    for (size_t i = 0; i < keys->n; i++) skel_map_delete_elem(mapFd, &keys->v[i]);
}

/* One pass over the host for KEYS (at most EP_WANTED_MAX of them; epBloom already set). */
static int matchPart(struct ep_bpf_cache *c, const struct ep_keys *keys, struct ep_records *out)
{
    struct endpoints_scan_bpf *scan = c->bpf->scan;
    int mapFd = scan->maps.epWanted.map_fd;
    int rc = putKeys(mapFd, keys);
    if (rc == 0) rc = walk(scan->progs.ep_scan.prog_fd, 0, out);
    if (rc == -E2BIG && (rc = loadFile(c)) == 0) {
        /* The file-by-file walk shares nothing with ep_scan: its own wanted keys. */
        int fileFd = c->bpf->file->maps.epWanted.map_fd, cfgFd = c->bpf->file->maps.epConfig.map_fd;
        __u32 zero = 0;
        struct ep_config cfg = {EP_MODE_MATCH, keys->want};
        rc = skel_map_update_elem(cfgFd, &zero, &cfg, 0) < 0 ? -errno : putKeys(fileFd, keys);
        if (rc == 0) rc = walk(c->bpf->file->progs.ep_match.prog_fd, 0, out);
        dropKeys(fileFd, keys);
    }
    dropKeys(mapFd, keys);
    return rc;
}

/*
** epWanted holds EP_WANTED_MAX keys (a bigger table costs its creation at every load: 65,536
** entries took 0.5 ms more than 16,384), so more keys than that take a pass for each part;
** epBloom holds all of them, and a file matches one key, so no file is written twice.
*/
int epBpfMatch(struct ep_bpf_cache *c, const struct ep_keys *keys, struct ep_records *out)
{
    int rc = epBpfLoad(c);
    if (rc || !keys->n) return rc;
    rc = configure(c->bpf->scan, EP_MODE_MATCH, keys);
    for (size_t at = 0; rc == 0 && at < keys->n; at += EP_WANTED_MAX) {
        struct ep_keys part = *keys;
        part.v += at;
        part.n = keys->n - at < EP_WANTED_MAX ? keys->n - at : EP_WANTED_MAX;
        rc = matchPart(c, &part, out);
    }
    configure(c->bpf->scan, EP_MODE_MATCH, NULL);
    return rc;
}

#else /* built without the programs (make BPF=0) */

int epBpfLoad(struct ep_bpf_cache *c)
{
    snprintf(c->why, sizeof c->why, "built without BPF (make BPF=0)");
    return c->err = -ENOSYS;
}

void epBpfCacheFree(struct ep_bpf_cache *c)
{
    (void)c;
}

int epBpfDescribe(struct ep_bpf_cache *c, int pid, struct ep_records *out)
{
    (void)pid, (void)out, (void)readRecords;
    return epBpfLoad(c);
}

int epBpfMatch(struct ep_bpf_cache *c, const struct ep_keys *keys, struct ep_records *out)
{
    (void)keys, (void)out;
    return epBpfLoad(c);
}

#endif
