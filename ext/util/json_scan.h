/*
** Just enough JSON to read a value out of a container runtime's state file: find an object's
** member, walk an array, copy a string out unescaped. Values are spans of the text (P points at
** the value's first byte, END one past the text); nothing is allocated and nothing is read past
** END, so the text need not be NUL-terminated. Malformed text is never an error worse than "not
** found" (NULL / -1). No I/O, no SQLite.
*/
#ifndef SQLSOF_JSON_SCAN_H
#define SQLSOF_JSON_SCAN_H

#include <stddef.h>

/* The value of member KEY of the object at P ('{'), or NULL. KEY is matched byte for byte
 * against the member name as written (names with escapes never match). */
const char *jsonMember(const char *p, const char *end, const char *key);

/* The value at PATH (NULL-terminated member names, each in the object the previous one names),
 * or NULL. */
const char *jsonPath(const char *p, const char *end, const char *const *path);

/* The first element of the array at P ('['), or NULL when it is empty or not an array. */
const char *jsonFirst(const char *p, const char *end);

/* The element after the element at P of an array, or NULL at its end. */
const char *jsonNext(const char *p, const char *end);

/*
** The string at P ('"') unescaped into OUT (CAP bytes, NUL-terminated): its length, or -1
** when P is no string, the string is malformed, or it does not fit.
*/
int jsonString(const char *p, const char *end, char *out, size_t cap);

/* Whether the value at P is the string S exactly (compared unescaped). */
int jsonStringIs(const char *p, const char *end, const char *s);

#endif
