/* Test frame builder: push headers top-down into a caller buffer.
 *
 * Each push fills in the previous header's "next protocol" field (the
 * ethertype, the IPv4 protocol or the IPv6 next header), and pkt_finish()
 * writes lengths and checksums once the payload is known, so a frame reads
 * like its layout:
 *
 *	uint8_t buf[PKT_MAX];
 *	struct pkt p;
 *
 *	pkt_init(&p, buf, sizeof(buf));
 *	pkt_eth(&p, NULL, NULL);
 *	pkt_ip4(&p, NULL);                 NULL: default addresses
 *	pkt_udp(&p, 5353, 53);
 *	pkt_fill(&p, 0xab, 32);
 *	pkt_finish(&p);                    lengths, checksums
 *	pkt_truncate(&p, 30);              optional: cut (finishes first)
 *
 * Every push returns the offset of what it wrote, so a test can corrupt a
 * field afterwards (p.buf[off + 1] = 0xff). Pushes never write past the
 * buffer: the first problem is kept in p.error and later pushes do nothing.
 * Numbers are host order; addresses are strings. */
#ifndef SLUICE_TEST_PKT_H
#define SLUICE_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 2048 /* a comfortable buffer for any fixture frame */
#define PKT_MAX_LAYERS 8

#define PKT_ETH_HLEN 14
#define PKT_ETH_P_IP 0x0800
#define PKT_ETH_P_ARP 0x0806
#define PKT_ETH_P_IPV6 0x86DD
#define PKT_ETH_P_8021Q 0x8100
#define PKT_ETH_P_8021AD 0x88A8

#define PKT_IP4_DF 0x4000
#define PKT_IP4_MF 0x2000

/* IP protocol / IPv6 next header numbers */
enum {
	PKT_NH_HOP = 0, PKT_NH_ICMP = 1, PKT_NH_IGMP = 2, PKT_NH_IPIP = 4, PKT_NH_TCP = 6,
	PKT_NH_UDP = 17, PKT_NH_IPV6 = 41, PKT_NH_ROUTING = 43, PKT_NH_FRAGMENT = 44,
	PKT_NH_AUTH = 51, PKT_NH_ICMPV6 = 58, PKT_NH_NONE = 59, PKT_NH_DEST = 60,
};

enum pkt_kind {
	PKT_K_IP4 = 1, PKT_K_IP6, PKT_K_UDP, PKT_K_TCP, PKT_K_ICMP, PKT_K_ICMP6, PKT_K_IGMP,
};

enum pkt_next { PKT_NEXT_NONE, PKT_NEXT_ETHERTYPE, PKT_NEXT_IPPROTO };

struct pkt {
	uint8_t *buf;
	size_t cap, len;
	const char *error;    /* first problem, NULL while the frame is sound */
	bool finished;
	uint8_t next_kind;    /* enum pkt_next: the field the next push fills */
	size_t next_off;
	unsigned n_layers;    /* headers pkt_finish() completes */
	struct pkt_layer {
		uint8_t kind;     /* enum pkt_kind */
		bool keep_len;    /* the length field was set by the test */
		uint16_t off, hlen;
	} layer[PKT_MAX_LAYERS];
};

/* IPv4 header. Zero fields take defaults; the last group exists to build
 * malformed headers. */
struct pkt_ip4 {
	const char *src, *dst;     /* default 192.0.2.1 -> 198.51.100.2 */
	uint8_t tos, ttl;          /* ttl 0 = 64 */
	uint8_t proto;             /* for a payload no later push describes */
	uint16_t id;
	uint16_t flags;            /* PKT_IP4_DF | PKT_IP4_MF */
	uint16_t frag;             /* fragment offset in 8-byte units */
	const void *opts;          /* options, padded with EOL to 4 bytes */
	uint8_t opts_len;
	uint8_t ver_ihl;           /* first byte; 0 = version 4, the real IHL */
	uint16_t tot_len;          /* 0 = the real length */
};

struct pkt_ip6 {
	const char *src, *dst;     /* default 2001:db8::1 -> 2001:db8::2 */
	uint8_t tclass, hlim;      /* hlim 0 = 64 */
	uint32_t flow;
	uint8_t nexthdr;           /* for a payload no later push describes */
	uint8_t version;           /* 0 = 6 */
	uint16_t plen;             /* 0 = the real payload length */
};

void pkt_init(struct pkt *p, uint8_t *buf, size_t cap);
bool pkt_ok(const struct pkt *p);
void pkt_fail(struct pkt *p, const char *why); /* keep the first problem */

/* L2. NULL MACs take defaults. */
size_t pkt_eth(struct pkt *p, const uint8_t dst[6], const uint8_t src[6]);
size_t pkt_vlan(struct pkt *p, uint16_t tpid, uint16_t tci);
size_t pkt_arp(struct pkt *p, uint16_t op, const char *sender_ip, const char *target_ip);

/* L3 and IPv6 extension headers. Options headers take their size in bytes
 * (a multiple of 8); AH is 12 bytes plus the ICV (keep it a multiple of 8
 * for well-formed IPv6). */
size_t pkt_ip4(struct pkt *p, const struct pkt_ip4 *o);
size_t pkt_ip6(struct pkt *p, const struct pkt_ip6 *o);
size_t pkt_ip6_opts(struct pkt *p, uint8_t type, size_t size); /* PKT_NH_HOP or PKT_NH_DEST */
size_t pkt_ip6_rh(struct pkt *p, uint8_t type, unsigned naddrs);
size_t pkt_ip6_frag(struct pkt *p, uint16_t offset8, bool more, uint32_t id);
size_t pkt_ip6_ah(struct pkt *p, size_t icv_len);

/* L4 */
size_t pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport);
size_t pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags);
size_t pkt_icmp(struct pkt *p, uint8_t type, uint8_t code);
size_t pkt_icmp6(struct pkt *p, uint8_t type, uint8_t code);
size_t pkt_igmp(struct pkt *p, uint8_t type, uint8_t max_resp, const char *group);

/* payload, raw fields */
/* One header per letter, so fixture tables can spell frames ("HDFAu"):
 *   H hop-by-hop (8)  D destination options (8)  R routing (24)
 *   F fragment, offset 0, more  f fragment, offset 800  o fragment, offset 8
 *   A AH (16)  n no next header
 *   u UDP 5353->53  t TCP 40000->443 SYN  s SCTP 2905->2906 (common header)
 *   i ICMP echo request  6 ICMPv6 echo request  g IGMPv2 report for 239.1.1.1
 * An unknown letter marks the frame failed and returns false. */
bool pkt_push_letter(struct pkt *p, char c);

size_t pkt_bytes(struct pkt *p, const void *data, size_t n);
size_t pkt_fill(struct pkt *p, uint8_t byte, size_t n);
void pkt_set_next(struct pkt *p, uint16_t value); /* fill the pending next-protocol field */

/* Write lengths and checksums, innermost header first. Idempotent. */
void pkt_finish(struct pkt *p);
/* Finish, then cut the frame to at most len bytes (headers keep claiming
 * the full length, as in a real truncated capture). */
void pkt_truncate(struct pkt *p, size_t len);

/* RFC 1071 one's-complement sum: add chunks (only the last may be odd),
 * then fold; the checksum field holds the inverted fold */
uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t n);
uint16_t pkt_csum_fold(uint32_t sum);

/* A builder (an fx_case's) run into buf: the frame's length, 0 on failure. */
size_t pkt_build(void (*build)(struct pkt *p, const void *arg), const void *arg, uint8_t *buf, size_t cap);

/* Words of the fixtures' frame languages (sets_fx.c, mcast_fx.c). */
/* "aa:bb:cc:dd:ee:ff" */
bool pkt_word_mac(const char *s, uint8_t mac[6]);
/* "A>B" into a and b (each of `size` bytes) */
bool pkt_word_pair(const char *s, char *a, char *b, size_t size);

#endif
