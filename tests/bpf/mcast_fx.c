/* Fixtures for the bridge multicast programs: frames and map state from
 * words, every row run on a real port of a private network namespace and
 * checked against the whole of the maps afterwards (see mcast_fx.h). */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "sluice/mcast.h" /* before the skeleton, which uses its structs */
#include "fixture.h"
#include "mcast.skel.h"
#include "mcast_fx.h"
#include "pkt.h"

#define TCX_NEXT ((__u32)-1)
#define TCX_DROP 2

#define MAX_RECS 64  /* a 64-record report: tests/bench/mcast_cost.c */
#define MAX_ENTS 160 /* its 64 memberships and groups, and more */
#define INGRESS_IFINDEX 11 /* skb_iif in every row: not the port */

#define NS 1000000000ull
#define SOON_NS (NS / 2)
#define LIVE_NS (3600 * NS)

/* ---- frames ----------------------------------------------------------------- */

enum msg { M_NONE, M_UDP, M_IGMP, M_MLD, M_V3, M_MLD2, M_PIM, M_PROTO };

struct rec {
	unsigned type, nsrc, aux;
	char group[64];
};

struct frame {
	bool vlan, arp, ra, mf, has_dmac;
	uint8_t dmac[6];
	int family;
	char src[64], dst[64];
	char ext[16];
	uint16_t frag;
	enum msg msg;
	unsigned type;            /* IGMP/MLD type, PIM first byte, protocol */
	char group[64];
	struct rec rec[MAX_RECS];
	unsigned nrecs;
	long claim;               /* nrec=, -1: the records' count */
	size_t tail, pad, cut, trim;
	const char *error;
};

static bool num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	return !errno && end != s && !*end && *out <= max;
}

/* "T/GROUP" */
static bool type_group(const char *s, unsigned *type, char *group, size_t n)
{
	char buf[96], *slash;
	unsigned long t;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash || strlen(slash + 1) >= n)
		return false;
	*slash = 0;
	if (!num(buf, 255, &t))
		return false;
	*type = (unsigned)t;
	strcpy(group, slash + 1);
	return true;
}

/* "T/GROUP[/NSRC[/AUX]]" */
static bool parse_rec(const char *s, struct rec *r)
{
	char buf[96], *part[4] = { buf }, *save = NULL;
	unsigned long v;
	unsigned n = 0;

	memset(r, 0, sizeof(*r));
	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	for (char *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (n == 4)
			return false;
		part[n++] = t;
	}
	if (n < 2 || !num(part[0], 255, &v) || strlen(part[1]) >= sizeof(r->group))
		return false;
	r->type = (unsigned)v;
	strcpy(r->group, part[1]);
	if (n > 2) {
		if (!num(part[2], 65535, &v))
			return false;
		r->nsrc = (unsigned)v;
	}
	if (n > 3) {
		if (!num(part[3], 255, &v))
			return false;
		r->aux = (unsigned)v;
	}
	return true;
}

static void parse_frame(const char *spec, struct frame *f)
{
	char buf[2048], *save = NULL;
	unsigned long v;

	memset(f, 0, sizeof(*f));
	f->claim = -1;
	if (strlen(spec) >= sizeof(buf)) {
		f->error = "frame spec too long";
		return;
	}
	strcpy(buf, spec);
	for (char *w = strtok_r(buf, " ", &save); w && !f->error; w = strtok_r(NULL, " ", &save)) {
		if (!strcmp(w, "q")) {
			f->vlan = true;
		} else if (!strncmp(w, "dmac=", 5)) {
			f->has_dmac = pkt_word_mac(w + 5, f->dmac);
			if (!f->has_dmac)
				f->error = "bad dmac";
		} else if (!strcmp(w, "arp")) {
			f->arp = true;
		} else if (!strcmp(w, "4") || !strcmp(w, "6")) {
			f->family = w[0] - '0';
		} else if (strchr(w, '>') && f->family && !f->dst[0]) {
			if (!pkt_word_pair(w, f->src, f->dst, sizeof(f->src)))
				f->error = "bad address pair";
		} else if (!strcmp(w, "ra")) {
			f->ra = true;
		} else if (!strncmp(w, "ext=", 4)) {
			if (strlen(w + 4) >= sizeof(f->ext))
				f->error = "too many extension headers";
			else
				strcpy(f->ext, w + 4);
		} else if (!strcmp(w, "mf")) {
			f->mf = true;
		} else if (!strncmp(w, "off=", 4)) {
			if (!num(w + 4, 0x1fff, &v))
				f->error = "bad off=";
			f->frag = (uint16_t)v;
		} else if (!strcmp(w, "udp")) {
			f->msg = M_UDP;
		} else if (!strncmp(w, "igmp=", 5) || !strncmp(w, "mld=", 4)) {
			f->msg = w[0] == 'i' ? M_IGMP : M_MLD;
			if (!type_group(strchr(w, '=') + 1, &f->type, f->group, sizeof(f->group)))
				f->error = "bad igmp=/mld=";
		} else if (!strcmp(w, "v3") || !strcmp(w, "mld2")) {
			f->msg = w[0] == 'v' ? M_V3 : M_MLD2;
		} else if (!strncmp(w, "rec=", 4)) {
			if (f->nrecs == MAX_RECS || !parse_rec(w + 4, &f->rec[f->nrecs]))
				f->error = "bad rec= (or too many)";
			f->nrecs++;
		} else if (!strncmp(w, "nrec=", 5)) {
			if (!num(w + 5, 65535, &v))
				f->error = "bad nrec=";
			f->claim = (long)v;
		} else if (!strncmp(w, "pim=", 4) || !strncmp(w, "proto=", 6)) {
			f->msg = w[1] == 'i' ? M_PIM : M_PROTO;
			if (!num(strchr(w, '=') + 1, 255, &v))
				f->error = "bad pim=/proto=";
			f->type = (unsigned)v;
		} else if (!strncmp(w, "tail=", 5) || !strncmp(w, "pad=", 4) || !strncmp(w, "cut=", 4) ||
			   !strncmp(w, "trim=", 5)) {
			size_t *to = w[0] == 't' ? (w[1] == 'a' ? &f->tail : &f->trim) : w[0] == 'p' ? &f->pad : &f->cut;

			if (!num(strchr(w, '=') + 1, PKT_MAX, &v))
				f->error = "bad length";
			*to = v;
		} else {
			f->error = "unknown word";
		}
	}
	if (!f->error && !f->family && !f->arp)
		f->error = "no 4, 6 or arp";
	if (!f->error && f->family && !f->dst[0])
		f->error = "no SRC>DST";
}

static void put16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* Sources, aux data and Ethernet trailers: bytes that read as records
 * joining 233.9.9.9 (IGMPv3, 8 bytes) or ff0e::99 (MLDv2, 20 bytes) from
 * wherever a wrong walk might start on a 4-byte boundary of them. */
static void decoy_bytes(uint8_t *b, size_t n, int family)
{
	static const uint8_t v4[8] = { 4, 0, 0, 0, 233, 9, 9, 9 };
	static const uint8_t v6[20] = { 4, 0, 0, 0, 0xff, 0x0e, [19] = 0x99 };

	for (size_t i = 0; i < n; i++)
		b[i] = family == 4 ? v4[i % 8] : v6[i % 20];
}

static void push_rec(struct pkt *p, int family, const struct rec *r)
{
	uint8_t h[20] = { (uint8_t)r->type, (uint8_t)r->aux, (uint8_t)(r->nsrc >> 8), (uint8_t)r->nsrc };
	size_t alen = family == 4 ? 4 : 16, hlen = family == 4 ? 8 : 20;
	size_t body = (size_t)r->nsrc * alen + (size_t)r->aux * 4, off;

	if (inet_pton(family == 4 ? AF_INET : AF_INET6, r->group, h + 4) != 1) {
		pkt_fail(p, "bad record group");
		return;
	}
	pkt_bytes(p, h, hlen);
	off = pkt_fill(p, 0, body);
	if (pkt_ok(p))
		decoy_bytes(p->buf + off, body, family);
}

static void ip_mcast_mac(int family, const uint8_t *addr, uint8_t mac[6])
{
	if (family == 4) {
		const uint8_t m[6] = { 0x01, 0x00, 0x5e, addr[1] & 0x7f, addr[2], addr[3] };

		memcpy(mac, m, 6);
	} else {
		const uint8_t m[6] = { 0x33, 0x33, addr[12], addr[13], addr[14], addr[15] };

		memcpy(mac, m, 6);
	}
}

static void build_frame(struct pkt *p, const struct frame *f)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t ra4[4] = { 0x94, 0x04, 0x00, 0x00 };
	uint8_t dst[16] = { 0 }, mac[6];
	const uint8_t *dmac = NULL;
	size_t ip_off, msg_off = 0;

	if (f->family && inet_pton(f->family == 4 ? AF_INET : AF_INET6, f->dst, dst) != 1) {
		pkt_fail(p, "bad destination address");
		return;
	}
	if (f->has_dmac) {
		dmac = f->dmac;
	} else if (f->arp) {
		dmac = bcast;
	} else if (f->family == 4 ? (dst[0] & 0xf0) == 0xe0 : dst[0] == 0xff) {
		ip_mcast_mac(f->family, dst, mac);
		dmac = mac;
	}
	pkt_eth(p, dmac, NULL);
	if (f->vlan)
		pkt_vlan(p, PKT_ETH_P_8021Q, 100);
	if (f->arp) {
		pkt_arp(p, 1, NULL, NULL);
		pkt_finish(p);
		return;
	}
	ip_off = p->len;
	if (f->family == 4) {
		pkt_ip4(p, &(struct pkt_ip4){
			.src = f->src, .dst = f->dst, .ttl = 1,
			.flags = f->mf ? PKT_IP4_MF : 0, .frag = f->frag,
			.opts = f->ra ? ra4 : NULL, .opts_len = f->ra ? sizeof(ra4) : 0,
		});
	} else {
		pkt_ip6(p, &(struct pkt_ip6){ .src = f->src, .dst = f->dst, .hlim = 1 });
		if (f->ra) {
			size_t off = pkt_ip6_opts(p, PKT_NH_HOP, 8);

			if (pkt_ok(p)) { /* router alert (5), 2 bytes, value 0: MLD; PadN */
				static const uint8_t ra6[6] = { 5, 2, 0, 0, 1, 0 };

				memcpy(p->buf + off + 2, ra6, sizeof(ra6));
			}
		}
	}
	for (const char *e = f->ext; *e; e++)
		if (!pkt_push_letter(p, *e))
			return;
	switch (f->msg) {
	case M_UDP:
		pkt_udp(p, 5000, 5000);
		pkt_fill(p, 0xab, 16);
		break;
	case M_IGMP:
		pkt_igmp(p, (uint8_t)f->type, 0, f->group);
		break;
	case M_MLD: {
		uint8_t g[16];

		if (inet_pton(AF_INET6, f->group, g) != 1) {
			pkt_fail(p, "bad MLD group");
			return;
		}
		pkt_icmp6(p, (uint8_t)f->type, 0);
		pkt_bytes(p, g, sizeof(g));
		break;
	}
	case M_V3:
	case M_MLD2:
		msg_off = f->msg == M_V3 ? pkt_igmp(p, 0x22, 0, "0.0.0.0") : pkt_icmp6(p, 143, 0);
		for (unsigned i = 0; i < f->nrecs; i++)
			push_rec(p, f->family, &f->rec[i]);
		if (pkt_ok(p))
			put16(p->buf + msg_off + 6, f->claim >= 0 ? (unsigned)f->claim : f->nrecs);
		break;
	case M_PIM:
		pkt_set_next(p, 103);
		pkt_bytes(p, (uint8_t[4]){ (uint8_t)f->type }, 4);
		break;
	case M_PROTO:
		pkt_set_next(p, (uint16_t)f->type);
		pkt_fill(p, 0xab, 16);
		break;
	case M_NONE:
		break;
	}
	if (f->tail)
		pkt_fill(p, 0xee, f->tail);
	pkt_finish(p);
	if (!pkt_ok(p))
		return;
	if (f->trim) {
		uint8_t *ip = p->buf + ip_off;

		if (f->trim > p->len || f->trim < ip_off + (f->family == 4 ? 20 : 40)) {
			pkt_fail(p, "trim= outside the datagram");
			return;
		}
		p->len = f->trim;
		if (f->family == 4) {
			size_t ihl = (size_t)(ip[0] & 0x0f) * 4;

			put16(ip + 2, (unsigned)(f->trim - ip_off));
			put16(ip + 10, 0);
			put16(ip + 10, (uint16_t)~pkt_csum_fold(pkt_csum_add(0, ip, ihl)));
		} else {
			put16(ip + 4, (unsigned)(f->trim - ip_off - 40));
		}
	}
	if (f->pad) {
		if (f->pad > p->cap - p->len) {
			pkt_fail(p, "pad= does not fit");
			return;
		}
		decoy_bytes(p->buf + p->len, f->pad, f->family);
		p->len += f->pad;
	}
	if (f->cut && f->cut < p->len)
		p->len = f->cut;
}

static void build_row(struct pkt *p, const void *arg)
{
	const struct mfx_row *r = arg;
	struct frame f;

	parse_frame(r->frame, &f);
	if (f.error) {
		pkt_fail(p, f.error);
		return;
	}
	build_frame(p, &f);
}

size_t mfx_frame(const char *words, __u8 *buf, size_t cap)
{
	const struct mfx_row r = { .frame = words };

	return pkt_build(build_row, &r, buf, cap);
}

/* ---- map entries ---------------------------------------------------------------- */

enum tsym { TS_ZERO, TS_EXPIRED, TS_SOON, TS_LIVE, TS_JOIN, TS_LEAVE, TS_ROUTER };

struct ent {
	char kind;                 /* m g p b */
	__u32 bridge, port;
	int gen;                   /* g: its generation; -1: 0 before, unchecked after */
	__u32 learned, changes;    /* b: the bridge's sl_mc_gen */
	__u8 family;
	__u8 group[16];
	enum tsym t;
	int version;               /* -1: unchecked */
	__u8 router, flood;
	bool seen;
};

struct mfx {
	struct mcast_bpf *skel;
	int ncpu;
	const struct mfx_row *cur;
	__u64 t_setup;             /* before the row's entries were written */
	struct ent before[MAX_ENTS], after[MAX_ENTS];
	size_t nbefore, nafter;
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns()'s clock */
	return (__u64)ts.tv_sec * NS + (__u64)ts.tv_nsec;
}

static bool parse_time(const char *s, bool after, enum tsym *t)
{
	static const char *const names[] = { "0", "expired", "soon", "live", "join", "leave", "router" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]) && (after || i < TS_JOIN)) {
			*t = (enum tsym)i;
			return true;
		}
	return false;
}

static bool parse_version(const char *s, int *v)
{
	if (s[0] == 'v' && s[1] >= '1' && s[1] <= '3' && !s[2])
		*v = s[1] - '0';
	else if (s[0] == 'm' && s[1] >= '1' && s[1] <= '2' && !s[2])
		*v = 0x10 + s[1] - '0';
	else
		return false;
	return true;
}

/* "m7@0" / "g" / "p9": kind, port, bridge */
static bool parse_head(const char *s, struct ent *e)
{
	unsigned long v;
	char buf[32], *at;

	if (strlen(s) >= sizeof(buf) || !s[0] || !strchr("mgpb", s[0]))
		return false;
	strcpy(buf, s + 1);
	e->kind = s[0];
	e->bridge = MFX_BRIDGE;
	at = strchr(buf, '@');
	if (at) {
		*at = 0;
		if (!num(at + 1, 0xffffffff, &v))
			return false;
		e->bridge = (__u32)v;
	}
	if (e->kind == 'g' || e->kind == 'b')
		return !buf[0];
	if (!num(buf, 0xffffffff, &v))
		return false;
	e->port = (__u32)v;
	return true;
}

/* one entry: "m7 239.1.1.1 live v2", "g ff0e::1 join", "p7 auto router flood" */
static const char *parse_ent(char *s, bool after, struct ent *e)
{
	char *tok[6], *save = NULL;
	unsigned n = 0;

	memset(e, 0, sizeof(*e));
	e->version = -1;
	e->gen = -1;
	for (char *t = strtok_r(s, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == 6)
			return "too many words";
		tok[n++] = t;
	}
	if (!n || !parse_head(tok[0], e))
		return "bad head (mP[@B], g[@B], pP[@B], b)";
	if (e->kind == 'b') {
		unsigned long l, c;

		if (n != 3 || !num(tok[1], 0xffffffff, &l) || !num(tok[2], 0xffffffff, &c))
			return "bridge generations: b LEARNED CHANGES";
		e->learned = (__u32)l;
		e->changes = (__u32)c;
		return NULL;
	}
	if (e->kind == 'p') {
		if (n < 2)
			return "port: no mode";
		if (!strcmp(tok[1], "auto"))
			e->router = SL_MC_ROUTER_AUTO;
		else if (!strcmp(tok[1], "on"))
			e->router = SL_MC_ROUTER_ON;
		else if (!strcmp(tok[1], "off"))
			e->router = SL_MC_ROUTER_OFF;
		else
			return "port: mode not auto/on/off";
		for (unsigned i = 2; i < n; i++) {
			if (!strcmp(tok[i], "flood"))
				e->flood = 1;
			else if (!parse_time(tok[i], after, &e->t))
				return "port: bad time";
		}
		return NULL;
	}
	if (n < 3)
		return "group and time wanted";
	if (inet_pton(AF_INET, tok[1], e->group) == 1)
		e->family = 4;
	else if (inet_pton(AF_INET6, tok[1], e->group) == 1)
		e->family = 6;
	else
		return "bad group";
	if (!parse_time(tok[2], after, &e->t))
		return "bad time";
	if (e->kind == 'm') {
		if (n > 3 && !parse_version(tok[3], &e->version))
			return "bad version";
		if (n <= 3 && !after)
			e->version = e->family == 4 ? 2 : 0x11;
		if (n > 4)
			return "too many words";
	} else if (n > 3) {
		unsigned long g;

		if (n > 4 || strncmp(tok[3], "gen", 3) || !num(tok[3] + 3, 0xffffffff, &g))
			return "group: GROUP TIME [genN]";
		e->gen = (int)g;
	}
	return NULL;
}

static size_t parse_ents(const char *spec, bool after, struct ent *out, const char **err)
{
	char buf[8192], *save = NULL;
	size_t n = 0;

	*err = NULL;
	if (!spec)
		return 0;
	if (strlen(spec) >= sizeof(buf)) {
		*err = "entries too long";
		return 0;
	}
	strcpy(buf, spec);
	for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		if (n == MAX_ENTS) {
			*err = "too many entries";
			return n;
		}
		*err = parse_ent(s, after, &out[n]);
		if (*err)
			return n;
		n++;
	}
	return n;
}

static __u64 time_value(const struct mfx *f, enum tsym t)
{
	switch (t) {
	case TS_ZERO: return 0;
	case TS_EXPIRED: return 1;
	case TS_SOON: return f->t_setup + SOON_NS;
	case TS_LIVE: return f->t_setup + LIVE_NS;
	default: return 0; /* after only */
	}
}

/* whether v is what t promises, the run having ended by t1 */
static bool time_ok(const struct mfx *f, enum tsym t, __u64 v, __u64 t1)
{
	__u64 d;

	switch (t) {
	case TS_JOIN: d = MFX_MEMBERSHIP_NS; break;
	case TS_LEAVE: d = MFX_LEAVE_NS; break;
	case TS_ROUTER: d = MFX_ROUTER_NS; break;
	default: return v == time_value(f, t);
	}
	return v >= f->t_setup + d && v <= t1 + d;
}

static const char *time_desc(const struct mfx *f, __u64 v, char *buf, size_t n)
{
	long long rel = (long long)(v - f->t_setup);

	if (v <= 1)
		snprintf(buf, n, "%llu", (unsigned long long)v);
	else
		snprintf(buf, n, "setup%+.3fs", (double)rel / 1e9);
	return buf;
}

static const char *group_str(__u8 family, const __u8 *g, char *buf)
{
	inet_ntop(family == 4 ? AF_INET : AF_INET6, g, buf, INET6_ADDRSTRLEN);
	return buf;
}

static void member_key(const struct ent *e, struct sl_mc_member_key *k)
{
	memset(k, 0, sizeof(*k));
	k->bridge = e->bridge;
	k->ifindex = e->port;
	k->family = e->family;
	memcpy(k->group, e->group, 16);
}

static void group_key(const struct ent *e, struct sl_mc_group_key *k)
{
	memset(k, 0, sizeof(*k));
	k->bridge = e->bridge;
	k->family = e->family;
	memcpy(k->group, e->group, 16);
}

static void clear_map(struct bpf_map *m)
{
	__u8 key[64];

	cr_assert_leq(bpf_map__key_size(m), sizeof(key));
	while (!bpf_map__get_next_key(m, NULL, key, bpf_map__key_size(m)))
		cr_assert_eq(bpf_map__delete_elem(m, key, bpf_map__key_size(m), 0), 0, "clear %s: %s",
			     bpf_map__name(m), strerror(errno));
}

static void write_ent(struct mfx *f, const struct ent *e)
{
	struct mcast_bpf *s = f->skel;
	int err = 0;

	if (e->kind == 'm') {
		struct sl_mc_member_key k;
		struct sl_mc_member v = { .expires_ns = time_value(f, e->t), .version = (__u8)e->version };

		member_key(e, &k);
		err = bpf_map__update_elem(s->maps.SL_MC_MEMBER_MAP, &k, sizeof(k), &v, sizeof(v), BPF_NOEXIST);
	} else if (e->kind == 'g') {
		struct sl_mc_group_key k;
		struct sl_mc_group v = { .expires_ns = time_value(f, e->t), .gen = e->gen < 0 ? 0 : (__u32)e->gen };

		group_key(e, &k);
		err = bpf_map__update_elem(s->maps.SL_MC_GROUP_MAP, &k, sizeof(k), &v, sizeof(v), BPF_NOEXIST);
	} else if (e->kind == 'b') {
		__u32 k = MFX_BRIDGE;
		struct sl_mc_gen v = { .learned = e->learned, .changes = e->changes };

		err = bpf_map__update_elem(s->maps.SL_MC_GEN_MAP, &k, sizeof(k), &v, sizeof(v), BPF_ANY);
	} else {
		struct sl_mc_port_key k = { .bridge = e->bridge, .ifindex = e->port };
		struct sl_mc_port v = { .router_until_ns = time_value(f, e->t), .router = e->router, .flood = e->flood };

		err = bpf_map__update_elem(s->maps.SL_MC_PORT_MAP, &k, sizeof(k), &v, sizeof(v), BPF_NOEXIST);
	}
	cr_assert_eq(err, 0, "%s: writing a '%c' entry: %s", f->cur->desc, e->kind, strerror(errno));
}

/* before each row: empty maps, then the row's entries */
static void reset(void *ctx)
{
	struct mfx *f = ctx;
	struct mcast_bpf *s = f->skel;

	clear_map(s->maps.SL_MC_MEMBER_MAP);
	clear_map(s->maps.SL_MC_GROUP_MAP);
	clear_map(s->maps.SL_MC_PORT_MAP);
	clear_map(s->maps.SL_MC_STATS_MAP);
	clear_map(s->maps.SL_MC_GSTAT_MAP);
	for (__u32 b = 0; b < SL_MC_BRIDGES; b++) {
		struct sl_mc_gen zero = { 0 };

		cr_assert_eq(bpf_map__update_elem(s->maps.SL_MC_GEN_MAP, &b, sizeof(b), &zero, sizeof(zero), 0), 0);
	}
	f->t_setup = now_ns();
	for (size_t i = 0; i < f->nbefore; i++)
		write_ent(f, &f->before[i]);
}

static struct ent *find_ent(struct mfx *f, char kind, __u32 bridge, __u32 port, __u8 family, const __u8 *group)
{
	for (size_t i = 0; i < f->nafter; i++) {
		struct ent *e = &f->after[i];

		if (e->kind == kind && e->bridge == bridge && (kind == 'g' || e->port == port) &&
		    (kind == 'p' || (e->family == family && !memcmp(e->group, group, 16))))
			return e;
	}
	return NULL;
}

static bool check_members(struct mfx *f, __u64 t1, struct fx_why *why)
{
	struct bpf_map *m = f->skel->maps.SL_MC_MEMBER_MAP;
	struct sl_mc_member_key k, next;
	struct sl_mc_member v;
	char g[INET6_ADDRSTRLEN], t[32];
	void *prev = NULL;

	while (!bpf_map__get_next_key(m, prev, &next, sizeof(next))) {
		struct ent *e;

		k = next;
		prev = &k;
		cr_assert_eq(bpf_map__lookup_elem(m, &k, sizeof(k), &v, sizeof(v), 0), 0);
		e = find_ent(f, 'm', k.bridge, k.ifindex, k.family, k.group);
		if (!e || e->seen)
			return fx_fail(why, "unexpected member: port %u@%u %s (%s, version %#x)", k.ifindex, k.bridge,
				       group_str(k.family, k.group, g), time_desc(f, v.expires_ns, t, sizeof(t)),
				       v.version);
		e->seen = true;
		if (!time_ok(f, e->t, v.expires_ns, t1))
			return fx_fail(why, "member port %u %s expires %s", k.ifindex, group_str(k.family, k.group, g),
				       time_desc(f, v.expires_ns, t, sizeof(t)));
		if (e->version >= 0 && v.version != e->version)
			return fx_fail(why, "member port %u %s: version %#x, want %#x", k.ifindex,
				       group_str(k.family, k.group, g), v.version, (unsigned)e->version);
		if (k.pad[0] || k.pad[1] || k.pad[2])
			return fx_fail(why, "member key with non-zero padding");
	}
	return true;
}

static bool check_groups(struct mfx *f, __u64 t1, struct fx_why *why)
{
	struct bpf_map *m = f->skel->maps.SL_MC_GROUP_MAP;
	struct sl_mc_group_key k, next;
	struct sl_mc_group v;
	char g[INET6_ADDRSTRLEN], t[32];
	void *prev = NULL;

	while (!bpf_map__get_next_key(m, prev, &next, sizeof(next))) {
		struct ent *e;

		k = next;
		prev = &k;
		cr_assert_eq(bpf_map__lookup_elem(m, &k, sizeof(k), &v, sizeof(v), 0), 0);
		e = find_ent(f, 'g', k.bridge, 0, k.family, k.group);
		if (!e || e->seen)
			return fx_fail(why, "unexpected group: %s@%u (%s)", group_str(k.family, k.group, g), k.bridge,
				       time_desc(f, v.expires_ns, t, sizeof(t)));
		e->seen = true;
		if (!time_ok(f, e->t, v.expires_ns, t1))
			return fx_fail(why, "group %s expires %s", group_str(k.family, k.group, g),
				       time_desc(f, v.expires_ns, t, sizeof(t)));
		if (e->gen >= 0 && v.gen != (__u32)e->gen)
			return fx_fail(why, "group %s: generation %u, want %d", group_str(k.family, k.group, g), v.gen,
				       e->gen);
	}
	return true;
}

/* the bridge's generations, where the row names them ("b L C") */
static bool check_gens(struct mfx *f, struct fx_why *why)
{
	for (size_t i = 0; i < f->nafter; i++) {
		struct ent *e = &f->after[i];
		__u32 k = MFX_BRIDGE;
		struct sl_mc_gen v;

		if (e->kind != 'b')
			continue;
		cr_assert_eq(bpf_map__lookup_elem(f->skel->maps.SL_MC_GEN_MAP, &k, sizeof(k), &v, sizeof(v), 0), 0);
		if (v.learned != e->learned || v.changes != e->changes)
			return fx_fail(why, "bridge generations: learned %u changes %u, want %u %u", v.learned,
				       v.changes, e->learned, e->changes);
		e->seen = true;
	}
	return true;
}

static bool check_ports(struct mfx *f, __u64 t1, struct fx_why *why)
{
	struct bpf_map *m = f->skel->maps.SL_MC_PORT_MAP;
	struct sl_mc_port_key k, next;
	struct sl_mc_port v;
	char t[32];
	void *prev = NULL;

	while (!bpf_map__get_next_key(m, prev, &next, sizeof(next))) {
		struct ent *e;

		k = next;
		prev = &k;
		cr_assert_eq(bpf_map__lookup_elem(m, &k, sizeof(k), &v, sizeof(v), 0), 0);
		e = find_ent(f, 'p', k.bridge, k.ifindex, 0, NULL);
		if (!e || e->seen)
			return fx_fail(why, "unexpected port record: %u@%u", k.ifindex, k.bridge);
		e->seen = true;
		if (v.router != e->router || v.flood != e->flood)
			return fx_fail(why, "port %u: router %u flood %u, want %u %u", k.ifindex, v.router, v.flood,
				       e->router, e->flood);
		if (!time_ok(f, e->t, v.router_until_ns, t1))
			return fx_fail(why, "port %u: router until %s", k.ifindex,
				       time_desc(f, v.router_until_ns, t, sizeof(t)));
	}
	return true;
}

/* ---- counters ------------------------------------------------------------------- */

#define NFIELDS 6
static const char *const field_names[NFIELDS] = { "passed", "suppressed", "reports", "leaves", "queries", "malformed" };

static void stats_sum(const struct mfx *f, const struct sl_mc_port_key *k, __u64 out[NFIELDS])
{
	struct sl_mc_port_stats v[f->ncpu];

	memset(out, 0, NFIELDS * sizeof(__u64));
	cr_assert_eq(bpf_map__lookup_elem(f->skel->maps.SL_MC_STATS_MAP, k, sizeof(*k), v, sizeof(v), 0), 0);
	for (int c = 0; c < f->ncpu; c++) {
		const __u64 *x = (const __u64 *)&v[c];

		for (int i = 0; i < NFIELDS; i++)
			out[i] += x[i];
	}
}

/* the counters "P field=N ..." promises for port `port` */
static bool stats_want(const char *spec, __u32 port, __u64 want[NFIELDS], struct fx_why *why)
{
	char buf[512], *save = NULL;

	memset(want, 0, NFIELDS * sizeof(__u64));
	if (!spec)
		return true;
	if (strlen(spec) >= sizeof(buf))
		return fx_fail(why, "stats spec too long");
	strcpy(buf, spec);
	for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		char *save2 = NULL, *w = strtok_r(s, " ", &save2);
		unsigned long p;

		if (!w || !num(w, 0xffffffff, &p))
			return fx_fail(why, "stats spec: bad port '%s'", w ? w : "");
		for (w = strtok_r(NULL, " ", &save2); w; w = strtok_r(NULL, " ", &save2)) {
			char *eq = strchr(w, '=');
			unsigned long n;
			int i;

			if (!eq)
				return fx_fail(why, "stats spec: '%s' is not field=N", w);
			*eq = 0;
			for (i = 0; i < NFIELDS && strcmp(w, field_names[i]); i++)
				;
			if (i == NFIELDS || !num(eq + 1, 1000000, &n))
				return fx_fail(why, "stats spec: bad '%s'", w);
			if (p == port)
				want[i] += n * fx_repeat();
		}
	}
	return true;
}

static bool check_stats(struct mfx *f, const char *spec, struct fx_why *why)
{
	struct bpf_map *m = f->skel->maps.SL_MC_STATS_MAP;
	struct sl_mc_port_key k, next;
	__u32 seen[16];
	size_t nseen = 0;
	void *prev = NULL;

	while (!bpf_map__get_next_key(m, prev, &next, sizeof(next))) {
		__u64 have[NFIELDS], want[NFIELDS];

		k = next;
		prev = &k;
		stats_sum(f, &k, have);
		if (k.bridge != MFX_BRIDGE) {
			for (int i = 0; i < NFIELDS; i++)
				if (have[i])
					return fx_fail(why, "counters on bridge %u port %u", k.bridge, k.ifindex);
			continue;
		}
		if (!stats_want(spec, k.ifindex, want, why))
			return false;
		for (int i = 0; i < NFIELDS; i++)
			if (have[i] != want[i])
				return fx_fail(why, "port %u %s=%llu, want %llu", k.ifindex, field_names[i],
					       (unsigned long long)have[i], (unsigned long long)want[i]);
		if (nseen < 16)
			seen[nseen++] = k.ifindex;
	}
	/* ports the row expects counters on that have no entry at all */
	for (__u32 port = 0; port < 64; port++) {
		__u64 want[NFIELDS];
		bool any = false, found = false;

		if (!stats_want(spec, port, want, why))
			return false;
		for (int i = 0; i < NFIELDS; i++)
			any |= want[i] != 0;
		for (size_t i = 0; i < nseen; i++)
			found |= seen[i] == port;
		if (any && !found)
			return fx_fail(why, "no counters on port %u", port);
	}
	return true;
}

/* ---- rows ------------------------------------------------------------------------- */

static bool check_row(const struct fx_case *c, void *ctx, struct fx_why *why)
{
	struct mfx *f = ctx;
	const struct mfx_row *r = c->arg;
	__u64 t1 = now_ns();

	for (size_t i = 0; i < f->nafter; i++)
		f->after[i].seen = false;
	if (!check_members(f, t1, why) || !check_groups(f, t1, why) || !check_ports(f, t1, why) ||
	    !check_gens(f, why))
		return false;
	for (size_t i = 0; i < f->nafter; i++) {
		const struct ent *e = &f->after[i];
		char g[INET6_ADDRSTRLEN];

		if (!e->seen)
			return e->kind == 'p' ? fx_fail(why, "port record %u@%u is gone", e->port, e->bridge)
			       : fx_fail(why, "missing %s: %s%s%u", e->kind == 'm' ? "member" : "group",
					 group_str(e->family, e->group, g), e->kind == 'm' ? " port " : "@",
					 e->kind == 'm' ? e->port : e->bridge);
	}
	return check_stats(f, r->stats, why);
}

size_t mfx_run(struct mfx *f, bool egress, const struct mfx_row *rows, size_t n)
{
	struct fx_target t = {
		.name = egress ? "sl_mc_egress" : "sl_mc_ingress",
		.prog_fd = mfx_prog_fd(f, egress),
		.reset = reset,
		.ctx = f,
	};
	size_t failed = 0;

	for (size_t i = 0; i < n; i++) {
		const struct mfx_row *r = &rows[i];
		struct __sk_buff skb = { .ifindex = r->port, .ingress_ifindex = INGRESS_IFINDEX };
		struct fx_case c = {
			.desc = r->desc,
			.build = build_row,
			.build_arg = r,
			.retval = r->drop ? TCX_DROP : TCX_NEXT,
			.out_same = true, /* neither program changes a frame */
			.check = check_row,
			.arg = r,
			.ctx_in = &skb,
			.ctx_size_in = sizeof(skb),
		};
		const char *err;

		cr_assert(!r->drop || egress, "%s: ingress never drops", r->desc);
		f->cur = r;
		f->nbefore = parse_ents(r->before, false, f->before, &err);
		cr_assert(!err, "%s: before: %s", r->desc, err);
		f->nafter = parse_ents(r->after ? r->after : r->before, r->after != NULL, f->after, &err);
		cr_assert(!err, "%s: after: %s", r->desc, err);
		failed += !fx_run(&t, &c);
	}
	if (failed)
		cr_log_error("%s: %zu of %zu fixture rows failed", t.name, failed, n);
	return failed;
}

/* ---- loading ---------------------------------------------------------------------- */

static int run_ip(char *const argv[])
{
	pid_t pid;
	int status;

	if (posix_spawnp(&pid, "ip", NULL, NULL, argv, NULL))
		return -1;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ports 7 and 9 in a namespace of this process's own */
static void private_ports(void)
{
	static char *const add[] = { "ip", "link", "add", "mcfx7", "index", "7", "type", "veth",
				     "peer", "name", "mcfx9", "index", "9", NULL };

	if (if_nametoindex("mcfx7") == MFX_P7 && if_nametoindex("mcfx9") == MFX_P9)
		return; /* a run without Criterion's fork: made already */
	if (unshare(CLONE_NEWNET)) {
		if (errno == EPERM)
			cr_skip_test("needs CAP_SYS_ADMIN for a private network namespace (ports 7 and 9)");
		cr_assert_fail("unshare(CLONE_NEWNET): %s", strerror(errno));
	}
	cr_assert_eq(run_ip(add), 0, "ip link add mcfx7 index 7 type veth peer name mcfx9 index 9 failed");
	cr_assert_eq(if_nametoindex("mcfx7"), MFX_P7);
	cr_assert_eq(if_nametoindex("mcfx9"), MFX_P9);
}

struct mfx *mfx_load(void)
{
	struct mfx *f;
	int err;

	fx_require_bpf();
	private_ports();
	f = calloc(1, sizeof(*f));
	cr_assert(f);
	f->ncpu = libbpf_num_possible_cpus();
	cr_assert_gt(f->ncpu, 0);
	f->skel = mcast_bpf__open();
	cr_assert(f->skel, "open mcast: %s", strerror(errno));
	f->skel->rodata->sl_mc_bridge = MFX_BRIDGE;
	err = mcast_bpf__load(f->skel);
	if (err) {
		fx_skip_on_eperm(err);
		cr_assert_fail("loading mcast: %s", strerror(-err));
	}
	mfx_enable(f, true);
	return f;
}

void mfx_enable(struct mfx *f, bool enabled)
{
	__u32 bridge = MFX_BRIDGE;
	struct sl_mc_config c = {
		.membership_ns = MFX_MEMBERSHIP_NS,
		.leave_ns = MFX_LEAVE_NS,
		.router_ns = MFX_ROUTER_NS,
		.enabled = enabled,
	};

	cr_assert_eq(bpf_map__update_elem(f->skel->maps.SL_MC_CONFIG_MAP, &bridge, sizeof(bridge), &c, sizeof(c), 0), 0);
}

int mfx_prog_fd(const struct mfx *f, bool egress)
{
	return bpf_program__fd(egress ? f->skel->progs.sl_mc_egress : f->skel->progs.sl_mc_ingress);
}

struct mcast_bpf *mfx_skel(const struct mfx *f)
{
	return f->skel;
}

void mfx_free(struct mfx *f)
{
	if (!f)
		return;
	mcast_bpf__destroy(f->skel);
	free(f);
}
