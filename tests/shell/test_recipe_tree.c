/*
** The process-tree recipe (sql/recipes/process-tree-fd-counts.sql) on a live chain of CHAIN
** processes, each the parent of the next: every link at its depth with its own fd count (each
** holds depth % 4 more descriptors than the one above, so a count given to the wrong pid shows),
** and the whole tree in well under a second. Walking `processes` once per level made the recipe
** depth x host: 2.2 s at this depth, 56 s on a 2,000-deep chain.
*/
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "command.h"
#include "fixture.h"
#include "testmain.h"

#define CHAIN 300

struct link {
    int depth;
    pid_t pid;
};

/* In link DEPTH's process: holds DEPTH % 4 more descriptors, says so on OUT, and sleeps. */
static void holdLink(int depth, int out)
{
    for (int i = 0; i < depth % 4; i++)
        if (open("/dev/null", O_RDONLY) < 0) _exit(1);
    struct link l = {depth, getpid()};
    if (write(out, &l, sizeof l) != sizeof l) _exit(1);
    close(out);
    for (;;) pause();
}

/* The fixture's SETUP, in the chain's root (depth 0): forks links 1..CHAIN-1, each the child of
 * the one before, and reports every link's pid by depth once all of them hold their fds. */
static int makeChain(void *arg)
{
    (void)arg;
    static pid_t pids[CHAIN];
    int p[2];
    if (pipe(p)) return -1;
    pids[0] = getpid();
    for (int depth = 1; depth < CHAIN; depth++) {
        pid_t parent = getpid();
        pid_t child = fork();
        if (child < 0) return -1;
        if (child > 0) {
            if (depth == 1) break; /* the root reads the links' reports below */
            close(p[0]);
            holdLink(depth - 1, p[1]);
        }
        /* A link dies with its parent, so the chain dies with the fixture however the test ends. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(0);
        if (depth == CHAIN - 1) {
            close(p[0]);
            holdLink(depth, p[1]);
        }
    }
    close(p[1]);
    struct link l;
    for (int got = 1; got < CHAIN; got++) {
        if (read(p[0], &l, sizeof l) != sizeof l || l.depth < 1 || l.depth >= CHAIN) return -1;
        pids[l.depth] = l.pid;
    }
    close(p[0]);
    fixtureReport(pids, sizeof pids);
    return 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void tree_of_a_deep_chain(void **state)
{
    (void)state;
    struct fixture fx;
    pid_t pids[CHAIN];
    fixtureStartReport(&fx, makeChain, NULL, pids, sizeof pids);

    char param[32];
    snprintf(param, sizeof param, "pid=%d", (int)fx.pid);
    double start = now();
    char *out = testRecipe("process-tree-fd-counts.sql", param, NULL);
    double seconds = now() - start;

    /* One row per link, at its depth, named as the fixture, with the fds /proc shows for it. */
    int rows = 0;
    for (char *line = strstr(out, "\r\n"); line && line[2]; line = strstr(line + 2, "\r\n")) {
        int depth, pid, fds;
        char name[64];
        if (sscanf(line + 2, "%d,%d, %63[^,],%d", &depth, &pid, name, &fds) != 4)
            fail_msg("bad row: %.80s", line + 2);
        assert_true(depth >= 0 && depth < CHAIN);
        assert_int_equal(pid, pids[depth]);
        assert_int_equal(fds, fixtureCountFds(pid));
        assert_string_equal(name, "test_recipe_tre");
        rows++;
    }
    assert_int_equal(rows, CHAIN);
    /* Counts differ link to link: the check above tells one pid's count from another's. */
    assert_int_equal(fixtureCountFds(pids[CHAIN - 1]) - fixtureCountFds(pids[CHAIN - 4]), 3);
    free(out);
    printf("process tree of a %d-deep chain: %.3f s\n", CHAIN, seconds);
    assert_true(seconds < 1.0);

    /* Every link ended by its pid, the deepest first (each would die with its parent anyway). */
    for (int i = CHAIN - 1; i > 0; i--) assert_int_equal(kill(pids[i], SIGKILL), 0);
    fixtureStop(&fx);
}

TEST_MAIN("recipe_tree", NULL, NULL, {cmocka_unit_test(tree_of_a_deep_chain)})
