/* SCTP frames for fixtures (sctp_fx.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "sctp_fx.h"
#include "sluice/sctp.h"

static void put16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b + 2, v);
}

/* an IPv4 (type 5) or IPv6 (type 6) address parameter into b; its length */
static size_t addr_param(const char *text, uint8_t *b)
{
	if (inet_pton(AF_INET, text, b + 4) == 1) {
		put16(b, SL_SCTP_P_IPV4);
		put16(b + 2, 8);
		return 8;
	}
	if (inet_pton(AF_INET6, text, b + 4) == 1) {
		put16(b, SL_SCTP_P_IPV6);
		put16(b + 2, 20);
		return 20;
	}
	return 0;
}

/* the address words of a chunk into its body at b; bytes written */
static size_t addr_words(struct pkt *p, const struct sctpfx_chunk *c, uint8_t *b, size_t room)
{
	char words[512];
	size_t n = 0;

	if (!c->addrs)
		return 0;
	snprintf(words, sizeof(words), "%s", c->addrs);
	for (char *save, *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		size_t len;

		if (room - n < 28) {
			pkt_fail(p, "sctpfx: too many addresses");
			return n;
		}
		if (c->type == SL_SCTP_ASCONF && (*w == '+' || *w == '-')) {
			/* add/delete IP: type, length, correlation id, address parameter */
			len = addr_param(w + 1, b + n + 8);
			put16(b + n, *w == '+' ? SL_SCTP_P_ADD_IP : SL_SCTP_P_DEL_IP);
			put16(b + n + 2, (uint32_t)(8 + len));
			put32(b + n + 4, 1);
			len += 8;
		} else {
			len = addr_param(w, b + n);
		}
		if (len < 8) {
			pkt_fail(p, "sctpfx: not an address");
			return n;
		}
		n += len;
	}
	return n;
}

static void chunk(struct pkt *p, const struct sctpfx_chunk *c)
{
	static uint8_t b[8192]; /* INITs with hundreds of addresses */
	size_t n = 4;

	if (c->raw_len > sizeof(b) - 600) {
		pkt_fail(p, "sctpfx: raw bytes too long");
		return;
	}
	memset(b, 0, sizeof(b));
	b[0] = c->type;
	b[1] = c->flags;
	if (c->type == SL_SCTP_INIT || c->type == SL_SCTP_INIT_ACK) {
		put32(b + 4, c->tag);
		put32(b + 8, 65536);            /* a_rwnd */
		put16(b + 12, 10);              /* outbound streams */
		put16(b + 14, 10);              /* inbound streams */
		put32(b + 16, 1);               /* initial TSN */
		n = 20;
	} else if (c->type == SL_SCTP_ASCONF) {
		put32(b + 4, 1);                /* serial number */
		n = 8;
	} else if (c->type == SL_SCTP_DATA) {
		put32(b + 4, 1);                /* TSN, stream, ssn, ppid */
		n = 16 + c->data_len;
	}
	n += addr_words(p, c, b + n, sizeof(b) - n - c->raw_len - 4);
	if (c->raw_len) {
		memcpy(b + n, c->raw, c->raw_len);
		n += c->raw_len;
	}
	put16(b + 2, c->len_zero ? 0 : c->len ? c->len : (uint32_t)n);
	pkt_bytes(p, b, (n + 3) & ~(size_t)3);
}

void sctpfx_build(struct pkt *p, const void *arg)
{
	const struct sctpfx_frame *f = arg;
	uint8_t common[12] = { 0 };
	int n = f->nchunks ? f->nchunks : 1;

	pkt_eth(p, NULL, NULL);
	if (strchr(f->src, ':'))
		pkt_ip6(p, &(struct pkt_ip6){ .src = f->src, .dst = f->dst });
	else
		pkt_ip4(p, &(struct pkt_ip4){ .src = f->src, .dst = f->dst });
	pkt_set_next(p, IPPROTO_SCTP);
	put16(common, f->sport);
	put16(common + 2, f->dport);
	put32(common + 4, f->vtag);
	pkt_bytes(p, common, sizeof(common));
	for (int i = 0; i < n && i < SCTPFX_CHUNKS && f->chunk[i].type != 0xff; i++)
		chunk(p, &f->chunk[i]);
	if (f->tail_len)
		pkt_bytes(p, f->tail, f->tail_len);
	pkt_finish(p);
	if (f->pad_len && f->pad_len <= p->cap - p->len) {
		/* after the lengths were written: padding, not payload */
		if (f->pad)
			memcpy(p->buf + p->len, f->pad, f->pad_len);
		else
			memset(p->buf + p->len, 0, f->pad_len);
		p->len += f->pad_len;
	}
	if (f->cut)
		pkt_truncate(p, f->cut);
}
