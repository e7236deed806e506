/* The drops feature's pure parts: folding counter rows per `--by` key,
 * sorting, the JSON rows, address and reason text, and the window of
 * recent sampled events. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "lib/netns.h"
#include "features/drops/drops.h"
#include "lib/addr.h"

#define V4 SL_FAMILY_IPV4
#define V6 SL_FAMILY_IPV6
/* namespace inodes no real namespace or /run/netns entry will have */
#define NS_A 4294967281u
#define NS_B 4294967282u

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char name_no_socket[] = "NO_SOCKET", name_not_specified[] = "NOT_SPECIFIED";
static struct sl_enum_name reason_list[] = { { 3, name_no_socket }, { 2, name_not_specified } };
static const struct sl_enum_names reasons = { reason_list, 2 };

static void set_addr(uint8_t family, const char *text, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (text)
		cr_assert_eq(inet_pton(family == V6 ? AF_INET6 : AF_INET, text, addr), 1, "%s", text);
}

/* rows are written as { netns, reason, family, port, addr, packets, bytes } */
struct row_spec {
	uint32_t netns, reason;
	uint8_t family;
	uint16_t port;
	const char *addr;  /* NULL: all zero */
	uint64_t packets, bytes;
};

static struct drops_row make_row(const struct row_spec *s)
{
	struct drops_row r;

	memset(&r, 0, sizeof(r));
	r.key.netns = s->netns;
	r.key.reason = s->reason;
	r.key.family = s->family;
	r.key.port = s->port;
	set_addr(s->family, s->addr, r.key.addr);
	r.packets = s->packets;
	r.bytes = s->bytes;
	return r;
}

static void assert_row(const struct drops_row *r, const struct row_spec *s, size_t i)
{
	uint8_t addr[16];

	set_addr(s->family, s->addr, addr);
	cr_assert_eq(r->key.netns, s->netns, "row %zu netns", i);
	cr_assert_eq(r->key.reason, s->reason, "row %zu reason", i);
	cr_assert_eq(r->key.family, s->family, "row %zu family", i);
	cr_assert_eq(r->key.port, s->port, "row %zu port %u, expected %u", i, r->key.port, s->port);
	cr_assert_arr_eq(r->key.addr, addr, 16, "row %zu addr", i);
	cr_assert_eq(r->packets, s->packets, "row %zu packets %llu, expected %llu", i,
		     (unsigned long long)r->packets, (unsigned long long)s->packets);
	cr_assert_eq(r->bytes, s->bytes, "row %zu bytes", i);
}

/* --- aggregation -------------------------------------------------------- */

/* Each row differs from the first in one field; the last repeats the first. */
static const struct row_spec input[] = {
	{ 10, 3, V4, 53, "10.0.0.1", 1, 100 },
	{ 10, 3, V4, 53, "10.0.0.2", 2, 200 },          /* address */
	{ 10, 3, V4, 123, "10.0.0.1", 4, 400 },         /* port */
	{ 10, 3, V6, 53, "2001:db8::1", 8, 800 },       /* family */
	{ 10, 2, V4, 53, "10.0.0.1", 16, 1600 },        /* reason */
	{ 9, 3, V4, 53, "10.0.0.1", 32, 3200 },         /* netns */
	{ 10, 3, V4, 53, "10.0.0.1", 64, 6400 },        /* same key as the first */
};
/* the order they are handed over in */
static const int shuffle[] = { 6, 2, 5, 3, 0, 4, 1 };

static const struct row_spec by_reason[] = {
	{ 9, 3, V4, 0, NULL, 32, 3200 },
	{ 10, 2, V4, 0, NULL, 16, 1600 },
	{ 10, 3, V4, 0, NULL, 1 + 2 + 4 + 64, 7100 },   /* port and address folded */
	{ 10, 3, V6, 0, NULL, 8, 800 },
};

static const struct row_spec by_port[] = {
	{ 9, 3, V4, 53, NULL, 32, 3200 },
	{ 10, 2, V4, 53, NULL, 16, 1600 },
	{ 10, 3, V4, 53, NULL, 1 + 2 + 64, 6700 },       /* address folded */
	{ 10, 3, V4, 123, NULL, 4, 400 },
	{ 10, 3, V6, 53, NULL, 8, 800 },                 /* family sorts before port */
};

static const struct row_spec by_addr[] = {
	{ 9, 3, V4, 53, "10.0.0.1", 32, 3200 },
	{ 10, 2, V4, 53, "10.0.0.1", 16, 1600 },
	{ 10, 3, V4, 53, "10.0.0.1", 1 + 64, 6500 },    /* only identical keys fold */
	{ 10, 3, V4, 53, "10.0.0.2", 2, 200 },
	{ 10, 3, V4, 123, "10.0.0.1", 4, 400 },
	{ 10, 3, V6, 53, "2001:db8::1", 8, 800 },
};

static const struct {
	enum drops_by by;
	const struct row_spec *expect;
	size_t n;
} agg_cases[] = {
	{ DROPS_BY_REASON, by_reason, N(by_reason) },
	{ DROPS_BY_PORT, by_port, N(by_port) },
	{ DROPS_BY_ADDR, by_addr, N(by_addr) },
	{ DROPS_BY_SOCKET, by_port, N(by_port) },       /* keeps the port, not the address */
};

Test(aggregate, per_mode)
{
	for (size_t c = 0; c < N(agg_cases); c++) {
		struct drops_row rows[N(input)];
		size_t n;

		for (size_t i = 0; i < N(input); i++)
			rows[i] = make_row(&input[shuffle[i]]);
		n = drops_aggregate(rows, N(input), agg_cases[c].by);
		cr_assert_eq(n, agg_cases[c].n, "by %d: %zu rows, expected %zu", agg_cases[c].by, n,
			     agg_cases[c].n);
		for (size_t i = 0; i < n; i++)
			assert_row(&rows[i], &agg_cases[c].expect[i], i);
	}
}

Test(aggregate, totals_are_kept)
{
	static const enum drops_by modes[] = { DROPS_BY_REASON, DROPS_BY_PORT, DROPS_BY_ADDR };

	for (size_t c = 0; c < N(modes); c++) {
		struct drops_row rows[N(input)];
		uint64_t packets = 0, bytes = 0;
		size_t n;

		for (size_t i = 0; i < N(input); i++)
			rows[i] = make_row(&input[i]);
		n = drops_aggregate(rows, N(input), modes[c]);
		for (size_t i = 0; i < n; i++) {
			packets += rows[i].packets;
			bytes += rows[i].bytes;
		}
		cr_assert_eq(packets, 127);
		cr_assert_eq(bytes, 12700);
	}
}

Test(aggregate, sort_order)
{
	static const struct row_spec in[] = {
		{ 2, 1, V4, 1, "10.0.0.9", 1, 1 },
		{ 1, 9, V6, 9, "::9", 1, 1 },
		{ 1, 2, V6, 1, "::1", 1, 1 },
		{ 1, 2, V4, 256, "10.0.0.1", 1, 1 },
		{ 1, 2, V4, 2, "10.0.0.2", 1, 1 },
		{ 1, 2, V4, 2, "10.0.0.1", 1, 1 },
		{ 1, 2, V4, 2, "9.255.255.255", 1, 1 },
	};
	/* netns, then reason, family, port (as a number: 2 before 256, though its
	 * bytes compare the other way), address (bytewise) */
	static const int order[] = { 6, 5, 4, 3, 2, 1, 0 };
	struct drops_row rows[N(in)];

	for (size_t i = 0; i < N(in); i++)
		rows[i] = make_row(&in[i]);
	cr_assert_eq(drops_aggregate(rows, N(in), DROPS_BY_ADDR), N(in));
	for (size_t i = 0; i < N(in); i++)
		assert_row(&rows[i], &in[order[i]], i);
}

Test(aggregate, netns_kept_apart)
{
	static const struct row_spec in[] = {
		{ NS_B, 3, V4, 53, "10.0.0.1", 1, 10 },
		{ NS_A, 3, V4, 53, "10.0.0.1", 2, 20 },
		{ NS_B, 3, V4, 53, "10.0.0.1", 4, 40 },
	};
	static const struct row_spec out[] = {
		{ NS_A, 3, V4, 0, NULL, 2, 20 },
		{ NS_B, 3, V4, 0, NULL, 5, 50 },
	};
	struct drops_row rows[N(in)];

	for (size_t i = 0; i < N(in); i++)
		rows[i] = make_row(&in[i]);
	cr_assert_eq(drops_aggregate(rows, N(in), DROPS_BY_REASON), N(out));
	for (size_t i = 0; i < N(out); i++)
		assert_row(&rows[i], &out[i], i);
}

Test(aggregate, large_counts_and_edges)
{
	static const struct row_spec in[] = {
		{ 1, 2, V4, 1, NULL, 1ULL << 40, 1ULL << 50 },
		{ 1, 2, V4, 2, NULL, 1ULL << 40, 1ULL << 50 },
	};
	static const struct row_spec sum = { 1, 2, V4, 0, NULL, 1ULL << 41, 1ULL << 51 };
	struct drops_row rows[2] = { make_row(&in[0]), make_row(&in[1]) };

	cr_assert_eq(drops_aggregate(rows, 0, DROPS_BY_REASON), 0);
	cr_assert_eq(drops_aggregate(rows, 1, DROPS_BY_ADDR), 1);
	assert_row(&rows[0], &in[0], 0);
	cr_assert_eq(drops_aggregate(rows, 2, DROPS_BY_REASON), 1);
	assert_row(&rows[0], &sum, 0);
}

/* --- JSON rows ---------------------------------------------------------- */

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(o, key, &v), "no \"%s\" in %s", key,
		  json_object_to_json_string(o));
	cr_assert(json_object_is_type(v, json_type_string), "\"%s\" is not a string", key);
	return json_object_get_string(v);
}

static bool has(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static const char *plain(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

Test(rows_json, exact_rows_per_mode)
{
	static const struct row_spec spec[] = {
		{ 0, 3, V4, 53, "10.0.0.1", 1, 100 },
		{ 0, 99, V6, 5353, "2001:db8::1", 1ULL << 40, 7 },
	};
	static const struct {
		enum drops_by by;
		const char *json;
	} cases[] = {
		{ DROPS_BY_REASON,
		  "[{\"netns\":\"unknown\",\"reason\":\"NO_SOCKET\",\"family\":\"ipv4\",\"packets\":1,\"bytes\":100},"
		  "{\"netns\":\"unknown\",\"reason\":\"REASON_99\",\"family\":\"ipv6\",\"packets\":1099511627776,\"bytes\":7}]" },
		{ DROPS_BY_PORT,
		  "[{\"netns\":\"unknown\",\"reason\":\"NO_SOCKET\",\"family\":\"ipv4\",\"port\":53,\"packets\":1,\"bytes\":100},"
		  "{\"netns\":\"unknown\",\"reason\":\"REASON_99\",\"family\":\"ipv6\",\"port\":5353,\"packets\":1099511627776,\"bytes\":7}]" },
		{ DROPS_BY_ADDR,
		  "[{\"netns\":\"unknown\",\"reason\":\"NO_SOCKET\",\"family\":\"ipv4\",\"addr\":\"10.0.0.1\",\"port\":53,\"packets\":1,\"bytes\":100},"
		  "{\"netns\":\"unknown\",\"reason\":\"REASON_99\",\"family\":\"ipv6\",\"addr\":\"2001:db8::1\",\"port\":5353,\"packets\":1099511627776,\"bytes\":7}]" },
		{ DROPS_BY_SOCKET,
		  "[{\"netns\":\"unknown\",\"reason\":\"NO_SOCKET\",\"family\":\"ipv4\",\"port\":53,\"packets\":1,\"bytes\":100},"
		  "{\"netns\":\"unknown\",\"reason\":\"REASON_99\",\"family\":\"ipv6\",\"port\":5353,\"packets\":1099511627776,\"bytes\":7}]" },
	};
	struct drops_row rows[2] = { make_row(&spec[0]), make_row(&spec[1]) };

	for (size_t c = 0; c < N(cases); c++) {
		json_object *arr = drops_rows_json(rows, 2, cases[c].by, &reasons);

		cr_assert_str_eq(plain(arr), cases[c].json, "by %d", cases[c].by);
		json_object_put(arr);
	}
}

Test(rows_json, keys_per_mode)
{
	static const struct row_spec spec = { 0, 2, V6, 443, "::1", 3, 4 };
	static const struct {
		enum drops_by by;
		bool port, addr;
	} cases[] = {
		{ DROPS_BY_REASON, false, false },
		{ DROPS_BY_PORT, true, false },
		{ DROPS_BY_ADDR, true, true },
	};
	struct drops_row row = make_row(&spec);

	for (size_t c = 0; c < N(cases); c++) {
		json_object *arr = drops_rows_json(&row, 1, cases[c].by, &reasons);
		json_object *o = json_object_array_get_idx(arr, 0);

		cr_assert_eq(json_object_array_length(arr), 1);
		cr_assert_str_eq(str_of(o, "reason"), "NOT_SPECIFIED");
		cr_assert_str_eq(str_of(o, "family"), "ipv6");
		cr_assert_str_eq(str_of(o, "netns"), "unknown");
		cr_assert(has(o, "packets") && has(o, "bytes"));
		cr_assert_eq(has(o, "port"), cases[c].port, "by %d: port", cases[c].by);
		cr_assert_eq(has(o, "addr"), cases[c].addr, "by %d: addr", cases[c].by);
		if (cases[c].addr)
			cr_assert_str_eq(str_of(o, "addr"), "::1");
		json_object_put(arr);
	}
}

Test(rows_json, netns_names)
{
	static const struct row_spec spec[] = {
		{ 0, 3, V4, 1, NULL, 1, 1 },
		{ NS_A, 3, V4, 1, NULL, 1, 1 },
		{ NS_A, 4, V4, 1, NULL, 1, 1 },
		{ NS_B, 3, V4, 1, NULL, 1, 1 },
	};
	struct drops_row rows[N(spec) + 1];
	uint32_t self = sl_netns_self();
	json_object *arr;

	for (size_t i = 0; i < N(spec); i++)
		rows[i] = make_row(&spec[i]);
	rows[N(spec)] = rows[0];
	rows[N(spec)].key.netns = self;
	arr = drops_rows_json(rows, N(rows), DROPS_BY_REASON, &reasons);
	cr_assert_eq(json_object_array_length(arr), N(rows));
	cr_assert_str_eq(str_of(json_object_array_get_idx(arr, 0), "netns"), "unknown");
	cr_assert_str_eq(str_of(json_object_array_get_idx(arr, 1), "netns"), "4294967281");
	cr_assert_str_eq(str_of(json_object_array_get_idx(arr, 2), "netns"), "4294967281");
	cr_assert_str_eq(str_of(json_object_array_get_idx(arr, 3), "netns"), "4294967282");
	if (self)
		cr_assert_str_eq(str_of(json_object_array_get_idx(arr, 4), "netns"), "host");
	json_object_put(arr);
}

Test(rows_json, reason_fallbacks)
{
	static const struct row_spec spec[] = {
		{ 0, 3, 0, 1, NULL, 1, 1 },
		{ 0, 4294967295u, V4, 1, NULL, 1, 1 },
	};
	struct drops_row rows[2] = { make_row(&spec[0]), make_row(&spec[1]) };
	json_object *arr = drops_rows_json(rows, 2, DROPS_BY_REASON, NULL);

	/* without names every reason is a number */
	cr_assert_str_eq(str_of(json_object_array_get_idx(arr, 0), "reason"), "REASON_3");
	cr_assert_str_eq(str_of(json_object_array_get_idx(arr, 0), "family"), "unknown");
	cr_assert_str_eq(str_of(json_object_array_get_idx(arr, 1), "reason"), "REASON_4294967295");
	json_object_put(arr);

	arr = drops_rows_json(rows, 0, DROPS_BY_ADDR, &reasons);
	cr_assert_str_eq(plain(arr), "[]");
	json_object_put(arr);
}

Test(rows_json, name_helpers)
{
	char buf[32];

	cr_assert_str_eq(drops_reason_name(&reasons, 3, buf, sizeof(buf)), "NO_SOCKET");
	cr_assert_str_eq(drops_reason_name(&reasons, 2, buf, sizeof(buf)), "NOT_SPECIFIED");
	cr_assert_str_eq(drops_reason_name(&reasons, 5, buf, sizeof(buf)), "REASON_5");
	cr_assert_str_eq(buf, "REASON_5");
	cr_assert_str_eq(drops_reason_name(NULL, 3, buf, sizeof(buf)), "REASON_3");
	cr_assert_str_eq(drops_family_name(V4), "ipv4");
	cr_assert_str_eq(drops_family_name(V6), "ipv6");
	cr_assert_str_eq(drops_family_name(2), "unknown");
}

Test(rows_json, addr_str)
{
	static const struct {
		uint8_t family;
		const char *in, *out;
	} cases[] = {
		{ V4, "192.0.2.1", "192.0.2.1" },
		{ V4, "0.0.0.0", "0.0.0.0" },
		{ V4, "255.255.255.255", "255.255.255.255" },
		{ V6, "2001:db8::1", "2001:db8::1" },
		{ V6, "::", "::" },
		{ V6, "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
		{ V6, "fe80:0:0:0:1:2:3:4", "fe80::1:2:3:4" },
	};
	uint8_t addr[16];
	char out[64];

	for (size_t i = 0; i < N(cases); i++) {
		set_addr(cases[i].family, cases[i].in, addr);
		sl_addr_str(cases[i].family, addr, out, sizeof(out));
		cr_assert_str_eq(out, cases[i].out);
	}

	/* IPv4 uses the first 4 bytes only */
	set_addr(V6, "a00:102:ffff::1", addr);
	sl_addr_str(V4, addr, out, sizeof(out));
	cr_assert_str_eq(out, "10.0.1.2");

	/* too small a buffer gives "?" */
	set_addr(V4, "192.0.2.1", addr);
	sl_addr_str(V4, addr, out, 9);
	cr_assert_str_eq(out, "?");
	sl_addr_str(V4, addr, out, 10);
	cr_assert_str_eq(out, "192.0.2.1");
}

/* --- recent events ------------------------------------------------------ */

static struct drops_recent recent;

static void push(uint64_t ts, uint32_t netns)
{
	struct sl_drop_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = ts;
	e.netns = netns;
	e.reason = 3;
	e.family = V4;
	drops_recent_push(&recent, &e);
}

/* the time_ns of the events drops_recent_json() gives, oldest first */
static void assert_times(uint32_t netns, unsigned max, const uint64_t *ts, size_t n)
{
	json_object *arr = drops_recent_json(&recent, netns, max, &reasons);
	size_t len = json_object_array_length(arr);

	cr_assert_eq(len, n, "netns %u max %u: %zu events, expected %zu", netns, max, len, n);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i), *t;

		cr_assert(json_object_object_get_ex(o, "time_ns", &t));
		cr_assert_eq(json_object_get_uint64(t), ts[i], "netns %u max %u: event %zu time %llu, expected %llu",
			     netns, max, i, (unsigned long long)json_object_get_uint64(t),
			     (unsigned long long)ts[i]);
	}
	json_object_put(arr);
}

/* ts[] = first, first + step, ... (n values) */
static uint64_t *seq(uint64_t first, uint64_t step, size_t n)
{
	static uint64_t ts[DROPS_RECENT + 1];

	cr_assert_leq(n, N(ts));
	for (size_t i = 0; i < n; i++)
		ts[i] = first + i * step;
	return ts;
}

Test(recent, empty)
{
	assert_times(0, 20, NULL, 0);
	assert_times(NS_A, 20, NULL, 0);
}

Test(recent, oldest_first_and_max)
{
	for (uint64_t i = 0; i < 10; i++)
		push(100 + i, NS_A);
	cr_assert_eq(recent.received, 10);
	assert_times(0, 1000, seq(100, 1, 10), 10);
	assert_times(0, 10, seq(100, 1, 10), 10);
	assert_times(0, 11, seq(100, 1, 10), 10);
	assert_times(0, 3, seq(107, 1, 3), 3);      /* the newest three */
	assert_times(0, 1, seq(109, 1, 1), 1);
	assert_times(0, 0, NULL, 0);
}

Test(recent, netns_filter)
{
	for (uint64_t i = 0; i < 10; i++)
		push(i, i % 2 ? NS_B : NS_A);
	assert_times(NS_A, 100, seq(0, 2, 5), 5);
	assert_times(NS_B, 100, seq(1, 2, 5), 5);
	assert_times(NS_A, 3, seq(4, 2, 3), 3);
	assert_times(NS_B, 1, seq(9, 1, 1), 1);
	assert_times(0, 4, seq(6, 1, 4), 4);
	assert_times(12345, 100, NULL, 0);
}

Test(recent, wraps_around)
{
	for (uint64_t i = 0; i < 300; i++)
		push(i, i % 2 ? NS_B : NS_A);
	cr_assert_eq(recent.received, 300);
	/* only the last DROPS_RECENT are kept */
	assert_times(0, 1000, seq(300 - DROPS_RECENT, 1, DROPS_RECENT), DROPS_RECENT);
	assert_times(0, 5, seq(295, 1, 5), 5);
	assert_times(NS_A, 1000, seq(300 - DROPS_RECENT, 2, DROPS_RECENT / 2), DROPS_RECENT / 2);
	assert_times(NS_B, 3, seq(295, 2, 3), 3);
}

Test(recent, oldest_is_overwritten)
{
	push(1, NS_A);
	for (uint64_t i = 0; i < DROPS_RECENT - 1; i++)
		push(1000 + i, NS_B);
	assert_times(NS_A, 20, seq(1, 1, 1), 1);            /* still in the window */
	push(5000, NS_B);
	assert_times(NS_A, 20, NULL, 0);                    /* gone */
	assert_times(NS_B, 2, (const uint64_t[]){ 1000 + DROPS_RECENT - 2, 5000 }, 2);

	uint64_t all[DROPS_RECENT];

	for (size_t i = 0; i < DROPS_RECENT - 1; i++)
		all[i] = 1000 + i;
	all[DROPS_RECENT - 1] = 5000;
	assert_times(0, 1000, all, DROPS_RECENT);
}

Test(recent, event_fields)
{
	struct sl_drop_event e;
	json_object *arr;

	memset(&e, 0, sizeof(e));
	e.ts_ns = 18446744073709551615ULL;
	e.netns = 0;
	e.reason = 3;
	e.ifindex = 2;
	e.len = 1200;
	e.family = V6;
	e.cpu = 3;
	e.sport = 5353;
	e.dport = 53;
	set_addr(V6, "2001:db8::1", e.saddr);
	set_addr(V6, "2001:db8::2", e.daddr);
	drops_recent_push(&recent, &e);
	arr = drops_recent_json(&recent, 0, 20, &reasons);
	cr_assert_str_eq(plain(arr),
			 "[{\"time_ns\":18446744073709551615,\"netns\":\"unknown\",\"reason\":\"NO_SOCKET\","
			 "\"family\":\"ipv6\",\"saddr\":\"2001:db8::1\",\"sport\":5353,\"daddr\":\"2001:db8::2\","
			 "\"dport\":53,\"ifindex\":2,\"len\":1200,\"cpu\":3}]");
	json_object_put(arr);

	/* an unnamed reason, IPv4 addresses */
	e.reason = 77;
	e.family = V4;
	set_addr(V4, "192.0.2.7", e.saddr);
	set_addr(V4, "198.51.100.1", e.daddr);
	drops_recent_push(&recent, &e);
	arr = drops_recent_json(&recent, 0, 1, NULL);
	json_object *o = json_object_array_get_idx(arr, 0);

	cr_assert_str_eq(str_of(o, "reason"), "REASON_77");
	cr_assert_str_eq(str_of(o, "saddr"), "192.0.2.7");
	cr_assert_str_eq(str_of(o, "daddr"), "198.51.100.1");
	json_object_put(arr);
}

/* --sample-rate as the programs' event budget: the rate kept, and no
 * burst (one window of every CPU) over a quarter of the ring buffer */
Test(drops_budget, rate_kept_bursts_within_a_quarter_ring)
{
	static const unsigned rates[] = { 1, 2, 3, 7, 100, 101, 909, 910, 911, 1000, 9999, 10000, 50000, 100000, 1000000 };
	static const unsigned cpus[] = { 1, 2, 3, 8, 64 };
	struct sl_drops_config c;

	cr_assert_eq(drops_ring_events(), SL_DROPS_EVENTS_BYTES / 72, "64-byte events, 8-byte headers");
	for (size_t i = 0; i < N(rates); i++)
		for (size_t k = 0; k < N(cpus); k++) {
			unsigned r = rates[i], n = cpus[k];
			double per_s;

			drops_event_budget(r, n, &c);
			cr_assert_geq(c.events_per_window, 1);
			per_s = (double)c.events_per_window * n * 1e9 / (double)c.window_ns;
			cr_assert(per_s >= r * 0.999 && per_s <= r * 1.001, "rate %u on %u CPUs: %.1f/s", r, n, per_s);
			if (c.events_per_window > 1)
				cr_assert_leq(c.events_per_window * n, drops_ring_events() / 4, "rate %u on %u CPUs: burst %u",
					      r, n, c.events_per_window * n);
			cr_assert_leq(c.window_ns, r >= n ? 1000000000ull : 1000000000ull * n / r);
		}
}

Test(drops_budget, low_rates_as_before)
{
	struct sl_drops_config c;

	drops_event_budget(0, 2, &c);
	cr_assert_eq(c.events_per_window, 0, "0 = counters only");
	drops_event_budget(100, 2, &c); /* the default: 50 per CPU per second */
	cr_assert_eq(c.events_per_window, 50);
	cr_assert_eq(c.window_ns, 1000000000ull);
	drops_event_budget(1, 4, &c); /* one per CPU every 4 s */
	cr_assert_eq(c.events_per_window, 1);
	cr_assert_eq(c.window_ns, 4000000000ull);
	drops_event_budget(100000, 2, &c); /* 455 per CPU every 9.1 ms */
	cr_assert_eq(c.events_per_window, 455);
	cr_assert_eq(c.window_ns, 9100000ull);
}
