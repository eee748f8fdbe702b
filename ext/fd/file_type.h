/* lsof's TYPE words for a file's st_mode: REG DIR CHR BLK FIFO LINK sock, unknown otherwise. */
#ifndef SQLSOF_FILE_TYPE_H
#define SQLSOF_FILE_TYPE_H

#include <sys/types.h>

const char *fileTypeOfMode(mode_t mode);

#endif
