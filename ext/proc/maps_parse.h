/*
** Parser for one line of /proc/PID/maps:
**   "7f3c1a200000-7f3c1a222000 r-xp 00001000 fd:01 1234567   /usr/lib/libc.so.6"
** No I/O and no SQLite; returns 0 or -EINVAL.
*/
#ifndef SQLSOF_MAPS_PARSE_H
#define SQLSOF_MAPS_PARSE_H

#include <stddef.h>
#include <stdint.h>

struct map_entry {
    uint64_t start, end;
    char perms[5]; /* "r-xp" */
    uint64_t offset;
    unsigned major, minor;
    uint64_t inode;
    const char *path; /* into the line; NULL for an anonymous mapping */
    size_t pathLen;
    int deletedSuffix; /* the path ended in " (deleted)", which pathLen leaves out */
};

int mapsParseLine(const char *line, size_t len, struct map_entry *e);

#endif
