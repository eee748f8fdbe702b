/*
** The command's one rule for out of memory (memory.h).
*/
#include "memory.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void outputOutOfMemory(void)
{
    fputs("sqlsof: out of memory\n", stderr);
    exit(1);
}

char *outputCopy(const char *s)
{
    char *copy = s ? strdup(s) : NULL;
    if (s && !copy) outputOutOfMemory();
    return copy;
}

void *outputGrow(void *array, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap) return array;
    size_t want = *cap ? *cap : 16;
    while (want < n) want *= 2;
    void *p = want <= SIZE_MAX / size ? realloc(array, want * size) : NULL;
    if (!p) outputOutOfMemory();
    *cap = want;
    return p;
}
