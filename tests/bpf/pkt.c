/* Frame builder core: the cursor, protocol chaining, and the lengths and
 * checksums pkt_finish() writes. Header layouts live in pkt_hdr.c. */
#include <stdio.h>
#include <string.h>

#include "pkt_impl.h"

void pkt_init(struct pkt *p, uint8_t *buf, size_t cap)
{
	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->cap = cap;
}

bool pkt_ok(const struct pkt *p)
{
	return !p->error;
}

void pkt_fail(struct pkt *p, const char *why)
{
	if (!p->error)
		p->error = why;
}

static void fill_next(struct pkt *p, int ethertype, int ipproto)
{
	uint8_t *f = p->buf + p->next_off;

	if (p->next_kind == PKT_NEXT_ETHERTYPE && ethertype != PKT_NONE)
		pkt_put16(f, (uint16_t)ethertype);
	else if (p->next_kind == PKT_NEXT_IPPROTO && ipproto != PKT_NONE)
		*f = (uint8_t)ipproto;
	/* a mismatch (UDP straight after Ethernet) leaves the field alone:
	 * odd frames are what some fixtures want */
	p->next_kind = PKT_NEXT_NONE;
}

uint8_t *pkt_begin(struct pkt *p, size_t n, int ethertype, int ipproto)
{
	uint8_t *h;

	if (p->finished)
		pkt_fail(p, "push after pkt_finish");
	else if (n > p->cap - p->len)
		pkt_fail(p, "frame does not fit the buffer");
	if (p->error)
		return NULL;
	fill_next(p, ethertype, ipproto);
	h = p->buf + p->len;
	memset(h, 0, n);
	p->len += n;
	return h;
}

void pkt_expect_next(struct pkt *p, enum pkt_next kind, size_t off)
{
	p->next_kind = kind;
	p->next_off = off;
}

void pkt_set_next(struct pkt *p, uint16_t value)
{
	if (p->next_kind == PKT_NEXT_NONE)
		pkt_fail(p, "pkt_set_next: no pending next-protocol field");
	else
		fill_next(p, value, value & 0xff);
}

void pkt_add_layer(struct pkt *p, enum pkt_kind kind, size_t off, size_t hlen, bool keep_len)
{
	if (p->n_layers == PKT_MAX_LAYERS) {
		pkt_fail(p, "too many headers to finish");
		return;
	}
	p->layer[p->n_layers++] = (struct pkt_layer){
		.kind = kind, .keep_len = keep_len, .off = (uint16_t)off, .hlen = (uint16_t)hlen,
	};
}

size_t pkt_bytes(struct pkt *p, const void *data, size_t n)
{
	size_t off = p->len;
	uint8_t *h = pkt_begin(p, n, PKT_NONE, PKT_NONE);

	if (h && n)
		memcpy(h, data, n);
	return off;
}

size_t pkt_fill(struct pkt *p, uint8_t byte, size_t n)
{
	size_t off = p->len;
	uint8_t *h = pkt_begin(p, n, PKT_NONE, PKT_NONE);

	if (h)
		memset(h, byte, n);
	return off;
}

uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t n)
{
	const uint8_t *b = data;

	for (; n > 1; n -= 2, b += 2)
		sum += pkt_get16(b);
	if (n)
		sum += (uint32_t)b[0] << 8;
	return sum;
}

uint16_t pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* the IP header carrying layer i: its addresses go into the pseudo header */
static const struct pkt_layer *ip_of(const struct pkt *p, unsigned i)
{
	while (i--)
		if (p->layer[i].kind == PKT_K_IP4 || p->layer[i].kind == PKT_K_IP6)
			return &p->layer[i];
	return NULL;
}

static uint32_t pseudo_sum(const struct pkt *p, const struct pkt_layer *ip, uint8_t proto, size_t len)
{
	uint8_t tail[4] = { 0, 0, 0, proto };
	const uint8_t *h;

	if (!ip)
		return 0;
	h = p->buf + ip->off;
	if (ip->kind == PKT_K_IP4)
		return pkt_csum_add(proto + (uint32_t)len, h + 12, 8);
	/* IPv6: the header's destination; a routing header's final
	 * destination is not looked up (no fixture needs it) */
	pkt_put16(tail, (uint16_t)(len >> 16)); /* upper-layer length, 32 bits */
	return pkt_csum_add(pkt_csum_add((uint32_t)(len & 0xffff), h + 8, 32), tail, 4);
}

static void finish_layer(struct pkt *p, unsigned i)
{
	const struct pkt_layer *l = &p->layer[i];
	uint8_t *h = p->buf + l->off;
	size_t len = p->len - l->off;
	uint32_t sum = 0;
	size_t at;

	switch (l->kind) {
	case PKT_K_IP4:
		if (!l->keep_len)
			pkt_put16(h + 2, (uint16_t)len);
		pkt_put16(h + 10, 0);
		pkt_put16(h + 10, (uint16_t)~pkt_csum_fold(pkt_csum_add(0, h, l->hlen)));
		return;
	case PKT_K_IP6:
		if (!l->keep_len)
			pkt_put16(h + 4, (uint16_t)(len - 40));
		return;
	case PKT_K_UDP:
		pkt_put16(h + 4, (uint16_t)len);
		sum = pseudo_sum(p, ip_of(p, i), PKT_NH_UDP, len);
		at = 6;
		break;
	case PKT_K_TCP:
		sum = pseudo_sum(p, ip_of(p, i), PKT_NH_TCP, len);
		at = 16;
		break;
	case PKT_K_ICMP6:
		sum = pseudo_sum(p, ip_of(p, i), PKT_NH_ICMPV6, len);
		at = 2;
		break;
	default: /* ICMP, IGMP: the message alone */
		at = 2;
		break;
	}
	pkt_put16(h + at, 0);
	sum = (uint16_t)~pkt_csum_fold(pkt_csum_add(sum, h, len));
	/* UDP sends a computed zero as all ones: zero means "no checksum" */
	pkt_put16(h + at, l->kind == PKT_K_UDP && sum == 0 ? 0xffff : (uint16_t)sum);
}

void pkt_finish(struct pkt *p)
{
	if (p->finished)
		return;
	p->finished = true;
	/* innermost first: an outer checksum covers the finished inner headers */
	for (unsigned i = p->n_layers; i-- > 0;)
		finish_layer(p, i);
}

void pkt_truncate(struct pkt *p, size_t len)
{
	pkt_finish(p);
	if (len < p->len)
		p->len = len;
}

bool pkt_push_letter(struct pkt *p, char c)
{
	static const uint8_t sctp_common[12] = { 0x0b, 0x59, 0x0b, 0x5a }; /* 2905 -> 2906 */

	switch (c) {
	case 'H': pkt_ip6_opts(p, PKT_NH_HOP, 8); break;
	case 'D': pkt_ip6_opts(p, PKT_NH_DEST, 8); break;
	case 'R': pkt_ip6_rh(p, 2, 1); break;
	case 'F': pkt_ip6_frag(p, 0, true, 7); break;
	case 'f': pkt_ip6_frag(p, 100, false, 7); break;
	case 'o': pkt_ip6_frag(p, 1, false, 7); break;
	case 'A': pkt_ip6_ah(p, 4); break;
	case 'n': pkt_set_next(p, PKT_NH_NONE); break;
	case 'u': pkt_udp(p, 5353, 53); break;
	case 't': pkt_tcp(p, 40000, 443, 0x02); break;
	case 's': /* no SCTP builder: its common header by hand */
		pkt_set_next(p, 132);
		pkt_bytes(p, sctp_common, sizeof(sctp_common));
		break;
	case 'i': pkt_icmp(p, 8, 0); break;
	case '6': pkt_icmp6(p, 128, 0); break;
	case 'g': pkt_igmp(p, 0x16, 0, "239.1.1.1"); break;
	default:
		pkt_fail(p, "unknown header letter");
		return false;
	}
	return true;
}

bool pkt_word_mac(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
		return false;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return false;
		mac[i] = (uint8_t)b[i];
	}
	return true;
}

bool pkt_word_pair(const char *s, char *a, char *b, size_t size)
{
	const char *gt = strchr(s, '>');

	if (!gt || (size_t)(gt - s) >= size || strlen(gt + 1) >= size)
		return false;
	memcpy(a, s, (size_t)(gt - s));
	a[gt - s] = 0;
	strcpy(b, gt + 1);
	return true;
}

size_t pkt_build(void (*build)(struct pkt *p, const void *arg), const void *arg, uint8_t *buf, size_t cap)
{
	struct pkt p;

	pkt_init(&p, buf, cap);
	build(&p, arg);
	pkt_finish(&p);
	return pkt_ok(&p) ? p.len : 0;
}
