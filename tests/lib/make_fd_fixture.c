/* make_fd.h's kinds as a test's fixture (apart from make_fd.c, which build/tests/make-fd links
 * without the test library). */
#include "fixture.h"
#include "make_fd.h"

void makeFdStart(struct fixture *fx, struct made_fds *made, const char *kinds)
{
    fixtureStartReport(fx, makeFdFixture, (void *)kinds, made, sizeof *made);
}

void makeFdStop(struct fixture *fx, const struct made_fds *made)
{
    fixtureStop(fx);
    makeFdCleanup(made);
}

struct fixture makeFdFx;
struct made_fds makeFdMade;

int makeFdGroupSetup(void **state)
{
    (void)state;
    makeFdStart(&makeFdFx, &makeFdMade, NULL);
    return 0;
}

int makeFdGroupTeardown(void **state)
{
    (void)state;
    makeFdStop(&makeFdFx, &makeFdMade);
    return 0;
}
