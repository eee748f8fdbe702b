#include "fd/fd_info.h"

#include "fd/fd_locks.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"

/* An unsigned number in BASE (8 or 10) at *P, up to the end of the line; advances *P. */
static int parseNumber(const char **p, const char *end, unsigned base, unsigned long long *out)
{
    const char *s = *p;
    while (s < end && (*s == ' ' || *s == '\t')) s++;
    unsigned long long v = 0;
    const char *digits = s;
    while (s < end && *s >= '0' && *s < (char)('0' + base)) {
        unsigned long long next = v * base + (unsigned)(*s - '0');
        if (next / base != v) return 0;
        v = next;
        s++;
    }
    if (s == digits || (s < end && *s != '\n')) return 0;
    *out = v;
    *p = s;
    return 1;
}

int fdInfoParse(const char *text, size_t len, struct fd_info *info)
{
    static const struct {
        const char *key;
        unsigned base;
        unsigned bit;
    } fields[] = {{"pos:", 10, 1}, {"flags:", 8, 2}, {"mnt_id:", 10, 4}, {"ino:", 10, 8}};
    memset(info, 0, sizeof *info);
    unsigned seen = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        struct fd_lock l;
        if ((size_t)(eol - p) > 5 && memcmp(p, "lock:", 5) == 0 &&
            fdLockParseLine(p + 5, (size_t)(eol - p - 5), &l) == 1 && l.pid > 0) /* OFD: -1 */
            info->lock = fdLockCombine(info->lock, l.letter);
        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
            size_t n = strlen(fields[i].key);
            if ((size_t)(eol - p) < n || memcmp(p, fields[i].key, n) != 0) continue;
            const char *v = p + n;
            unsigned long long x;
            if (!parseNumber(&v, eol, fields[i].base, &x)) return -EINVAL;
            if (fields[i].bit == 1) info->pos = (long long)x;
            if (fields[i].bit == 2) info->flags = (unsigned)x;
            if (fields[i].bit == 4) info->mntId = (int)x;
            if (fields[i].bit == 8) info->ino = x, info->hasIno = 1;
            seen |= fields[i].bit;
        }
        p = eol + 1;
    }
    return (seen & 7) == 7 ? 0 : -EINVAL;
}

char fdInfoMode(unsigned flags)
{
    switch (flags & O_ACCMODE) {
    case O_RDONLY: return 'r';
    case O_WRONLY: return 'w';
    case O_RDWR: return 'u';
    default: return 0;
    }
}

int fdInfoRead(struct buf *b, int dirfd, const char *name)
{
    if (bufReserve(b, 4095) != 0) return -ENOMEM;
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    ssize_t n;
    do n = read(fd, b->data, b->cap - 1);
    while (n < 0 && errno == EINTR);
    int rc = n < 0 ? -errno : 0;
    close(fd);
    if (rc != 0) return rc;
    /* Filled the buffer (an epoll fd watching many fds): read it again, whole. */
    if ((size_t)n == b->cap - 1) return bufReadFileAt(b, dirfd, name);
    b->len = (size_t)n;
    b->data[n] = '\0';
    return 0;
}
