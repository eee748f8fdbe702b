/*
** Whole-file and link reads for /proc. /proc files report st_size 0, so a file is read until
** EOF into a buffer that grows; the buffer is reused from row to row, so a scan allocates
** only when a file is larger than any before it.
*/
#include "util/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

int bufReserve(struct buf *b, size_t len)
{
    char *p = len < SIZE_MAX ? arrayGrow(b->data, &b->cap, len + 1, 1) : NULL;
    if (!p) return -ENOMEM;
    b->data = p;
    return 0;
}

void bufFree(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int bufReadFileAt(struct buf *b, int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = 0;
    b->len = 0;
    for (;;) {
        if ((rc = bufReserve(b, b->len + 4096)) != 0) break;
        ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = -errno;
            break;
        }
        if (n == 0) break;
        b->len += (size_t)n;
    }
    close(fd);
    if (b->data) b->data[b->len] = '\0';
    return rc;
}

void *arrayGrow(void *array, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap && array) return array;
    size_t want = *cap ? *cap : 16;
    while (want < n) {
        if (want > SIZE_MAX / 2) return NULL;
        want *= 2;
    }
    if (want > SIZE_MAX / size) return NULL;
    void *p = realloc(array, want * size);
    if (!p) return NULL;
    *cap = want;
    return p;
}

size_t arrayLowerBound(const void *base, size_t n, size_t size, const void *key,
                       int (*cmp)(const void *key, const void *element))
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(key, (const char *)base + mid * size) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int bufReadLinkAt(struct buf *b, int dirfd, const char *name)
{
    size_t want = 256;
    for (;;) {
        if (bufReserve(b, want) != 0) return -ENOMEM;
        ssize_t n = readlinkat(dirfd, name, b->data, b->cap - 1);
        if (n < 0) return -errno;
        if ((size_t)n < b->cap - 1) { /* not truncated */
            b->len = (size_t)n;
            b->data[n] = '\0';
            return 0;
        }
        want = b->cap * 2;
    }
}

char *decimalBefore(char *end, unsigned long long v)
{
    do *--end = (char)('0' + v % 10);
    while (v /= 10);
    return end;
}
