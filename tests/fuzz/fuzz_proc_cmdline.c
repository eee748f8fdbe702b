/* procJoinCmdline on arbitrary /proc/PID/cmdline bytes (it writes one NUL after them). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proc/proc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    size_t n = procJoinCmdline(text, size);
    FUZZ_CHECK(n <= size && text[n] == '\0' && strlen(text) == n);
    free(text);
    return 0;
}
