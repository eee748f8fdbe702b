#include "keyset.h"

#include <errno.h>
#include <stdlib.h>

int keysetAdd(struct keyset *ks, int64_t k)
{
    if (ks->n == ks->cap) {
        int cap = ks->cap ? ks->cap * 2 : 8;
        int64_t *v = realloc(ks->v, (size_t)cap * sizeof *v);
        if (!v) return -ENOMEM;
        ks->v = v;
        ks->cap = cap;
    }
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
    int lo = 0, hi = ks->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (ks->v[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ks->n && ks->v[lo] == k;
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
