/*
** The sock_diag requests and the dump loop: the dump and exact requests each family gets (states,
** tcp_info, the port bytecode, the compat request for TCP of both families), the dump loop's
** error paths against a socketpair standing in for the kernel, and /proc/net/protocols' counts
** of the kinds that are idle. The parsers: test_diag.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/unix_diag.h>

#include <cmocka.h>

#include "diag/diag.h"
#include "diag/diag_dump.h"
#include "diag_msg.h"
#include "sock/sock_filter.h"
#include "sock/sock_inuse.h"
#include "testmain.h"

static void requests(void **state)
{
    (void)state;
    char buf[4096];
    struct diag_query q = {.family = AF_INET6, .protocol = DIAG_PROTO_MPTCP, .states = 1 << 10};
    int len = diagInetRequest(buf, sizeof buf, &q, 42);
    assert_true(len > 0);
    struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
    assert_int_equal(nlh->nlmsg_len, len);
    assert_int_equal(nlh->nlmsg_seq, 42);
    assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
    struct inet_diag_req_v2 *req = mnl_nlmsg_get_payload(nlh);
    assert_int_equal(req->sdiag_family, AF_INET6);
    assert_int_equal(req->idiag_states, 1 << 10);
    assert_int_equal(req->idiag_ext, 0);
    /* MPTCP's number goes in INET_DIAG_REQ_PROTOCOL. */
    struct nlattr *a = mnl_nlmsg_get_payload_offset(nlh, sizeof *req);
    assert_int_equal(mnl_attr_get_type(a), INET_DIAG_REQ_PROTOCOL);
    assert_int_equal(mnl_attr_get_u32(a), DIAG_PROTO_MPTCP);

    /* tcp_info only when asked, for tcp; bytecode for two local ports and one remote. */
    int64_t sports[] = {80, 443}, dports[] = {5000};
    q = (struct diag_query){AF_INET, IPPROTO_TCP, ~0u, 1, sports, 2, dports, 1, 0, NULL};
    len = diagInetRequest(buf, sizeof buf, &q, 1);
    assert_true(len > 0);
    req = mnl_nlmsg_get_payload(nlh);
    assert_int_equal(req->idiag_ext, (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1)));
    a = mnl_nlmsg_get_payload_offset(nlh, sizeof *req);
    assert_int_equal(mnl_attr_get_type(a), INET_DIAG_REQ_BYTECODE);
    assert_int_equal(mnl_attr_get_payload_len(a), 12 + 8 + 8);
    const struct inet_diag_bc_op *op = mnl_attr_get_payload(a);
    assert_int_equal(op[0].code, INET_DIAG_BC_S_EQ);
    assert_int_equal(op[1].no, 80);
    assert_int_equal(op[2].code, INET_DIAG_BC_JMP);
    assert_int_equal(op[4].no, 443);
    assert_int_equal(op[3].no, 28 - 12 + 4); /* the last local miss rejects */
    assert_int_equal(op[5].code, INET_DIAG_BC_D_EQ);
    assert_int_equal(op[6].no, 5000);

    /* Ports that no socket has: nothing to send. Too small a buffer: -ENOSPC. */
    int64_t bad[] = {70000};
    q = (struct diag_query){AF_INET, IPPROTO_UDP, ~0u, 0, bad, 1, NULL, 0, 0, NULL};
    assert_int_equal(diagInetRequest(buf, sizeof buf, &q, 1), -ERANGE);
    q = (struct diag_query){AF_INET, IPPROTO_UDP, ~0u, 0, NULL, 0, NULL, 0, 0, NULL};
    assert_int_equal(diagInetRequest(buf, 20, &q, 1), -ENOSPC);
    assert_int_equal(diagUnixRequest(buf, 20, &q, 1), -ENOSPC);
    assert_true(diagUnixRequest(buf, sizeof buf, &q, 1) > 0);
    assert_true(diagNetlinkRequest(buf, sizeof buf, &q, 1) > 0);
    assert_true(diagPacketRequest(buf, sizeof buf, &q, 1) > 0);
}

/* Either end: one block of every test, a hit anywhere accepts, the last miss rejects. */
static void either_end_bytecode(void **state)
{
    (void)state;
    char buf[4096];
    int64_t ports[] = {22, 3306};
    struct diag_query q = {.family = AF_INET,
                           .protocol = IPPROTO_TCP,
                           .states = ~0u,
                           .sports = ports,
                           .nsports = 2,
                           .dports = ports,
                           .ndports = 2,
                           .portsEither = 1};
    int len = diagInetRequest(buf, sizeof buf, &q, 1);
    assert_true(len > 0);
    struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
    struct nlattr *a = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct inet_diag_req_v2));
    assert_int_equal(mnl_attr_get_type(a), INET_DIAG_REQ_BYTECODE);
    assert_int_equal(mnl_attr_get_payload_len(a), 3 * 12 + 8);
    const struct inet_diag_bc_op *op = mnl_attr_get_payload(a);
    const unsigned char codes[] = {INET_DIAG_BC_S_EQ, INET_DIAG_BC_S_EQ, INET_DIAG_BC_D_EQ,
                                   INET_DIAG_BC_D_EQ};
    for (int i = 0; i < 4; i++) {
        const struct inet_diag_bc_op *test = op + 3 * i;
        assert_int_equal(test->code, codes[i]);
        assert_int_equal(test[1].no, ports[i % 2]);
        if (i < 3) {
            assert_int_equal(test->no, 12); /* a miss tries the next test */
            assert_int_equal(test[2].code, INET_DIAG_BC_JMP);
            assert_int_equal(test[2].no, 44 - 12 * i - 8); /* a hit jumps to the end */
        } else {
            assert_int_equal(test->no, 8 + 4); /* the last miss jumps past the end */
        }
    }
    /* No usable port on either end: nothing to send. */
    int64_t bad[] = {-1};
    q.sports = q.dports = bad;
    q.nsports = q.ndports = 1;
    assert_int_equal(diagInetRequest(buf, sizeof buf, &q, 1), -ERANGE);
}

/* Exact requests: no NLM_F_DUMP; UDP's ID has the ends swapped; unix asks by inode. */
static void exact_requests(void **state)
{
    (void)state;
    char buf[4096];
    struct diag_id id = {
        .cookie = 0x1122334455667788ull, .inode = 4242, .sport = 80, .dport = 5000, .ifindex = 3};
    id.src[0] = 10, id.dst[0] = 192;
    struct diag_query q = {.family = AF_INET, .protocol = IPPROTO_TCP, .states = 0, .id = &id};
    assert_true(diagRequest(buf, sizeof buf, &q, 7) > 0);
    struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
    assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    struct inet_diag_req_v2 *req = mnl_nlmsg_get_payload(nlh);
    assert_int_equal(ntohs(req->id.idiag_sport), 80);
    assert_int_equal(ntohs(req->id.idiag_dport), 5000);
    assert_int_equal(((uint8_t *)req->id.idiag_src)[0], 10);
    assert_int_equal(req->id.idiag_if, 3);
    assert_int_equal(req->id.idiag_cookie[0], 0x55667788u);
    assert_int_equal(req->id.idiag_cookie[1], 0x11223344u);

    q.protocol = IPPROTO_UDP;
    assert_true(diagRequest(buf, sizeof buf, &q, 7) > 0);
    assert_int_equal(ntohs(req->id.idiag_sport), 5000);
    assert_int_equal(ntohs(req->id.idiag_dport), 80);
    assert_int_equal(((uint8_t *)req->id.idiag_src)[0], 192);

    q.family = AF_UNIX;
    assert_true(diagRequest(buf, sizeof buf, &q, 7) > 0);
    assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    const struct unix_diag_req *u = mnl_nlmsg_get_payload(nlh);
    assert_int_equal(u->udiag_ino, 4242);
    assert_int_equal(u->udiag_cookie[0], 0x55667788u);

    assert_true(diagCanAsk(AF_INET6, IPPROTO_UDPLITE));
    assert_false(diagCanAsk(AF_INET, IPPROTO_RAW));
    assert_false(diagCanAsk(AF_NETLINK, 0));
    q.family = AF_BLUETOOTH;
    assert_int_equal(diagRequest(buf, sizeof buf, &q, 7), -EAFNOSUPPORT);
}

/*
** The dump loop against a socketpair standing in for the kernel: the error paths a live
** kernel does not produce on demand (DUMP_INTR, an error inside NLMSG_DONE, a cut datagram).
*/
static int countRows(const void *msg, size_t len, void *ctx)
{
    struct diag_row r;
    if (diagInetParse(msg, len, IPPROTO_TCP, &r) == 0) ++*(int *)ctx;
    return 0;
}

static size_t putDone(char *at, uint32_t seq, int type, int err, uint16_t flags)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
    nlh->nlmsg_type = (uint16_t)type;
    nlh->nlmsg_flags = flags;
    nlh->nlmsg_seq = seq;
    if (type == NLMSG_ERROR) {
        struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof *e);
        e->error = err;
    } else {
        int *p = mnl_nlmsg_put_extra_header(nlh, sizeof *p);
        *p = err;
    }
    return nlh->nlmsg_len;
}

/* Queues one datagram of N copies of a TCP row (sequence SEQ), then one ending it. */
static int runFakeDump(uint32_t seq, int rows, int endType, int endErr, uint16_t rowFlags, int *got)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
    static char dgram[8192] __attribute__((aligned(8)));
    size_t off = 0;
    for (int i = 0; i < rows; i++) {
        struct nlmsghdr *src = testDiagInetMessage(AF_INET, 10);
        src->nlmsg_seq = i == 0 ? seq + 100 : seq; /* the first is left over from before */
        src->nlmsg_flags |= rowFlags;
        memcpy(dgram + off, src, src->nlmsg_len);
        off += src->nlmsg_len;
    }
    assert_int_equal(send(sv[1], dgram, off, 0), (ssize_t)off);
    off = putDone(dgram, seq, endType, endErr, NLM_F_MULTI);
    assert_int_equal(send(sv[1], dgram, off, 0), (ssize_t)off);

    char req[256];
    struct diag_query q = {.family = AF_INET, .protocol = IPPROTO_TCP, .states = ~0u};
    int len = diagInetRequest(req, sizeof req, &q, seq);
    static char rx[DIAG_DUMP_BUFSIZE];
    *got = 0;
    int rc = diagDump(sv[0], req, (size_t)len, rx, countRows, got);
    close(sv[0]);
    close(sv[1]);
    return rc;
}

static void dump_loop(void **state)
{
    (void)state;
    int got;
    assert_int_equal(runFakeDump(7, 3, NLMSG_DONE, 0, 0, &got), 0);
    assert_int_equal(got, 2); /* the stale sequence number is skipped */
    assert_int_equal(runFakeDump(7, 0, NLMSG_DONE, -ENOENT, 0, &got), 0);
    assert_int_equal(got, 0);
    assert_int_equal(runFakeDump(7, 0, NLMSG_ERROR, -EOPNOTSUPP, 0, &got), 0);
    assert_int_equal(runFakeDump(7, 2, NLMSG_DONE, -EPERM, 0, &got), -EPERM);
    assert_int_equal(runFakeDump(7, 2, NLMSG_ERROR, -EINVAL, 0, &got), -EINVAL);
    assert_int_equal(runFakeDump(7, 3, NLMSG_DONE, 0, NLM_F_DUMP_INTR, &got), -EINTR);

    /* A datagram cut inside a message. */
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
    struct nlmsghdr *src = testDiagInetMessage(AF_INET, 10);
    src->nlmsg_seq = 9;
    assert_int_equal(send(sv[1], src, src->nlmsg_len - 8, 0), (ssize_t)src->nlmsg_len - 8);
    char req[256];
    struct diag_query q = {.family = AF_INET, .protocol = IPPROTO_TCP, .states = ~0u};
    int len = diagInetRequest(req, sizeof req, &q, 9);
    static char rx[DIAG_DUMP_BUFSIZE];
    got = 0;
    assert_int_equal(diagDump(sv[0], req, (size_t)len, rx, countRows, &got), -EBADMSG);
    close(sv[0]);
    close(sv[1]);
}

/* TCP of both families: the compat request (struct inet_diag_req, TCPDIAG_GETSOCK), with its
 * states, tcp_info and bytecode as the v2 request carries them. Only TCP has it. */
static void both_families_request(void **state)
{
    (void)state;
    char buf[4096];
    int64_t ports[] = {8080};
    struct diag_query q = {.family = AF_UNSPEC,
                           .protocol = IPPROTO_TCP,
                           .states = 1 << 10,
                           .tcpInfo = 1,
                           .sports = ports,
                           .nsports = 1};
    int len = diagRequest(buf, sizeof buf, &q, 7);
    assert_true(len > 0);
    struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
    assert_int_equal(nlh->nlmsg_type, TCPDIAG_GETSOCK);
    assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
    struct inet_diag_req *req = mnl_nlmsg_get_payload(nlh);
    assert_int_equal(req->idiag_family, AF_UNSPEC);
    assert_int_equal(req->idiag_states, 1 << 10);
    assert_int_equal(req->idiag_ext, (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1)));
    struct nlattr *a = mnl_nlmsg_get_payload_offset(nlh, sizeof *req);
    assert_int_equal(mnl_attr_get_type(a), INET_DIAG_REQ_BYTECODE);
    const struct inet_diag_bc_op *op = mnl_attr_get_payload(a);
    assert_int_equal(op[0].code, INET_DIAG_BC_S_EQ);
    assert_int_equal(op[1].no, 8080);
    q.protocol = IPPROTO_UDP;
    assert_int_equal(diagRequest(buf, sizeof buf, &q, 8), -EAFNOSUPPORT);
}

/* /proc/net/protocols: each kind's count, a kind with no line known and 0 (not registered), a
 * line cut short not known; idle are the kinds counted 0, but TCP never. */
static void inuse_counts(void **state)
{
    (void)state;
    const char text[] = "protocol  size sockets  memory press maxhdr  slab module     cl co di\n"
                        "MPTCPv6   2048      0       0   no       0   yes  kernel      y  n  y\n"
                        "RAWv6     1216      1      -1   NI       0   yes  kernel      y  y  y\n"
                        "UDPv6     1352     10       1   NI       0   yes  kernel      y  y  y\n"
                        "TCPv6     2536      0       5   no     320   yes  kernel      y  y  y\n"
                        "UDP-Lite  1152      0       1   NI       0   yes  kernel      y  y  y\n"
                        "MPTCP     2048      0       0   no       0   yes  kernel      y  n  y\n"
                        "RAW        984    105      -1   NI       0   yes  kernel      y  y  y\n"
                        "UDP       1152      7       1   NI       0   yes  kernel      y  y  y\n"
                        "TCP       2368     42       5   no     320   yes  kernel      y  y  y\n";
    struct sock_counts c;
    sockCountsParse(text, sizeof text - 1, &c);
    c.timeWait = 0;
    const struct {
        int family, protocol;
        uint32_t n;
    } want[] = {{AF_INET, IPPROTO_TCP, 42},     {AF_INET6, IPPROTO_TCP, 0},
                {AF_INET, IPPROTO_UDP, 7},      {AF_INET6, IPPROTO_UDP, 10},
                {AF_INET, IPPROTO_UDPLITE, 0},  {AF_INET6, IPPROTO_UDPLITE, 0},
                {AF_INET, IPPROTO_RAW, 105},    {AF_INET6, IPPROTO_RAW, 1},
                {AF_INET, IPPROTO_SCTP, 0},     {AF_INET6, IPPROTO_SCTP, 0},
                {AF_INET, DIAG_PROTO_MPTCP, 0}, {AF_INET6, DIAG_PROTO_MPTCP, 0}};
    uint32_t idle = 0;
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        int kind = sockKindOf(want[i].family, want[i].protocol);
        assert_true(c.known >> kind & 1);
        assert_int_equal(c.n[kind], want[i].n);
        if (!want[i].n && want[i].protocol != IPPROTO_TCP) idle |= 1u << kind;
    }
    assert_int_equal(sockCountsIdle(&c), idle);
    /* Not that file, or cut short: nothing is known. */
    sockCountsParse("", 0, &c);
    assert_int_equal(c.known, 0);
    sockCountsParse("UDP 1152 0\n", 11, &c);
    assert_int_equal(c.known, 0);
    const char cut[] = "protocol  size sockets\nUDP       1152";
    sockCountsParse(cut, sizeof cut - 1, &c);
    assert_true(!(c.known >> sockKindOf(AF_INET, IPPROTO_UDP) & 1));
    assert_true(c.known >> sockKindOf(AF_INET, IPPROTO_TCP) & 1); /* no line: not registered */
}

/* /proc/net/sockstat: TCP's TIME_WAIT sockets, or -1 when the line is not there or garbled. */
static void time_wait_count(void **state)
{
    (void)state;
    const char text[] = "sockets: used 94027\n"
                        "TCP: inuse 52019 orphan 3 tw 17 alloc 52079 mem 0\n"
                        "UDP: inuse 14000 mem 0\n";
    assert_int_equal(sockCountsTimeWait(text, sizeof text - 1), 17);
    const char none[] = "sockets: used 4\nUDP: inuse 0 mem 0\n";
    assert_int_equal(sockCountsTimeWait(none, sizeof none - 1), -1);
    const char garbled[] = "TCP: inuse 1 orphan 0 tx 0 alloc 1 mem 0\n";
    assert_int_equal(sockCountsTimeWait(garbled, sizeof garbled - 1), -1);
    const char cut[] = "TCP: inuse 1 orphan 0 tw 12";
    assert_int_equal(sockCountsTimeWait(cut, sizeof cut - 1), -1);
}

TEST_MAIN("diag_request", NULL, NULL,
          {
              cmocka_unit_test(requests),
              cmocka_unit_test(both_families_request),
              cmocka_unit_test(inuse_counts),
              cmocka_unit_test(time_wait_count),
              cmocka_unit_test(either_end_bytecode),
              cmocka_unit_test(exact_requests),
              cmocka_unit_test(dump_loop),
          })
