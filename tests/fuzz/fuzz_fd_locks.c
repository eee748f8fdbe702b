/* fdLockParseLine on every line of arbitrary lock text, letters combined as a holder's are. */
#include <string.h>

#include "fd/fd_locks.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    char letter = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        struct fd_lock l;
        int rc = fdLockParseLine(p, (size_t)(eol - p), &l);
        FUZZ_CHECK(rc == 1 || rc == 0 || rc < 0);
        if (rc == 1) {
            FUZZ_CHECK(l.letter && strchr("rRwWU", l.letter));
            letter = fdLockCombine(letter, l.letter);
            FUZZ_CHECK(strchr("rRwWuU", letter));
        }
        p = eol + 1;
    }
    return 0;
}
