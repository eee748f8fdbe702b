/*
** The sock_diag parsers and the dump loop, fed crafted netlink messages built with libmnl:
** valid messages of each kind, truncated attributes, bad lengths, short payloads.
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
#include "sock/sock_filter.h"
#include "sock/sock_inuse.h"
#include "testmain.h"

static char msgbuf[8192] __attribute__((aligned(8)));

/* A SOCK_DIAG_BY_FAMILY reply with a zeroed family header of HDRLEN bytes. */
static struct nlmsghdr *newMessage(size_t hdrlen, void **hdr)
{
    memset(msgbuf, 0, sizeof msgbuf);
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(msgbuf);
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_MULTI;
    *hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
    return nlh;
}

static struct nlmsghdr *inetMessage(int family, int state)
{
    struct inet_diag_msg *m;
    struct nlmsghdr *nlh = newMessage(sizeof *m, (void **)&m);
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

static void inet_tcp_with_info(void **state)
{
    (void)state;
    struct nlmsghdr *nlh = inetMessage(AF_INET, 1);
    struct tcp_info ti;
    memset(&ti, 0, sizeof ti);
    ti.tcpi_rtt = 1234;
    ti.tcpi_rttvar = 56;
    ti.tcpi_snd_cwnd = 10;
    ti.tcpi_snd_ssthresh = 7;
    ti.tcpi_total_retrans = 3;
    ti.tcpi_last_data_sent = 11;
    ti.tcpi_last_ack_sent = 12; /* the kernel leaves it 0; not reported */
    ti.tcpi_last_data_recv = 600000;
    ti.tcpi_last_ack_recv = 13;
    ti.tcpi_bytes_acked = 1ULL << 40;
    ti.tcpi_bytes_received = 99;
    mnl_attr_put(nlh, INET_DIAG_INFO, sizeof ti, &ti);
    mnl_attr_put_strz(nlh, INET_DIAG_CONG, "cubic");

    struct diag_row r;
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), 0);
    assert_int_equal(r.family, AF_INET);
    assert_int_equal(r.protocol, IPPROTO_TCP);
    assert_int_equal(r.state, 1);
    assert_int_equal(r.sport, 8080);
    assert_int_equal(r.dport, 54321);
    char text[64];
    assert_non_null(inet_ntop(AF_INET, r.src, text, sizeof text));
    assert_string_equal(text, "127.0.0.1");
    assert_non_null(inet_ntop(AF_INET, r.dst, text, sizeof text));
    assert_string_equal(text, "10.1.2.3");
    assert_int_equal(r.ifindex, 3);
    assert_true(r.cookie == 0x0123456789abcdefULL);
    assert_int_equal(r.inode, 424242);
    assert_int_equal(r.uid, 1000);
    assert_int_equal(r.rqueue, 5);
    assert_int_equal(r.wqueue, 128);
    assert_int_equal(r.timer, 2);
    assert_int_equal(r.retrans, 1);
    assert_int_equal(r.expires, 7500);
    assert_int_equal(r.tcp.rtt, 1234);
    assert_int_equal(r.tcp.rttvar, 56);
    assert_int_equal(r.tcp.cwnd, 10);
    assert_int_equal(r.tcp.ssthresh, 7);
    assert_int_equal(r.tcp.totalRetrans, 3);
    assert_int_equal(r.tcp.lastDataSent, 11);
    assert_int_equal(r.tcp.lastDataRecv, 600000);
    assert_int_equal(r.tcp.lastAckRecv, 13);
    assert_true(r.tcp.bytesAcked == 1ULL << 40);
    assert_int_equal(r.tcp.bytesReceived, 99);
    assert_string_equal(r.cong, "cubic");
    unsigned want = DIAG_HAS_ADDR | DIAG_HAS_UID | DIAG_HAS_QUEUES | DIAG_HAS_TIMER |
                    DIAG_HAS_TCPINFO | DIAG_HAS_TCPBYTES | DIAG_HAS_CONG | DIAG_HAS_IFINDEX;
    assert_int_equal(r.has, want);
    assert_string_equal(diagStateName(r.family, r.protocol, r.state), "ESTABLISHED");
}

static void inet6_udp_and_time_wait(void **state)
{
    (void)state;
    struct nlmsghdr *nlh = inetMessage(AF_INET6, 7);
    struct tcp_info ti = {0};
    mnl_attr_put(nlh, INET_DIAG_INFO, sizeof ti, &ti); /* not tcp_info for udp: ignored */
    struct diag_row r;
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_UDP, &r), 0);
    char text[64];
    assert_non_null(inet_ntop(AF_INET6, r.src, text, sizeof text));
    assert_string_equal(text, "::ffff:10.0.0.1");
    assert_int_equal(r.has & (DIAG_HAS_TIMER | DIAG_HAS_TCPINFO), 0);
    assert_string_equal(diagStateName(r.family, r.protocol, r.state), "IDLE");

    /* TIME_WAIT: no owner, so no uid; the state as lsof spells it. */
    nlh = inetMessage(AF_INET, 6);
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), 0);
    assert_int_equal(r.has & DIAG_HAS_UID, 0);
    assert_string_equal(diagStateName(r.family, r.protocol, r.state), "TIME_WAIT");
    assert_string_equal(diagStateName(AF_INET, IPPROTO_TCP, 7), "CLOSE");

    /* FIN_WAIT2 under the timewait timer is a timewait socket: no owner either. */
    nlh = inetMessage(AF_INET, 5);
    ((struct inet_diag_msg *)mnl_nlmsg_get_payload(nlh))->idiag_timer = 3;
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), 0);
    assert_int_equal(r.has & DIAG_HAS_UID, 0);
    /* A request socket: SYN_RECV, inode 0; selected by the kernel as TCP_NEW_SYN_RECV. */
    nlh = inetMessage(AF_INET, 3);
    ((struct inet_diag_msg *)mnl_nlmsg_get_payload(nlh))->idiag_inode = 0;
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), 0);
    assert_int_equal(r.has & DIAG_HAS_UID, 0);
    assert_int_equal(diagReportedState(12), 3);
    assert_int_equal(diagReportedState(10), 10);
    /* An orphaned FIN_WAIT1 socket keeps the uid the kernel still knows. */
    nlh = inetMessage(AF_INET, 4);
    ((struct inet_diag_msg *)mnl_nlmsg_get_payload(nlh))->idiag_inode = 0;
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), 0);
    assert_int_equal(r.uid, 1000);
    assert_true(r.has & DIAG_HAS_UID);
}

static void inet_bad_lengths(void **state)
{
    (void)state;
    struct diag_row r;
    struct nlmsghdr *nlh = inetMessage(AF_INET, 10);
    uint32_t full = nlh->nlmsg_len;
    /* nlmsg_len beyond the buffer, below the header, or a payload short of inet_diag_msg. */
    assert_int_equal(diagInetParse(nlh, full - 1, IPPROTO_TCP, &r), -EINVAL);
    nlh->nlmsg_len = 8;
    assert_int_equal(diagInetParse(nlh, full, IPPROTO_TCP, &r), -EINVAL);
    nlh->nlmsg_len = MNL_NLMSG_HDRLEN + sizeof(struct inet_diag_msg) - 4;
    assert_int_equal(diagInetParse(nlh, full, IPPROTO_TCP, &r), -EINVAL);
    assert_int_equal(diagInetParse(nlh, 3, IPPROTO_TCP, &r), -EINVAL);

    /* An attribute whose length runs past the message. */
    nlh = inetMessage(AF_INET, 10);
    mnl_attr_put_strz(nlh, INET_DIAG_CONG, "reno");
    nlh->nlmsg_len -= 4;
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), -EINVAL);
    /* A stub of an attribute header. */
    nlh = inetMessage(AF_INET, 10);
    nlh->nlmsg_len += 4;
    memset((char *)nlh + nlh->nlmsg_len - 4, 0xff, 4);
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), -EINVAL);
    /* tcp_info too short for the fields we read; a congestion name without its NUL. */
    nlh = inetMessage(AF_INET, 1);
    char small[40] = {0};
    mnl_attr_put(nlh, INET_DIAG_INFO, sizeof small, small);
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), -EINVAL);
    nlh = inetMessage(AF_INET, 1);
    mnl_attr_put(nlh, INET_DIAG_CONG, 4, "bbrx");
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), -EINVAL);
    /* Not an inet family. */
    nlh = inetMessage(AF_UNIX, 1);
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), -EINVAL);
}

/* An older kernel's tcp_info without the byte counters: the counters stay NULL. */
static void inet_old_tcp_info(void **state)
{
    (void)state;
    struct nlmsghdr *nlh = inetMessage(AF_INET, 1);
    struct tcp_info ti = {0};
    ti.tcpi_rtt = 77;
    mnl_attr_put(nlh, INET_DIAG_INFO, offsetof(struct tcp_info, tcpi_total_retrans) + 4, &ti);
    struct diag_row r;
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), 0);
    assert_int_equal(r.tcp.rtt, 77);
    assert_true(r.has & DIAG_HAS_TCPINFO);
    assert_false(r.has & DIAG_HAS_TCPBYTES);
}

static struct nlmsghdr *unixMessage(int type, int state)
{
    struct unix_diag_msg *m;
    struct nlmsghdr *nlh = newMessage(sizeof *m, (void **)&m);
    m->udiag_family = AF_UNIX;
    m->udiag_type = (uint8_t)type;
    m->udiag_state = (uint8_t)state;
    m->udiag_ino = 5555;
    m->udiag_cookie[0] = 9;
    return nlh;
}

static void unix_messages(void **state)
{
    (void)state;
    struct diag_row r;
    struct nlmsghdr *nlh = unixMessage(SOCK_STREAM, 10);
    mnl_attr_put(nlh, UNIX_DIAG_NAME, sizeof "/tmp/x.sock", "/tmp/x.sock");
    struct unix_diag_rqlen q = {3, 128};
    mnl_attr_put(nlh, UNIX_DIAG_RQLEN, sizeof q, &q);
    mnl_attr_put_u32(nlh, UNIX_DIAG_UID, 1001);
    assert_int_equal(diagUnixParse(nlh, nlh->nlmsg_len, &r), 0);
    assert_int_equal(r.family, AF_UNIX);
    assert_int_equal(r.inode, 5555);
    assert_int_equal(r.cookie, 9);
    assert_int_equal(r.pathLen, sizeof "/tmp/x.sock");
    assert_string_equal(r.path, "/tmp/x.sock");
    assert_int_equal(r.rqueue, 3);
    assert_int_equal(r.wqueue, 128);
    assert_int_equal(r.uid, 1001);
    assert_int_equal(r.has, DIAG_HAS_PATH | DIAG_HAS_QUEUES | DIAG_HAS_UID);
    assert_string_equal(diagStateName(r.family, r.protocol, r.state), "LISTEN");

    nlh = unixMessage(SOCK_DGRAM, 1);
    mnl_attr_put(nlh, UNIX_DIAG_NAME, 4, "\0a\0b");
    mnl_attr_put_u32(nlh, UNIX_DIAG_PEER, 6666);
    assert_int_equal(diagUnixParse(nlh, nlh->nlmsg_len, &r), 0);
    assert_int_equal(r.pathLen, 4);
    assert_memory_equal(r.path, "\0a\0b", 4);
    assert_int_equal(r.peer, 6666);
    assert_string_equal(diagStateName(r.family, r.protocol, r.state), "ESTABLISHED");
    assert_string_equal(diagStateName(AF_UNIX, SOCK_DGRAM, 7), "IDLE");

    /* A peer that is not a u32, a name longer than sun_path, an empty name, a short rqlen. */
    nlh = unixMessage(SOCK_STREAM, 1);
    mnl_attr_put_u16(nlh, UNIX_DIAG_PEER, 1);
    assert_int_equal(diagUnixParse(nlh, nlh->nlmsg_len, &r), -EINVAL);
    nlh = unixMessage(SOCK_STREAM, 1);
    char longName[120];
    memset(longName, 'x', sizeof longName);
    mnl_attr_put(nlh, UNIX_DIAG_NAME, sizeof longName, longName);
    assert_int_equal(diagUnixParse(nlh, nlh->nlmsg_len, &r), -EINVAL);
    nlh = unixMessage(SOCK_STREAM, 1);
    mnl_attr_put(nlh, UNIX_DIAG_NAME, 0, "");
    assert_int_equal(diagUnixParse(nlh, nlh->nlmsg_len, &r), -EINVAL);
    nlh = unixMessage(SOCK_STREAM, 1);
    mnl_attr_put_u32(nlh, UNIX_DIAG_RQLEN, 1);
    assert_int_equal(diagUnixParse(nlh, nlh->nlmsg_len, &r), -EINVAL);
    /* Short payload, wrong family. */
    nlh = unixMessage(SOCK_STREAM, 1);
    nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 4;
    assert_int_equal(diagUnixParse(nlh, nlh->nlmsg_len, &r), -EINVAL);
    nlh = unixMessage(SOCK_STREAM, 1);
    ((struct unix_diag_msg *)mnl_nlmsg_get_payload(nlh))->udiag_family = AF_INET;
    assert_int_equal(diagUnixParse(nlh, nlh->nlmsg_len, &r), -EINVAL);
}

/* A NETLINK_SOCK_DIAG socket's message, without attributes. */
static struct nlmsghdr *netlinkMessage(void)
{
    struct netlink_diag_msg *m;
    struct nlmsghdr *nlh = newMessage(sizeof *m, (void **)&m);
    m->ndiag_family = AF_NETLINK;
    m->ndiag_protocol = 4;
    m->ndiag_ino = 77;
    m->ndiag_cookie[1] = 1;
    return nlh;
}

static void netlink_messages(void **state)
{
    (void)state;
    struct nlmsghdr *nlh = netlinkMessage();
    uint32_t mem[SK_MEMINFO_VARS] = {[SK_MEMINFO_RMEM_ALLOC] = 832, [SK_MEMINFO_WMEM_ALLOC] = 4};
    mnl_attr_put(nlh, NETLINK_DIAG_MEMINFO, sizeof mem, mem);
    struct diag_row r;
    assert_int_equal(diagNetlinkParse(nlh, nlh->nlmsg_len, &r), 0);
    assert_int_equal(r.inode, 77);
    assert_true(r.cookie == 1ULL << 32);
    assert_int_equal(r.rqueue, 832);
    assert_int_equal(r.wqueue, 4);
    assert_int_equal(r.has, DIAG_HAS_QUEUES);
    char buf[16];
    assert_string_equal(diagProtocolName(AF_NETLINK, r.protocol, buf, sizeof buf), "sock_diag");
    assert_string_equal(diagProtocolName(AF_NETLINK, 0, buf, sizeof buf), "route");
    assert_string_equal(diagProtocolName(AF_NETLINK, 99, buf, sizeof buf), "99");
    assert_string_equal(diagStateName(AF_NETLINK, 0, 0), "IDLE");
    assert_string_equal(diagStateName(AF_NETLINK, 0, 1), "ESTABLISHED");

    /* meminfo of 6 bytes, then of 2 words: both shorter than what is read. */
    nlh = netlinkMessage();
    mnl_attr_put(nlh, NETLINK_DIAG_MEMINFO, 6, mem);
    assert_int_equal(diagNetlinkParse(nlh, nlh->nlmsg_len, &r), -EINVAL);
    nlh = netlinkMessage();
    mnl_attr_put(nlh, NETLINK_DIAG_MEMINFO, 8, mem);
    assert_int_equal(diagNetlinkParse(nlh, nlh->nlmsg_len, &r), -EINVAL);
}

/* An ETH_P_ALL raw packet socket's message, without attributes. */
static struct nlmsghdr *packetMessage(void)
{
    struct packet_diag_msg *m;
    struct nlmsghdr *nlh = newMessage(sizeof *m, (void **)&m);
    m->pdiag_family = AF_PACKET;
    m->pdiag_type = SOCK_RAW;
    m->pdiag_num = 0x0003;
    m->pdiag_ino = 31;
    return nlh;
}

static void packet_messages(void **state)
{
    (void)state;
    struct nlmsghdr *nlh = packetMessage();
    struct packet_diag_info info = {.pdi_index = 2};
    mnl_attr_put(nlh, PACKET_DIAG_INFO, sizeof info, &info);
    mnl_attr_put_u32(nlh, PACKET_DIAG_UID, 0);
    struct diag_row r;
    assert_int_equal(diagPacketParse(nlh, nlh->nlmsg_len, &r), 0);
    assert_int_equal(r.inode, 31);
    assert_int_equal(r.ifindex, 2);
    assert_int_equal(r.has, DIAG_HAS_IFINDEX | DIAG_HAS_UID);
    char buf[16];
    assert_string_equal(diagProtocolName(AF_PACKET, r.protocol, buf, sizeof buf), "all");
    assert_string_equal(diagProtocolName(AF_PACKET, 0x88cc, buf, sizeof buf), "0x88cc");
    assert_string_equal(diagStateName(AF_PACKET, 3, 0), "IDLE");

    nlh = packetMessage();
    mnl_attr_put(nlh, PACKET_DIAG_INFO, 4, &info);
    assert_int_equal(diagPacketParse(nlh, nlh->nlmsg_len, &r), -EINVAL);
    nlh = packetMessage();
    mnl_attr_put_u64(nlh, PACKET_DIAG_UID, 0);
    assert_int_equal(diagPacketParse(nlh, nlh->nlmsg_len, &r), -EINVAL);
}

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
        struct nlmsghdr *src = inetMessage(AF_INET, 10);
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
    struct nlmsghdr *src = inetMessage(AF_INET, 10);
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

/* Found by fuzzing: an nlmsg_len over 2^31 passed libmnl's signed check, and the parsers read
 * the family header past the 16 bytes given. Every parser must refuse it. */
static void huge_nlmsg_len(void **state)
{
    (void)state;
    static const unsigned char crash[16] = {0x54, 0x01, 0x54, 0xff, 0xff, 0xff, 0xff, 0x00,
                                            0x54, 0x00, 0x00, 0x02, 0x00, 0x00, 0x54, 0x00};
    unsigned char *msg = malloc(sizeof crash);
    assert_non_null(msg);
    memcpy(msg, crash, sizeof crash);
    struct diag_row r;
    assert_int_equal(diagInetParse(msg, sizeof crash, IPPROTO_TCP, &r), -EINVAL);
    assert_int_equal(diagUnixParse(msg, sizeof crash, &r), -EINVAL);
    assert_int_equal(diagNetlinkParse(msg, sizeof crash, &r), -EINVAL);
    assert_int_equal(diagPacketParse(msg, sizeof crash, &r), -EINVAL);
    free(msg);
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

/* /proc/net/protocols: the kinds with a count of 0, or no line, are idle; TCP never is. */
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
                        "TCP       2368      0       5   no     320   yes  kernel      y  y  y\n";
    uint32_t idle = sockInuseParse(text, sizeof text - 1);
    uint32_t want = 0;
    const int none[][2] = {{AF_INET6, DIAG_PROTO_MPTCP}, {AF_INET, DIAG_PROTO_MPTCP},
                           {AF_INET, IPPROTO_UDPLITE},   {AF_INET6, IPPROTO_UDPLITE},
                           {AF_INET, IPPROTO_SCTP},      {AF_INET6, IPPROTO_SCTP}};
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        want |= 1u << sockKindOf(none[i][0], none[i][1]);
    assert_int_equal(idle, want);
    /* Not that file, or cut short: nothing is known idle. */
    assert_int_equal(sockInuseParse("", 0), 0);
    assert_int_equal(sockInuseParse("UDP 1152 0\n", 11), 0);
    const char cut[] = "protocol  size sockets\nUDP       1152";
    assert_true(!(sockInuseParse(cut, sizeof cut - 1) >> sockKindOf(AF_INET, IPPROTO_UDP) & 1));
}

TEST_MAIN("diag", NULL, NULL,
          {
              cmocka_unit_test(huge_nlmsg_len),
              cmocka_unit_test(inet_tcp_with_info),
              cmocka_unit_test(inet6_udp_and_time_wait),
              cmocka_unit_test(inet_bad_lengths),
              cmocka_unit_test(inet_old_tcp_info),
              cmocka_unit_test(unix_messages),
              cmocka_unit_test(netlink_messages),
              cmocka_unit_test(packet_messages),
              cmocka_unit_test(requests),
              cmocka_unit_test(both_families_request),
              cmocka_unit_test(inuse_counts),
              cmocka_unit_test(either_end_bytecode),
              cmocka_unit_test(exact_requests),
              cmocka_unit_test(dump_loop),
          })
