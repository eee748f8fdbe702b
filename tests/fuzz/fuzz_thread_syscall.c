/* threadParseSyscall and threadParseWchan on arbitrary text. */
#include <string.h>

#include "fuzz.h"
#include "proc/thread_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct thread_syscall sc;
    if (threadParseSyscall(text, size, &sc) == 0 && sc.in == THREAD_SYSCALL) {
        /* the arguments' text lies within the input */
        FUZZ_CHECK(sc.args >= text && sc.args + sc.argsLen <= text + size);
        FUZZ_CHECK(sc.nr >= 0);
    }
    const char *name;
    size_t len;
    if (threadParseWchan(text, size, &name, &len) == 0) FUZZ_CHECK(name == text && len <= size);
    return 0;
}
