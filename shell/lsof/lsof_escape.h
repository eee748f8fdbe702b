/*
** Text as lsof 4.95 prints it, so no name a user chose can act on a terminal or split a field:
** \b \f \n \r \t, other control characters as ^X (^? for DEL), bytes over 0x7e as \xNN, and in
** COMMAND a space as \x20. A cut to a width never splits an escape: it ends before one that
** would not fit.
*/
#ifndef SQLSOF_LSOF_ESCAPE_H
#define SQLSOF_LSOF_ESCAPE_H

#include <stddef.h>

enum { LSOF_ESCAPE_SPACE = 1 }; /* a space as \x20, as lsof writes COMMAND */

/* The most bytes the escape of a LEN-byte text takes, without its NUL. */
#define LSOF_ESCAPED_MAX(len) (4 * (len))

/* S escaped into OUT (room for LSOF_ESCAPED_MAX(strlen(S)) + 1), at most WIDTH bytes when
 * WIDTH > 0; its length. */
size_t lsofEscapeInto(char *out, const char *s, size_t width, int flags);

/* S escaped (malloc'd; NULL for NULL), at most WIDTH bytes when WIDTH > 0. */
char *lsofEscape(const char *s, size_t width, int flags);

#endif
