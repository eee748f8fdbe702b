#include "proc/proc_parse.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

int procEndsDeleted(const char *path, size_t len)
{
    return len > PROC_DELETED_SUFFIX_LEN &&
           memcmp(path + len - PROC_DELETED_SUFFIX_LEN, PROC_DELETED_SUFFIX,
                  PROC_DELETED_SUFFIX_LEN) == 0;
}

/* Finds the line of TEXT that starts with KEY; returns what follows KEY, or NULL. */
static const char *findLine(const char *text, size_t len, const char *key)
{
    size_t klen = strlen(key);
    const char *end = text + len;
    for (const char *p = text; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        if ((size_t)(eol - p) >= klen && memcmp(p, key, klen) == 0) return p + klen;
        p = eol + 1;
    }
    return NULL;
}

/*
** A decimal integer at *P after blanks, with an optional sign, as strtoll reads one (out of
** range saturates) but never past END: the text need not be NUL-terminated. Advances *P past
** it. Returns 0, or -EINVAL when there are no digits.
*/
static int parseInt(const char **p, const char *end, long long *out)
{
    const char *s = *p;
    while (s < end && (*s == ' ' || *s == '\t')) s++;
    int neg = s < end && *s == '-';
    if (s < end && (*s == '-' || *s == '+')) s++;
    const char *digits = s;
    unsigned long long v = 0, limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        v = v > (limit - d) / 10 ? limit : v * 10 + d;
    }
    if (s == digits) return -EINVAL;
    *p = s;
    *out = !neg ? (long long)v : v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    return 0;
}

int procParseStat(const char *text, size_t len, struct proc_stat *st)
{
    /* "pid (comm) state ppid ...": comm is anything, so take the last ')' in the text. */
    const char *open = memchr(text, '(', len);
    const char *close = NULL;
    for (const char *p = text + len; p > text; p--)
        if (p[-1] == ')') {
            close = p - 1;
            break;
        }
    if (!open || !close || close < open) return -EINVAL;

    size_t n = (size_t)(close - open - 1);
    if (n >= sizeof st->comm) n = sizeof st->comm - 1;
    memcpy(st->comm, open + 1, n);
    st->comm[n] = '\0';

    /* After comm: field 3 (state) on, separated by single spaces. */
    enum {
        F_STATE = 3,
        F_PPID,
        F_PGRP,
        F_SESSION,
        F_UTIME = 14,
        F_STIME,
        F_NICE = 19,
        F_THREADS,
        F_STARTTIME = 22,
        F_VSIZE,
        F_RSS,
        F_LAST = F_RSS
    };
    long long field[F_LAST + 1] = {0};
    const char *p = close + 1, *end = text + len;
    int f = F_STATE - 1;
    while (f < F_LAST) {
        while (p < end && *p == ' ') p++;
        if (p >= end || *p == '\n') break;
        f++;
        if (f == F_STATE) {
            st->state = *p++;
        } else {
            if (parseInt(&p, end, &field[f]) != 0) return -EINVAL;
        }
        while (p < end && *p != ' ' && *p != '\n') p++;
    }
    if (f < F_LAST) return -EINVAL;
    st->ppid = (int)field[F_PPID];
    st->pgid = (int)field[F_PGRP];
    st->sid = (int)field[F_SESSION];
    st->utime = (unsigned long long)field[F_UTIME];
    st->stime = (unsigned long long)field[F_STIME];
    st->nice = (long)field[F_NICE];
    st->threads = (long)field[F_THREADS];
    st->starttime = (unsigned long long)field[F_STARTTIME];
    st->vsize = (unsigned long long)field[F_VSIZE];
    st->rss = field[F_RSS];
    return 0;
}

static int parseIds(const char *text, size_t len, const char *key, unsigned id[4])
{
    const char *p = findLine(text, len, key), *end = text + len;
    if (!p) return -EINVAL;
    for (int i = 0; i < 4; i++) {
        long long v;
        if (parseInt(&p, end, &v) != 0) return -EINVAL;
        id[i] = (unsigned)v;
    }
    return 0;
}

int procParseStatus(const char *text, size_t len, struct proc_status *st)
{
    const char *tgid = findLine(text, len, "Tgid:");
    long long v;
    if (!tgid || parseInt(&tgid, text + len, &v) != 0) return -EINVAL;
    st->tgid = (int)v;
    if (parseIds(text, len, "Uid:", st->uid) != 0) return -EINVAL;
    if (parseIds(text, len, "Gid:", st->gid) != 0) return -EINVAL;
    /* "NSpid:\t4242\t17\t1": one pid per nested pid namespace, the innermost last */
    const char *p = findLine(text, len, "NSpid:"), *end = text + len;
    st->nspid = 0;
    while (p && parseInt(&p, end, &v) == 0) st->nspid = (int)v;
    return 0;
}

size_t procJoinCmdline(char *text, size_t len)
{
    while (len > 0 && text[len - 1] == '\0') len--;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\0') text[i] = ' ';
    text[len] = '\0';
    return len;
}

int procParseCgroup(const char *text, size_t len, const char **path, size_t *pathlen)
{
    const char *p = findLine(text, len, "0::");
    if (!p) return -EINVAL;
    const char *end = memchr(p, '\n', (size_t)(text + len - p));
    *path = p;
    *pathlen = (size_t)((end ? end : text + len) - p);
    return 0;
}

int procParseBootTime(const char *text, size_t len, long long *btime)
{
    const char *p = findLine(text, len, "btime ");
    if (!p) return -EINVAL;
    return parseInt(&p, text + len, btime);
}

int procParseFdLimit(const char *text, size_t len, long long *soft)
{
    /* "Max open files            1024                 1048576              files" */
    static const char unlimited[] = "unlimited";
    const char *p = findLine(text, len, "Max open files "), *end = text + len;
    if (!p) return -EINVAL;
    while (p < end && *p == ' ') p++;
    if ((size_t)(end - p) >= sizeof unlimited - 1 && !memcmp(p, unlimited, sizeof unlimited - 1)) {
        *soft = -1;
        return 0;
    }
    if (p < end && (*p < '0' || *p > '9')) return -EINVAL; /* no sign: a limit is unsigned */
    return parseInt(&p, end, soft);
}

int procParsePortRange(const char *text, size_t len, int *low, int *high)
{
    int v[2] = {0, 0}, i = 0;
    size_t p = 0;
    for (; i < 2; i++) {
        while (p < len && (text[p] == ' ' || text[p] == '\t')) p++;
        size_t start = p;
        while (p < len && text[p] >= '0' && text[p] <= '9' && v[i] <= 65535)
            v[i] = v[i] * 10 + (text[p++] - '0');
        if (p == start || v[i] > 65535) return -EINVAL;
    }
    if (p < len && text[p] == '\n') p++;
    if (p != len || v[0] > v[1]) return -EINVAL;
    *low = v[0];
    *high = v[1];
    return 0;
}
