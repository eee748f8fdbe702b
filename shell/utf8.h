/*
** The command's one UTF-8 validator, strict as the Unicode Standard's Table 3-7 (well-formed
** byte sequences): no surrogates (ED A0..BF), no overlong forms (C0, C1, E0 80..9F, F0 80..8F),
** nothing above U+10FFFF (F4 90.., F5..FF), no truncated sequence. Every output that promises
** text (JSON, JSONL, HTML, Prometheus, the table) asks it, and says what it writes instead.
*/
#ifndef SQLSOF_UTF8_H
#define SQLSOF_UTF8_H

#include <stddef.h>

/* Length (1..4) of the well-formed UTF-8 sequence that starts S, of at most N bytes; 0 when
 * the byte at S starts none (or N is 0). */
int utf8SequenceLength(const unsigned char *s, size_t n);

/* utf8SequenceLength on a NUL-terminated S (a NUL never continues a sequence). */
int utf8Length(const unsigned char *s);

/* The code point of the well-formed sequence of LEN bytes at S. */
unsigned utf8Decode(const unsigned char *s, int len);

/* Whether code point CP is a C0 or C1 control character or DEL, which a terminal acts on. */
int utf8IsControl(unsigned cp);

#endif
