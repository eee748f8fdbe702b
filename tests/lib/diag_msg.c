/* Crafted sock_diag replies for the unit tests (diag_msg.h). */
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "diag_msg.h"

static char msgbuf[8192] __attribute__((aligned(8)));

/* A SOCK_DIAG_BY_FAMILY reply with a zeroed family header of HDRLEN bytes. */
struct nlmsghdr *testDiagMessage(size_t hdrlen, void **hdr)
{
    memset(msgbuf, 0, sizeof msgbuf);
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(msgbuf);
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_MULTI;
    *hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
    return nlh;
}

struct nlmsghdr *testDiagInetMessage(int family, int state)
{
    struct inet_diag_msg *m;
    struct nlmsghdr *nlh = testDiagMessage(sizeof *m, (void **)&m);
    m->idiag_family = (uint8_t)family;
    m->idiag_state = (uint8_t)state;
    m->idiag_timer = 2;
    m->idiag_retrans = 1;
    m->id.idiag_sport = htons(8080);
    m->id.idiag_dport = htons(54321);
    if (family == AF_INET) {
        inet_pton(AF_INET, "127.0.0.1", m->id.idiag_src);
        inet_pton(AF_INET, "10.1.2.3", m->id.idiag_dst);
    } else {
        inet_pton(AF_INET6, "::ffff:10.0.0.1", m->id.idiag_src);
        inet_pton(AF_INET6, "fe80::1", m->id.idiag_dst);
    }
    m->id.idiag_if = 3;
    m->id.idiag_cookie[0] = 0x89abcdef;
    m->id.idiag_cookie[1] = 0x01234567;
    m->idiag_expires = 7500;
    m->idiag_rqueue = 5;
    m->idiag_wqueue = 128;
    m->idiag_uid = 1000;
    m->idiag_inode = 424242;
    return nlh;
}
