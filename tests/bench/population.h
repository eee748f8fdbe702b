/*
** What the bench's populations (fixture.c, scale.c) share: the children they kill when they end
** (children[0..nchildren), killChildren, onSignal), die() for a failure's one line, and the
** descriptor limits: a process that means to hold many descriptors raises its own
** RLIMIT_NOFILE, and fs.nr_open or fs.file-max only when they are too low, saying so on stderr.
*/
#ifndef SQLSOF_BENCH_POPULATION_H
#define SQLSOF_BENCH_POPULATION_H

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

static pid_t *children;
static volatile sig_atomic_t nchildren;

static void killChildren(void)
{
    for (sig_atomic_t i = 0; i < nchildren; i++) kill(children[i], SIGKILL);
}

/* SIGTERM, SIGINT, SIGHUP: the children go too. */
static void onSignal(int sig)
{
    (void)sig;
    killChildren();
    _exit(0);
}

/* The program's name, the message (as printf writes FMT), and exit status 1. */
__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", program_invocation_short_name);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* Raises RLIMIT_NOFILE to WANT, and fs.nr_open first when it is lower (saying so). */
static inline void raiseNofile(rlim_t want)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur >= want) return;
    FILE *f = fopen("/proc/sys/fs/nr_open", "r");
    unsigned long nrOpen = 0;
    if (f && fscanf(f, "%lu", &nrOpen) == 1 && nrOpen < want) {
        fprintf(stderr, "%s: raising fs.nr_open from %lu to %lu\n", program_invocation_short_name,
                nrOpen, (unsigned long)want);
        FILE *w = fopen("/proc/sys/fs/nr_open", "w");
        if (!w || fprintf(w, "%lu\n", (unsigned long)want) < 0 || fclose(w) != 0)
            die("cannot raise fs.nr_open");
    }
    if (f) fclose(f);
    rl.rlim_cur = want;
    if (rl.rlim_max < want) rl.rlim_max = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        die("setrlimit(RLIMIT_NOFILE, %lu): %s", (unsigned long)want, strerror(errno));
}

/* fs.file-max must hold the whole population (and the host's own files). */
static inline void checkFileMax(unsigned long need)
{
    FILE *f = fopen("/proc/sys/fs/file-max", "r");
    unsigned long max = 0;
    if (!f || fscanf(f, "%lu", &max) != 1) die("cannot read fs.file-max");
    fclose(f);
    if (max >= need) return;
    fprintf(stderr, "%s: raising fs.file-max from %lu to %lu\n", program_invocation_short_name, max,
            need);
    FILE *w = fopen("/proc/sys/fs/file-max", "w");
    if (!w || fprintf(w, "%lu\n", need) < 0 || fclose(w) != 0) die("cannot raise fs.file-max");
}

#endif
