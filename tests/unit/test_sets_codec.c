/* A set's entries as bytes, in both layouts, without a kernel: an element
 * into key and value and back to the same `ipset save` text; which layout
 * a create line picks; the value bytes each layout keeps; and the plain
 * layout's bucket table (src/features/sets/ptab.c) held in memory: the two
 * buckets of a key, a scan that agrees with a naive one, keys placed,
 * found, deleted and walked, tables that fill far past their sizing
 * because keys move to their other bucket, and no key ever lost on the
 * way. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/sets/sets.h"
#include "set_spec.h"
#include "words.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* a set as the daemon keeps one, without maps (no comments: cmt_fd -1) */
static struct sets_set set_of(const char *create)
{
	struct sets_set s = { .map_fd = -1, .cmt_fd = -1 };

	spec_of(create, &s.spec);
	s.cls = sets_class_of(&s.spec);
	return s;
}

static struct sl_set_elem elem_of(const struct sets_set *s, const char *text)
{
	struct sl_set_elem e;
	struct sl_error err = { 0 };
	struct words w;

	split(text, &w);
	cr_assert_eq(sl_set_elem_parse(&s->spec, SL_SETCMD_ADD, w.n, w.argv, w.cols, &e, &err), 0, "'%s': %s", text,
		     err.msg);
	return e;
}

/* ---- the layout a create line picks ------------------------------------------------ */

Test(sets_codec, layout_follows_the_create_options)
{
	static const struct {
		const char *create;
		uint8_t cls;
	} cases[] = {
		{ "s hash:ip", SL_CLASS_IP4_P },
		{ "s hash:ip family inet6 maxelem 10", SL_CLASS_IP6_P },
		{ "s hash:ip hashsize 64 bucketsize 12 initval 0x1", SL_CLASS_IP4_P },
		{ "s hash:ip timeout 0", SL_CLASS_IP4 },
		{ "s hash:ip counters", SL_CLASS_IP4 },
		{ "s hash:ip comment", SL_CLASS_IP4 },
		{ "s hash:net", SL_CLASS_NET4_P },
		{ "s hash:net family inet6 counters", SL_CLASS_NET6 },
		{ "s hash:ip,port", SL_CLASS_IPPORT4_P },
		{ "s hash:net,port family inet6", SL_CLASS_NETPORT6_P },
		{ "s hash:ip,port,ip family inet6", SL_CLASS_IPPORTIP6_P },
		{ "s hash:ip,port,ip timeout 5", SL_CLASS_IPPORTIP4 },
		{ "s hash:mac", SL_CLASS_MAC_P },
		{ "s bitmap:port range 0-1023", SL_CLASS_PORT_P },
		{ "s bitmap:port range 0-1023 counters", SL_CLASS_PORT },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct sets_set s = set_of(cases[i].create);

		cr_expect_eq(s.cls, cases[i].cls, "'%s': class %u, want %u", cases[i].create, s.cls, cases[i].cls);
		cr_expect_eq(sl_set_key_class(s.cls), sl_set_key_class(cases[i].cls));
	}
}

Test(sets_codec, class_predicates)
{
	for (uint8_t c = 0; c < SL_CLASS_COUNT; c++) {
		uint8_t k = sl_set_key_class(c);

		bool plain = c >= SL_CLASS_KEYS && c < SL_CLASS_PLAIN_END;

		/* key classes: 0..11, and from SL_CLASS_PLAIN_END up those with no plain layout */
		cr_expect(k < SL_CLASS_KEYS || (k == c && c >= SL_CLASS_PLAIN_END), "class %u: key class %u", c, k);
		cr_expect_eq(sl_set_class_plain(c), plain, "class %u", c);
		cr_expect_eq(sl_set_class_is_lpm(c), sl_set_class_is_lpm(k), "class %u", c);
		cr_expect_eq(sl_set_class_is_ptab(c), plain && !sl_set_class_is_lpm(k), "class %u", c);
		/* a bucket holds whole keys and fits the slot bitmap */
		if (sl_set_class_is_ptab(c)) {
			cr_expect_leq(sl_set_pb_slots(c), SL_SET_PB_SLOTS_MAX);
			cr_expect_geq(sl_set_pb_slots(c), 6, "class %u: few slots a bucket", c);
		} else {
			cr_expect_eq(sl_set_pb_slots(c), 0);
		}
	}
	cr_expect_eq(sets_ptab_bucket_size(SL_CLASS_IP4_P), sizeof(struct sl_set_pbucket_ip4));
	cr_expect_eq(sets_ptab_bucket_size(SL_CLASS_IP6_P), sizeof(struct sl_set_pbucket_ip6));
	cr_expect_eq(sets_ptab_bucket_size(SL_CLASS_IPPORT4_P), sizeof(struct sl_set_pbucket_ipport4));
	cr_expect_eq(sets_ptab_bucket_size(SL_CLASS_IPPORT6_P), sizeof(struct sl_set_pbucket_ipport6));
	cr_expect_eq(sets_ptab_bucket_size(SL_CLASS_IPPORTIP4_P), sizeof(struct sl_set_pbucket_ipportip4));
	cr_expect_eq(sets_ptab_bucket_size(SL_CLASS_IPPORTIP6_P), sizeof(struct sl_set_pbucket_ipportip6));
	cr_expect_eq(sets_ptab_bucket_size(SL_CLASS_MAC_P), sizeof(struct sl_set_pbucket_mac));
	cr_expect_eq(sets_ptab_bucket_size(SL_CLASS_PORT_P), sizeof(struct sl_set_pbucket_port));
}

/* ---- element -> key and value -> element ---------------------------------------------- */

/* each line: a create line's words, then elements as `ipset save` prints
 * them in that set; the element goes to bytes and back to the same text */
static const struct {
	const char *create;
	const char *elems[4];
} round_trips[] = {
	{ "s hash:ip", { "10.0.0.1", "255.255.255.255" } },
	{ "s hash:ip timeout 0 counters", { "10.0.0.1 timeout 0 packets 5 bytes 320", "192.0.2.7 timeout 0 packets 0 bytes 0" } },
	{ "s hash:ip family inet6", { "2001:db8::1", "::ffff:1.2.3.4" } },
	{ "s hash:net", { "10.0.0.0/8", "10.1.0.0/16 nomatch", "192.0.2.7" } },
	{ "s hash:net family inet6 counters", { "2001:db8::/32 packets 1 bytes 2", "2001:db8:1::/48 nomatch packets 0 bytes 0" } },
	{ "s hash:ip,port", { "10.0.0.1,tcp:80", "10.0.0.1,udp:53", "10.0.0.1,icmp:echo-request", "10.0.0.1,sctp:9" } },
	{ "s hash:ip,port family inet6", { "2001:db8::1,udp:53", "2001:db8::1,ipv6-icmp:echo-request" } },
	{ "s hash:net,port", { "10.0.0.0/24,tcp:80", "10.0.0.0/25,tcp:80 nomatch" } },
	{ "s hash:net,port family inet6", { "2001:db8::/64,udp:53" } },
	{ "s hash:ip,port,ip", { "10.0.0.1,tcp:80,10.0.0.2" } },
	{ "s hash:ip,port,ip family inet6", { "2001:db8::1,udp:53,2001:db8::2" } },
	{ "s hash:mac", { "02:00:00:00:00:01", "AA:BB:CC:DD:EE:FF" } },
	{ "s bitmap:port range 0-1023", { "0", "1023" } },
};

Test(sets_codec, element_key_value_element)
{
	for (size_t i = 0; i < N(round_trips); i++) {
		struct sets_set s = set_of(round_trips[i].create);

		for (size_t k = 0; k < N(round_trips[i].elems) && round_trips[i].elems[k]; k++) {
			const char *text = round_trips[i].elems[k];
			struct sl_set_elem e = elem_of(&s, text), back;
			uint8_t key[SL_SET_KEY_MAX], raw[sizeof(struct sl_set_value)];
			struct sl_set_value v, dv;
			char add[SL_SET_LINE_MAX], want[SL_SET_LINE_MAX];
			int ks = sets_elem_key(&s, &e, key);

			cr_assert_eq(ks, sets_key_size(&s));
			cr_assert_eq(ks % 4, 0, "keys are whole words (the tables hash words)");
			sets_entry_value(&s, &e, &v);
			memset(raw, 0xa5, sizeof(raw));
			sets_value_encode(s.cls, &v, raw);
			sets_value_decode(s.cls, raw, &dv);
			sets_entry_elem(&s, key, &dv, &back);
			cr_assert_geq(sl_set_add_format(&s.spec, &back, add, sizeof(add)), 0);
			snprintf(want, sizeof(want), "add s %s", text);
			cr_expect_str_eq(add, want, "%s: '%s' came back as '%s'", round_trips[i].create, text, add);
		}
	}
}

Test(sets_codec, value_bytes_per_layout)
{
	struct sl_set_value v = { .expires_ns = 77, .packets = 5, .bytes = 9,
				  .flags = SL_SETV_NOMATCH | SL_SETV_COUNTERS, .cidr = 24 }, d;
	uint8_t raw[sizeof(v)];

	/* with values: all of it */
	cr_expect_eq(sets_value_size(SL_CLASS_NET4), sizeof(struct sl_set_value));
	sets_value_encode(SL_CLASS_NET4, &v, raw);
	sets_value_decode(SL_CLASS_NET4, raw, &d);
	cr_expect_eq(memcmp(&v, &d, sizeof(v)), 0);
	/* plain hash:net: nomatch and the prefix, in two bytes */
	cr_expect_eq(sets_value_size(SL_CLASS_NET4_P), 2);
	memset(raw, 0, sizeof(raw));
	sets_value_encode(SL_CLASS_NET4_P, &v, raw);
	cr_expect(raw[0] == SL_SETV_NOMATCH && raw[1] == 24 && !raw[2], "bytes %u %u %u", raw[0], raw[1], raw[2]);
	sets_value_decode(SL_CLASS_NET4_P, raw, &d);
	cr_expect(d.flags == SL_SETV_NOMATCH && d.cidr == 24 && !d.expires_ns && !d.packets && !d.bytes);
	/* a bucket table: nothing */
	cr_expect_eq(sets_value_size(SL_CLASS_IP4_P), 0);
	memset(raw, 0x5a, sizeof(raw));
	sets_value_encode(SL_CLASS_IP4_P, &v, raw);
	cr_expect_eq(raw[0], 0x5a, "a bucket table's entry writes no value");
	sets_value_decode(SL_CLASS_IP4_P, raw, &d);
	cr_expect(!d.flags && !d.expires_ns && !d.packets);
}

/* ---- the hash both sides place keys with ------------------------------------------------ */

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 32);
}

Test(sets_codec, two_buckets_apart_and_in_range)
{
	uint64_t seed = 1;

	for (int i = 0; i < 200000; i++) {
		uint32_t nb = 2 + rnd(&seed) % (i % 2 ? 10 : 5000000), h = rnd(&seed), b1, b2;

		sl_set_ptab_buckets(h, nb, &b1, &b2);
		cr_assert(b1 < nb && b2 < nb && b1 != b2, "h %u nb %u: buckets %u %u", h, nb, b1, b2);
	}
}

/* the scan the programs run agrees with the plainest one there is */
Test(sets_codec, bucket_scan_matches_a_naive_one)
{
	uint64_t seed = 7;

	for (uint8_t c = SL_CLASS_KEYS; c < SL_CLASS_PLAIN_END; c++) {
		uint32_t slots = sl_set_pb_slots(c), bsize = sets_ptab_bucket_size(c), b[80];
		uint32_t words = (bsize / 4 - SL_SET_PB_HDR_WORDS) / (slots ? slots : 1);

		if (!slots)
			continue;
		for (int round = 0; round < 2000; round++) {
			uint32_t key[SL_SET_KEY_MAX / 4];
			int want = -1, got;

			for (uint32_t w = 0; w < bsize / 4; w++)
				b[w] = rnd(&seed) % 4; /* small values: keys collide often */
			b[0] = rnd(&seed);
			for (uint32_t w = 0; w < words; w++)
				key[w] = rnd(&seed) % 4;
			for (uint32_t s = 0; s < slots && want < 0; s++)
				if ((b[0] >> s & 1) && !memcmp(&b[SL_SET_PB_HDR_WORDS + s * words], key, 4 * words))
					want = (int)s;
			got = sl_set_pb_find(b, key, words, slots);
			cr_assert_eq(got, want, "class %u: slot %d, the naive scan says %d", c, got, want);
		}
	}
}

/* ---- the bucket table, held in memory -------------------------------------------------------- */

/* distinct key number i of class cls (every class's key bytes differ in
 * the first four; the rest is a pattern) */
static void key_n(uint8_t cls, uint32_t i, uint8_t *key)
{
	struct sets_ptab t = { 0 };
	uint32_t x = i * 2654435761u; /* a bijection: distinct i, distinct x */

	sets_ptab_init(&t, cls, 2);
	memset(key, 0, SL_SET_KEY_MAX);
	for (uint32_t w = 0; w < t.words; w++)
		memcpy(key + 4 * w, w ? &i : &x, 4);
}

static struct sets_ptab held(uint8_t cls, uint32_t nbuckets)
{
	struct sets_ptab t = { 0 };

	cr_assert_eq(sets_ptab_init(&t, cls, nbuckets), 0);
	cr_assert_eq(sets_ptab_hold(&t, -1, true), 0);
	return t;
}

struct seen_keys {
	const uint8_t *keys;        /* n keys of ks bytes, as added */
	uint32_t n, ks;
	uint8_t *hits;
};

static int seen_key(const void *key, void *ctx)
{
	struct seen_keys *s = ctx;

	for (uint32_t i = 0; i < s->n; i++)
		if (!memcmp(key, s->keys + (size_t)i * s->ks, s->ks)) {
			s->hits[i]++;
			return 0;
		}
	cr_assert_fail("the walk found a key that was never added");
	return -1;
}

Test(sets_codec, table_holds_maxelem_and_refuses_one_more)
{
	for (uint8_t c = SL_CLASS_KEYS; c < SL_CLASS_PLAIN_END; c++) {
		uint32_t maxelem = 3000, done;
		struct sets_ptab t;
		uint8_t key[SL_SET_KEY_MAX], *keys;
		struct seen_keys seen = { .n = maxelem, .hits = calloc(maxelem, 1) };

		if (!sl_set_class_is_ptab(c))
			continue;
		t = held(c, sets_ptab_buckets_for(c, maxelem));
		keys = calloc(maxelem, SL_SET_KEY_MAX);
		for (uint32_t i = 0; i < maxelem; i++)
			key_n(c, i, keys + (size_t)i * 4 * t.words);
		cr_assert_eq(sets_ptab_insert_many(&t, -1, keys, maxelem, maxelem, &done), 0, "class %u: %s at %u", c,
			     strerror(errno), done);
		cr_assert_eq(sets_ptab_count(&t, -1), maxelem);
		for (uint32_t i = 0; i < maxelem; i++)
			cr_assert_eq(sets_ptab_find(&t, -1, keys + (size_t)i * 4 * t.words), 1, "class %u: key %u lost", c, i);
		/* there already: fine, nothing changes; one more: full */
		cr_assert_eq(sets_ptab_insert(&t, -1, keys, maxelem), 0);
		cr_assert_eq(sets_ptab_count(&t, -1), maxelem);
		key_n(c, maxelem, key);
		cr_assert_eq(sets_ptab_find(&t, -1, key), 0);
		cr_assert_eq(sets_ptab_insert(&t, -1, key, maxelem), -1);
		cr_assert_eq(errno, E2BIG);
		/* the walk sees each key once */
		seen.keys = keys;
		seen.ks = 4 * t.words;
		cr_assert_eq(sets_ptab_walk(&t, -1, seen_key, &seen), 0);
		for (uint32_t i = 0; i < maxelem; i++)
			cr_assert_eq(seen.hits[i], 1, "class %u: key %u walked %u times", c, i, seen.hits[i]);
		/* every other one deleted: gone, the rest stay, room again */
		for (uint32_t i = 0; i < maxelem; i += 2)
			cr_assert_eq(sets_ptab_delete(&t, -1, keys + (size_t)i * 4 * t.words), 1);
		cr_assert_eq(sets_ptab_delete(&t, -1, keys), 0, "deleted twice");
		for (uint32_t i = 0; i < maxelem; i++)
			cr_assert_eq(sets_ptab_find(&t, -1, keys + (size_t)i * 4 * t.words), i % 2, "class %u: key %u", c, i);
		cr_assert_eq(sets_ptab_count(&t, -1), maxelem / 2);
		cr_assert_eq(sets_ptab_insert(&t, -1, key, maxelem), 0);
		cr_assert_eq(sets_ptab_find(&t, -1, key), 1);
		sets_ptab_release(&t);
		free(keys);
		free(seen.hits);
	}
}

/* Past its sizing, a table still places keys by moving others to their
 * second bucket: it fills to 98% and more before a key finds no room
 * (two choices alone stop at 70-96%, the fewer slots a bucket the
 * sooner), and
 * after every insert, every key placed before is still found. */
Test(sets_codec, keys_move_to_make_room_and_none_is_lost)
{
	for (uint8_t c = SL_CLASS_KEYS; c < SL_CLASS_PLAIN_END; c++) {
		struct sets_ptab t;
		uint32_t n = 0, cap;
		uint8_t *keys;

		if (!sl_set_class_is_ptab(c))
			continue;
		t = held(c, 64);
		cap = t.nbuckets * t.slots;
		keys = calloc(cap + 1, SL_SET_KEY_MAX);
		for (; n <= cap; n++) {
			uint8_t *key = keys + (size_t)n * 4 * t.words;

			key_n(c, n, key);
			if (sets_ptab_insert(&t, -1, key, UINT32_MAX)) {
				cr_assert_eq(errno, ENOSPC, "class %u: %s", c, strerror(errno));
				break;
			}
			for (uint32_t i = 0; i <= n; i++)
				cr_assert_eq(sets_ptab_find(&t, -1, keys + (size_t)i * 4 * t.words), 1,
					     "class %u: key %u lost after key %u went in", c, i, n);
		}
		cr_log_info("class %u: %u of %u slots filled before a key found no room", c, n, cap);
		cr_expect_geq(n * 100, cap * 98, "class %u: only %u of %u slots filled", c, n, cap);
		cr_assert_eq(sets_ptab_count(&t, -1), n);
		sets_ptab_release(&t);
		free(keys);
	}
}
