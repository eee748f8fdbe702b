#include "utf8.h"

/* The range of the second byte after lead byte B (Table 3-7); the third and fourth bytes are
 * always 80..BF. 0 in *LO for a byte that leads nothing. */
static int secondByteRange(unsigned char b, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80, *hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) return 2;
    if (b == 0xE0) *lo = 0xA0; /* overlong below U+0800 */
    if (b == 0xED) *hi = 0x9F; /* surrogates U+D800..DFFF */
    if (b >= 0xE0 && b <= 0xEF) return 3;
    if (b == 0xF0) *lo = 0x90; /* overlong below U+10000 */
    if (b == 0xF4) *hi = 0x8F; /* above U+10FFFF */
    if (b >= 0xF0 && b <= 0xF4) return 4;
    *lo = 0;
    return 0;
}

int utf8SequenceLength(const unsigned char *s, size_t n)
{
    if (n == 0) return 0;
    if (s[0] < 0x80) return 1;
    unsigned char lo, hi;
    int len = secondByteRange(s[0], &lo, &hi);
    if (len == 0 || (size_t)len > n || s[1] < lo || s[1] > hi) return 0;
    for (int i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return len;
}

int utf8Length(const unsigned char *s)
{
    /* A NUL is no continuation byte: the check stops there before reading past it. */
    return utf8SequenceLength(s, 4);
}

unsigned utf8Decode(const unsigned char *s, int len)
{
    static const unsigned char leadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    unsigned cp = s[0] & leadMask[len];
    for (int i = 1; i < len; i++) cp = cp << 6 | (s[i] & 0x3F);
    return cp;
}

int utf8IsControl(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}
