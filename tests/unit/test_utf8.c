/*
** The command's UTF-8 validator (shell/utf8.c) against the Unicode Standard's Table 3-7, the
** well-formed byte sequences, written out here as data: every sequence of one, two and three
** bytes, and every four-byte sequence led by F0..F7 with a last byte at a range's edge, is
** tried, and a sequence is well-formed exactly when one row of the table takes it whole, with
** the code point the row's range says.
*/
#include <string.h>

#include "testmain.h"
#include "utf8.h"

/* Table 3-7: a row's code points and the range of each of its bytes. */
static const struct row {
    unsigned first, last; /* code points */
    int len;
    unsigned char lo[4], hi[4];
} table[] = {
    {0x0000, 0x007F, 1, {0x00}, {0x7F}},
    {0x0080, 0x07FF, 2, {0xC2, 0x80}, {0xDF, 0xBF}},
    {0x0800, 0x0FFF, 3, {0xE0, 0xA0, 0x80}, {0xE0, 0xBF, 0xBF}},
    {0x1000, 0xCFFF, 3, {0xE1, 0x80, 0x80}, {0xEC, 0xBF, 0xBF}},
    {0xD000, 0xD7FF, 3, {0xED, 0x80, 0x80}, {0xED, 0x9F, 0xBF}},
    {0xE000, 0xFFFF, 3, {0xEE, 0x80, 0x80}, {0xEF, 0xBF, 0xBF}},
    {0x10000, 0x3FFFF, 4, {0xF0, 0x90, 0x80, 0x80}, {0xF0, 0xBF, 0xBF, 0xBF}},
    {0x40000, 0xFFFFF, 4, {0xF1, 0x80, 0x80, 0x80}, {0xF3, 0xBF, 0xBF, 0xBF}},
    {0x100000, 0x10FFFF, 4, {0xF4, 0x80, 0x80, 0x80}, {0xF4, 0x8F, 0xBF, 0xBF}},
};

/* The row that takes the first N bytes of S whole, or NULL. */
static const struct row *rowOf(const unsigned char *s, size_t n)
{
    for (size_t r = 0; r < sizeof table / sizeof *table; r++) {
        const struct row *t = &table[r];
        int ok = (size_t)t->len <= n;
        for (int i = 0; ok && i < t->len; i++) ok = s[i] >= t->lo[i] && s[i] <= t->hi[i];
        if (ok) return t;
    }
    return NULL;
}

/* The validator and the table agree on S (N bytes): length, and code point in the row's range. */
static int agrees(const unsigned char *s, size_t n)
{
    const struct row *t = rowOf(s, n);
    int len = utf8SequenceLength(s, n);
    if (!t) return len == 0;
    if (len != t->len) return 0;
    unsigned cp = utf8Decode(s, len);
    return cp >= t->first && cp <= t->last;
}

static void every_short_sequence(void **state)
{
    (void)state;
    unsigned char s[3];
    size_t valid = 0;
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        assert_true(agrees(s, 1));
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            assert_true(agrees(s, 2));
            for (unsigned c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                if (!agrees(s, 3)) fail_msg("%02x %02x %02x", a, b, c);
                valid += utf8SequenceLength(s, 3) == 3;
            }
        }
    }
    /* U+0800..U+FFFF less the 2,048 surrogates, each with its three bytes. */
    assert_int_equal(valid, 0x10000 - 0x800 - 0x800);
}

static void every_four_byte_sequence(void **state)
{
    (void)state;
    static const unsigned char last[] = {0x00, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    unsigned char s[4];
    size_t valid = 0;
    for (unsigned a = 0xF0; a < 0xF8; a++)
        for (unsigned b = 0; b < 256; b++)
            for (unsigned c = 0; c < 256; c++)
                for (size_t d = 0; d < sizeof last; d++) {
                    s[0] = (unsigned char)a, s[1] = (unsigned char)b;
                    s[2] = (unsigned char)c, s[3] = last[d];
                    if (!agrees(s, 4)) fail_msg("%02x %02x %02x %02x", a, b, c, d);
                    valid += utf8SequenceLength(s, 4) == 4;
                }
    /* Each well-formed three-byte start ((0x110000 - 0x10000) / 64) with 4 of the 8 last bytes. */
    assert_int_equal(valid, (0x110000 - 0x10000) / 64 * 4);
}

/* The cases of issue 23, and truncation: a sequence cut by N or by a NUL is none. */
static void hostile_cases(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\xed\xa0\x80",     /* U+D800, a surrogate */
        "\xed\xbf\xbf",     /* U+DFFF */
        "\xe0\x80\x80",     /* overlong U+0000 */
        "\xc0\xaf",         /* overlong '/' */
        "\xc1\xbf",         /* overlong U+007F */
        "\xf0\x8f\xbf\xbf", /* overlong U+FFFF */
        "\xf4\x90\x80\x80", /* U+110000 */
        "\xf5\x80\x80\x80", /* lead byte past F4 */
        "\xff",
        "\xfe",
        "\x80",
        "\xbf",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(utf8Length((const unsigned char *)bad[i]), 0);
    const unsigned char euro[] = "\xe2\x82\xac";
    assert_int_equal(utf8Length(euro), 3);
    assert_int_equal(utf8Decode(euro, 3), 0x20AC);
    assert_int_equal(utf8SequenceLength(euro, 2), 0);
    assert_int_equal(utf8Length((const unsigned char *)"\xe2\x82"), 0);
    assert_int_equal(utf8Length((const unsigned char *)"\xf0\x9f\x98"), 0);
    assert_int_equal(utf8Length((const unsigned char *)"\xf0\x9f\x98\x80"), 4);
    assert_int_equal(utf8Length((const unsigned char *)"\xf4\x8f\xbf\xbf"), 4);
    assert_int_equal(utf8SequenceLength(euro, 0), 0);
    assert_true(utf8IsControl(0x1B) && utf8IsControl(0x7F) && utf8IsControl(0x9B));
    assert_false(utf8IsControl(0x20) || utf8IsControl(0xA0) || utf8IsControl(0x7E));
}

TEST_MAIN("utf8", NULL, NULL,
          {cmocka_unit_test(every_short_sequence), cmocka_unit_test(every_four_byte_sequence),
           cmocka_unit_test(hostile_cases)})
