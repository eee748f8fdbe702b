/*
** The command's UTF-8 validator (shell/utf8.c) against a straightforward decoder written here
** from the definition (RFC 3629): the bits of the lead byte give the length, continuation bytes
** are 10xxxxxx, and the code point is well-formed when it is in 0..10FFFF, not a surrogate, and
** needs that many bytes. Both walk the whole input; every position must agree.
*/
#include "fuzz.h"
#include "utf8.h"

/* The reference: the length of the well-formed sequence at S (N bytes), or 0. */
static int referenceLength(const uint8_t *s, size_t n)
{
    int len = s[0] < 0x80 ? 1 : s[0] >> 5 == 6 ? 2 : s[0] >> 4 == 14 ? 3 : s[0] >> 3 == 30 ? 4 : 0;
    if (len == 0 || (size_t)len > n) return 0;
    uint32_t cp = len == 1 ? s[0] : s[0] & (0x7F >> len);
    for (int i = 1; i < len; i++) {
        if (s[i] >> 6 != 2) return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        int len = utf8SequenceLength(data + i, size - i);
        FUZZ_CHECK(len == referenceLength(data + i, size - i));
        if (len > 1) {
            uint32_t cp = utf8Decode(data + i, len);
            FUZZ_CHECK(cp >= 0x80 && cp <= 0x10FFFF);
        }
    }
    return 0;
}
