/* The ipset language against the kernel's own ipset: generated create and
 * add lines of every type, family and option go into both the kernel (in a
 * private namespace) and sluice's parser, and their saves, expansions and
 * errors must agree; the same sets in a running sluiced answer `set test`
 * as `ipset test` does, and each side restores the other's save.
 *
 * Not a unit test: it needs the namespace and the daemon that
 * tests/netns/test_sets_ipset_oracle.sh sets up (SLUICE_IPSET_NS,
 * SLUICE_ORACLE_SOCKET), and only that script runs it. */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <ctype.h>

#include <unistd.h>
#include <json-c/json.h>

#include "features/sets/ipset/ipset.h"
#include "../unit/set_spec.h"
#include "../unit/words.h"
#include "../lib/rng.h"

#define rnd sl_test_rng /* the fixed-seed source of every generated case */
#include "../../tools/sluicectl/ctl.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))



/* --- the kernel's ipset as the oracle ---------------------------------------------------- */

/* Run in the namespace; returns the exit status (-1 if it did not run). */
static int ns_run(const char *ns, const char *args, const char *input, char *out, size_t size)
{
	char cmd[512];
	FILE *p;
	int status;
	size_t len = 0;

	/* input goes through a file: popen is one-way */
	if (input) {
		char path[] = "/tmp/sluice-sets-oracle.XXXXXX";
		int fd = mkstemp(path);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

		cr_assert_not_null(f, "temporary file");
		fputs(input, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "ip netns exec %s ipset %s <%s 2>&1; rc=$?; rm -f %s; exit $rc", ns, args, path,
			 path);
	} else {
		snprintf(cmd, sizeof(cmd), "ip netns exec %s ipset %s 2>&1", ns, args);
	}
	p = popen(cmd, "r");
	cr_assert_not_null(p, "popen %s", cmd);
	if (out && size)
		out[0] = '\0';
	for (;;) {
		char buf[4096];
		size_t got = fread(buf, 1, sizeof(buf), p);

		if (!got)
			break;
		if (out && len + got < size) {
			memcpy(out + len, buf, got);
			len += got;
			out[len] = '\0';
		}
	}
	status = pclose(p);
	return status == -1 || !WIFEXITED(status) ? -1 : WEXITSTATUS(status);
}

/* growing text buffer */
struct text {
	char *s;
	size_t len, cap;
};

static void text_add(struct text *t, const char *line)
{
	size_t n = strlen(line);

	if (t->len + n + 2 > t->cap) {
		t->cap = (t->cap + n + 2) * 2;
		t->s = realloc(t->s, t->cap);
		cr_assert_not_null(t->s);
	}
	memcpy(t->s + t->len, line, n);
	t->len += n;
	t->s[t->len++] = '\n';
	t->s[t->len] = '\0';
}

static int strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* lines of a text, sorted; *n set */
static char **sorted_lines(char *s, size_t *n)
{
	size_t cap = 1024;
	char **v = malloc(cap * sizeof(*v)), *save = NULL;

	*n = 0;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (*n == cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		v[(*n)++] = l;
	}
	qsort(v, *n, sizeof(*v), strcmp_ptr);
	return v;
}

/* Equal word by word, except that the kernel prints the seconds left of a
 * timeout: up to 5 below sluice's number counts as equal. */
static bool same_entry(const char *sluice, const char *kernel)
{
	while (*sluice && *kernel) {
		if (!strncmp(sluice, " timeout ", 9) && !strncmp(kernel, " timeout ", 9)) {
			char *e1, *e2;
			unsigned long a = strtoul(sluice + 9, &e1, 10), b = strtoul(kernel + 9, &e2, 10);

			if (b > a || a - b > 5)
				return false;
			sluice = e1;
			kernel = e2;
			continue;
		}
		if (*sluice++ != *kernel++)
			return false;
	}
	return *sluice == *kernel;
}

/* a set of strings (the keys already added), open addressing */
struct keyset {
	char **slot;
	size_t cap, n;
};

static bool keyset_add(struct keyset *k, const char *key)
{
	uint64_t h = 1469598103934665603ull;

	if (!k->slot) {
		k->cap = 1 << 16;
		k->slot = calloc(k->cap, sizeof(*k->slot));
	}
	cr_assert_lt(k->n * 2, k->cap, "key set full");
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	for (size_t i = h & (k->cap - 1);; i = (i + 1) & (k->cap - 1)) {
		if (!k->slot[i]) {
			k->slot[i] = strdup(key);
			k->n++;
			return true;
		}
		if (!strcmp(k->slot[i], key))
			return false;
	}
}

static bool keyset_has(const struct keyset *k, const char *key)
{
	uint64_t h = 1469598103934665603ull;

	if (!k->slot)
		return false;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	for (size_t i = h & (k->cap - 1); k->slot[i]; i = (i + 1) & (k->cap - 1))
		if (!strcmp(k->slot[i], key))
			return true;
	return false;
}

static void keyset_free(struct keyset *k)
{
	for (size_t i = 0; i < k->cap; i++)
		free(k->slot[i]);
	free(k->slot);
}

/* --- generated spellings ---------------------------------------------------- */

struct gen {
	uint64_t seed;
	const struct sl_set_spec *spec;
	char *out;
	size_t size;
	int len;
};

static unsigned below(struct gen *g, unsigned n)
{
	return (unsigned)(rnd(&g->seed) % n);
}

static bool chance(struct gen *g, unsigned pct)
{
	return below(g, 100) < pct;
}

#define PICK(g, arr) ((arr)[below((g), N(arr))])
#define put(g, ...) sl_set_append((g)->out, (g)->size, &(g)->len, __VA_ARGS__)

/* a number in one of the bases ipset reads */
static void put_num(struct gen *g, unsigned long long n)
{
	unsigned b = below(g, 10);

	if (b == 0)
		put(g, "0x%llx", n);
	else if (b == 1 && n)
		put(g, "0%llo", n);
	else
		put(g, "%llu", n);
}

static uint32_t gen_v4(struct gen *g)
{
	return 10u << 24 | below(g, 4) << 16 | below(g, 256) << 8 | (1 + below(g, 254));
}

static void put_v4(struct gen *g, uint32_t a)
{
	put(g, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
}

/* an IPv6 address of 2001:db8::/32 in one of several spellings */
static void put_v6(struct gen *g)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	char buf[64];

	if (chance(g, 5)) { /* IPv4-mapped */
		uint32_t v = gen_v4(g);

		put(g, "::ffff:");
		put_v4(g, v);
		return;
	}
	for (int i = 4; i < 16; i++)
		a[i] = below(g, 3) ? 0 : (uint8_t)below(g, 256);
	a[15] |= 1;
	switch (below(g, 4)) {
	case 0:
		for (int i = 0; i < 16; i += 2)
			put(g, "%s%04x", i ? ":" : "", a[i] << 8 | a[i + 1]);
		break;
	case 1:
		for (int i = 0; i < 16; i += 2)
			put(g, "%s%X", i ? ":" : "", a[i] << 8 | a[i + 1]);
		break;
	case 2:
		inet_ntop(AF_INET6, a, buf, sizeof(buf));
		for (char *p = buf; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		put(g, "%s", buf);
		break;
	default:
		inet_ntop(AF_INET6, a, buf, sizeof(buf));
		put(g, "%s", buf);
	}
}

/* SL_PART_IP / SL_PART_IP_ONE: hosts, /32, CIDRs with host bits, ranges */
static void gen_ip(struct gen *g, bool one)
{
	bool v6 = g->spec->family == SL_FAMILY_IPV6;
	unsigned k = one ? 0 : below(g, 10);

	if (v6) {
		put_v6(g);
		if (!one && k == 0)
			put(g, "/128");
		return;
	}
	uint32_t a = gen_v4(g);

	put_v4(g, a);
	if (k == 1)
		put(g, "/32");
	else if (k == 2 || k == 3)
		put(g, "/%u", 30 + below(g, 3));
	else if (k == 4) {
		put(g, "-");
		put_v4(g, below(g, 2) ? a + below(g, 4) : a - below(g, 4));
	}
}

/* SL_PART_NET: CIDRs of every length with host bits, hosts, ranges */
static void gen_net(struct gen *g)
{
	bool v6 = g->spec->family == SL_FAMILY_IPV6;
	unsigned k = below(g, 10);

	if (v6) {
		put_v6(g);
		if (k < 7)
			put(g, "/%u", 1 + below(g, 128));
		return;
	}
	uint32_t a = gen_v4(g);

	put_v4(g, a);
	if (k < 5)
		put(g, "/%u", 8 + below(g, 25));
	else if (k < 7) {
		put(g, "-");
		put_v4(g, below(g, 2) ? a + below(g, 40) : a - below(g, 40));
	} else if (k == 7) {
		put(g, "-");
		put_v4(g, a + below(g, 2000));
	} else if (k == 8) { /* up to ~60 blocks, some of them large */
		put(g, "-");
		put_v4(g, a + below(g, 1u << 22));
	}
}

static void put_icmp(struct gen *g, bool v6)
{
	static const uint16_t known4[] = { 0x0000, 0x0300, 0x0301, 0x0303, 0x0304, 0x030d, 0x0400, 0x0500,
					   0x0800, 0x0900, 0x0a00, 0x0b00, 0x0b01, 0x0c00, 0x0d00, 0x1100 };
	static const uint16_t known6[] = { 0x0100, 0x0101, 0x0104, 0x0200, 0x0300, 0x0400, 0x0402,
					   0x8000, 0x8100, 0x8500, 0x8700, 0x8800, 0x8900 };
	char buf[32], name[32];
	unsigned k = below(g, 4);

	if (k == 0) { /* TYPE/CODE, also numbers ipset has no name for */
		put_num(g, below(g, 256));
		put(g, "/");
		put_num(g, below(g, 8));
		return;
	}
	snprintf(name, sizeof(name), "%s",
		 sl_set_icmp_name(v6, v6 ? PICK(g, known6) : PICK(g, known4), buf, sizeof(buf)));
	if (k == 1) /* a prefix: the first name it starts */
		name[1 + below(g, (unsigned)strlen(name))] = '\0';
	if (k == 2)
		for (char *p = name; *p; p++)
			*p = (char)(below(g, 2) ? toupper((unsigned char)*p) : *p);
	put(g, "%s", name);
}

/* SL_PART_PROTO_PORT */
static void gen_proto_port(struct gen *g)
{
	static const char *const tcp[] = { "tcp:", "TCP:", "6:", "" };
	static const char *const udp[] = { "udp:", "UDP:", "17:" };
	static const char *const other[] = { "sctp:", "SCTP:", "udplite:", "UDPLite:", "136:" };
	static const char *const icmp4[] = { "icmp:", "ICMP:", "1:" };
	static const char *const icmp6[] = { "icmpv6:", "ICMPv6:", "ipv6-icmp:", "IPv6-ICMP:", "58:" };
	static const char *const none[] = { "gre:0", "GRE:0", "47:0", "esp:0", "ah:0", "ospf:0" };
	static const char *const tcp_names[] = { "http", "https", "ssh", "smtp", "domain", "ftp", "telnet",
						 "kerberos", "sip", "[ms-sql-s]" };
	static const char *const udp_names[] = { "domain", "ntp", "snmp", "https", "kerberos", "sip" };
	bool v6 = g->spec->family == SL_FAMILY_IPV6;
	unsigned k = below(g, 20), p = below(g, 65536);

	if (k < 4) {
		put(g, "%s", PICK(g, tcp));
		put_num(g, p);
	} else if (k < 7) {
		put(g, "%s", PICK(g, udp));
		put_num(g, p);
	} else if (k < 9) {
		put(g, "%s", PICK(g, other));
		put_num(g, p);
	} else if (k < 11) {
		put(g, "%s", below(g, 2) ? "" : "tcp:");
		put(g, "%s", PICK(g, tcp_names));
	} else if (k < 12) {
		put(g, "udp:%s", PICK(g, udp_names));
	} else if (k < 14) { /* a few ports, sometimes reversed */
		unsigned q = p + below(g, 3);

		put(g, "%s", below(g, 2) ? PICK(g, tcp) : PICK(g, udp));
		put(g, "%u-%u", below(g, 2) ? p : q, below(g, 2) ? q : p);
		if (q > 65535)
			g->len = -1; /* out of range: the caller draws again */
	} else if (k < 18) {
		put(g, "%s", v6 ? PICK(g, icmp6) : PICK(g, icmp4));
		put_icmp(g, v6);
	} else {
		put(g, "%s", PICK(g, none));
	}
}

/* SL_PART_PORT of a bitmap:port with range 0..4095 */
static void gen_bitmap_port(struct gen *g)
{
	static const char *const names[] = { "http", "https", "ssh", "ftp", "domain", "udp:ntp", "kerberos",
					     "udp:domain", "tcp:smtp", "telnet" };
	unsigned k = below(g, 10), p = below(g, 4096);

	if (k < 2) {
		put(g, "%s", PICK(g, names));
		return;
	}
	if (k < 4)
		put(g, "%s", below(g, 2) ? "tcp:" : "udp:");
	put_num(g, p);
	if (k == 9 && p < 4090)
		put(g, "-%u", p + below(g, 5));
}

static void gen_mac(struct gen *g)
{
	static const char *const fmt[] = { "%02x", "%02X", "%x", "%X" };
	uint8_t m[6];

	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)below(g, 256);
	m[5] |= 1;
	for (int i = 0; i < 6; i++) {
		if (i)
			put(g, ":");
		put(g, PICK(g, fmt), m[i]);
	}
}

/* one element of g->spec's type, part by part from the type table */
static void gen_key(struct gen *g)
{
	const struct sl_set_type_info *ti = &sl_set_types[g->spec->type];

	for (int i = 0; i < ti->dims; i++) {
		if (i)
			put(g, ",");
		switch (ti->part[i]) {
		case SL_PART_IP:
			gen_ip(g, false);
			break;
		case SL_PART_IP_ONE:
			gen_ip(g, true);
			break;
		case SL_PART_NET:
			gen_net(g);
			break;
		case SL_PART_PROTO_PORT:
			gen_proto_port(g);
			break;
		case SL_PART_PORT:
			gen_bitmap_port(g);
			break;
		case SL_PART_MAC:
			gen_mac(g);
			break;
		case SL_PART_IFACE: /* hash:net,iface: a few names, so that entries share them */
			put(g, "eth%u", below(g, 4));
			break;
		case SL_PART_MARK: /* hash:ip,mark: a few marks, decimal and hex as ipset takes them */
			put(g, below(g, 2) ? "%u" : "0x%x", below(g, 256));
			break;
		case SL_PART_NONE:
			break;
		}
	}
}

/* the options the set allows, sometimes */
static void gen_opts(struct gen *g)
{
	static const char *const comments[] = { "web", "\"db server\"", "\"it's\"", "x-y", "\"a # b\"" };

	if ((g->spec->flags & SL_SET_F_TIMEOUT) && chance(g, 40))
		put(g, " timeout %u", chance(g, 20) ? 0 : 100000 + below(g, 1000000));
	if ((g->spec->flags & SL_SET_F_COUNTERS) && chance(g, 40)) {
		if (chance(g, 80)) {
			put(g, " packets ");
			put_num(g, rnd(&g->seed) >> below(g, 64));
		}
		if (chance(g, 80)) {
			put(g, " bytes ");
			put_num(g, rnd(&g->seed) >> (1 + below(g, 63)));
		}
	}
	if ((g->spec->flags & SL_SET_F_COMMENT) && chance(g, 40))
		put(g, " comment %s", PICK(g, comments));
	if (sl_set_types[g->spec->type].nomatch && chance(g, 20))
		put(g, " nomatch");
}

/* --- the differential run --------------------------------------------------------- */

struct oracle {
	const char *name;            /* the set, in the kernel and in sluice */
	const char *create;          /* after the name */
	const char *const *bad;      /* lines both must refuse, NULL-terminated */
	int lines;
};

static const char *oracle_ns(void)
{
	const char *ns = getenv("SLUICE_IPSET_NS");

	if (!ns || !*ns)
		cr_skip_test("needs SLUICE_IPSET_NS (tests/netns/test_sets_ipset_oracle.sh sets it)");
	for (const char *p = ns; *p; p++) /* goes into a shell command */
		cr_assert(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *p),
			  "odd namespace name '%s'", ns);
	return ns;
}

/* the kernel's create line without the words the spec does not carry */
static void strip_kernel_create(const struct sl_set_spec *spec, char *line)
{
	static const struct {
		const char *word;
		unsigned flag;
	} drop[] = { { " bucketsize ", SL_SET_F_BUCKETSIZE }, { " initval ", SL_SET_F_INITVAL } };

	for (size_t i = 0; i < N(drop); i++) {
		char *p = strstr(line, drop[i].word), *end;

		if (!p || (spec->flags & drop[i].flag))
			continue;
		end = strchr(p + strlen(drop[i].word), ' ');
		memmove(p, end ? end : p + strlen(p), strlen(end ? end : p + strlen(p)) + 1);
	}
}

struct run {
	const char *ns;
	struct sl_set_spec spec;
	bool mac_via_bitmap;         /* the kernel lacks hash:mac: check MACs in bitmap:ip,mac */
	struct text restore, expect;
	struct keyset keys;
	int lines, skipped, entries, bad;
};

/* one generated line: into the restore input and, expanded, the expectation */
static void oracle_line(struct run *r, uint64_t *seed, int i)
{
	char words[1024], line[SL_SET_LINE_MAX + 1200], key[SL_SET_LINE_MAX], ip[32];
	struct gen g = { .seed = *seed, .spec = &r->spec, .out = words, .size = sizeof(words) };
	struct sl_set_elem e, one;
	struct sl_set_iter it;
	struct sl_error err = { 0 };
	struct words w;
	bool fresh = true;

	do { /* again if a drawn port range left 0..65535 */
		g.len = 0;
		gen_key(&g);
		if (!r->mac_via_bitmap)
			gen_opts(&g);
	} while (g.len < 0);
	*seed = g.seed;
	split(words, &w);
	cr_assert_eq(sl_set_elem_parse(&r->spec, SL_SETCMD_ADD, w.n, w.argv, w.cols, &e, &err), 0,
		     "sluice refuses the generated '%s': %s", words, err.msg);
	cr_assert_eq(sl_set_expand_init(&it, &r->spec, &e, 0, &err), 0, "'%s': %s", words, err.msg);
	if (r->mac_via_bitmap) { /* one address per MAC: never a duplicate */
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 256, i % 256);
		snprintf(line, sizeof(line), "add %s %s,%s", r->spec.name, ip, words);
		text_add(&r->restore, line);
		sl_set_elem_format(&r->spec, &e, key, sizeof(key));
		snprintf(line, sizeof(line), "add %s %s,%s", r->spec.name, ip, key);
		text_add(&r->expect, line);
		r->lines++;
		r->entries++;
		return;
	}
	/* an entry the kernel has already: ipset refuses the whole line */
	while (sl_set_expand_next(&it, &one)) {
		sl_set_elem_format(&r->spec, &one, key, sizeof(key));
		fresh = fresh && !keyset_has(&r->keys, key);
	}
	if (!fresh) {
		r->skipped++;
		return;
	}
	sl_set_expand_init(&it, &r->spec, &e, 0, &err);
	while (sl_set_expand_next(&it, &one)) {
		sl_set_elem_format(&r->spec, &one, key, sizeof(key));
		keyset_add(&r->keys, key);
		sl_set_add_format(&r->spec, &one, line, sizeof(line));
		text_add(&r->expect, line);
		r->entries++;
	}
	snprintf(line, sizeof(line), "add %s %s", r->spec.name, words);
	text_add(&r->restore, line);
	r->lines++;
}

static void oracle_compare(struct run *r, char *saved)
{
	char spec_line[SL_SET_LINE_MAX], *create = saved, *body = strchr(saved, '\n');
	size_t nk, ns;
	char **k, **s;
	int bad = 0;

	cr_assert_not_null(body, "ipset save printed: %s", saved);
	*body++ = '\0';
	if (!r->mac_via_bitmap) {
		strip_kernel_create(&r->spec, create);
		sl_set_spec_format(&r->spec, spec_line, sizeof(spec_line));
		cr_expect_str_eq(spec_line, create, "create line");
	}
	k = sorted_lines(body, &nk);
	s = sorted_lines(r->expect.s, &ns);
	cr_expect_eq(ns, nk, "%s: sluice prints %zu entries, the kernel saves %zu", r->spec.name, ns, nk);
	for (size_t i = 0; i < ns && i < nk && bad < 10; i++)
		if (!same_entry(s[i], k[i])) {
			cr_expect_fail("%s entry %zu: sluice '%s', kernel '%s'", r->spec.name, i, s[i], k[i]);
			bad++;
		}
	free(k);
	free(s);
}

/* lines sluice and the kernel must both refuse */
static void oracle_bad(struct run *r, const char *const *bad)
{
	char line[1024], out[4096];

	for (; bad && *bad; bad++) {
		struct words w;
		struct sl_set_elem e;
		struct sl_set_iter it;
		struct sl_error err = { 0 };
		bool refused;

		split(*bad, &w);
		refused = sl_set_elem_parse(&r->spec, SL_SETCMD_ADD, w.n, w.argv, w.cols, &e, &err) ||
			  sl_set_expand_init(&it, &r->spec, &e, 0, &err);
		cr_expect(refused, "%s: sluice takes '%s'", r->spec.name, *bad);
		snprintf(line, sizeof(line), "add %s %s%s\n", r->spec.name, r->mac_via_bitmap ? "10.0.255.1," : "", *bad);
		cr_expect_neq(ns_run(r->ns, "restore", line, out, sizeof(out)), 0, "%s: the kernel takes '%s'",
			      r->spec.name, *bad);
		r->bad++;
	}
}

/* --- the same sets in sluiced (SLUICE_ORACLE_SOCKET): set test and save/restore -------- */

/* One request to the daemon: 0 ok, else the reply's code; `text` (may be
 * NULL) gets data.text or the error message. */
static int sluice_req(const char *line, const char *body, char *text, size_t size)
{
	const char *sock = getenv("SLUICE_ORACLE_SOCKET"), *why;
	json_object *reply, *v = NULL, *data = NULL;
	int fd = -1, rc;

	if (body) {
		char path[] = "/tmp/sluice-sets-body.XXXXXX";

		fd = mkstemp(path);
		cr_assert_geq(fd, 0);
		cr_assert_eq(write(fd, body, strlen(body)), (ssize_t)strlen(body));
		lseek(fd, 0, SEEK_SET);
		unlink(path);
	}
	reply = sl_client_request(sock, line, fd, &why);
	if (fd >= 0)
		close(fd);
	cr_assert_not_null(reply, "sluiced at %s: %s", sock, why);
	json_object_object_get_ex(reply, "status", &v);
	if (!strcmp(json_object_get_string(v), "ok")) {
		rc = 0;
		json_object_object_get_ex(reply, "data", &data);
		if (text && json_object_object_get_ex(data, "text", &v))
			snprintf(text, size, "%s", json_object_get_string(v));
	} else {
		json_object_object_get_ex(reply, "code", &v);
		rc = json_object_get_int(v);
		if (text && json_object_object_get_ex(reply, "error", &v))
			snprintf(text, size, "%s", json_object_get_string(v));
	}
	json_object_put(reply);
	return rc;
}

enum answer { IN_SET, NOT_IN_SET, REFUSED };

static enum answer kernel_test(struct run *r, const char *elem)
{
	char args[512], out[1024];
	int rc;

	snprintf(args, sizeof(args), "test %s %s", r->spec.name, elem);
	rc = ns_run(r->ns, args, NULL, out, sizeof(out));
	if (rc == 0)
		return IN_SET;
	return strstr(out, "is NOT in set") ? NOT_IN_SET : REFUSED;
}

static enum answer sluice_test(struct run *r, const char *elem)
{
	char line[512];
	int rc;

	snprintf(line, sizeof(line), "set test %s %s", r->spec.name, elem);
	rc = sluice_req(line, NULL, NULL, 0);
	return rc == 0 ? IN_SET : rc == 1 ? NOT_IN_SET : REFUSED;
}

/* a near miss: the last number of the element's first part, plus one */
static void near_miss(const char *elem, char *out, size_t size)
{
	size_t end = strcspn(elem, ",/"), i = end;

	snprintf(out, size, "%s", elem);
	while (i > 0 && isxdigit((unsigned char)out[i - 1]))
		i--;
	if (i == end)
		return;
	if (strchr(elem, ':') && strcspn(elem, ":") < end) { /* IPv6 or MAC: hex */
		unsigned long v = strtoul(out + i, NULL, 16);
		char tail[256];

		snprintf(tail, sizeof(tail), "%s", out + end);
		snprintf(out + i, size - i, "%lx%s", (v + 1) & (end - i >= 4 ? 0xffff : 0xff), tail);
	} else {
		unsigned long v = strtoul(out + i, NULL, 10);
		char tail[256];

		snprintf(tail, sizeof(tail), "%s", out + end);
		snprintf(out + i, size - i, "%lu%s", (v + 1) & 0xff, tail);
	}
}

/* the address of a net entry with its host bits set: a host inside it */
static void host_inside(const char *elem, char *out, size_t size)
{
	char tail[256];
	const char *slash = strchr(elem, '/');
	size_t plen = slash ? (size_t)(slash - elem) : strlen(elem);

	snprintf(out, size, "%s", elem);
	if (!slash || strchr(elem, ':'))
		return;
	snprintf(tail, sizeof(tail), "%s", slash + strcspn(slash, ","));
	{
		struct in_addr a;
		char addr[32];
		unsigned cidr = (unsigned)atoi(slash + 1);

		snprintf(addr, sizeof(addr), "%.*s", (int)plen, elem);
		if (inet_pton(AF_INET, addr, &a) != 1 || cidr == 0 || cidr > 32)
			return;
		a.s_addr = htonl(ntohl(a.s_addr) | (cidr < 32 ? (0xffffffffu >> cidr) & 0x5 : 0));
		inet_ntop(AF_INET, &a, addr, sizeof(addr));
		snprintf(out, size, "%s%.200s", addr, tail);
	}
}

static void probe(struct run *r, const char *elem, int *n, int *bad)
{
	enum answer k = kernel_test(r, elem), s = sluice_test(r, elem);
	static const char *const names[] = { "in set", "not in set", "refused" };

	(*n)++;
	if (k != s && (*bad)++ < 10)
		cr_expect_fail("%s: test %s: kernel %s, sluice %s", r->spec.name, elem, names[k], names[s]);
}

/* entries of an ipset save text, sorted, with `name` written as `as` */
static char **save_entries(char *text, const char *name, const char *as, size_t *n)
{
	char pat[64], *line, *save = NULL;
	struct text t = { 0 };

	snprintf(pat, sizeof(pat), "add %s ", name);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char buf[SL_SET_LINE_MAX + 64];

		if (strncmp(line, pat, strlen(pat)))
			continue;
		snprintf(buf, sizeof(buf), "add %s %s", as, line + strlen(pat));
		text_add(&t, buf);
	}
	if (!t.s)
		text_add(&t, "");
	return sorted_lines(t.s, n);
}

static void compare_saves(const char *what, char *a, const char *an, char *b, const char *bn)
{
	size_t na, nb;
	char **ea = save_entries(a, an, "X", &na), **eb = save_entries(b, bn, "X", &nb);
	int bad = 0;

	cr_expect_eq(na, nb, "%s: %zu entries against %zu", what, na, nb);
	for (size_t i = 0; i < na && i < nb && bad < 10; i++)
		if (!same_entry(ea[i], eb[i]) && !same_entry(eb[i], ea[i])) {
			cr_expect_fail("%s entry %zu: '%s' against '%s'", what, i, ea[i], eb[i]);
			bad++;
		}
	free(ea);
	free(eb);
}

static void oracle_sluice(struct run *r, uint64_t seed, char *kernel_saved, char *expect)
{
	size_t bufsize = 1 << 22;
	char line[512], *text = malloc(bufsize), *copy = malloc(bufsize), *ks = strdup(kernel_saved), rt[64];
	char **members;
	size_t nm;
	int probes = 0, bad = 0;
	struct gen g = { .seed = seed ^ 0x5a5a5a5a, .spec = &r->spec };

	cr_assert(text && copy && ks);
	if (!getenv("SLUICE_ORACLE_SOCKET") || r->mac_via_bitmap) {
		free(text), free(copy), free(ks);
		return;
	}
	snprintf(line, sizeof(line), "set destroy %s", r->spec.name);
	sluice_req(line, NULL, NULL, 0);
	cr_assert_eq(sluice_req("set restore", r->restore.s, text, bufsize), 0, "%s: set restore: %s", r->spec.name,
		     text);

	/* what both saved */
	snprintf(line, sizeof(line), "set save %s", r->spec.name);
	cr_assert_eq(sluice_req(line, NULL, text, bufsize), 0, "set save: %s", text);
	snprintf(copy, bufsize, "%s", text);
	compare_saves("sluice save against ipset save", copy, r->spec.name, ks, r->spec.name);

	/* probes: every member, a host inside it, a near miss, and random ones */
	members = sorted_lines(expect, &nm);
	for (size_t i = 0; i < nm && i < 400; i++) {
		char elem[256], other[256];

		if (sscanf(members[i], "add %*s %255s", elem) != 1)
			continue;
		probe(r, elem, &probes, &bad);
		near_miss(elem, other, sizeof(other));
		probe(r, other, &probes, &bad);
		host_inside(elem, other, sizeof(other));
		if (strcmp(other, elem))
			probe(r, other, &probes, &bad);
	}
	free(members);
	for (int i = 0; i < 150; i++) {
		char words[512];

		g.out = words;
		g.size = sizeof(words);
		g.len = 0;
		gen_key(&g);
		if (g.len > 0 && !strchr(words, '-')) /* single elements: ipset tests no ranges */
			probe(r, words, &probes, &bad);
	}

	/* round trips: sluice's save into the kernel, the kernel's into sluice */
	snprintf(rt, sizeof(rt), "%.20s_rt", r->spec.name);
	snprintf(line, sizeof(line), "destroy %s", rt);
	ns_run(r->ns, line, NULL, NULL, 0);
	{
		struct text in = { 0 };
		char *save = NULL, *l, pat[64];

		snprintf(copy, bufsize, "%s", text);
		snprintf(pat, sizeof(pat), " %s ", r->spec.name);
		for (l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char buf[SL_SET_LINE_MAX + 64], *at = strstr(l, pat);

			cr_assert_not_null(at, "odd save line '%s'", l);
			snprintf(buf, sizeof(buf), "%.*s %s %s", (int)(at - l), l, rt, at + strlen(pat));
			text_add(&in, buf);
		}
		cr_expect_eq(ns_run(r->ns, "restore", in.s, copy, bufsize), 0, "ipset restore of sluice's save: %s",
			     copy);
		free(in.s);
		snprintf(line, sizeof(line), "save %s", rt);
		cr_expect_eq(ns_run(r->ns, line, NULL, copy, bufsize), 0, "ipset save: %s", copy);
		snprintf(ks, strlen(kernel_saved) + 1, "%s", kernel_saved);
		compare_saves("ipset restore of sluice's save", copy, rt, ks, r->spec.name);
		snprintf(line, sizeof(line), "destroy %s", rt);
		ns_run(r->ns, line, NULL, NULL, 0);
	}
	/* and the kernel's save, unchanged but for the name, into sluiced */
	{
		struct text in = { 0 };
		char *save = NULL, *l, pat[64];

		snprintf(copy, bufsize, "%s", kernel_saved);
		snprintf(pat, sizeof(pat), " %s ", r->spec.name);
		for (l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char buf[SL_SET_LINE_MAX + 64], *at = strstr(l, pat);

			cr_assert_not_null(at, "odd kernel save line '%s'", l);
			snprintf(buf, sizeof(buf), "%.*s %s %s", (int)(at - l), l, rt, at + strlen(pat));
			text_add(&in, buf);
		}
		cr_expect_eq(sluice_req("set restore", in.s, text, bufsize), 0, "set restore of ipset's save: %s", text);
		free(in.s);
		snprintf(line, sizeof(line), "set save %s", rt);
		cr_expect_eq(sluice_req(line, NULL, copy, bufsize), 0, "set save: %s", copy);
		snprintf(ks, strlen(kernel_saved) + 1, "%s", kernel_saved);
		compare_saves("sluiced's restore of ipset's save", copy, rt, ks, r->spec.name);
		snprintf(line, sizeof(line), "set destroy %s", rt);
		sluice_req(line, NULL, NULL, 0);
	}
	cr_log_info("ipset_oracle %-12s sluiced: %d probes compared with ipset test, save/restore both ways",
		    r->spec.name, probes);
	snprintf(line, sizeof(line), "set destroy %s", r->spec.name);
	cr_expect_eq(sluice_req(line, NULL, text, bufsize), 0, "set destroy: %s", text);
	free(text);
	free(copy);
	free(ks);
}

static void oracle_run(const struct oracle *o)
{
	struct run r = { .ns = oracle_ns() };
	char create[256], args[128], *saved = malloc(1 << 22);
	uint64_t seed = 0x0123456789abcdefull;

	cr_assert_not_null(saved);
	for (const char *p = o->name; *p; p++) /* a fixed seed per set */
		seed = seed * 131 + (unsigned char)*p;
	snprintf(create, sizeof(create), "%s %s", o->name, o->create);
	spec_of(create, &r.spec);
	snprintf(args, sizeof(args), "destroy %s", o->name);
	ns_run(r.ns, args, NULL, NULL, 0);
	if (r.spec.type == SL_SET_HASH_MAC) {
		snprintf(args, sizeof(args), "create %s hash:mac", o->name);
		r.mac_via_bitmap = ns_run(r.ns, args, NULL, saved, 1 << 22) != 0 && strstr(saved, "not supported");
		snprintf(args, sizeof(args), "destroy %s", o->name);
		ns_run(r.ns, args, NULL, NULL, 0);
	}
	if (r.mac_via_bitmap) {
		snprintf(create, sizeof(create), "create %s bitmap:ip,mac range 10.0.0.0/16", o->name);
		text_add(&r.restore, create);
	} else {
		sl_set_spec_format(&r.spec, create, sizeof(create)); /* the kernel reads sluice's line */
		text_add(&r.restore, create);
	}
	for (int i = 0; i < o->lines; i++)
		oracle_line(&r, &seed, i);
	cr_assert_eq(ns_run(r.ns, "restore", r.restore.s, saved, 1 << 22), 0, "%s: ipset restore: %s", o->name,
		     saved);
	snprintf(args, sizeof(args), "save %s", o->name);
	cr_assert_eq(ns_run(r.ns, args, NULL, saved, 1 << 22), 0, "ipset save: %s", saved);
	{
		/* oracle_compare() splits both texts in place */
		char *kernel_saved = strdup(saved), *expect = strdup(r.expect.s ? r.expect.s : "");

		oracle_compare(&r, saved);
		oracle_sluice(&r, seed, kernel_saved, expect);
		free(kernel_saved);
		free(expect);
	}
	oracle_bad(&r, o->bad);
	snprintf(args, sizeof(args), "destroy %s", o->name);
	cr_expect_eq(ns_run(r.ns, args, NULL, saved, 1 << 22), 0, "ipset destroy: %s", saved);
	cr_log_info("ipset_oracle %-58s %3d lines, %4d entries compared, %2d duplicate lines left out, "
		    "%2d bad lines refused by both%s",
		    o->create, r.lines,
		    r.entries, r.skipped, r.bad, r.mac_via_bitmap ? " (kernel lacks hash:mac: MACs via bitmap:ip,mac)" : "");
	free(r.restore.s);
	free(r.expect.s);
	keyset_free(&r.keys);
	free(saved);
}

#define BAD(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define ORACLE(test, set, opts, bad)                                  \
	Test(ipset_oracle, test)                                      \
	{                                                             \
		const struct oracle o = { set, opts, bad, 300 };        \
		oracle_run(&o);                                       \
	}

ORACLE(hash_ip_inet, "sl_o_ip4", "hash:ip",
       BAD("10.0.0.256", "10.0.0.0/33", "10.0.0.0/0", "0.0.0.0", "0.0.0.0-0.0.0.3", "1.2.3.4,80", "2001:db8::1",
	   "1.2.3.4 nomatch", "1.2.3.4 comment x", "1.2.3.4 timeout 5", "1.2.3.4 packets 1", "1.2.3.4 foo"))
ORACLE(hash_ip_inet6, "sl_o_ip6", "hash:ip family inet6 counters comment",
       BAD("2001:db8::/64", "::1-::2", "::", "1.2.3.4", "2001:db8::g", "::1 timeout 5", "::1 packets 1 packets 2",
	   "::1 packets 18446744073709551615", "::1 comment"))
ORACLE(hash_net_inet, "sl_o_net4", "hash:net comment",
       BAD("10.0.0.0/0", "0.0.0.0-255.255.255.255", "10.0.0.0/33", "10.0.0.1,80", "10.0.0.0/8 counters"))
ORACLE(hash_net_inet6, "sl_o_net6", "hash:net family inet6 timeout 100000",
       BAD("::/0", "::1-::3", "2001:db8::/129", "10.0.0.0/8", "::1 timeout 2147484"))
ORACLE(hash_ip_port_inet, "sl_o_ipp4", "hash:ip,port counters",
       BAD("10.0.0.1", "10.0.0.1,70000", "10.0.0.1,tcp:70000", "10.0.0.1,foo:80", "10.0.0.1,tcp:nosuch",
	   "10.0.0.1,gre:5", "10.0.0.1,icmp:5-6", "10.0.0.1,icmpv6:ping", "10.0.0.1,icmp:256/0",
	   "10.0.0.1,icmp:nosuch", "10.0.0.1,80,5", "0.0.0.0,80", "10.0.0.1,ip:0", "10.0.0.1,80 nomatch"))
ORACLE(hash_ip_port_inet6, "sl_o_ipp6", "hash:ip,port family inet6 comment",
       BAD("2001:db8::/64,80", "::1,icmp:8/0", "::,80", "::1,ipv6-icmp:300/0", "::1-::2,80", "::1,tcp:-5"))
ORACLE(hash_net_port_inet, "sl_o_netp4", "hash:net,port timeout 0 counters comment",
       BAD("10.1.0.0/0,80", "10.0.0.0/24,icmp:8/0-9", "10.0.0.0/24", "10.0.0.0/24,80 timeout 2147484",
	   "10.0.0.0/24,80 comment 'a\"b'"))
ORACLE(hash_net_port_inet6, "sl_o_netp6", "hash:net,port family inet6",
       BAD("2001:db8::/0,80", "::1-::2,80", "::1,80,::2"))
ORACLE(hash_ip_port_ip_inet, "sl_o_ippip4", "hash:ip,port,ip comment",
       BAD("10.0.1.1,80,10.0.0.0/31", "10.0.1.1,80-81,10.0.0.9-10.0.0.10", "10.0.0.1,80", "10.0.0.1,80,1.1.1.1,2"))
ORACLE(hash_ip_port_ip_inet6, "sl_o_ippip6", "hash:ip,port,ip family inet6 timeout 100000 counters",
       BAD("::1,80", "::1/64,80,::2", "::1,80,::2/64", "::1,icmp:ping,::2"))
ORACLE(hash_mac, "sl_o_mac", "hash:mac",
       BAD("aa-bb-cc-dd-ee-ff", "aabb.ccdd.eeff", "aa:bb:cc:dd:ee", "aaa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff:1"))
ORACLE(bitmap_port, "sl_o_bport", "bitmap:port range 0-4095 timeout 100000 counters comment",
       BAD("4096", "4000-5000", "sctp:7", "70000", "1,2", "5 nomatch"))

/* plain sets (no timeout, counters or comment: sluice's compact layout),
 * of types the lines above test with entry values */
ORACLE(hash_net_inet_plain, "sl_o_net4p", "hash:net",
       BAD("10.0.0.0/0", "10.0.0.0/8 timeout 5", "10.0.0.0/8 packets 1", "10.0.0.0/8 comment x"))
ORACLE(hash_ip_port_ip_inet6_plain, "sl_o_ippip6p", "hash:ip,port,ip family inet6",
       BAD("::1,80", "::1,udp:53,::2 timeout 1", "::1,udp:53,::2 nomatch"))
ORACLE(bitmap_port_plain, "sl_o_bportp", "bitmap:port range 0-4095", BAD("4096", "5 timeout 5", "5 nomatch"))

/* create lines: the kernel reads the words as given, sluice prints them */
Test(ipset_oracle, create_lines)
{
	static const char *const creates[] = {
		"hash:ip", "hash:ip family inet6 hashsize 64 maxelem 100 timeout 30 counters comment",
		"hash:net hashsize 1000", "hash:net family inet6 hashsize 3", "hash:ip,port hashsize 65 maxelem 0",
		"hash:net,port comment counters timeout 5 maxelem 5 hashsize 128 -6", "hash:ip,port,ip family ipv6",
		"iphash", "nethash timeout 0x10", "ipporthash", "ipportiphash -4",
		"hash:ip bucketsize 4 initval 0x12345678", "hash:ip bucketsize 5", "hash:ip bucketsize 1",
		"hash:ip bucketsize 0", "hash:ip bucketsize 13", "hash:ip initval 5", "hash:ip maxelem 4294967295",
		"hash:ip timeout 2147483", "hash:ip counters counters",
		"bitmap:port range 1-1024", "bitmap:port range ftp-http timeout 10 counters comment",
		"bitmap:port range 80-21", "bitmap:port range 0-65535", "bitmap:port range tcp:1-2",
		"portmap range udp:domain-ntp", "hash:mac", "hash:mac timeout 5 counters comment",
	};
	const char *ns = oracle_ns();
	char *out = malloc(1 << 16);
	int compared = 0;

	for (size_t i = 0; i < N(creates); i++) {
		char words[512], line[640], args[64], mine[SL_SET_LINE_MAX];
		struct sl_set_spec spec;

		snprintf(words, sizeof(words), "sl_oc%02zu %s", i, creates[i]);
		spec_of(words, &spec);
		snprintf(args, sizeof(args), "destroy sl_oc%02zu", i);
		ns_run(ns, args, NULL, NULL, 0);
		snprintf(line, sizeof(line), "create %s\n", words);
		if (ns_run(ns, "restore", line, out, 1 << 16)) {
			/* only a type this kernel lacks may fail */
			cr_expect(spec.type == SL_SET_HASH_MAC && strstr(out, "not supported"), "'%s': %s", line, out);
			continue;
		}
		snprintf(args, sizeof(args), "save sl_oc%02zu", i);
		cr_assert_eq(ns_run(ns, args, NULL, out, 1 << 16), 0, "%s", out);
		*strchrnul(out, '\n') = '\0';
		strip_kernel_create(&spec, out);
		sl_set_spec_format(&spec, mine, sizeof(mine));
		cr_expect_str_eq(mine, out, "'%s'", creates[i]);
		snprintf(args, sizeof(args), "destroy sl_oc%02zu", i);
		ns_run(ns, args, NULL, NULL, 0);
		compared++;
	}
	cr_log_info("ipset_oracle create lines: %d of %zu compared", compared, N(creates));
	free(out);
}
