/* Internals shared by the frame builder's core (pkt.c) and its header
 * pushes (pkt_hdr.c). Tests use pkt.h. */
#ifndef SLUICE_TEST_PKT_IMPL_H
#define SLUICE_TEST_PKT_IMPL_H

#include "pkt.h"

#define PKT_NONE (-1) /* "this header has no such protocol number" */

/* Append n zeroed bytes for a header whose number is `ethertype` after an
 * Ethernet/VLAN header or `ipproto` after an IP header (PKT_NONE: not
 * applicable), filling in the pending next-protocol field. NULL on error. */
uint8_t *pkt_begin(struct pkt *p, size_t n, int ethertype, int ipproto);
/* the field at `off` says what the next push is */
void pkt_expect_next(struct pkt *p, enum pkt_next kind, size_t off);
/* remember a header pkt_finish() must complete */
void pkt_add_layer(struct pkt *p, enum pkt_kind kind, size_t off, size_t hlen, bool keep_len);

static inline void pkt_put16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

static inline void pkt_put32(uint8_t *b, uint32_t v)
{
	pkt_put16(b, v >> 16);
	pkt_put16(b + 2, v & 0xffff);
}

static inline uint16_t pkt_get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

#endif
