/*
** A forward-only JSON scanner over a span of text (see json_scan.h). Skipping a nested value
** counts brackets instead of recursing, so hostile nesting costs no stack.
*/
#include "util/json_scan.h"

#include <string.h>

static const char *skipSpace(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* Past the string at P ('"'), or NULL when it does not end. */
static const char *skipString(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* Past the value at P, or NULL when it is malformed or does not end. */
static const char *skipValue(const char *p, const char *end)
{
    if (p >= end) return NULL;
    if (*p == '"') return skipString(p, end);
    if (*p != '{' && *p != '[') {
        const char *s = p;
        while (p < end && !strchr(",]} \t\r\n", *p)) p++;
        return p > s ? p : NULL;
    }
    long depth = 0;
    for (; p < end; p++) {
        if (*p == '"') {
            p = skipString(p, end);
            if (!p) return NULL;
            p--;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (--depth == 0) return p + 1;
        }
    }
    return NULL;
}

const char *jsonMember(const char *p, const char *end, const char *key)
{
    if (!p || p >= end || *p != '{') return NULL;
    size_t klen = strlen(key);
    p = skipSpace(p + 1, end);
    while (p < end && *p == '"') {
        const char *name = p + 1, *after = skipString(p, end);
        if (!after) return NULL;
        int match = (size_t)(after - 1 - name) == klen && memcmp(name, key, klen) == 0;
        p = skipSpace(after, end);
        if (p >= end || *p != ':') return NULL;
        p = skipSpace(p + 1, end);
        if (match) return p < end ? p : NULL;
        p = skipValue(p, end);
        if (!p) return NULL;
        p = skipSpace(p, end);
        if (p >= end || *p != ',') return NULL;
        p = skipSpace(p + 1, end);
    }
    return NULL;
}

const char *jsonPath(const char *p, const char *end, const char *const *path)
{
    for (; p && *path; path++) p = jsonMember(p, end, *path);
    return p;
}

const char *jsonFirst(const char *p, const char *end)
{
    if (!p || p >= end || *p != '[') return NULL;
    p = skipSpace(p + 1, end);
    return p < end && *p != ']' ? p : NULL;
}

const char *jsonNext(const char *p, const char *end)
{
    p = skipValue(p, end);
    if (!p) return NULL;
    p = skipSpace(p, end);
    if (p >= end || *p != ',') return NULL;
    p = skipSpace(p + 1, end);
    return p < end ? p : NULL;
}

static int hexDigit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The 4 hex digits at P as a code unit, or -1. */
static long hex4(const char *p, const char *end)
{
    if (end - p < 4) return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hexDigit(p[i]);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Appends code point CP as UTF-8 at OUT[*n]; -1 when it does not fit in CAP (with the NUL). */
static int putUtf8(char *out, size_t cap, size_t *n, long cp)
{
    unsigned char b[4];
    size_t k;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp, k = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | cp >> 6), b[1] = (unsigned char)(0x80 | (cp & 0x3f)), k = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | cp >> 12), b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f)), k = 3;
    } else {
        b[0] = (unsigned char)(0xf0 | cp >> 18), b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f)), b[3] = (unsigned char)(0x80 | (cp & 0x3f));
        k = 4;
    }
    if (*n + k >= cap) return -1;
    memcpy(out + *n, b, k);
    *n += k;
    return 0;
}

/* One escape after the backslash at *P: its code point, advancing *P past it; -1 if bad. */
static long unescape(const char **pp, const char *end)
{
    const char *p = *pp + 1;
    if (p >= end) return -1;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *k = *p ? strchr(from, *p) : NULL;
    if (k) {
        *pp = p + 1;
        return (unsigned char)to[k - from];
    }
    if (*p != 'u') return -1;
    long cp = hex4(p + 1, end);
    p += 5;
    if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
        long lo = hex4(p + 2, end);
        if (lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            p += 6;
        }
    }
    *pp = p;
    return cp;
}

int jsonString(const char *p, const char *end, char *out, size_t cap)
{
    if (!p || p >= end || *p != '"' || cap == 0) return -1;
    size_t n = 0;
    for (p++; p < end && *p != '"';) {
        if (*p != '\\') {
            if (n + 1 >= cap) return -1;
            out[n++] = *p++;
            continue;
        }
        long cp = unescape(&p, end);
        if (cp < 0 || putUtf8(out, cap, &n, cp) != 0) return -1;
    }
    if (p >= end) return -1;
    out[n] = '\0';
    return (int)n;
}

int jsonStringIs(const char *p, const char *end, const char *s)
{
    char tmp[256];
    size_t n = strlen(s);
    return n < sizeof tmp && jsonString(p, end, tmp, sizeof tmp) == (int)n &&
           memcmp(tmp, s, n) == 0;
}
