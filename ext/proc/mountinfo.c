/*
** Network namespace mounts, and each mount's id and type, in mountinfo (see mountinfo.h). A line is
**   ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER-OPTIONS
** and a namespace's bind mount has ROOT "net:[4026532281]" and FSTYPE "nsfs".
*/
#include "proc/mountinfo.h"

#include <string.h>

/* The space-separated field K (0-based) of the line [P, EOL) as [*S, *E); 0 when missing. */
static int field(const char *p, const char *eol, int k, const char **s, const char **e)
{
    for (int i = 0;; i++) {
        while (p < eol && *p == ' ') p++;
        if (p >= eol) return 0;
        const char *start = p;
        while (p < eol && *p != ' ') p++;
        if (i == k) {
            *s = start, *e = p;
            return 1;
        }
    }
}

/* The file system type: the field after the lone "-". */
static int fsType(const char *p, const char *eol, const char **s, const char **e)
{
    for (int k = 6;; k++) {
        const char *fs, *fe;
        if (!field(p, eol, k, &fs, &fe)) return 0;
        if (fe - fs == 1 && *fs == '-') return field(p, eol, k + 1, s, e);
    }
}

/* "net:[INO]" to INO; 0 when it is not that. */
static int netRoot(const char *s, const char *e, uint64_t *ino)
{
    if (e - s < 7 || memcmp(s, "net:[", 5) != 0 || e[-1] != ']') return 0;
    uint64_t v = 0;
    for (const char *p = s + 5; p < e - 1; p++) {
        if (*p < '0' || *p > '9' || v > UINT64_MAX / 10 - 1) return 0;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *ino = v;
    return v != 0;
}

/* Copies [S, E) into PATH undoing \ooo escapes; 0 when it does not fit. */
static int unescapePath(const char *s, const char *e, char *path, size_t cap)
{
    size_t n = 0;
    for (const char *p = s; p < e; p++) {
        char c = *p;
        if (c == '\\' && e - p >= 4 && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
            p[3] >= '0' && p[3] <= '7') {
            c = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        }
        if (c == '\0' || n + 1 >= cap) return 0;
        path[n++] = c;
    }
    path[n] = '\0';
    return n > 0;
}

/* The line of TEXT (LEN bytes) at *POS, [*P, *EOL) without its newline; advances *POS past it.
 * 0 at the end. */
static int nextLine(const char *text, size_t len, size_t *pos, const char **p, const char **eol)
{
    if (*pos >= len) return 0;
    *p = text + *pos;
    const char *nl = memchr(*p, '\n', len - *pos);
    *eol = nl ? nl : text + len;
    *pos = (size_t)(*eol - text) + (nl ? 1 : 0);
    return 1;
}

int mountinfoNextNetns(const char *text, size_t len, size_t *pos, uint64_t *ino, char *path,
                       size_t cap)
{
    const char *p, *eol;
    while (nextLine(text, len, pos, &p, &eol)) {
        const char *rs, *re, *ms, *me, *fs, *fe;
        if (field(p, eol, 3, &rs, &re) && netRoot(rs, re, ino) && field(p, eol, 4, &ms, &me) &&
            fsType(p, eol, &fs, &fe) && fe - fs == 4 && memcmp(fs, "nsfs", 4) == 0 &&
            unescapePath(ms, me, path, cap))
            return 1;
    }
    return 0;
}

/* A decimal field [S, E) that fits an int; 0 when it is not one. */
static int decimal(const char *s, const char *e, int *out)
{
    long v = 0;
    if (s >= e) return 0;
    for (const char *p = s; p < e; p++) {
        if (*p < '0' || *p > '9' || v > (INT32_MAX - 9) / 10) return 0;
        v = v * 10 + (*p - '0');
    }
    *out = (int)v;
    return 1;
}

int mountinfoNextMount(const char *text, size_t len, size_t *pos, struct mountinfo_mount *m)
{
    const char *p, *eol;
    while (nextLine(text, len, pos, &p, &eol)) {
        const char *is, *ie, *fs, *fe, *ms, *me;
        if (field(p, eol, 0, &is, &ie) && decimal(is, ie, &m->id) && field(p, eol, 4, &ms, &me) &&
            fsType(p, eol, &fs, &fe)) {
            m->type = fs;
            m->typeLen = (size_t)(fe - fs);
            m->point = ms;
            m->pointLen = (size_t)(me - ms);
            return 1;
        }
    }
    return 0;
}

int mountinfoUnescape(const char *s, size_t len, char *path, size_t cap)
{
    return unescapePath(s, s + len, path, cap);
}
