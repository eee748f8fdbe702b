#include "fuse_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define ROOT_ID 1
#define FILE_ID 2

void fuseFixtureNamespace(void)
{
    assert_int_equal(unshare(CLONE_NEWNS), 0);
    assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
}

/* Sends the answer to request UNIQUE: ERROR, or 0 and LEN bytes of BODY. */
static void reply(int fd, uint64_t unique, int error, const void *body, size_t len)
{
    char buf[sizeof(struct fuse_out_header) + 256];
    struct fuse_out_header h = {
        .len = (uint32_t)(sizeof h + len), .error = error, .unique = unique};
    memcpy(buf, &h, sizeof h);
    if (len) memcpy(buf + sizeof h, body, len);
    if (write(fd, buf, h.len) < 0) { /* the request was interrupted: nothing to do */
    }
}

static void attrOf(uint64_t id, struct fuse_attr *a)
{
    memset(a, 0, sizeof *a);
    a->ino = id;
    a->nlink = id == ROOT_ID ? 2 : 1;
    a->mode = id == ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0644;
    a->size = id == ROOT_ID ? 0 : FUSE_FIXTURE_SIZE;
    a->blksize = 4096;
}

static void answerInit(int fd, const struct fuse_in_header *in)
{
    const struct fuse_init_in *init = (const void *)(in + 1);
    struct fuse_init_out out = {.major = FUSE_KERNEL_VERSION,
                                .minor = FUSE_KERNEL_MINOR_VERSION,
                                .max_readahead = init->max_readahead,
                                .max_background = 16,
                                .congestion_threshold = 12,
                                .max_write = 4096,
                                .time_gran = 1};
    reply(fd, in->unique, 0, &out, sizeof out);
}

/* One request; attributes are never cached (valid 0), so every stat asks. */
static void answer(int fd, const struct fuse_in_header *in, volatile int *hang)
{
    switch (in->opcode) {
    case FUSE_INIT: answerInit(fd, in); return;
    case FUSE_LOOKUP: {
        struct fuse_entry_out e = {.nodeid = FILE_ID, .generation = 1};
        if (in->nodeid != ROOT_ID || strcmp((const char *)(in + 1), "file") != 0) {
            reply(fd, in->unique, -ENOENT, NULL, 0);
            return;
        }
        attrOf(FILE_ID, &e.attr);
        reply(fd, in->unique, 0, &e, sizeof e);
        return;
    }
    case FUSE_GETATTR: {
        if (*hang) { /* read, and never answered; for HANG_SECONDS at most, then the server
                      * dies, so that a test whose stat waits in vain fails rather than hangs */
            static int armed;
            if (!armed++) alarm(FUSE_FIXTURE_HANG_SECONDS);
            return;
        }
        struct fuse_attr_out a = {0};
        attrOf(in->nodeid, &a.attr);
        reply(fd, in->unique, 0, &a, sizeof a);
        return;
    }
    case FUSE_OPEN:
    case FUSE_OPENDIR: {
        struct fuse_open_out o = {.fh = 1};
        reply(fd, in->unique, 0, &o, sizeof o);
        return;
    }
    case FUSE_FLUSH:
    case FUSE_RELEASE:
    case FUSE_RELEASEDIR: reply(fd, in->unique, 0, NULL, 0); return;
    case FUSE_FORGET:
    case FUSE_BATCH_FORGET:
    case FUSE_INTERRUPT: return; /* no answer is expected */
    default: reply(fd, in->unique, -ENOSYS, NULL, 0); return;
    }
}

static void serve(int fd, volatile int *hang)
{
    static char buf[FUSE_MIN_READ_BUFFER + 65536];
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_NAME, "sqlsof-fuse");
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == ENOENT)) continue;
        if (n < (ssize_t)sizeof(struct fuse_in_header)) _exit(0); /* unmounted, or aborted */
        answer(fd, (const struct fuse_in_header *)buf, hang);
    }
}

void fuseFixtureStart(struct fuse_fixture *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/sqlsof-fuse-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->file, sizeof f->file, "%s/file", f->dir);
    f->hang =
        mmap(NULL, sizeof *f->hang, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(f->hang != MAP_FAILED);
    *f->hang = 0;
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    assert_true(fd >= 0);
    char opts[128];
    snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
    assert_int_equal(mount("sqlsof-test", f->dir, "fuse.sqlsof-test", MS_NOSUID | MS_NODEV, opts),
                     0);
    f->server = fork();
    assert_true(f->server >= 0);
    if (f->server == 0) serve(fd, f->hang);
    close(fd); /* the server's is the last: its death aborts the connection */
    struct stat st;
    assert_int_equal(stat(f->file, &st), 0);
    assert_int_equal(st.st_size, FUSE_FIXTURE_SIZE);
    f->dev = st.st_dev;
    f->ino = st.st_ino;
}

void fuseFixtureHang(struct fuse_fixture *f)
{
    *f->hang = 1;
}

void fuseFixtureStop(struct fuse_fixture *f)
{
    if (f->server > 0) {
        kill(f->server, SIGKILL);
        waitpid(f->server, NULL, 0);
        f->server = 0;
    }
    umount2(f->dir, MNT_DETACH);
    rmdir(f->dir);
    if (f->hang) munmap((void *)f->hang, sizeof *f->hang);
    f->hang = NULL;
}
