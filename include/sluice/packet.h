/* The result of the shared packet parser (bpf/lib/parse.h), as XDP and tc
 * programs and the fixture tests see it. */
#ifndef SLUICE_PACKET_H
#define SLUICE_PACKET_H

#include "sluice/types.h"

enum sl_parse_status {
	SL_PARSE_OK = 0,          /* L3 parsed; L4 too unless a later fragment */
	SL_PARSE_NOT_IP = 1,      /* a well-formed frame of another ethertype */
	SL_PARSE_TRUNCATED = 2,   /* a header runs past the end of the frame */
	SL_PARSE_MALFORMED = 3,   /* bad version, IHL, too many tags or headers */
};

enum sl_frag {
	SL_FRAG_NONE = 0,
	SL_FRAG_FIRST = 1,        /* offset 0, more to come: has the L4 header */
	SL_FRAG_LATER = 2,        /* offset > 0: no L4 header, no ports */
};

#define SL_PARSE_MAX_VLANS   2  /* 802.1AD + 802.1Q (QinQ) */
#define SL_PARSE_MAX_IP6_EXT 6

struct sl_pkt {
	__u8  status;             /* enum sl_parse_status */
	__u8  family;             /* 4 or 6; 0 when not IP */
	__u8  l4_proto;           /* IPPROTO_* after IPv6 extension headers */
	__u8  frag;               /* enum sl_frag */
	__u8  nvlan;
	__u8  has_ports;          /* sport/dport hold TCP, UDP or SCTP ports */
	__u8  icmp_type, icmp_code; /* ICMP and ICMPv6 */
	__u16 vlan_id[SL_PARSE_MAX_VLANS]; /* outer first, host order */
	__u16 sport, dport;       /* host order */
	__u16 l3_off, l4_off;     /* from the start of the frame */
	__u8  smac[6], dmac[6];
	__u8  saddr[16], daddr[16]; /* IPv4 in the first 4 bytes */
};
SL_STATIC_ASSERT(sizeof(struct sl_pkt) == 64, "sl_pkt layout");

#endif
