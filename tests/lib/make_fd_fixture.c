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
