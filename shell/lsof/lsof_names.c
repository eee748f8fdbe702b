#include "lsof/lsof_names.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <sqlite3.h>

/* Whether PATH is where a file system is mounted: its parent is on another device (or it is /). */
static int isMountPoint(const char *path, const struct stat *st)
{
    char *parent = sqlite3_mprintf("%s/..", path);
    struct stat up;
    int mount =
        parent && stat(parent, &up) == 0 && (up.st_dev != st->st_dev || up.st_ino == st->st_ino);
    sqlite3_free(parent);
    return mount;
}

char *lsofNamePredicate(const char *name, FILE *errors)
{
    struct stat st;
    if (stat(name, &st) != 0) {
        if (errors) fprintf(errors, "lsof: status error on %s: %s\n", name, strerror(errno));
        return sqlite3_mprintf("0");
    }
    if (S_ISSOCK(st.st_mode)) /* the sockets bound there: NAME starts with the path */
        return sqlite3_mprintf("type = 'unix' AND substr(name, 1, %d) = '%q '",
                               (int)strlen(name) + 1, name);
    /* lsof's DEVICE of a device file is the device it stands for. */
    dev_t dev = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
    if (S_ISDIR(st.st_mode) && isMountPoint(name, &st))
        return sqlite3_mprintf("device = '%u,%u'", major(dev), minor(dev));
    return sqlite3_mprintf("device = '%u,%u' AND inode = %llu", major(dev), minor(dev),
                           (unsigned long long)st.st_ino);
}

char *lsofNameShown(const char *name)
{
    struct stat st, lst;
    if (stat(name, &st) != 0 || lstat(name, &lst) != 0 || S_ISSOCK(st.st_mode)) return NULL;
    if (S_ISDIR(st.st_mode) && isMountPoint(name, &st)) return NULL;
    if (!S_ISLNK(lst.st_mode)) return sqlite3_mprintf("%s", name);
    char *target = realpath(name, NULL);
    char *shown = target ? sqlite3_mprintf("%s", target) : NULL;
    free(target);
    return shown;
}
