#include "proc/maps_parse.h"

#include <errno.h>
#include <string.h>

#include "proc/proc_parse.h"

/* Reads a hex number at *P up to END; returns 0 or -EINVAL when there are no digits. */
static int parseHex(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    while (s < end) {
        int d = *s >= '0' && *s <= '9'   ? *s - '0'
                : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
                : *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
                                         : -1;
        if (d < 0) break;
        v = v << 4 | (uint64_t)d;
        s++;
    }
    if (s == *p) return -EINVAL;
    *p = s;
    *out = v;
    return 0;
}

static int expect(const char **p, const char *end, char c)
{
    if (*p >= end || **p != c) return -EINVAL;
    (*p)++;
    return 0;
}

static void skipSpaces(const char **p, const char *end)
{
    while (*p < end && **p == ' ') (*p)++;
}

int mapsParseLine(const char *line, size_t len, struct map_entry *e)
{
    const char *p = line, *end = line + len;
    uint64_t major, minor;
    if (len && end[-1] == '\n') end--;
    if (parseHex(&p, end, &e->start) || expect(&p, end, '-') || parseHex(&p, end, &e->end) ||
        expect(&p, end, ' '))
        return -EINVAL;
    if (end - p < 5 || p[4] != ' ') return -EINVAL;
    memcpy(e->perms, p, 4);
    e->perms[4] = '\0';
    p += 5;
    if (parseHex(&p, end, &e->offset) || expect(&p, end, ' ') || parseHex(&p, end, &major) ||
        expect(&p, end, ':') || parseHex(&p, end, &minor) || expect(&p, end, ' '))
        return -EINVAL;
    e->major = (unsigned)major;
    e->minor = (unsigned)minor;

    /* The inode is decimal. */
    const char *digits = p;
    e->inode = 0;
    while (p < end && *p >= '0' && *p <= '9') e->inode = e->inode * 10 + (uint64_t)(*p++ - '0');
    if (p == digits) return -EINVAL;

    skipSpaces(&p, end);
    e->path = p < end ? p : NULL;
    e->pathLen = (size_t)(end - p);
    e->deletedSuffix = procEndsDeleted(p, e->pathLen);
    if (e->deletedSuffix) e->pathLen -= PROC_DELETED_SUFFIX_LEN;
    return 0;
}
