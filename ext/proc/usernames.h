/*
** uid → login name, remembered for the life of a cursor: a scan meets few distinct uids and
** each getpwuid_r() may parse /etc/passwd.
*/
#ifndef SQLSOF_USERNAMES_H
#define SQLSOF_USERNAMES_H

#include <sys/types.h>

#include <stddef.h>

struct usernames {
    struct username_entry *v;
    size_t n, cap;
};

/* Sets *NAME to the login name of UID, or NULL when it has none; valid until usernamesFree().
 * Returns 0, or -ENOMEM. */
int usernamesLookup(struct usernames *u, uid_t uid, const char **name);
void usernamesFree(struct usernames *u);

#endif
