/*
** Times commands against each other, interleaved, for `make bench`.
**
**     runner [-r RUNS] [-w WARMUPS] [-t TIMEOUT] [-e STDERR_LOG] -- NAME CMD [NAME CMD ...]
**
** CMD is one string split into words as the shell would split plain words and '...' or "..."
** quotes (no expansion); it is run directly, no shell in between, with stdout on /dev/null and
** stderr appended to STDERR_LOG (or /dev/null). Each round runs every command once, in an
** order that rotates from round to round; WARMUPS rounds go first and are not counted, except
** that the first warm-up round counts the lines each command prints (on a pipe).
**
** Prints one line per command, tab-separated:
**     NAME  median ms  median of (its time / the first command's time) over the same rounds
**           median max RSS (KiB, getrusage of the child)  exit status  lines printed
** Ratios are taken pairwise within one round, so a slow moment of the machine affects both
** sides of each ratio. A command that runs past TIMEOUT seconds is killed; its line says
** "timeout".
*/
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 16
#define MAX_RUNS 64

struct cmd {
    const char *name;
    char **argv;
    double ms[MAX_RUNS];
    double ratio[MAX_RUNS];
    double rssKib[MAX_RUNS];
    int status;
    long lines;
    int timedOut;
};

static char **splitWords(const char *s)
{
    size_t cap = 8, n = 0;
    char **argv = malloc(cap * sizeof *argv);
    char *word = malloc(strlen(s) + 1);
    if (!argv || !word) exit(2);
    while (*s) {
        while (*s == ' ' || *s == '\t') s++;
        if (!*s) break;
        size_t len = 0;
        while (*s && *s != ' ' && *s != '\t') {
            if (*s == '\'' || *s == '"') {
                char q = *s++;
                while (*s && *s != q) word[len++] = *s++;
                if (*s) s++;
            } else {
                word[len++] = *s++;
            }
        }
        if (n + 2 > cap) argv = realloc(argv, (cap *= 2) * sizeof *argv);
        if (!argv) exit(2);
        argv[n++] = strndup(word, len);
    }
    argv[n] = NULL;
    free(word);
    return argv;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
** Runs C once. Stores its wall time (ms) and max RSS; with countLines, counts the lines of its
** stdout. Returns 0, or -1 when it ran past TIMEOUT seconds (and was killed).
*/
static int runOnce(struct cmd *c, int errFd, double timeout, int countLines, double *ms,
                   double *rss)
{
    int pfd[2] = {-1, -1};
    if (countLines && pipe(pfd) != 0) exit(2);
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) exit(2);
    if (pid == 0) {
        int out = countLines ? pfd[1] : open("/dev/null", O_WRONLY);
        int in = open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(out, 1);
        dup2(errFd, 2);
        if (countLines) close(pfd[0]);
        execvp(c->argv[0], c->argv);
        _exit(127);
    }
    long lines = 0;
    if (countLines) {
        char buf[65536];
        ssize_t n;
        close(pfd[1]);
        while ((n = read(pfd[0], buf, sizeof buf)) > 0)
            for (ssize_t i = 0; i < n; i++) lines += buf[i] == '\n';
        close(pfd[0]);
        c->lines = lines;
    }
    int status, timedOut = 0;
    struct rusage ru;
    for (;;) {
        pid_t r = wait4(pid, &status, WNOHANG, &ru);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) exit(2);
        if (now() - t0 > timeout * 1e3 && !timedOut) {
            kill(pid, SIGKILL);
            timedOut = 1;
        }
        /* Short sleeps at first (a lookup takes a few ms), then 1 ms: polling costs little. */
        struct timespec ts = {0, now() - t0 < 20 ? 50000 : 1000000};
        nanosleep(&ts, NULL);
    }
    *ms = now() - t0;
    *rss = (double)ru.ru_maxrss;
    c->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return timedOut ? -1 : 0;
}

static int compareDoubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double s[MAX_RUNS];
    memcpy(s, v, (size_t)n * sizeof *v);
    qsort(s, (size_t)n, sizeof *s, compareDoubles);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    int runs = 5, warmups = 1, opt;
    double timeout = 120;
    const char *errLog = "/dev/null";
    while ((opt = getopt(argc, argv, "r:w:t:e:")) != -1) {
        switch (opt) {
        case 'r': runs = atoi(optarg); break;
        case 'w': warmups = atoi(optarg); break;
        case 't': timeout = atof(optarg); break;
        case 'e': errLog = optarg; break;
        default: return 2;
        }
    }
    int ncmds = (argc - optind) / 2;
    if (runs < 1 || runs > MAX_RUNS || warmups < 0 || ncmds < 1 || ncmds > MAX_CMDS ||
        (argc - optind) % 2) {
        fprintf(stderr, "usage: runner [-r RUNS] [-w WARMUPS] [-t TIMEOUT] [-e LOG] -- NAME CMD "
                        "...\n");
        return 2;
    }
    int errFd = open(errLog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (errFd < 0) {
        perror(errLog);
        return 2;
    }
    struct cmd *cmds = calloc((size_t)ncmds, sizeof *cmds);
    if (!cmds) return 2;
    for (int i = 0; i < ncmds; i++) {
        cmds[i].name = argv[optind + 2 * i];
        cmds[i].argv = splitWords(argv[optind + 2 * i + 1]);
        if (!cmds[i].argv[0]) return 2;
    }

    for (int round = 0; round < warmups + runs; round++) {
        double ms[MAX_CMDS], rss[MAX_CMDS];
        for (int k = 0; k < ncmds; k++) {
            int i = (k + round) % ncmds;
            struct cmd *c = &cmds[i];
            if (c->timedOut) continue;
            if (runOnce(c, errFd, timeout, round == 0, &ms[i], &rss[i]) != 0) c->timedOut = 1;
        }
        if (round < warmups) continue;
        int r = round - warmups;
        for (int i = 0; i < ncmds; i++) {
            cmds[i].ms[r] = ms[i];
            cmds[i].rssKib[r] = rss[i];
            cmds[i].ratio[r] = ms[i] / ms[0];
        }
    }
    for (int i = 0; i < ncmds; i++) {
        struct cmd *c = &cmds[i];
        if (c->timedOut)
            printf("%s\ttimeout\t-\t-\t-\t-\n", c->name);
        else
            printf("%s\t%.1f\t%.6g\t%.0f\t%d\t%ld\n", c->name, median(c->ms, runs),
                   median(c->ratio, runs), median(c->rssKib, runs), c->status, c->lines);
    }
    return 0;
}
