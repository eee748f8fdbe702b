#include "util/keyset.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

int keysetAdd(struct keyset *ks, int64_t k)
{
    size_t cap = (size_t)ks->cap;
    if (ks->n == INT_MAX) return -ENOMEM;
    int64_t *v = arrayGrow(ks->v, &cap, (size_t)ks->n + 1, sizeof *v);
    if (!v) return -ENOMEM;
    ks->v = v;
    ks->cap = cap > INT_MAX ? INT_MAX : (int)cap;
    ks->v[ks->n++] = k;
    return 0;
}

static int compareKeys(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void keysetSeal(struct keyset *ks)
{
    if (ks->n < 2) return;
    qsort(ks->v, (size_t)ks->n, sizeof *ks->v, compareKeys);
    int out = 1;
    for (int i = 1; i < ks->n; i++)
        if (ks->v[i] != ks->v[out - 1]) ks->v[out++] = ks->v[i];
    ks->n = out;
}

int keysetHas(const struct keyset *ks, int64_t k)
{
    size_t at = arrayLowerBound(ks->v, (size_t)ks->n, sizeof *ks->v, &k, compareKeys);
    return at < (size_t)ks->n && ks->v[at] == k;
}

int keysetInsert(struct keyset *ks, int64_t k)
{
    size_t at = arrayLowerBound(ks->v, (size_t)ks->n, sizeof *ks->v, &k, compareKeys);
    if (at < (size_t)ks->n && ks->v[at] == k) return 0;
    int rc = keysetAdd(ks, k);
    if (rc < 0) return rc;
    memmove(&ks->v[at + 1], &ks->v[at], ((size_t)ks->n - 1 - at) * sizeof *ks->v);
    ks->v[at] = k;
    return 1;
}

void keysetClear(struct keyset *ks)
{
    ks->n = 0;
}

void keysetFree(struct keyset *ks)
{
    free(ks->v);
    ks->v = NULL;
    ks->n = ks->cap = 0;
}
