/*
** The runtimes' state-file parsers (docker config.v2.json, OCI config.json annotations,
** containers/storage's containers.json) and the JSON scanner under them on arbitrary text:
** every field stays NUL-terminated in its buffer, and nothing reads past the input.
*/
#include <string.h>

#include "container/container_state.h"
#include "fuzz.h"
#include "util/json_scan.h"

static void checkInfo(const struct container_info *info)
{
    FUZZ_CHECK(memchr(info->name, '\0', sizeof info->name));
    FUZZ_CHECK(memchr(info->podName, '\0', sizeof info->podName));
    FUZZ_CHECK(memchr(info->podNamespace, '\0', sizeof info->podNamespace));
    FUZZ_CHECK(memchr(info->podUid, '\0', sizeof info->podUid));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *end = text + size;
    struct container_info info = {0};
    containerStateDocker(text, size, &info);
    checkInfo(&info);
    containerStateOci(text, size, &info);
    checkInfo(&info);
    containerStateStorage(text, size, "x", &info);
    checkInfo(&info);

    char out[32];
    for (const char *e = jsonFirst(text, end); e; e = jsonNext(e, end)) {
        FUZZ_CHECK(e >= text && e < end);
        int n = jsonString(e, end, out, sizeof out);
        FUZZ_CHECK(n < (int)sizeof out && (n < 0 || out[n] == '\0'));
    }
    const char *v = jsonMember(text, end, "a");
    FUZZ_CHECK(!v || (v >= text && v < end));
    return 0;
}
