/* fdLinkClassify on arbitrary link text. */
#include "fd/fd_link.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fd_link link;
    fdLinkClassify((const char *)data, size, &link);
    FUZZ_CHECK(link.kind >= FD_LINK_PATH && link.kind <= FD_LINK_UNKNOWN);
    FUZZ_CHECK(!link.hasInode || link.kind == FD_LINK_SOCKET || link.kind == FD_LINK_PIPE ||
               link.kind == FD_LINK_NUMBERED);
    return 0;
}
