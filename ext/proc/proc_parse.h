/*
** Parsers for the per-process files of /proc. Each takes the file's text and fills a struct;
** no I/O and no SQLite here, so unit tests feed them crafted text. Every parser returns 0, or
** -EINVAL when the text is not what the kernel writes (empty, truncated, garbled).
*/
#ifndef SQLSOF_PROC_PARSE_H
#define SQLSOF_PROC_PARSE_H

#include <stddef.h>

/* The suffix the kernel appends to the path of an unlinked file, in fd links and in maps. */
#define PROC_DELETED_SUFFIX     " (deleted)"
#define PROC_DELETED_SUFFIX_LEN (sizeof PROC_DELETED_SUFFIX - 1)

/* Whether the LEN bytes of PATH are a name followed by PROC_DELETED_SUFFIX. The suffix alone
 * does not tell: a live file may be named so (the caller's stat decides). */
int procEndsDeleted(const char *path, size_t len);

/* /proc/PID/stat, the fields sqlsof reports. */
struct proc_stat {
    char comm[64]; /* between the first '(' and the last ')': comm may hold both */
    char state;
    int ppid;
    int pgid;
    int sid;
    long nice;
    long threads;
    unsigned long long utime;     /* clock ticks */
    unsigned long long stime;     /* clock ticks */
    unsigned long long starttime; /* clock ticks after boot */
    unsigned long long vsize;     /* bytes */
    long long rss;                /* pages */
};

int procParseStat(const char *text, size_t len, struct proc_stat *st);

/* /proc/PID/status: the thread group and the four uids and gids (real, effective, saved, fs). */
struct proc_status {
    int tgid;
    unsigned uid[4];
    unsigned gid[4];
    int nspid; /* the pid in its own pid namespace: NSpid's last field; 0 without NSpid */
};

int procParseStatus(const char *text, size_t len, struct proc_status *st);

/*
** /proc/PID/cmdline in place: the NUL separators become single spaces and the final NUL is
** dropped. Returns the new length; 0 means no command line (a kernel thread or a zombie).
*/
size_t procJoinCmdline(char *text, size_t len);

/* /proc/PID/cgroup: the path of the unified (v2) hierarchy, the "0::" line. */
int procParseCgroup(const char *text, size_t len, const char **path, size_t *pathlen);

/*
** /proc/PID/limits: the soft limit of "Max open files" (RLIMIT_NOFILE), the limit a process
** hits when open() fails with EMFILE. -1 when it reads "unlimited".
*/
int procParseFdLimit(const char *text, size_t len, long long *soft);

/* /proc/stat: the boot time, "btime", in Unix seconds. */
int procParseBootTime(const char *text, size_t len, long long *btime);

/* /proc/sys/net/ipv4/ip_local_port_range, "LOW\tHIGH\n": the ports the kernel binds sockets to
 * by itself (an automatic bind, a connect() unbound). 0 <= LOW <= HIGH <= 65535. */
int procParsePortRange(const char *text, size_t len, int *low, int *high);

#endif
