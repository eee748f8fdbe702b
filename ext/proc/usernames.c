#include "proc/usernames.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

struct username_entry {
    uid_t uid;
    char *name; /* NULL: the uid has no passwd entry */
};

/* The passwd name of UID (malloc'd) in *NAME, NULL when it has none; 0 or -ENOMEM. */
static int usernamesFromPasswd(uid_t uid, char **name)
{
    struct passwd pw, *found = NULL;
    char buf[4096];
    *name = NULL;
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) != 0 || !found) return 0;
    *name = strdup(found->pw_name);
    return *name ? 0 : -ENOMEM;
}

int usernamesLookup(struct usernames *u, uid_t uid, const char **name)
{
    for (size_t i = 0; i < u->n; i++)
        if (u->v[i].uid == uid) {
            *name = u->v[i].name;
            return 0;
        }
    struct username_entry *v = arrayGrow(u->v, &u->cap, u->n + 1, sizeof *v);
    if (!v) return -ENOMEM;
    u->v = v;
    char *found;
    if (usernamesFromPasswd(uid, &found) != 0) return -ENOMEM;
    v[u->n].uid = uid;
    v[u->n].name = found;
    *name = v[u->n++].name;
    return 0;
}

void usernamesFree(struct usernames *u)
{
    for (size_t i = 0; i < u->n; i++) free(u->v[i].name);
    free(u->v);
    u->v = NULL;
    u->n = u->cap = 0;
}
