/* Constants that vmlinux.h cannot carry (they are #defines in the kernel). */
#ifndef SLUICE_BPF_COMPAT_H
#define SLUICE_BPF_COMPAT_H

#define ETH_P_IP     0x0800
#define ETH_P_IPV6   0x86DD
#define ETH_P_8021Q  0x8100
#define ETH_P_8021AD 0x88A8

/* IPv6 extension headers (include/net/ipv6.h) */
#define NEXTHDR_HOP      0
#define NEXTHDR_ROUTING  43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH     51
#define NEXTHDR_DEST     60

#define IP_MF     0x2000
#define IP_OFFSET 0x1FFF

#define IPPROTO_ICMPV6 58

#define AF_INET  2
#define AF_INET6 10

#define SOL_TCP 6 /* bpf_setsockopt's level for TCP_BPF_IW (an enum in vmlinux.h) */
#define TCP_CONGESTION 13
#define TCPOLEN_TSTAMP_ALIGNED 12 /* the timestamp option as it takes from the MSS */

#define E2BIG  7
#define EEXIST 17

#endif
