#include "fixture.h"

#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* In the child: what fixtureReport() was given. */
static char childReport[FIXTURE_REPORT_MAX];
static uint32_t childReportLen;

void fixtureReport(const void *data, size_t len)
{
    if (len > sizeof childReport) len = sizeof childReport;
    memcpy(childReport, data, len);
    childReportLen = (uint32_t)len;
}

static int readAll(int fd, void *data, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)data + got, len - got);
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

/* Waits (up to 2 s) until PID sleeps in pause(), so its state no longer changes under a test. */
static void waitSleeping(pid_t pid)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    for (int i = 0; i < 2000; i++) {
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
        if (f) fclose(f);
        text[n] = '\0';
        const char *close = strrchr(text, ')');
        if (close && close[1] == ' ' && close[2] == 'S') return;
        usleep(1000);
    }
}

void fixtureStart(struct fixture *fx, int (*setup)(void *arg), void *arg)
{
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(pipefd[0]);
        /* The message: a status byte, the report's length, the report. */
        char status = setup(arg) == 0 ? 'K' : 'F';
        if (write(pipefd[1], &status, 1) != 1 ||
            write(pipefd[1], &childReportLen, sizeof childReportLen) != sizeof childReportLen ||
            write(pipefd[1], childReport, childReportLen) != (ssize_t)childReportLen)
            _exit(2);
        close(pipefd[1]);
        for (;;) pause();
    }
    close(pipefd[1]);
    fx->pid = pid;
    char status = 0;
    uint32_t len = 0;
    int bad = readAll(pipefd[0], &status, 1) != 0 || status != 'K' ||
              readAll(pipefd[0], &len, sizeof len) != 0 || len > sizeof fx->report ||
              readAll(pipefd[0], fx->report, len) != 0;
    close(pipefd[0]);
    if (bad) {
        fixtureStop(fx);
        fail_msg("fixture: the child's setup failed");
    }
    fx->reportLen = len;
    waitSleeping(pid);
}

int fixtureSetName(void *arg)
{
    return prctl(PR_SET_NAME, arg);
}

void fixtureWaitOk(pid_t pid)
{
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("child %d: wait status 0x%x", (int)pid, status);
}

int fixtureCountFds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

void fixtureStop(struct fixture *fx)
{
    if (fx->pid > 0) {
        kill(fx->pid, SIGKILL);
        waitpid(fx->pid, NULL, 0);
    }
    fx->pid = -1;
}

static pthread_t idleThread;
static volatile long idleThreadId;

static void *idle(void *arg)
{
    (void)arg;
    idleThreadId = syscall(SYS_gettid);
    for (;;) pause();
    return NULL;
}

long fixtureStartThread(void)
{
    idleThreadId = 0;
    assert_int_equal(pthread_create(&idleThread, NULL, idle, NULL), 0);
    while (!idleThreadId) usleep(1000);
    return idleThreadId;
}

void fixtureStopThread(void)
{
    pthread_cancel(idleThread);
    pthread_join(idleThread, NULL);
}

void fixtureStartReport(struct fixture *fx, int (*setup)(void *arg), void *arg, void *report,
                        size_t size)
{
    fixtureStart(fx, setup, arg);
    assert_true(size <= sizeof fx->report);
    memcpy(report, fx->report, size);
}
