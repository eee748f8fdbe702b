/* procParseStatus on arbitrary /proc/PID/status text. */
#include "fuzz.h"
#include "proc/proc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proc_status st;
    procParseStatus((const char *)data, size, &st);
    return 0;
}
