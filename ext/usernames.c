#include "usernames.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>

struct username_entry {
    uid_t uid;
    char *name; /* NULL: the uid has no passwd entry */
};

static char *lookupPasswd(uid_t uid)
{
    struct passwd pw, *found = NULL;
    char buf[4096];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) != 0 || !found) return NULL;
    return strdup(found->pw_name);
}

const char *usernamesLookup(struct usernames *u, uid_t uid)
{
    for (int i = 0; i < u->n; i++)
        if (u->v[i].uid == uid) return u->v[i].name;
    struct username_entry *v = realloc(u->v, (size_t)(u->n + 1) * sizeof *v);
    if (!v) return NULL;
    u->v = v;
    v[u->n].uid = uid;
    v[u->n].name = lookupPasswd(uid);
    return v[u->n++].name;
}

void usernamesFree(struct usernames *u)
{
    for (int i = 0; i < u->n; i++) free(u->v[i].name);
    free(u->v);
    u->v = NULL;
    u->n = 0;
}
