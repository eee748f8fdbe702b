/* procParseFdLimit on arbitrary /proc/PID/limits text. */
#include "fuzz.h"
#include "proc/proc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long long soft;
    procParseFdLimit((const char *)data, size, &soft);
    return 0;
}
