/*
** Counting syscalls: runs the sqlite3 shell with build/sqlsof.so loaded on one statement under
** `strace -f -c` and reports how often it made each syscall. This is how tests prove that a
** query does only the work its columns need.
*/
#ifndef SQLSOF_STRACE_H
#define SQLSOF_STRACE_H

struct syscall_counts {
    long openat;
    long readlinkat;
    long newfstatat;
    long getdents64;
    long getxattr;
    long read;
    long sendmsg;
    long recvmsg;
    long setns;
    long bpf;        /* the fds table's BPF source: loading it, one BPF_ITER_CREATE per walk */
    long long value; /* the integer the statement printed first (its count, say), or -1 */
};

/* Counts the syscalls of `sqlite3 :memory: -cmd '.load build/sqlsof' SQL`; fails the test if
 * strace or the statement fails. A test that compares counts with the host's processes takes
 * their number from VALUE, the same run's answer, since the host changes between two runs. */
void testSyscalls(const char *sql, struct syscall_counts *out);

/* testSyscalls on the statement written as printf writes FMT. */
void testSyscallsf(struct syscall_counts *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same for the command ARGV (NULL-terminated, looked up in PATH): build/sqlsof, say. */
void testSyscallsOf(char *const argv[], struct syscall_counts *out);

#endif
