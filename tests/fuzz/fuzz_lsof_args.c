/* lsofParse on an arbitrary argument vector: the input split at NUL bytes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lsof/lsof_args.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    for (size_t at = 0; at < size && argc < MAX_ARGS; at += strlen(text + at) + 1)
        argv[argc++] = text + at;
    argv[argc] = NULL;

    struct lsof_opts o;
    char err[256];
    err[0] = '\0';
    /* The caller frees O after a failure too (shell/lsof/lsof.c). */
    if (lsofParse(argc, argv, &o, err, sizeof err) != 0)
        FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof err));
    lsofFree(&o);
    free(text);
    return 0;
}
