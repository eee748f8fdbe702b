/*
** Growable byte buffers and whole-file reads relative to a directory fd. No SQLite here.
** Every reader returns 0 or -errno, so callers can tell "gone" (ENOENT, ESRCH) from
** "not allowed" (EACCES, EPERM).
*/
#ifndef SQLSOF_BUF_H
#define SQLSOF_BUF_H

#include <stddef.h>

struct buf {
    char *data; /* NUL-terminated after every read; NULL until the first */
    size_t len;
    size_t cap;
};

/* Makes room for LEN bytes plus a NUL. Returns 0 or -ENOMEM. */
int bufReserve(struct buf *b, size_t len);
void bufFree(struct buf *b);

/* Reads the whole of NAME under DIRFD into B; B->len bytes, NUL-terminated. */
int bufReadFileAt(struct buf *b, int dirfd, const char *name);

/* Reads the target of the symbolic link NAME under DIRFD into B, NUL-terminated. */
int bufReadLinkAt(struct buf *b, int dirfd, const char *name);

/*
** Growable arrays of any element type: ARRAY holds *CAP elements of SIZE bytes; makes room for
** N, doubling (from 16). Returns the array (moved or not), or NULL without memory, when ARRAY
** is left as it was. The one growth rule for every array in sqlsof:
**
**     struct fd_ref *m = arrayGrow(cur->map, &cur->mapCap, cur->mapLen + 1, sizeof *m);
**     if (!m) return SQLITE_NOMEM;
**     cur->map = m;
*/
void *arrayGrow(void *array, size_t *cap, size_t n, size_t size);

/*
** Binary search in N elements of SIZE bytes at BASE, sorted so that CMP(KEY, element) is > 0
** for a prefix of them: the index of the first element that does not sort before KEY (N when
** none). Equal elements start there; the caller checks whether it found one.
*/
size_t arrayLowerBound(const void *base, size_t n, size_t size, const void *key,
                       int (*cmp)(const void *key, const void *element));

/*
** Writes V in decimal into the bytes just before END (20 at most, no NUL) and returns where
** its first digit is: printf's machinery costs more than the rest of a row at 100,000 rows.
** Text is built backwards from the end of a buffer:
**
**     char text[24], *end = text + sizeof text;
**     char *p = decimalBefore(end, minor);
**     *--p = ',';
**     p = decimalBefore(p, major);                 -- "MAJOR,MINOR" is [p, end)
*/
char *decimalBefore(char *end, unsigned long long v);

#endif
