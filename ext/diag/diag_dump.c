#include "diag/diag_dump.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

int diagSocket(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return -errno;
    /* A kernel always answers a dump; the timeout only keeps a bug from hanging a query. */
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* An unconnected netlink socket sends to the kernel (port id 0). */
static int sendAll(int fd, const void *req, size_t len)
{
    struct iovec iov = {(void *)req, len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    for (;;) {
        ssize_t n = sendmsg(fd, &msg, 0);
        if (n == (ssize_t)len) return 0;
        if (n >= 0) return -EIO;
        if (errno != EINTR) return -errno;
    }
}

/* The error code inside NLMSG_DONE (an int after the header) or NLMSG_ERROR. */
static int replyError(const struct nlmsghdr *nlh)
{
    if (nlh->nlmsg_type == NLMSG_ERROR) {
        if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nlmsgerr)) return -EBADMSG;
        const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
        return e->error;
    }
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int)) return 0;
    int err;
    memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof err);
    return err;
}

int diagDump(int fd, const void *req, size_t len, void *buf,
             int (*onMsg)(const void *msg, size_t msglen, void *ctx), void *ctx)
{
    uint32_t seq = ((const struct nlmsghdr *)req)->nlmsg_seq;
    int rc = sendAll(fd, req, len);
    if (rc < 0) return rc;
    int interrupted = 0, failed = 0;
    for (;;) {
        struct iovec iov = {buf, DIAG_DUMP_BUFSIZE};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        ssize_t n = recvmsg(fd, &msg, MSG_TRUNC); /* the datagram's full length */
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -errno;
        if (n > DIAG_DUMP_BUFSIZE) return -EMSGSIZE;
        int left = (int)n;
        for (const struct nlmsghdr *nlh = buf; mnl_nlmsg_ok(nlh, left);
             nlh = mnl_nlmsg_next(nlh, &left)) {
            if (nlh->nlmsg_seq != seq) continue; /* left over from an abandoned dump */
            if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = 1;
            if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR) {
                int err = replyError(nlh);
                if (failed) return failed;
                if (err == -ENOENT || err == -EOPNOTSUPP || err == -EPROTONOSUPPORT) return 0;
                if (err < 0) return err;
                return interrupted ? -EINTR : 0;
            }
            /* After a failure keep reading to NLMSG_DONE, so the socket stays usable. */
            if (!failed) {
                int r = onMsg(nlh, nlh->nlmsg_len, ctx);
                if (r < 0) failed = r;
            }
        }
        if (left != 0) return -EBADMSG;
    }
}

int diagAck(int fd, const void *req, size_t len)
{
    uint32_t seq = ((const struct nlmsghdr *)req)->nlmsg_seq;
    int rc = sendAll(fd, req, len);
    if (rc < 0) return rc;
    for (;;) {
        char buf[1024]; /* an acknowledgement: the error and the request's header */
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -errno;
        int left = (int)n;
        for (const struct nlmsghdr *nlh = (const void *)buf; mnl_nlmsg_ok(nlh, left);
             nlh = mnl_nlmsg_next(nlh, &left))
            if (nlh->nlmsg_seq == seq && nlh->nlmsg_type == NLMSG_ERROR) return replyError(nlh);
    }
}
