/* procParseStat on arbitrary /proc/PID/stat text. */
#include <string.h>

#include "fuzz.h"
#include "proc/proc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proc_stat st;
    memset(&st, 0xa5, sizeof st);
    if (procParseStat((const char *)data, size, &st) == 0)
        FUZZ_CHECK(memchr(st.comm, '\0', sizeof st.comm) != NULL);
    return 0;
}
