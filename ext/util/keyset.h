/*
** A sorted set of 64-bit keys: the pids, fds, inodes or ports that a query asked for.
** Built once per xFilter, then probed with keysetHas() or walked in ascending order.
*/
#ifndef SQLSOF_KEYSET_H
#define SQLSOF_KEYSET_H

#include <stdint.h>

struct keyset {
    int64_t *v; /* ascending, no duplicates once keysetSeal() has run */
    int n;
    int cap;
};

/* Appends K. Returns 0 or -ENOMEM. */
int keysetAdd(struct keyset *ks, int64_t k);
/* Sorts and removes duplicates; call after the last keysetAdd(). */
void keysetSeal(struct keyset *ks);
int keysetHas(const struct keyset *ks, int64_t k);
/* Adds K to a sealed set, keeping it sealed: 1 when K was new, 0 when there already, or
 * -ENOMEM. For sets that grow a key at a time and are asked as they grow. */
int keysetInsert(struct keyset *ks, int64_t k);
void keysetClear(struct keyset *ks);
void keysetFree(struct keyset *ks);

#endif
