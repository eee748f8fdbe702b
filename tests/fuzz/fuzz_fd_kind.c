/* fd_kind.c on arbitrary text: the first byte picks a kind, the rest is its link and fdinfo. */
#include <string.h>

#include "fd/fd_kind.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    enum fd_kind kind = (enum fd_kind)(data[0] % (FD_KIND_SOCKET + 1));
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    struct fd_details d;
    if (fdDetailsParse(kind, text, len, &d) == 0) {
        char names[512];
        fdSignalNames(d.sigmask, names, sizeof names);
        FUZZ_CHECK(strlen(names) < sizeof names);
        FUZZ_CHECK(memchr(d.iface, '\0', sizeof d.iface) != NULL);
    }
    enum fd_kind k = fdKindOfLink(text, len);
    const char *name;
    size_t nlen;
    if (fdKindLinkName(k, text, len, &name, &nlen))
        FUZZ_CHECK(name >= text && name + nlen <= text + len);
    size_t pos = 0;
    struct fd_epoll_target t;
    while (fdEpollNext(text, len, &pos, &t)) FUZZ_CHECK(pos <= len + 1);
    pos = 0;
    struct fd_inotify_watch w;
    while (fdInotifyNext(text, len, &pos, &w)) FUZZ_CHECK(pos <= len + 1);
    struct fd_mqueue q;
    fdMqueueParse(text, len, &q);
    fdPacketSockType(text, len, 1);
    char seals[96];
    fdSealNames(data[0], seals, sizeof seals);
    return 0;
}
