#include "fd/fd_locks.h"

#include <errno.h>
#include <string.h>

/* The next space-separated word of [*p, end); advances *p past it. */
static int nextWord(const char **p, const char *end, const char **word, size_t *len)
{
    const char *s = *p;
    while (s < end && *s == ' ') s++;
    const char *w = s;
    while (s < end && *s != ' ') s++;
    if (s == w) return 0;
    *word = w;
    *len = (size_t)(s - w);
    *p = s;
    return 1;
}

static int isWord(const char *w, size_t n, const char *want)
{
    return strlen(want) == n && memcmp(w, want, n) == 0;
}

/* Digits in BASE (10 or 16) making up the whole of W. */
static int parseUnsigned(const char *w, size_t n, unsigned base, unsigned long long *out)
{
    unsigned long long v = 0;
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d;
        char c = w[i];
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else
            return 0;
        if (d >= base || v > (~0ULL - d) / base) return 0;
        v = v * base + d;
    }
    *out = v;
    return 1;
}

/* "maj:min:inode", the first two hex, the inode decimal. */
static int parseFileId(const char *w, size_t n, struct fd_lock *l)
{
    const char *c1 = memchr(w, ':', n);
    if (!c1) return 0;
    const char *c2 = memchr(c1 + 1, ':', (size_t)(w + n - c1 - 1));
    if (!c2) return 0;
    unsigned long long maj, min;
    if (!parseUnsigned(w, (size_t)(c1 - w), 16, &maj) ||
        !parseUnsigned(c1 + 1, (size_t)(c2 - c1 - 1), 16, &min) ||
        !parseUnsigned(c2 + 1, (size_t)(w + n - c2 - 1), 10, &l->inode) || maj > 0xfffff ||
        min > 0xfffff)
        return 0;
    l->major = (unsigned)maj;
    l->minor = (unsigned)min;
    return 1;
}

int fdLockParseLine(const char *line, size_t len, struct fd_lock *l)
{
    const char *p = line, *end = line + len, *w;
    size_t n;
    memset(l, 0, sizeof *l);
    /* "N:" */
    if (!nextWord(&p, end, &w, &n) || n < 2 || w[n - 1] != ':') return -EINVAL;
    if (!nextWord(&p, end, &w, &n)) return -EINVAL;
    int waiter = isWord(w, n, "->");
    if (waiter && !nextWord(&p, end, &w, &n)) return -EINVAL;
    /* class (POSIX FLOCK OFDLCK LEASE DELEG ...), then ADVISORY/MANDATORY/ACTIVE/BREAKING... */
    const char *type;
    size_t typeLen;
    if (!nextWord(&p, end, &w, &n) || !nextWord(&p, end, &type, &typeLen)) return -EINVAL;
    long long pid;
    int neg = 0;
    if (!nextWord(&p, end, &w, &n)) return -EINVAL;
    if (n > 1 && w[0] == '-') neg = 1, w++, n--;
    unsigned long long upid;
    if (!parseUnsigned(w, n, 10, &upid) || upid > 0x7fffffff) return -EINVAL;
    pid = neg ? -(long long)upid : (long long)upid;
    if (!nextWord(&p, end, &w, &n) || !parseFileId(w, n, l)) return -EINVAL;
    const char *startW, *endW;
    size_t startN, endN;
    unsigned long long start, last;
    if (!nextWord(&p, end, &startW, &startN) || !nextWord(&p, end, &endW, &endN) ||
        !parseUnsigned(startW, startN, 10, &start))
        return -EINVAL;
    int toEof = isWord(endW, endN, "EOF");
    if (!toEof && !parseUnsigned(endW, endN, 10, &last)) return -EINVAL;
    if (waiter) return 0;

    l->pid = (int)pid;
    int whole = start == 0 && toEof;
    if (isWord(type, typeLen, "READ"))
        l->letter = whole ? 'R' : 'r';
    else if (isWord(type, typeLen, "WRITE"))
        l->letter = whole ? 'W' : 'w';
    else
        l->letter = 'U';
    return 1;
}

char fdLockCombine(char a, char b)
{
    if (!a || !b) return a ? a : b;
    if (a == 'U' || b == 'U') return 'U';
    if (a == 'u' || b == 'u') return 'u';
    int readA = a == 'r' || a == 'R', readB = b == 'r' || b == 'R';
    if (readA != readB) return 'u';
    return (a == 'R' || a == 'W') ? a : b; /* same kind: whole wins */
}
