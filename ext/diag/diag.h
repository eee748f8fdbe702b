/*
** sock_diag readers: one file per kind of socket (diag_inet.c, diag_unix.c, diag_netlink.c,
** diag_packet.c), each with a request builder and a parser, plus the dump I/O (diag_dump.c).
** No SQLite here. A parser takes one netlink message (buffer and length) and fills a
** struct diag_row; it returns 0, or -EINVAL when the message is not what the kernel sends
** (bad nlmsg_len, short payload, a truncated attribute, an attribute of the wrong size).
** What ss(8) learns from sock_diag, in the shape of sqlsof's `sockets` row.
*/
#ifndef SQLSOF_DIAG_H
#define SQLSOF_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* IPPROTO_MPTCP does not fit sdiag_protocol (u8); it goes in INET_DIAG_REQ_PROTOCOL. */
#define DIAG_PROTO_MPTCP 262

/* TCP_BOUND_INACTIVE (Linux 6.5): a bound, unconnected TCP socket; reported as TCP_CLOSE. */
#define DIAG_TCP_BOUND_INACTIVE 13

/* Which fields of a row the kernel gave (the rest are NULL). */
enum {
    DIAG_HAS_ADDR = 1 << 0,     /* src, dst, sport, dport */
    DIAG_HAS_UID = 1 << 1,      /* uid */
    DIAG_HAS_QUEUES = 1 << 2,   /* rqueue, wqueue */
    DIAG_HAS_PATH = 1 << 3,     /* path, pathLen (unix, bound) */
    DIAG_HAS_PEER = 1 << 4,     /* peer (unix, connected) */
    DIAG_HAS_TIMER = 1 << 5,    /* timer, retrans, expires (tcp) */
    DIAG_HAS_TCPINFO = 1 << 6,  /* tcp.rtt ... tcp.totalRetrans */
    DIAG_HAS_TCPBYTES = 1 << 7, /* tcp.bytesAcked, tcp.bytesReceived (newer tcp_info) */
    DIAG_HAS_CONG = 1 << 8,     /* cong */
    DIAG_HAS_IFINDEX = 1 << 9,  /* ifindex: bound to a device (non-zero) */
};

struct diag_tcp {
    uint32_t rtt, rttvar, cwnd, ssthresh, totalRetrans; /* rtt in microseconds */
    uint32_t lastDataSent, lastDataRecv, lastAckRecv;   /* ms since each happened */
    uint64_t bytesAcked, bytesReceived;
};

/* One socket as sock_diag reports it. */
struct diag_row {
    uint64_t cookie;
    uint64_t inode;    /* 0 for TIME_WAIT and NEW_SYN_RECV */
    unsigned has;      /* DIAG_HAS_* */
    uint16_t family;   /* AF_INET AF_INET6 AF_UNIX AF_NETLINK AF_PACKET */
    uint16_t protocol; /* IPPROTO_* (DIAG_PROTO_MPTCP); unix SOCK_*; NETLINK_*; packet ethertype */
    uint8_t state;     /* the kernel's TCP_* number (netlink: 0 unconnected, 1 connected) */
    uint8_t timer, retrans;
    uint8_t pathLen;
    uint16_t sport, dport; /* host order */
    uint8_t src[16], dst[16];
    uint32_t ifindex;
    uint32_t expires; /* ms */
    uint32_t rqueue, wqueue;
    uint32_t uid;
    uint32_t peer;
    struct diag_tcp tcp;
    char cong[16];
    char path[108]; /* unix: as bound, abstract names start with a NUL byte */
};

/* A netlink dump of every protocol (a dump kind of family AF_NETLINK). */
#define DIAG_ANY_PROTOCOL (-1)

/* A socket's identity for an exact request (no dump): what getsockname/getpeername and
 * SO_COOKIE say of it. */
struct diag_id {
    uint64_t cookie;
    uint64_t inode;           /* unix: the key of the lookup */
    uint8_t src[16], dst[16]; /* inet: local and remote address */
    uint16_t sport, dport;    /* host order */
    uint32_t ifindex;         /* the device it is bound to, 0: none */
};

/* What one request asks of the kernel: a dump, or (ID set) one socket. */
struct diag_query {
    int family;      /* AF_*; AF_UNSPEC: TCP of both inet families in one dump */
    int protocol;    /* inet: IPPROTO_* or DIAG_PROTO_MPTCP; netlink: NETLINK_* or
                        DIAG_ANY_PROTOCOL; else ignored */
    uint32_t states; /* bitmask of 1 << TCP_* (inet, unix) */
    int tcpInfo;     /* inet: ask for INET_DIAG_INFO and INET_DIAG_CONG */
    /* inet: only sockets whose local / remote port is one of these (none: any). */
    const int64_t *sports;
    int nsports;
    const int64_t *dports;
    int ndports;
    int portsEither;          /* a socket with a local port in sports OR a remote one in dports */
    const struct diag_id *id; /* inet (tcp, udp, udplite), unix: exact request for this socket */
};

/*
** Request builders: write a NLM_F_DUMP request for Q into BUF (SIZE bytes) with sequence
** number SEQ (an exact NLM_F_ACK request when Q->id is set). Return its length, or -ENOSPC;
** -ERANGE when Q's ports can match no socket.
*/
int diagInetRequest(void *buf, size_t size, const struct diag_query *q, uint32_t seq);
int diagUnixRequest(void *buf, size_t size, const struct diag_query *q, uint32_t seq);
int diagNetlinkRequest(void *buf, size_t size, const struct diag_query *q, uint32_t seq);
int diagPacketRequest(void *buf, size_t size, const struct diag_query *q, uint32_t seq);

/*
** diagRequest and diagParse pick the family's builder or parser (diag.c keeps the table).
** diagCanAsk: whether the kernel answers an exact request for Q's family and protocol.
*/
int diagRequest(void *buf, size_t size, const struct diag_query *q, uint32_t seq);
int diagParse(int family, int protocol, const void *buf, size_t len, struct diag_row *row);
int diagCanAsk(int family, int protocol);

/* Parsers: one message of LEN bytes at BUF. PROTOCOL (inet) is the dump's protocol. */
int diagInetParse(const void *buf, size_t len, int protocol, struct diag_row *row);
int diagUnixParse(const void *buf, size_t len, struct diag_row *row);
int diagNetlinkParse(const void *buf, size_t len, struct diag_row *row);
int diagPacketParse(const void *buf, size_t len, struct diag_row *row);

/*
** Calls FN for each attribute that follows the HDRLEN-byte family header of the message at
** BUF (LEN bytes). Returns -EINVAL for a bad nlmsg_len, a payload shorter than HDRLEN or a
** truncated attribute; otherwise FN's first non-zero result, or 0.
*/
int diagEachAttr(const void *buf, size_t len, size_t hdrlen,
                 int (*fn)(const struct nlattr *attr, void *ctx), void *ctx);

/*
** Starts a SOCK_DIAG_BY_FAMILY dump request in BUF (SIZE bytes, zeroed here): the netlink
** header and a REQLEN-byte family header, with room for EXTRA bytes of attributes. Returns
** the family header, or NULL when SIZE is too small.
*/
void *diagPutRequest(void *buf, size_t size, size_t reqlen, size_t extra, uint32_t seq);

/* Turns the request in BUF from a dump into an exact request, answered by one message and an
 * acknowledgement (which diagDump reads to its end as it reads a dump's NLMSG_DONE). */
void diagMakeExact(void *buf);

/* A socket cookie as sock_diag carries it: two u32 halves, the low one first. */
uint64_t diagCookie(const uint32_t half[2]);
void diagPutCookie(uint32_t half[2], uint64_t cookie);

/* The u32 ATTR into *FIELD, and FLAG into R's has; -EINVAL when ATTR is not 4 bytes long. */
int diagAttrU32(const struct nlattr *attr, uint32_t *field, unsigned flag, struct diag_row *r);

/* The SK_MEMINFO_* array of ATTR as the row's queues (netlink, packet). 0 or -EINVAL. */
int diagMeminfoQueues(const struct nlattr *attr, struct diag_row *r);

/* The payload of the message at BUF (LEN bytes) when it is at least HDRLEN long, or NULL. */
const void *diagPayload(const void *buf, size_t len, size_t hdrlen);

/*
** The `sockets` state word (docs/architecture.md, Vocabulary): TCP states as lsof spells them,
** IDLE for a connectionless or unix socket that is not connected. FAMILY/PROTOCOL as in a row.
*/
const char *diagStateName(int family, int protocol, int state);

/*
** The state the kernel reports for a socket that its state filter selects by bit STATE:
** request sockets (TCP_NEW_SYN_RECV) are reported as TCP_SYN_RECV; all others as selected.
*/
int diagReportedState(int state);

/* The protocol word: tcp udp ... / stream dgram seqpacket / route ... / ip all 0x88cc.
 * Writes into BUF (at least 16 bytes) when the word is not a constant. */
const char *diagProtocolName(int family, int protocol, char *buf, size_t size);

#endif
