/* sockprotoname values to lsof's TYPE words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fd/fd_sockproto.h"
#include "testmain.h"

static void names(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"TCP", "IPv4"},        {"TCPv6", "IPv6"},    {"UDP", "IPv4"},
        {"UDPv6", "IPv6"},      {"UDP-Lite", "IPv4"}, {"UDPLITEv6", "IPv6"},
        {"RAW", "IPv4"},        {"RAWv6", "IPv6"},    {"PING", "IPv4"},
        {"PINGv6", "IPv6"},     {"SCTP", "IPv4"},     {"SCTPv6", "IPv6"},
        {"MPTCP", "IPv4"},      {"MPTCPv6", "IPv6"},  {"L2TP/IP", "IPv4"},
        {"L2TP/IPv6", "IPv6"},  {"UNIX", "unix"},     {"UNIX-STREAM", "unix"},
        {"NETLINK", "netlink"}, {"PACKET", "pack"},   {"AF_VSOCK", "sock"},
        {"TIPC", "sock"},       {"", "sock"},         {"v6", "sock"},
        {"FOOv6", "sock"},      {"tcp", "sock"},      {"UNIXX", "sock"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(fdSockprotoType(cases[i][0], strlen(cases[i][0])), cases[i][1]);
    /* getxattr may count the terminating NUL. */
    assert_string_equal(fdSockprotoType("TCPv6", 6), "IPv6");
}

TEST_MAIN("fd_sockproto", NULL, NULL,
          {
              cmocka_unit_test(names),
          })
