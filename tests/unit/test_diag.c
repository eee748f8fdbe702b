/*
** The sock_diag parsers, fed crafted netlink messages built with libmnl: valid messages of each
** family (inet with tcp_info, unix, netlink, packet), truncated attributes, bad lengths, short
** payloads. The requests and the dump loop: test_diag_request.
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
#include "diag_msg.h"
#include "testmain.h"

static void inet_tcp_with_info(void **state)
{
    (void)state;
    struct nlmsghdr *nlh = testDiagInetMessage(AF_INET, 1);
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
    struct nlmsghdr *nlh = testDiagInetMessage(AF_INET6, 7);
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
    nlh = testDiagInetMessage(AF_INET, 6);
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), 0);
    assert_int_equal(r.has & DIAG_HAS_UID, 0);
    assert_string_equal(diagStateName(r.family, r.protocol, r.state), "TIME_WAIT");
    assert_string_equal(diagStateName(AF_INET, IPPROTO_TCP, 7), "CLOSE");

    /* FIN_WAIT2 under the timewait timer is a timewait socket: no owner either. */
    nlh = testDiagInetMessage(AF_INET, 5);
    ((struct inet_diag_msg *)mnl_nlmsg_get_payload(nlh))->idiag_timer = 3;
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), 0);
    assert_int_equal(r.has & DIAG_HAS_UID, 0);
    /* A request socket: SYN_RECV, inode 0; selected by the kernel as TCP_NEW_SYN_RECV. */
    nlh = testDiagInetMessage(AF_INET, 3);
    ((struct inet_diag_msg *)mnl_nlmsg_get_payload(nlh))->idiag_inode = 0;
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), 0);
    assert_int_equal(r.has & DIAG_HAS_UID, 0);
    assert_int_equal(diagReportedState(12), 3);
    assert_int_equal(diagReportedState(10), 10);
    /* An orphaned FIN_WAIT1 socket keeps the uid the kernel still knows. */
    nlh = testDiagInetMessage(AF_INET, 4);
    ((struct inet_diag_msg *)mnl_nlmsg_get_payload(nlh))->idiag_inode = 0;
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), 0);
    assert_int_equal(r.uid, 1000);
    assert_true(r.has & DIAG_HAS_UID);
}

static void inet_bad_lengths(void **state)
{
    (void)state;
    struct diag_row r;
    struct nlmsghdr *nlh = testDiagInetMessage(AF_INET, 10);
    uint32_t full = nlh->nlmsg_len;
    /* nlmsg_len beyond the buffer, below the header, or a payload short of inet_diag_msg. */
    assert_int_equal(diagInetParse(nlh, full - 1, IPPROTO_TCP, &r), -EINVAL);
    nlh->nlmsg_len = 8;
    assert_int_equal(diagInetParse(nlh, full, IPPROTO_TCP, &r), -EINVAL);
    nlh->nlmsg_len = MNL_NLMSG_HDRLEN + sizeof(struct inet_diag_msg) - 4;
    assert_int_equal(diagInetParse(nlh, full, IPPROTO_TCP, &r), -EINVAL);
    assert_int_equal(diagInetParse(nlh, 3, IPPROTO_TCP, &r), -EINVAL);

    /* An attribute whose length runs past the message. */
    nlh = testDiagInetMessage(AF_INET, 10);
    mnl_attr_put_strz(nlh, INET_DIAG_CONG, "reno");
    nlh->nlmsg_len -= 4;
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), -EINVAL);
    /* A stub of an attribute header. */
    nlh = testDiagInetMessage(AF_INET, 10);
    nlh->nlmsg_len += 4;
    memset((char *)nlh + nlh->nlmsg_len - 4, 0xff, 4);
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), -EINVAL);
    /* tcp_info too short for the fields we read; a congestion name without its NUL. */
    nlh = testDiagInetMessage(AF_INET, 1);
    char small[40] = {0};
    mnl_attr_put(nlh, INET_DIAG_INFO, sizeof small, small);
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), -EINVAL);
    nlh = testDiagInetMessage(AF_INET, 1);
    mnl_attr_put(nlh, INET_DIAG_CONG, 4, "bbrx");
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), -EINVAL);
    /* Not an inet family. */
    nlh = testDiagInetMessage(AF_UNIX, 1);
    assert_int_equal(diagInetParse(nlh, nlh->nlmsg_len, IPPROTO_TCP, &r), -EINVAL);
}

/* An older kernel's tcp_info without the byte counters: the counters stay NULL. */
static void inet_old_tcp_info(void **state)
{
    (void)state;
    struct nlmsghdr *nlh = testDiagInetMessage(AF_INET, 1);
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
    struct nlmsghdr *nlh = testDiagMessage(sizeof *m, (void **)&m);
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
    struct nlmsghdr *nlh = testDiagMessage(sizeof *m, (void **)&m);
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
    struct nlmsghdr *nlh = testDiagMessage(sizeof *m, (void **)&m);
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
          })
