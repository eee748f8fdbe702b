/* Memory for the command: one rule for running out, as one line on stderr and exit status 1.
 * No SQLite here: the lsof option parser uses it, fuzzed without the rest of the command. */
#ifndef SQLSOF_MEMORY_H
#define SQLSOF_MEMORY_H

#include <stddef.h>

/* The command's one rule for out of memory: one line on stderr, exit status 1. */
_Noreturn void outputOutOfMemory(void);

/* strdup() under that rule: a copy of S, or NULL for NULL. */
char *outputCopy(const char *s);

/* ARRAY grown to hold N elements of SIZE (capacity *CAP, doubled): never NULL. */
void *outputGrow(void *array, size_t *cap, size_t n, size_t size);

#endif
