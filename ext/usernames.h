/*
** uid → login name, remembered for the life of a cursor: a scan meets few distinct uids and
** each getpwuid_r() may parse /etc/passwd.
*/
#ifndef SQLSOF_USERNAMES_H
#define SQLSOF_USERNAMES_H

#include <sys/types.h>

struct usernames {
    struct username_entry *v;
    int n;
};

/* The login name of UID, or NULL when it has none. Valid until usernamesFree(). */
const char *usernamesLookup(struct usernames *u, uid_t uid);
void usernamesFree(struct usernames *u);

#endif
