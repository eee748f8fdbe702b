/* mapsParseLine on an arbitrary /proc/PID/maps line: the path must lie inside the line. */
#include <string.h>

#include "fuzz.h"
#include "proc/maps_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    struct map_entry e;
    if (mapsParseLine(line, size, &e) == 0) {
        FUZZ_CHECK(strlen(e.perms) <= 4);
        if (e.path) FUZZ_CHECK(e.path >= line && e.path + e.pathLen <= line + size);
    }
    return 0;
}
