/*
** util/keyset.h: a set built with keysetAdd then sealed, and one grown a key at a time with
** keysetInsert, hold the same keys in the same order, and answer keysetHas alike.
*/
#include <stdlib.h>

#include "testmain.h"
#include "util/keyset.h"

/* Keys with repeats and both signs, from a fixed seed so a failure repeats. */
static int64_t keyAt(unsigned *seed)
{
    return (int64_t)(rand_r(seed) % 2000) - 1000;
}

static void insert_matches_seal(void **state)
{
    (void)state;
    struct keyset sealed = {0}, grown = {0};
    unsigned seed = 42;
    int added = 0;
    for (int i = 0; i < 5000; i++) {
        int64_t k = keyAt(&seed);
        int had = keysetHas(&grown, k);
        int rc = keysetInsert(&grown, k);
        assert_int_equal(rc, !had); /* 1 when new, 0 when there already */
        added += rc;
        assert_int_equal(keysetAdd(&sealed, k), 0);
    }
    keysetSeal(&sealed);
    assert_int_equal(grown.n, sealed.n);
    assert_int_equal(grown.n, added);
    for (int i = 0; i < grown.n; i++) assert_true(grown.v[i] == sealed.v[i]);
    for (int64_t k = -1001; k <= 1001; k++)
        assert_int_equal(keysetHas(&grown, k), keysetHas(&sealed, k));
    keysetFree(&grown);
    keysetFree(&sealed);
}

static void insert_at_both_ends(void **state)
{
    (void)state;
    struct keyset ks = {0};
    assert_int_equal(keysetInsert(&ks, 5), 1);
    assert_int_equal(keysetInsert(&ks, 9), 1);
    assert_int_equal(keysetInsert(&ks, 1), 1);
    assert_int_equal(keysetInsert(&ks, 9), 0);
    assert_int_equal(ks.n, 3);
    assert_true(ks.v[0] == 1 && ks.v[1] == 5 && ks.v[2] == 9);
    keysetFree(&ks);
}

TEST_MAIN("keyset", NULL, NULL,
          {cmocka_unit_test(insert_matches_seal), cmocka_unit_test(insert_at_both_ends)})
