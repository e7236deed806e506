/* Fixtures for the set-matching programs: frames and elements from words,
 * sets built as the daemon builds them, every row run through XDP and tc
 * and checked against counter deltas. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sluice/sets.h" /* before the skeleton, which uses its structs */
#include "features/sets/sets.h" /* plain sets' tables and values, as the daemon writes them */
#include "fixture.h"
#include "pkt.h"
#include "sets.skel.h"
#include "sets_fx.h"

#define XDP_DROP 1
#define XDP_PASS 2
#define TCX_NEXT ((__u32)-1)
#define TCX_DROP 2

#define SFX_MAX_ENTRIES 512
#define SFX_MAX_SETS 32

/* ---- frames ----------------------------------------------------------------- */

enum l4_kind { L4_NONE, L4_UDP, L4_TCP, L4_SCTP, L4_UDPLITE, L4_ICMP, L4_ICMP6, L4_RAW };

struct frame {
	char tags[4];
	unsigned ntags;
	uint8_t smac[6], dmac[6];
	bool has_smac, has_dmac, arp;
	int family;
	char src[64], dst[64];
	struct pkt_ip4 ip4;
	struct pkt_ip6 ip6;
	char ext[16];
	enum l4_kind l4;
	unsigned raw_proto;
	uint16_t sport, dport;
	uint8_t type, code;
	size_t cut;
	const char *error;
};

static bool parse_ports(const char *s, uint16_t *sp, uint16_t *dp)
{
	unsigned a, b;
	char end;

	if (sscanf(s, "%u>%u%c", &a, &b, &end) != 2 || a > 65535 || b > 65535)
		return false;
	*sp = (uint16_t)a;
	*dp = (uint16_t)b;
	return true;
}

static bool parse_type_code(const char *s, uint8_t *type, uint8_t *code)
{
	unsigned t, c;
	char end;

	if (sscanf(s, "%u/%u%c", &t, &c, &end) != 2 || t > 255 || c > 255)
		return false;
	*type = (uint8_t)t;
	*code = (uint8_t)c;
	return true;
}

/* the words of a frame; f->error says what was wrong */
static void parse_frame(const char *spec, struct frame *f)
{
	char buf[256], *save = NULL;
	unsigned long v;

	memset(f, 0, sizeof(*f));
	if (strlen(spec) >= sizeof(buf)) {
		f->error = "frame spec too long";
		return;
	}
	strcpy(buf, spec);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!strcmp(w, "q") || !strcmp(w, "a")) {
			if (f->ntags == sizeof(f->tags))
				f->error = "too many tags";
			else
				f->tags[f->ntags++] = w[0];
		} else if (!strncmp(w, "smac=", 5)) {
			f->has_smac = pkt_word_mac(w + 5, f->smac);
			if (!f->has_smac)
				f->error = "bad smac";
		} else if (!strncmp(w, "dmac=", 5)) {
			f->has_dmac = pkt_word_mac(w + 5, f->dmac);
			if (!f->has_dmac)
				f->error = "bad dmac";
		} else if (!strcmp(w, "arp")) {
			f->arp = true;
		} else if (!strcmp(w, "4") || !strcmp(w, "6")) {
			f->family = w[0] - '0';
		} else if (!strcmp(w, "mf")) {
			f->ip4.flags |= PKT_IP4_MF;
		} else if (!strncmp(w, "off=", 4)) {
			f->ip4.frag = (uint16_t)strtoul(w + 4, NULL, 0);
		} else if (!strncmp(w, "ihl=", 4)) {
			f->ip4.ver_ihl = (uint8_t)strtoul(w + 4, NULL, 0);
		} else if (!strncmp(w, "ver=", 4)) {
			f->ip6.version = (uint8_t)strtoul(w + 4, NULL, 0);
		} else if (!strncmp(w, "ext=", 4)) {
			if (strlen(w + 4) >= sizeof(f->ext))
				f->error = "too many extension headers";
			else
				strcpy(f->ext, w + 4);
		} else if (!strcmp(w, "udp") || !strcmp(w, "tcp") || !strcmp(w, "sctp") || !strcmp(w, "udplite")) {
			f->l4 = w[0] == 't' ? L4_TCP : w[0] == 's' ? L4_SCTP : w[3] == 'l' ? L4_UDPLITE : L4_UDP;
			f->sport = 5353;
			f->dport = 53;
		} else if (!strcmp(w, "icmp")) {
			f->l4 = L4_ICMP;
			f->type = 8;
		} else if (!strcmp(w, "icmp6")) {
			f->l4 = L4_ICMP6;
			f->type = 128;
		} else if (!strncmp(w, "proto=", 6)) {
			v = strtoul(w + 6, NULL, 0);
			f->l4 = L4_RAW;
			f->raw_proto = (unsigned)v;
		} else if (!strncmp(w, "cut=", 4)) {
			f->cut = strtoul(w + 4, NULL, 0);
		} else if (!strncmp(w, "mark=", 5)) {
			/* tc's skb->mark (sfx_run_rows_on), not a byte of the frame */
		} else if (strchr(w, '>') && f->l4 != L4_NONE) {
			if (!parse_ports(w, &f->sport, &f->dport))
				f->error = "bad ports";
		} else if (strchr(w, '>') && f->family) {
			if (!pkt_word_pair(w, f->src, f->dst, sizeof(f->src)))
				f->error = "bad address pair";
		} else if (strchr(w, '/') && (f->l4 == L4_ICMP || f->l4 == L4_ICMP6)) {
			if (!parse_type_code(w, &f->type, &f->code))
				f->error = "bad icmp type/code";
		} else {
			f->error = "unknown word";
		}
		if (f->error)
			return;
	}
	if (!f->family && !f->arp)
		f->error = "no 4, 6 or arp";
}

static void build_frame(struct pkt *p, const struct frame *f)
{
	struct pkt_ip4 ip4 = f->ip4;
	struct pkt_ip6 ip6 = f->ip6;

	pkt_eth(p, f->has_dmac ? f->dmac : NULL, f->has_smac ? f->smac : NULL);
	for (unsigned i = 0; i < f->ntags; i++)
		pkt_vlan(p, f->tags[i] == 'q' ? PKT_ETH_P_8021Q : PKT_ETH_P_8021AD,
			 f->tags[i] == 'q' ? 100 : 200);
	if (f->arp) {
		pkt_arp(p, 1, NULL, NULL);
		pkt_finish(p);
		return;
	}
	if (f->family == 4) {
		ip4.src = f->src[0] ? f->src : NULL;
		ip4.dst = f->dst[0] ? f->dst : NULL;
		pkt_ip4(p, &ip4);
	} else {
		ip6.src = f->src[0] ? f->src : NULL;
		ip6.dst = f->dst[0] ? f->dst : NULL;
		pkt_ip6(p, &ip6);
	}
	for (const char *e = f->ext; *e; e++)
		if (!pkt_push_letter(p, *e))
			return;
	switch (f->l4) {
	case L4_UDP:
		pkt_udp(p, f->sport, f->dport);
		break;
	case L4_TCP:
		pkt_tcp(p, f->sport, f->dport, 0x02);
		break;
	case L4_SCTP:
	case L4_UDPLITE: {
		/* SCTP common header / UDP-Lite header: ports first, the rest
		 * (tag and checksum / coverage and checksum) left zero */
		uint8_t h[12] = { f->sport >> 8, f->sport & 0xff, f->dport >> 8, f->dport & 0xff };

		pkt_set_next(p, f->l4 == L4_SCTP ? 132 : 136);
		pkt_bytes(p, h, f->l4 == L4_SCTP ? 12 : 8);
		break;
	}
	case L4_ICMP:
		pkt_icmp(p, f->type, f->code);
		break;
	case L4_ICMP6:
		pkt_icmp6(p, f->type, f->code);
		break;
	case L4_RAW:
		pkt_set_next(p, (uint16_t)f->raw_proto);
		break;
	case L4_NONE:
		break;
	}
	pkt_fill(p, 0xab, 16);
	if (f->cut)
		pkt_truncate(p, f->cut);
	else
		pkt_finish(p);
}

/* fx_case builder: build_arg is the row */
static void build_row(struct pkt *p, const void *arg)
{
	const struct sfx_row *r = arg;
	struct frame f;

	parse_frame(r->frame, &f);
	if (f.error) {
		pkt_fail(p, f.error);
		return;
	}
	build_frame(p, &f);
}

size_t sfx_frame(const char *words, __u8 *buf, size_t cap)
{
	const struct sfx_row r = { .frame = words };

	return pkt_build(build_row, &r, buf, cap);
}

static size_t frame_len(const struct sfx_row *r)
{
	uint8_t buf[PKT_MAX];
	struct pkt p;

	pkt_init(&p, buf, sizeof(buf));
	build_row(&p, r);
	pkt_finish(&p);
	return p.len;
}

/* ---- elements ------------------------------------------------------------------- */

struct entry {
	int set;                    /* index into the spec's sets */
	__u8 key[SL_SET_KEY_MAX];
	char label[8];
};

struct sfx {
	const struct sfx_spec *spec;
	struct sets_bpf *skel;
	int set_fd[SFX_MAX_SETS];
	struct sets_ptab pt[SFX_MAX_SETS];  /* plain sets' bucket tables */
	struct entry ent[SFX_MAX_ENTRIES];
	size_t nent;
	int ncpu;
	double load_ms;
	/* counters before the current row */
	struct sl_rule_count rule0[SL_RULES_MAX];
	struct sl_hook_count hook0[SL_HOOKS_MAX];
	__u64 ent0[SFX_MAX_ENTRIES][2];
};

static int addr_of(const char *s, __u8 out[16], int *family)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		return *family = 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return *family = 6;
	return 0;
}

/* "10.0.0.0/8" into addr and cidr (the whole address without a /) */
static bool net_of(char *s, struct sl_set_tuple *t)
{
	char *slash = strchr(s, '/');
	int family = 0;
	unsigned long cidr;

	if (slash)
		*slash = 0;
	if (!addr_of(s, t->addr, &family))
		return false;
	cidr = family == 4 ? 32 : 128;
	if (slash) {
		char *end;

		cidr = strtoul(slash + 1, &end, 10);
		if (*end || cidr > (family == 4 ? 32u : 128u))
			return false;
	}
	t->cidr = (__u8)cidr;
	/* keys keep no host bits, as the daemon writes them */
	for (unsigned bit = (unsigned)cidr; bit < 128; bit++)
		t->addr[bit / 8] &= (__u8)~(0x80 >> (bit % 8));
	return true;
}

/* "[proto:]port", icmp ports as "type/code"; ipset's default is tcp */
static bool port_of(const char *s, struct sl_set_tuple *t)
{
	static const struct { const char *name; __u8 proto; } protos[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "sctp", 132 }, { "udplite", 136 },
		{ "icmp", 1 }, { "icmpv6", 58 }, { "gre", 47 },
	};
	const char *colon = strchr(s, ':');
	unsigned a, b;
	char end;

	t->proto = 6;
	if (colon) {
		size_t n = (size_t)(colon - s);
		bool found = false;

		for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
			if (strlen(protos[i].name) == n && !strncmp(s, protos[i].name, n)) {
				t->proto = protos[i].proto;
				found = true;
			}
		if (!found && s[0] == 'p' && sscanf(s + 1, "%u:", &a) == 1 && a < 256) {
			t->proto = (__u8)a;
			found = true;
		}
		if (!found)
			return false;
		s = colon + 1;
	}
	if (sscanf(s, "%u/%u%c", &a, &b, &end) == 2 && a < 256 && b < 256) {
		t->port = (__u16)(a << 8 | b);
		return true;
	}
	if (sscanf(s, "%u%c", &a, &end) != 1 || a > 65535)
		return false;
	t->port = (__u16)a;
	return true;
}

/* The element of class cls in its ipset spelling; false when malformed. */
static bool tuple_of(__u8 cls, const char *elem, struct sl_set_tuple *t)
{
	char buf[128], *part[3] = { buf, NULL, NULL };
	unsigned nparts = 1;
	int family = 0;

	memset(t, 0, sizeof(*t));
	if (strlen(elem) >= sizeof(buf))
		return false;
	strcpy(buf, elem);
	cls = sl_set_key_class(cls); /* plain sets' elements are spelled alike */
	for (char *c = buf; *c && cls != SL_CLASS_MAC; c++)
		if (*c == ',') {
			if (nparts == 3)
				return false;
			*c = 0;
			part[nparts++] = c + 1;
		}
	switch (cls) {
	case SL_CLASS_IP4:
	case SL_CLASS_IP6:
		return nparts == 1 && addr_of(part[0], t->addr, &family) == (cls == SL_CLASS_IP4 ? 4 : 6);
	case SL_CLASS_NET4:
	case SL_CLASS_NET6:
		return nparts == 1 && net_of(part[0], t);
	case SL_CLASS_IPPORT4:
	case SL_CLASS_IPPORT6:
		return nparts == 2 && addr_of(part[0], t->addr, &family) && port_of(part[1], t);
	case SL_CLASS_NETPORT4:
	case SL_CLASS_NETPORT6:
		return nparts == 2 && net_of(part[0], t) && port_of(part[1], t);
	case SL_CLASS_IPPORTIP4:
	case SL_CLASS_IPPORTIP6:
		return nparts == 3 && addr_of(part[0], t->addr, &family) && port_of(part[1], t) &&
		       addr_of(part[2], t->addr2, &family);
	case SL_CLASS_MAC:
		return pkt_word_mac(part[0], t->mac);
	case SL_CLASS_NETIFACE4: /* NET,[physdev:]NAME */
	case SL_CLASS_NETIFACE6:
		if (nparts != 2 || !net_of(part[0], t))
			return false;
		if (!strncmp(part[1], "physdev:", 8)) {
			t->iflags |= SL_IFACE_PHYSDEV;
			part[1] += 8;
		}
		if (strlen(part[1]) > SL_IFACE_LEN)
			return false;
		memcpy(t->iface, part[1], strlen(part[1]));
		return true;
	case SL_CLASS_IPMARK4: /* IP,MARK: the mark as the daemon keeps it (masked) */
	case SL_CLASS_IPMARK6: {
		char *end;

		t->mark = (__u32)strtoul(part[1] ? part[1] : "", &end, 0);
		return nparts == 2 && *part[1] && !*end &&
		       addr_of(part[0], t->addr, &family) == (cls == SL_CLASS_IPMARK4 ? 4 : 6);
	}
	case SL_CLASS_NETNET4: /* NET,NET: the second net's prefix in cidr2 */
	case SL_CLASS_NETNET6: {
		struct sl_set_tuple second;

		if (nparts != 2 || !net_of(part[1], &second) || !net_of(part[0], t))
			return false;
		memcpy(t->addr2, second.addr, sizeof(t->addr2));
		t->cidr2 = second.cidr;
		return true;
	}
	case SL_CLASS_IPMAC4: /* IP[,MAC] */
		return nparts <= 2 && addr_of(part[0], t->addr, &family) == 4 && (nparts == 1 || pkt_word_mac(part[1], t->mac));
	case SL_CLASS_PORT: {
		unsigned a;
		char end;

		if (nparts != 1 || sscanf(part[0], "%u%c", &a, &end) != 1 || a > 65535)
			return false;
		t->port = (__u16)a;
		return true;
	}
	}
	return false;
}

bool sfx_elem_key(__u8 cls, const char *elem, __u8 key[SL_SET_KEY_MAX])
{
	struct sl_set_tuple t;

	return tuple_of(cls, elem, &t) && sl_set_key_build(cls, &t, key) > 0;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns()'s clock */
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* one element line into its set */
static void add_element(struct sfx *f, int set, const char *line)
{
	const struct sfx_set *s = &f->spec->sets[set];
	struct sl_set_value v = { 0 };
	struct sl_set_tuple t;
	char buf[160], *save = NULL, *w;
	__u8 key[SL_SET_KEY_MAX];
	const char *label = NULL;

	cr_assert_lt(strlen(line), sizeof(buf), "element too long: %s", line);
	strcpy(buf, line);
	w = strtok_r(buf, " ", &save);
	cr_assert(w && tuple_of(s->cls, w, &t), "class %u: bad element '%s'", s->cls, line);
	for (char *flag = strtok_r(NULL, " ", &save); flag; flag = strtok_r(NULL, " ", &save)) {
		if (flag[0] == '#' && flag[1] && strlen(flag) < sizeof(f->ent[0].label)) {
			label = flag + 1;
			v.flags |= SL_SETV_COUNTERS;
		} else if (!strcmp(flag, "nomatch")) {
			v.flags |= SL_SETV_NOMATCH;
		} else if (!strcmp(flag, "expired")) {
			v.expires_ns = 1; /* a nanosecond after boot */
		} else if (!strcmp(flag, "live")) {
			v.expires_ns = now_ns() + 3600ull * 1000000000ull;
		} else if (!strcmp(flag, "wildcard")) { /* hash:net,iface */
			t.iflags |= SL_IFACE_WILDCARD;
		} else if (!strcmp(flag, "pending")) { /* bitmap:ip,mac: an hour, from the fill */
			v.flags |= SL_SETV_PENDING;
			v.expires_ns = 3600ull * 1000000000ull;
		} else {
			cr_assert_fail("element '%s': unknown flag '%s'", line, flag);
		}
	}
	/* the prefix the LPM entry stands for: hash:net,net's second net's */
	v.cidr = sl_set_key_class(s->cls) == SL_CLASS_NETNET4 || sl_set_key_class(s->cls) == SL_CLASS_NETNET6 ? t.cidr2
														   : t.cidr;
	if (s->cls == SL_CLASS_IPMAC4 && strchr(w, ',')) { /* the MAC is the value's */
		v.flags |= SL_SETV_MAC;
		memcpy(v.mac, t.mac, sizeof(v.mac));
	}
	cr_assert_gt(sl_set_key_build(s->cls, &t, key), 0);
	if (sl_set_class_plain(s->cls)) {
		__u8 raw[sizeof(v)];

		/* a plain set carries no counters and nothing expires */
		cr_assert(!label && !v.expires_ns, "element '%s': a plain set takes nomatch only", line);
		if (sl_set_class_is_ptab(s->cls)) {
			cr_assert_eq(sets_ptab_find(&f->pt[set], f->set_fd[set], key), 0, "'%s' added twice", line);
			cr_assert_eq(sets_ptab_insert(&f->pt[set], f->set_fd[set], key, UINT32_MAX), 0, "add '%s': %s",
				     line, strerror(errno));
		} else {
			sets_value_encode(s->cls, &v, raw);
			cr_assert_eq(bpf_map_update_elem(f->set_fd[set], key, raw, BPF_NOEXIST), 0, "add '%s': %s", line,
				     strerror(errno));
		}
	} else {
		cr_assert_eq(bpf_map_update_elem(f->set_fd[set], key, &v, BPF_NOEXIST), 0, "add '%s': %s", line,
			     strerror(errno));
	}
	cr_assert_lt(f->nent, SFX_MAX_ENTRIES);
	f->ent[f->nent].set = set;
	memcpy(f->ent[f->nent].key, key, sizeof(key));
	snprintf(f->ent[f->nent].label, sizeof(f->ent[0].label), "%s", label ? label : "");
	f->nent++;
}

static struct bpf_map *outer_map(struct sets_bpf *skel, __u8 cls)
{
	struct bpf_map *maps[SL_CLASS_COUNT] = {
#define SFX_OUTER(c, name, key) [c] = skel->maps.name,
		SL_SET_CLASSES(SFX_OUTER)
		SL_SET_PLAIN_CLASSES(SFX_OUTER, SFX_OUTER)
#undef SFX_OUTER
	};

	return cls < SL_CLASS_COUNT ? maps[cls] : NULL;
}

/* the key and value types of each class, as userspace finds them in the
 * object's BTF */
static const char *const key_type[SL_CLASS_COUNT] = {
#define SFX_KEY(c, name, key) [c] = SL_STR(key),
#define SFX_U32(c, name, bucket) [c] = "__u32",
	SL_SET_CLASSES(SFX_KEY)
	SL_SET_PLAIN_CLASSES(SFX_U32, SFX_KEY)
#undef SFX_KEY
#undef SFX_U32
};
static const char *const value_type[SL_CLASS_COUNT] = {
#define SFX_FULL(c, name, key) [c] = "sl_set_value",
#define SFX_BUCKET(c, name, bucket) [c] = SL_STR(bucket),
#define SFX_NVALUE(c, name, key) [c] = "sl_set_nvalue",
	SL_SET_CLASSES(SFX_FULL)
	SL_SET_PLAIN_CLASSES(SFX_BUCKET, SFX_NVALUE)
#undef SFX_FULL
#undef SFX_BUCKET
#undef SFX_NVALUE
};

/* A set as the daemon makes one: a map of the class's layout, any size,
 * its key and value described by the object's BTF, in the slot of the
 * class's outer map. */
static void make_set(struct sfx *f, int i)
{
	const struct sfx_set *s = &f->spec->sets[i];
	bool ptab = sl_set_class_is_ptab(s->cls);
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = ptab ? BPF_F_INNER_MAP : BPF_F_NO_PREALLOC);
	const struct btf *btf = bpf_object__btf(f->skel->obj);
	struct sl_set_tuple zero = { 0 };
	__u8 key[SL_SET_KEY_MAX];
	int key_size = sl_set_key_build(s->cls, &zero, key);
	__u32 slot = s->slot, entries = s->max_entries ? s->max_entries : 256;
	__u32 value_size = ptab ? sets_ptab_bucket_size(s->cls) : sets_value_size(s->cls);
	int kid, vid;
	char name[16];

	cr_assert_gt(key_size, 0, "set %d: class %u", i, s->cls);
	cr_assert(btf, "the object has no BTF");
	kid = btf__find_by_name_kind(btf, key_type[s->cls], ptab ? BTF_KIND_TYPEDEF : BTF_KIND_STRUCT);
	vid = btf__find_by_name_kind(btf, value_type[s->cls], BTF_KIND_STRUCT);
	cr_assert(kid > 0 && vid > 0, "%s / %s not in the object's BTF", key_type[s->cls], value_type[s->cls]);
	cr_assert_eq(btf__resolve_size(btf, kid), ptab ? 4 : key_size, "BTF size of %s", key_type[s->cls]);
	cr_assert_eq(btf__resolve_size(btf, vid), value_size, "BTF size of %s", value_type[s->cls]);
	o.btf_fd = (__u32)btf__fd(btf);
	o.btf_key_type_id = (__u32)kid;
	o.btf_value_type_id = (__u32)vid;
	snprintf(name, sizeof(name), "sfx_%u_%u", s->cls, s->slot);
	if (ptab) { /* a bucket table for max_entries entries, as the daemon sizes one */
		cr_assert_eq(sets_ptab_init(&f->pt[i], s->cls, sets_ptab_buckets_for(s->cls, entries)), 0);
		f->set_fd[i] = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, 4, value_size, f->pt[i].nbuckets, &o);
		cr_assert_geq(f->set_fd[i], 0, "create set %d (class %u): %s", i, s->cls, strerror(errno));
		cr_assert_eq(sets_ptab_format(&f->pt[i], f->set_fd[i]), 0, "set %d: %s", i, strerror(errno));
	} else {
		f->set_fd[i] = bpf_map_create(sl_set_class_is_lpm(s->cls) ? BPF_MAP_TYPE_LPM_TRIE : BPF_MAP_TYPE_HASH,
					      name, (__u32)key_size, value_size, entries, &o);
	}
	cr_assert_geq(f->set_fd[i], 0, "create set %d (class %u): %s", i, s->cls, strerror(errno));
	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(outer_map(f->skel, s->cls)), &slot, &f->set_fd[i], BPF_ANY), 0,
		     "set %d (class %u, %u entries) into its outer map: %s", i, s->cls,
		     s->max_entries ? s->max_entries : 256, strerror(errno));
	for (const char *const *e = s->elems; e && *e; e++)
		add_element(f, i, *e);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

struct sfx *sfx_load(const struct sfx_spec *s)
{
	struct sfx *f;
	struct timespec t0;
	int err;

	fx_require_bpf();
	cr_assert_leq(s->nrules, SL_RULES_MAX);
	cr_assert_leq(s->nsets, SFX_MAX_SETS);
	f = calloc(1, sizeof(*f));
	cr_assert(f);
	f->spec = s;
	for (size_t i = 0; i < SFX_MAX_SETS; i++)
		f->set_fd[i] = -1;
	f->ncpu = libbpf_num_possible_cpus();
	cr_assert_gt(f->ncpu, 0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	f->skel = sets_bpf__open();
	cr_assert(f->skel, "open sets: %s", strerror(errno));
	f->skel->rodata->sl_hook_id = s->hook_id;
	f->skel->rodata->sl_nrules = (__u32)s->nrules;
	for (size_t i = 0; i < s->nrules; i++)
		f->skel->rodata->sl_rules[i] = s->rules[i];
	err = sets_bpf__load(f->skel);
	if (err) {
		fx_skip_on_eperm(err);
		cr_assert_fail("loading sets with %zu rules: %s", s->nrules, strerror(-err));
	}
	f->load_ms = ms_since(&t0);
	for (size_t i = 0; i < s->nsets; i++)
		make_set(f, (int)i);
	return f;
}

void sfx_free(struct sfx *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < SFX_MAX_SETS; i++) {
		if (f->set_fd[i] >= 0)
			close(f->set_fd[i]);
		sets_ptab_release(&f->pt[i]);
	}
	sets_bpf__destroy(f->skel);
	free(f);
}

int sfx_prog_fd(const struct sfx *f, bool xdp)
{
	return bpf_program__fd(xdp ? f->skel->progs.sl_sets_xdp : f->skel->progs.sl_sets_tc);
}

struct sets_ptab *sfx_set_table(struct sfx *f, size_t set)
{
	return set < f->spec->nsets && sl_set_class_is_ptab(f->spec->sets[set].cls) ? &f->pt[set] : NULL;
}

double sfx_load_ms(const struct sfx *f)
{
	return f->load_ms;
}

int sfx_set_fd(const struct sfx *f, size_t set)
{
	return set < f->spec->nsets ? f->set_fd[set] : -1;
}

/* ---- counters ----------------------------------------------------------------------- */

static void rule_sum(const struct sfx *f, __u32 id, struct sl_rule_count *out)
{
	struct sl_rule_count v[f->ncpu];

	memset(out, 0, sizeof(*out));
	cr_assert_eq(bpf_map__lookup_elem(f->skel->maps.SL_RULE_STATS_MAP, &id, sizeof(id), v, sizeof(v), 0), 0);
	for (int c = 0; c < f->ncpu; c++) {
		out->packets += v[c].packets;
		out->bytes += v[c].bytes;
	}
}

static void hook_sum(const struct sfx *f, __u32 id, struct sl_hook_count *out)
{
	struct sl_hook_count v[f->ncpu];

	memset(out, 0, sizeof(*out));
	cr_assert_eq(bpf_map__lookup_elem(f->skel->maps.SL_HOOK_STATS_MAP, &id, sizeof(id), v, sizeof(v), 0), 0);
	for (int c = 0; c < f->ncpu; c++) {
		out->packets += v[c].packets;
		out->unparsed += v[c].unparsed;
		out->not_ip += v[c].not_ip;
		out->dropped += v[c].dropped;
	}
}

static void entry_counts(const struct sfx *f, size_t i, __u64 out[2])
{
	struct sl_set_value v;

	if (sl_set_class_plain(f->spec->sets[f->ent[i].set].cls)) {
		out[0] = out[1] = 0; /* no counters */
		return;
	}
	cr_assert_eq(bpf_map_lookup_elem(f->set_fd[f->ent[i].set], f->ent[i].key, &v), 0, "entry %zu gone", i);
	out[0] = v.packets;
	out[1] = v.bytes;
}

static void snapshot(void *ctx)
{
	struct sfx *f = ctx;

	for (size_t i = 0; i < f->spec->nrules; i++)
		rule_sum(f, f->spec->rules[i].id, &f->rule0[i]);
	for (__u32 h = 0; h < SL_HOOKS_MAX; h++)
		hook_sum(f, h, &f->hook0[h]);
	for (size_t i = 0; i < f->nent; i++)
		entry_counts(f, i, f->ent0[i]);
}

/* how often `word` appears in the space-separated list */
static unsigned count_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	unsigned k = 0;

	for (const char *s = list; s && *s;) {
		size_t len = strcspn(s, " ");

		k += len == n && !strncmp(s, word, n);
		s += len;
		s += strspn(s, " ");
	}
	return k;
}

static bool check_row(const struct fx_case *c, void *ctx, struct fx_why *why)
{
	const struct sfx *f = ctx;
	const struct sfx_row *r = c->arg;
	__u64 rep = fx_repeat(), len = frame_len(r);

	for (size_t i = 0; i < f->spec->nrules; i++) {
		__u32 id = f->spec->rules[i].id;
		char word[12];
		struct sl_rule_count now;
		__u64 want;

		snprintf(word, sizeof(word), "%u", id);
		want = count_in(r->rules, word) * rep;
		rule_sum(f, id, &now);
		if (now.packets - f->rule0[i].packets != want || now.bytes - f->rule0[i].bytes != want * len)
			return fx_fail(why, "rule %u counted +%llu packets, +%llu bytes; want +%llu, +%llu", id,
				       (unsigned long long)(now.packets - f->rule0[i].packets),
				       (unsigned long long)(now.bytes - f->rule0[i].bytes),
				       (unsigned long long)want, (unsigned long long)(want * len));
	}
	for (__u32 h = 0; h < SL_HOOKS_MAX; h++) {
		struct sl_hook_count now, want = { 0 };
		const struct sl_hook_count *was = &f->hook0[h];

		if (h == f->spec->hook_id)
			want = (struct sl_hook_count){
				.packets = rep,
				.unparsed = r->hook == SFX_UNPARSED ? rep : 0,
				.not_ip = r->hook == SFX_NOT_IP ? rep : 0,
				.dropped = r->drop ? rep : 0,
			};
		hook_sum(f, h, &now);
		if (now.packets - was->packets != want.packets || now.unparsed - was->unparsed != want.unparsed ||
		    now.not_ip - was->not_ip != want.not_ip || now.dropped - was->dropped != want.dropped)
			return fx_fail(why,
				       "hook %u counted +%llu packets, +%llu unparsed, +%llu not ip, +%llu dropped; "
				       "want +%llu, +%llu, +%llu, +%llu", h,
				       (unsigned long long)(now.packets - was->packets),
				       (unsigned long long)(now.unparsed - was->unparsed),
				       (unsigned long long)(now.not_ip - was->not_ip),
				       (unsigned long long)(now.dropped - was->dropped),
				       (unsigned long long)want.packets, (unsigned long long)want.unparsed,
				       (unsigned long long)want.not_ip, (unsigned long long)want.dropped);
	}
	for (size_t i = 0; i < f->nent; i++) {
		__u64 now[2], want = f->ent[i].label[0] ? count_in(r->hits, f->ent[i].label) * rep : 0;

		entry_counts(f, i, now);
		if (now[0] - f->ent0[i][0] != want || now[1] - f->ent0[i][1] != want * len)
			return fx_fail(why, "entry %s%s counted +%llu packets, +%llu bytes; want +%llu, +%llu",
				       f->ent[i].label[0] ? "#" : "(no counters) ", f->ent[i].label,
				       (unsigned long long)(now[0] - f->ent0[i][0]),
				       (unsigned long long)(now[1] - f->ent0[i][1]), (unsigned long long)want,
				       (unsigned long long)(want * len));
	}
	return true;
}

/* ---- running ------------------------------------------------------------------------ */

size_t sfx_run_rows_on(struct sfx *f, bool xdp)
{
	const struct sfx_spec *s = f->spec;
	struct fx_case *rows = calloc(s->nrows, sizeof(*rows));
	/* tc: a context, as tcx hands one in; its mark the frame's mark=N, else 7 */
	struct __sk_buff *skb = calloc(s->nrows + 1, sizeof(*skb));
	struct fx_target t = {
		.name = xdp ? "sl_sets_xdp" : "sl_sets_tc",
		.prog_fd = sfx_prog_fd(f, xdp),
		.reset = snapshot,
		.ctx = f,
	};
	size_t failed;

	cr_assert(rows && skb);
	for (size_t i = 0; i < s->nrows; i++) {
		const struct sfx_row *r = &s->rows[i];
		const char *mark = strstr(r->frame, "mark=");

		skb[i].mark = mark ? (__u32)strtoul(mark + 5, NULL, 0) : 7;

		rows[i] = (struct fx_case){
			.desc = r->desc,
			.build = build_row,
			.build_arg = r,
			.retval = xdp ? (r->drop ? XDP_DROP : XDP_PASS) : (r->drop ? TCX_DROP : TCX_NEXT),
			.out_same = true, /* matching never changes a frame */
			.check = check_row,
			.arg = r,
			.ctx_in = xdp ? NULL : &skb[i],
			.ctx_size_in = xdp ? 0 : sizeof(skb[i]),
		};
	}
	failed = fx_run_table(&t, rows, s->nrows);
	free(rows);
	free(skb);
	return failed;
}

size_t sfx_run_rows(struct sfx *f)
{
	return sfx_run_rows_on(f, true) + sfx_run_rows_on(f, false);
}

size_t sfx_run(const struct sfx_spec *s)
{
	struct sfx *f = sfx_load(s);
	size_t failed = sfx_run_rows(f);

	sfx_free(f);
	return failed;
}

/* ---- the same, plain ------------------------------------------------------------------- */

/* an element without its labels ("10.0.0.1 #a nomatch" -> "10.0.0.1 nomatch") */
static char *unlabelled(const char *elem)
{
	char *out = calloc(1, strlen(elem) + 1), *w, *save = NULL, *buf = strdup(elem);

	cr_assert(out && buf);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (w[0] == '#')
			continue;
		if (*out)
			strcat(out, " ");
		strcat(out, w);
	}
	free(buf);
	return out;
}

struct sfx_spec *sfx_plain(const struct sfx_spec *s)
{
	struct sfx_spec *p = calloc(1, sizeof(*p));
	struct sl_rule *rules = calloc(s->nrules + 1, sizeof(*rules));
	struct sfx_set *sets = calloc(s->nsets + 1, sizeof(*sets));
	struct sfx_row *rows = calloc(s->nrows + 1, sizeof(*rows));

	cr_assert(p && rules && sets && rows);
	*p = *s;
	for (size_t i = 0; i < s->nrules; i++) {
		rules[i] = s->rules[i];
		if (rules[i].match == SL_MATCH_SET && rules[i].cls < SL_CLASS_KEYS)
			rules[i].cls += SL_CLASS_KEYS;
	}
	for (size_t i = 0; i < s->nsets; i++) {
		size_t n = 0;
		char **elems;

		sets[i] = s->sets[i];
		if (sets[i].cls < SL_CLASS_KEYS)
			sets[i].cls += SL_CLASS_KEYS;
		while (s->sets[i].elems && s->sets[i].elems[n])
			n++;
		elems = calloc(n + 1, sizeof(*elems));
		cr_assert(elems);
		for (size_t k = 0; k < n; k++)
			elems[k] = unlabelled(s->sets[i].elems[k]);
		sets[i].elems = (const char *const *)elems;
	}
	for (size_t i = 0; i < s->nrows; i++) {
		rows[i] = s->rows[i];
		rows[i].hits = ""; /* plain entries count nothing */
	}
	p->rules = rules;
	p->sets = sets;
	p->rows = rows;
	return p;
}

void sfx_plain_free(struct sfx_spec *p)
{
	for (size_t i = 0; i < p->nsets; i++) {
		for (char *const *e = (char *const *)p->sets[i].elems; e && *e; e++)
			free(*e);
		free((void *)p->sets[i].elems);
	}
	free((void *)p->rules);
	free((void *)p->sets);
	free((void *)p->rows);
	free(p);
}

size_t sfx_run_plain(const struct sfx_spec *s)
{
	struct sfx_spec *p = sfx_plain(s);
	size_t failed = sfx_run(p);

	sfx_plain_free(p);
	return failed;
}
