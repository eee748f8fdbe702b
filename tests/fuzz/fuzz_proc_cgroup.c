/* procParseCgroup on arbitrary /proc/PID/cgroup text: the path must lie inside the text. */
#include "fuzz.h"
#include "proc/proc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *path;
    size_t len;
    if (procParseCgroup(text, size, &path, &len) == 0)
        FUZZ_CHECK(path >= text && path + len <= text + size);
    long long btime;
    procParseBootTime(text, size, &btime);
    return 0;
}
