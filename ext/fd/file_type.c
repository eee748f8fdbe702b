#include "fd/file_type.h"

#include <sys/stat.h>

const char *fileTypeOfMode(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return "REG";
    case S_IFDIR: return "DIR";
    case S_IFCHR: return "CHR";
    case S_IFBLK: return "BLK";
    case S_IFIFO: return "FIFO";
    case S_IFLNK: return "LINK";
    case S_IFSOCK: return "sock";
    default: return "unknown";
    }
}
