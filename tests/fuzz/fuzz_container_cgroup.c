/*
** containerParseCgroup on arbitrary /proc/PID/cgroup text, and mountinfoNextNetns on arbitrary
** mountinfo, and mountinfoNextMount on the same: ids and names are NUL-terminated inside their
** buffers, a found container has a runtime, a mount's type lies inside the text, and both
** mountinfo walks always move forward and end.
*/
#include <string.h>

#include "container/container_cgroup.h"
#include "fuzz.h"
#include "proc/mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct container_ref ref;
    int rc = containerParseCgroup(text, size, &ref);
    FUZZ_CHECK(rc == 1 || rc == 0 || rc == -22);
    FUZZ_CHECK(memchr(ref.id, '\0', sizeof ref.id) && memchr(ref.podUid, '\0', sizeof ref.podUid));
    FUZZ_CHECK((rc == 1) == (ref.runtime != RUNTIME_NONE) && (rc == 1) == (ref.id[0] != '\0'));
    FUZZ_CHECK(ref.podUid[0] == '\0' || strlen(ref.podUid) == POD_UID_MAX - 1);

    size_t pos = 0, before;
    uint64_t ino;
    char path[64];
    do {
        before = pos;
        if (mountinfoNextNetns(text, size, &pos, &ino, path, sizeof path))
            FUZZ_CHECK(ino != 0 && path[0] != '\0' && memchr(path, '\0', sizeof path));
        FUZZ_CHECK(pos <= size);
    } while (pos > before);
    FUZZ_CHECK(pos == size);

    struct mountinfo_mount m;
    pos = 0;
    do {
        before = pos;
        if (mountinfoNextMount(text, size, &pos, &m))
            FUZZ_CHECK(m.id >= 0 && m.typeLen > 0 && m.type >= text &&
                       m.type + m.typeLen <= text + size);
        FUZZ_CHECK(pos <= size);
    } while (pos > before);
    FUZZ_CHECK(pos == size);
    return 0;
}
