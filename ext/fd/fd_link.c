#include "fd/fd_link.h"

#include <string.h>

#include "proc/proc_parse.h"

/* "[N]" exactly, N decimal and not empty. */
static int parseBracketedNumber(const char *s, size_t len, unsigned long long *out)
{
    if (len < 3 || s[0] != '[' || s[len - 1] != ']') return 0;
    unsigned long long v = 0;
    for (size_t i = 1; i < len - 1; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        unsigned long long next = v * 10 + (unsigned)(s[i] - '0');
        if (next / 10 != v) return 0; /* overflow */
        v = next;
    }
    *out = v;
    return 1;
}

static int hasPrefix(const char *text, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(text, prefix, n) == 0;
}

void fdLinkClassify(const char *text, size_t len, struct fd_link *link)
{
    memset(link, 0, sizeof *link);
    link->kind = FD_LINK_UNKNOWN;
    if (len > 0 && text[0] == '/') {
        link->kind = FD_LINK_PATH;
        link->endsDeleted = procEndsDeleted(text, len);
        return;
    }
    if (hasPrefix(text, len, "anon_inode:")) {
        link->kind = FD_LINK_ANON;
        return;
    }
    const char *colon = memchr(text, ':', len);
    if (!colon || colon == text) return;
    size_t at = (size_t)(colon - text) + 1;
    if (!parseBracketedNumber(colon + 1, len - at, &link->inode)) return;
    link->hasInode = 1;
    if (hasPrefix(text, len, "socket:["))
        link->kind = FD_LINK_SOCKET;
    else if (hasPrefix(text, len, "pipe:["))
        link->kind = FD_LINK_PIPE;
    else
        link->kind = FD_LINK_NUMBERED;
}
