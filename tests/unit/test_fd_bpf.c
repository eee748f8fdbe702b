/*
** The BPF source's user-space half on crafted records: the parser, the reader across read()
** boundaries (records written to a pipe in odd pieces), and what a record says as /proc would.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "fd/fd_bpf.h"
#include "fd/fd_info.h"

/* Writes a record with PATH (NULL: none, as fds_inode writes) into OUT; returns its size. */
static size_t record(char *out, int pid, int fd, const char *path)
{
    struct fds_bpf_record r;
    memset(&r, 0, sizeof r);
    r.pid = pid;
    r.fd = fd;
    r.inode = 1000 + (unsigned)fd;
    r.pathLen = path ? (int)strlen(path) : 0;
    r.size = (unsigned)(sizeof r + (size_t)r.pathLen);
    memcpy(out, &r, sizeof r);
    if (path) memcpy(out + sizeof r, path, (size_t)r.pathLen);
    return r.size;
}

static void parses_whole_records_only(void **state)
{
    (void)state;
    char buf[512];
    struct fd_bpf_row row;
    size_t n = record(buf, 42, 7, "/etc/hosts");
    assert_int_equal(fdBpfParse(buf, n, &row), (long)n);
    assert_int_equal(row.rec.pid, 42);
    assert_int_equal(row.rec.fd, 7);
    assert_memory_equal(row.path, "/etc/hosts", 10);
    /* Any prefix is "not yet", never a record or an error. */
    for (size_t k = 0; k < n; k++) assert_int_equal(fdBpfParse(buf, k, &row), 0);
    n = record(buf, 1, 0, NULL);
    assert_int_equal(fdBpfParse(buf, n, &row), (long)sizeof row.rec);
}

/* A socket's record from fds_sock: the header, its fields, then a unix socket's name. */
static size_t socketRecord(char *out, const char *name, size_t nameLen, unsigned flags)
{
    struct fds_bpf_record r;
    struct fds_bpf_sock k;
    memset(&r, 0, sizeof r);
    memset(&k, 0, sizeof k);
    r.pid = 42;
    r.fd = 5;
    r.inode = 77;
    r.flags = flags;
    r.pathLen = (int)nameLen;
    r.size = (unsigned)(sizeof r + sizeof k + nameLen);
    k.family = 1; /* AF_UNIX */
    k.type = 1;
    k.cookie = 9000;
    k.netns = 4026531840ULL;
    memcpy(out, &r, sizeof r);
    memcpy(out + sizeof r, &k, sizeof k);
    memcpy(out + sizeof r + sizeof k, name, nameLen);
    return r.size;
}

static void parses_socket_fields(void **state)
{
    (void)state;
    char buf[512];
    struct fd_bpf_row row;
    unsigned both = FDS_BPF_SOCKFS | FDS_BPF_SOCKFIELDS;
    size_t n = socketRecord(buf, "\0abstract", 9, both);
    assert_int_equal(fdBpfParse(buf, n, &row), (long)n);
    assert_true(row.sock.cookie == 9000);
    assert_true(row.sock.netns == 4026531840ULL);
    assert_int_equal(row.rec.pathLen, 9);
    assert_memory_equal(row.path, "\0abstract", 9);
    /* Unaligned in the buffer, as records after a path are: the fields are copied out. */
    memmove(buf + 3, buf, n);
    assert_int_equal(fdBpfParse(buf + 3, n, &row), (long)n);
    assert_true(row.sock.cookie == 9000);
    for (size_t k = 0; k < n; k++) assert_int_equal(fdBpfParse(buf + 3, k, &row), 0);
    /* Fields without a socket file, a name longer than sun_path, or a size that disagrees. */
    n = socketRecord(buf, "x", 1, FDS_BPF_SOCKFIELDS);
    assert_int_equal(fdBpfParse(buf, n, &row), -EINVAL);
    char longName[200];
    memset(longName, 'a', sizeof longName);
    n = socketRecord(buf, longName, 109, both);
    assert_int_equal(fdBpfParse(buf, n, &row), -EINVAL);
    n = socketRecord(buf, "x", 1, both);
    ((struct fds_bpf_record *)(void *)buf)->size += 1;
    assert_int_equal(fdBpfParse(buf, n + 1, &row), -EINVAL);
}

/* A walk for the inode map: 24-byte records of pid, fd, inode and the file system's magic. */
static void parses_id_records(void **state)
{
    (void)state;
    struct fds_bpf_id id = {.pid = 42, .fd = 9, .inode = 123456789012ULL, .magic = 0x794c7630};
    struct fd_bpf_row row;
    assert_int_equal(fdBpfParseId((const char *)&id, sizeof id, &row), (long)sizeof id);
    assert_int_equal(row.rec.pid, 42);
    assert_int_equal(row.rec.fd, 9);
    assert_true(row.rec.inode == 123456789012ULL);
    assert_false(fdBpfInodeTrusted(&row.rec)); /* overlayfs: stat's inode differs */
    assert_int_equal(row.rec.pathLen, -1);
    for (size_t k = 0; k < sizeof id; k++)
        assert_int_equal(fdBpfParseId((const char *)&id, k, &row), 0);
    id.pid = 0;
    assert_int_equal(fdBpfParseId((const char *)&id, sizeof id, &row), -EINVAL);
    id.pid = 1, id.fd = -1;
    assert_int_equal(fdBpfParseId((const char *)&id, sizeof id, &row), -EINVAL);
}

static void rejects_broken_headers(void **state)
{
    (void)state;
    char buf[512];
    struct fd_bpf_row row;
    struct fds_bpf_record *r = (struct fds_bpf_record *)buf;
    record(buf, 42, 7, "/x");
    r->size = 5; /* smaller than the header */
    assert_int_equal(fdBpfParse(buf, sizeof buf, &row), -EINVAL);
    record(buf, 42, 7, "/x");
    r->pathLen = FDS_BPF_PATH_MAX; /* longer than any path */
    assert_int_equal(fdBpfParse(buf, sizeof buf, &row), -EINVAL);
    record(buf, 0, 7, "/x"); /* no pid */
    assert_int_equal(fdBpfParse(buf, sizeof buf, &row), -EINVAL);
    record(buf, 3, -1, "/x"); /* no fd */
    assert_int_equal(fdBpfParse(buf, sizeof buf, &row), -EINVAL);
    /* bpf_d_path's error: no path bytes, the header alone. */
    record(buf, 3, 1, NULL);
    r->pathLen = -ENAMETOOLONG;
    assert_int_equal(fdBpfParse(buf, sizeof buf, &row), (long)sizeof *r);
}

/* 300 records through a pipe in 1,000-byte writes: each arrives whole, in order. */
static void reads_across_boundaries(void **state)
{
    (void)state;
    static char all[300 * (sizeof(struct fds_bpf_record) + 64)];
    size_t len = 0;
    char path[64];
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof path, "/tmp/file-%d%s", i, i % 7 ? "" : " (deleted)");
        len += record(all + len, 100 + i / 10, i, i % 5 ? path : NULL);
    }
    int p[2];
    assert_int_equal(pipe(p), 0);
    fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
    for (size_t off = 0; off < len; off += 1000) {
        size_t k = len - off < 1000 ? len - off : 1000;
        assert_int_equal(write(p[1], all + off, k), (ssize_t)k);
    }
    close(p[1]);
    struct fd_bpf_iter it;
    assert_int_equal(fdBpfIterOpenFd(&it, p[0]), 0);
    struct fd_bpf_row row;
    for (int i = 0; i < 300; i++) {
        assert_int_equal(fdBpfIterNext(&it, &row), 1);
        assert_int_equal(row.rec.pid, 100 + i / 10);
        assert_int_equal(row.rec.fd, i);
        snprintf(path, sizeof path, "/tmp/file-%d%s", i, i % 7 ? "" : " (deleted)");
        assert_int_equal(row.rec.pathLen, i % 5 ? (int)strlen(path) : 0);
        if (i % 5) assert_memory_equal(row.path, path, strlen(path));
    }
    assert_int_equal(fdBpfIterNext(&it, &row), 0);
    fdBpfIterStop(&it);
    assert_int_equal(it.fd, -1);
}

/* A stream that ends inside a record is an error, not a short row. */
static void truncated_stream(void **state)
{
    (void)state;
    char buf[512];
    size_t n = record(buf, 9, 9, "/etc/passwd");
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], buf, n - 3), (ssize_t)(n - 3));
    close(p[1]);
    struct fd_bpf_iter it;
    struct fd_bpf_row row;
    assert_int_equal(fdBpfIterOpenFd(&it, p[0]), 0);
    assert_int_equal(fdBpfIterNext(&it, &row), -EINVAL);
    fdBpfIterStop(&it);
}

/* The stat fields where the file system's getattr is the generic one, and not elsewhere. */
static void stat_as_stat_says(void **state)
{
    (void)state;
    struct fds_bpf_record r;
    struct stat st;
    memset(&r, 0, sizeof r);
    r.magic = 0xEF53; /* ext4 */
    r.inode = 77;
    r.mode = S_IFCHR | 0666;
    r.dev = 254u << 20 | 1;
    r.rdev = 1u << 20 | 3;
    r.isize = 5;
    r.nlink = 0;
    assert_int_equal(fdBpfStat(&r, &st), 0);
    assert_int_equal(st.st_ino, 77);
    assert_int_equal(major(st.st_dev), 254);
    assert_int_equal(minor(st.st_dev), 1);
    assert_int_equal(major(st.st_rdev), 1);
    assert_int_equal(minor(st.st_rdev), 3);
    assert_int_equal(st.st_size, 5);
    assert_int_equal(st.st_nlink, 0);
    r.magic = 0x9fa0; /* procfs: files yes, directories (sized by their entries) no */
    r.mode = S_IFREG | 0444;
    assert_int_equal(fdBpfStat(&r, &st), 0);
    r.mode = S_IFDIR | 0555;
    assert_int_equal(fdBpfStat(&r, &st), -1);
    r.magic = 0x794c7630; /* overlayfs remaps even the inode */
    assert_int_equal(fdBpfStat(&r, &st), -1);
    assert_false(fdBpfInodeTrusted(&r));
    r.magic = 0x9123683E; /* btrfs: st_dev is the subvolume's */
    assert_int_equal(fdBpfStat(&r, &st), -1);
    assert_true(fdBpfInodeTrusted(&r));
}

static void info_as_fdinfo_says(void **state)
{
    (void)state;
    struct fds_bpf_record r;
    struct fd_info info;
    memset(&r, 0, sizeof r);
    r.pos = 12;
    r.fFlags = O_RDWR | O_APPEND;
    r.mntId = 31;
    r.flags = FDS_BPF_CLOEXEC;
    assert_int_equal(fdBpfInfo(&r, &info), 0);
    assert_int_equal(info.pos, 12);
    assert_int_equal(info.flags, O_RDWR | O_APPEND | O_CLOEXEC);
    assert_int_equal(info.mntId, 31);
    assert_int_equal(info.lock, 0);
    r.flags = FDS_BPF_LOCKS; /* lock lines come from fdinfo itself */
    assert_int_equal(fdBpfInfo(&r, &info), -1);
}

static void socket_types(void **state)
{
    (void)state;
    struct fds_bpf_record r;
    memset(&r, 0, sizeof r);
    assert_null(fdBpfSocketType(&r));
    r.flags = FDS_BPF_SOCKET;
    strcpy(r.proto, "TCPv6");
    assert_string_equal(fdBpfSocketType(&r), "IPv6");
    strcpy(r.proto, "UNIX-STREAM");
    assert_string_equal(fdBpfSocketType(&r), "unix");
    memset(r.proto, 'A', sizeof r.proto); /* no NUL: read within the field */
    assert_string_equal(fdBpfSocketType(&r), "sock");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_whole_records_only), cmocka_unit_test(parses_id_records),
        cmocka_unit_test(rejects_broken_headers),    cmocka_unit_test(reads_across_boundaries),
        cmocka_unit_test(truncated_stream),          cmocka_unit_test(stat_as_stat_says),
        cmocka_unit_test(info_as_fdinfo_says),       cmocka_unit_test(socket_types),
        cmocka_unit_test(parses_socket_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
