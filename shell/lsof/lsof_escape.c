#include "lsof/lsof_escape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* The escape of byte C into BUF (8 bytes); its length. */
static int escapeByte(unsigned char c, int flags, char *buf)
{
    switch (c) {
    case '\b': return sprintf(buf, "\\b");
    case '\f': return sprintf(buf, "\\f");
    case '\n': return sprintf(buf, "\\n");
    case '\r': return sprintf(buf, "\\r");
    case '\t': return sprintf(buf, "\\t");
    }
    if (c < 0x20) return sprintf(buf, "^%c", c + '@');
    if (c >= 0x7f) return sprintf(buf, "\\x%02x", c);
    if (c == ' ' && (flags & LSOF_ESCAPE_SPACE)) return sprintf(buf, "\\x20");
    buf[0] = (char)c;
    return 1;
}

/* Whether byte C prints as itself. */
static int plainByte(unsigned char c, int flags)
{
    return c >= 0x20 && c < 0x7f && !(c == ' ' && (flags & LSOF_ESCAPE_SPACE));
}

size_t lsofEscapeInto(char *out, const char *s, size_t width, int flags)
{
    char *p = out;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (width > 0 && (size_t)(p - out) >= width) break;
        if (plainByte(*c, flags)) {
            *p++ = (char)*c;
            continue;
        }
        char buf[8];
        int n = escapeByte(*c, flags, buf);
        if (width > 0 && (size_t)(p - out) + (size_t)n > width) break;
        memcpy(p, buf, (size_t)n);
        p += n;
    }
    *p = '\0';
    return (size_t)(p - out);
}

char *lsofEscape(const char *s, size_t width, int flags)
{
    if (!s) return NULL;
    char *out = malloc(LSOF_ESCAPED_MAX(strlen(s)) + 1);
    if (!out) outputOutOfMemory();
    lsofEscapeInto(out, s, width, flags);
    return out;
}
