#include "proc/thread_parse.h"

#include <errno.h>
#include <string.h>

/* A decimal integer, optionally negative, at *P (before END); advances *P. 0 or -EINVAL. */
static int parseDecimal(const char **p, const char *end, long *out)
{
    const char *s = *p;
    int neg = s < end && *s == '-';
    if (neg) s++;
    if (s >= end || *s < '0' || *s > '9') return -EINVAL;
    long v = 0;
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        if (v > (0x7fffffffL - 9) / 10) return -EINVAL; /* no syscall number is that large */
        v = v * 10 + (*s - '0');
    }
    *out = neg ? -v : v;
    *p = s;
    return 0;
}

/* " 0xHEX" at *P: one space, then a hexadecimal number of at most 16 digits. */
static int parseHexField(const char **p, const char *end, unsigned long long *out)
{
    const char *s = *p;
    if (end - s < 4 || s[0] != ' ' || s[1] != '0' || s[2] != 'x') return -EINVAL;
    s += 3;
    unsigned long long v = 0;
    int digits = 0;
    for (; s < end; s++, digits++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else
            break;
        if (digits == 16) return -EINVAL;
        v = v << 4 | (unsigned)d;
    }
    if (digits == 0) return -EINVAL;
    *out = v;
    *p = s;
    return 0;
}

/* The line's end: a newline that ends the text, or the text's end. */
static int atLineEnd(const char *p, const char *end)
{
    return p == end || (p + 1 == end && *p == '\n');
}

int threadParseSyscall(const char *text, size_t len, struct thread_syscall *out)
{
    const char *p = text, *end = text + len;
    memset(out, 0, sizeof *out);
    if (len >= 7 && memcmp(text, "running", 7) == 0 && atLineEnd(text + 7, end)) {
        out->in = THREAD_RUNNING;
        return 0;
    }
    long nr;
    if (parseDecimal(&p, end, &nr) != 0 || nr < -1) return -EINVAL;
    if (nr >= 0) {
        out->args = p + (p < end); /* after the space that parseHexField checks */
        for (int i = 0; i < 6; i++)
            if (parseHexField(&p, end, &out->arg[i]) != 0) return -EINVAL;
        out->argsLen = (size_t)(p - out->args);
    }
    if (parseHexField(&p, end, &out->sp) != 0 || parseHexField(&p, end, &out->pc) != 0 ||
        !atLineEnd(p, end))
        return -EINVAL;
    out->in = nr < 0 ? THREAD_NO_SYSCALL : THREAD_SYSCALL;
    out->nr = nr;
    return 0;
}

int threadParseWchan(const char *text, size_t len, const char **name, size_t *namelen)
{
    if (len > 0 && text[len - 1] == '\n') len--;
    if (len == 0) return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        /* a symbol: letters, digits, '_' and the '.' of a compiler's suffix (".constprop.0") */
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.'))
            return -EINVAL;
    }
    *name = text;
    *namelen = len == 1 && text[0] == '0' ? 0 : len;
    return 0;
}

int threadFdArgument(const struct thread_syscall *sc)
{
    int fd = (int)(unsigned)(sc->arg[0] & 0xffffffffu);
    return fd < 0 ? -1 : fd;
}
