/* The SCTP tracking programs (bpf/sctp.bpf.c) on fixture frames, through
 * BPF_PROG_TEST_RUN: every table runs through the XDP program and then,
 * from empty maps, through the tc program. A table is an association's
 * packets in order (rows share the maps); each row says every counter it
 * must move (all others stay), how many associations the table then
 * holds, and what A's record reads, as one line:
 *
 *   st=3 tags=a/b ports=5000/6000 A=10.0.0.1,10.0.1.1 Z=10.0.0.2 drop=0/0
 *   paths=0.0:3,1.1:1 data=1.1 stray=0
 *
 * (tags in hex; paths [A's address].[Z's address]:packets, those with
 * packets only). Bad input: INITs with 420 addresses in the frame of 1,000
 * announced, zero-length parameters, parameters past their chunk, chunk
 * length 0, chunks past the datagram, chunks in the Ethernet padding, 40
 * bundled chunks, trailing bytes, truncated frames, later fragments,
 * COOKIE-ECHO with no INIT, wrong tags, a full table. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/bpf_info.h"
#include "features/sctp/sctp.h"
#include "fixture.h"
#include "fx_set.h"
#include "sctp_fx.h"
#include "sctp.skel.h"

#define ZONE 2 /* not 0: counters and keys must be the program's zone's */
#define XDP_DROP_RET 1
#define XDP_PASS_RET 2
#define TCX_NEXT_RET ((__u32)-1)
#define TCX_DROP_RET 2
#define LO 1 /* the test run's device (ingress_ifindex, skb->ifindex): the loopback */

static void in_zone(struct sctp_bpf *s)
{
	s->rodata->sl_sctp_zone = ZONE;
}

FX_SKELETON_PREP(sctp, in_zone)

TestSuite(sctp_progs, .init = setup, .fini = teardown);

struct want {
	const char *counts;     /* "new=1 tracked=1" (packets=1 is implied unless given) */
	int nassoc;             /* records after the row; -1: not checked */
	__u32 tag;              /* A's record to read (A's tag, ports 5000/6000 unless aport) */
	const char *rec;        /* what it must read; NULL: not read */
	__u16 aport, zport;
	bool drop;              /* the device's policy drops it */
};

static int fd_of(struct bpf_map *m)
{
	return bpf_map__fd(m);
}

static void clear_hash(int fd, size_t key_size)
{
	__u8 key[64], next[64];

	cr_assert(key_size <= sizeof(key));
	while (!bpf_map_get_next_key(fd, NULL, next)) {
		memcpy(key, next, key_size);
		cr_assert_eq(bpf_map_delete_elem(fd, key), 0, "clearing: %s", strerror(errno));
	}
}

static int count_hash(int fd)
{
	struct sl_sctp_key key, next;
	int n = 0;

	for (void *k = NULL; !bpf_map_get_next_key(fd, k, &next); k = &key, key = next)
		n++;
	return n;
}

static void reset(void *ctx)
{
	(void)ctx;
	for (__u32 k = 0; k < SL_SCTP_ZONES * SL_SCTP_C_COUNT; k++)
		sl_percpu_zero(fd_of(skel->maps.sl_sctp_stat_v1), &k, sizeof(__u64));
}

static void clear_all(void)
{
	clear_hash(fd_of(skel->maps.sl_sctp_assoc_v1), sizeof(struct sl_sctp_key));
	clear_hash(fd_of(skel->maps.sl_sctp_tag_v1), sizeof(struct sl_sctp_key));
	reset(NULL);
}

static void addrs_text(const struct sl_sctp_addrs *l, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < l->n && i < SL_SCTP_ADDRS; i++) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(l->family[i] == SL_FAMILY_IPV4 ? AF_INET : AF_INET6, l->addr[i], a, sizeof(a));
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "," : "", a);
		if (len >= size)
			return;
	}
}

static void record_text(const struct sl_sctp_assoc *a, char *out, size_t size)
{
	char ea[400], ez[400], paths[600] = "", data[16] = "-";
	size_t len = 0;

	addrs_text(&a->ep[0], ea, sizeof(ea));
	addrs_text(&a->ep[1], ez, sizeof(ez));
	for (int i = 0; i < SL_SCTP_ADDRS; i++)
		for (int j = 0; j < SL_SCTP_ADDRS; j++)
			if (a->path[i][j].packets && len < sizeof(paths))
				len += (size_t)snprintf(paths + len, sizeof(paths) - len, "%s%d.%d:%llu", len ? "," : "",
							i, j, (unsigned long long)a->path[i][j].packets);
	if (a->last_data != SL_SCTP_NO_PATH)
		snprintf(data, sizeof(data), "%d.%d", a->last_data / SL_SCTP_ADDRS, a->last_data % SL_SCTP_ADDRS);
	snprintf(out, size, "st=%u tags=%x/%x ports=%u/%u A=%s Z=%s drop=%u/%u paths=%s data=%s stray=%llu", a->state,
		 a->tag[0], a->tag[1], a->port[0], a->port[1], ea, ez, a->ep[0].dropped, a->ep[1].dropped, paths, data,
		 (unsigned long long)a->stray_packets);
}

static bool check(const struct fx_case *c, void *ctx, struct fx_why *why)
{
	const struct want *w = c->arg;
	__u64 want[SL_SCTP_C_COUNT] = { [SL_SCTP_C_PACKETS] = 1 };
	char words[256];

	(void)ctx;
	snprintf(words, sizeof(words), "%s", w->counts ? w->counts : "");
	for (char *save, *t = strtok_r(words, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');
		int k;

		cr_assert_not_null(eq, "%s: counter '%s' has no =N", c->desc, t);
		*eq = '\0';
		k = sctp_counter_value(t);
		cr_assert(k >= 0, "%s: no counter '%s'", c->desc, t);
		want[k] = strtoull(eq + 1, NULL, 10);
	}
	for (int z = 0; z < SL_SCTP_ZONES; z++)
		for (unsigned k = 0; k < SL_SCTP_C_COUNT; k++) {
			__u32 key = (__u32)z * SL_SCTP_C_COUNT + k;
			__u64 v = 0, exp = z == ZONE ? want[k] : 0;

			SL_PERCPU_SUM(fd_of(skel->maps.sl_sctp_stat_v1), &key, &v);
			if (v != exp)
				return fx_fail(why, "zone %d counter %s is %llu, want %llu", z, sctp_counter_name(k),
					       (unsigned long long)v, (unsigned long long)exp);
		}
	if (w->nassoc >= 0) {
		int n = count_hash(fd_of(skel->maps.sl_sctp_assoc_v1));

		if (n != w->nassoc)
			return fx_fail(why, "%d associations, want %d", n, w->nassoc);
	}
	if (w->rec) {
		struct sl_sctp_key key = { .zone = ZONE, .tag = w->tag, .rport = w->aport ? w->aport : 5000,
					   .sport = w->zport ? w->zport : 6000 };
		static struct sl_sctp_assoc a;
		char got[1200];

		if (bpf_map_lookup_elem(fd_of(skel->maps.sl_sctp_assoc_v1), &key, &a))
			return fx_fail(why, "no record under tag %x", w->tag);
		record_text(&a, got, sizeof(got));
		if (strcmp(got, w->rec))
			return fx_fail(why, "record reads\n      %s\n    want\n      %s", got, w->rec);
	}
	return true;
}

/* a frame row: ROW(desc, F(frame...), W(what it must do...)) */
#define F(s, d, sp, dp, vt, ...)                                                                         \
	(&(const struct sctpfx_frame){ .src = (s), .dst = (d), .sport = (sp), .dport = (dp), .vtag = (vt),     \
				       .chunk = __VA_ARGS__ })
#define W(c, ...) (&(const struct want){ .counts = (c), .nassoc = __VA_ARGS__ })
#define WDROP(c, ...) (&(const struct want){ .drop = true, .counts = (c), .nassoc = __VA_ARGS__ })
#define ROW(d, f, w) { .desc = (d), .build = sctpfx_build, .build_arg = (f), .check = check, .arg = (w) }

/* every row through XDP, then from empty maps through tc */
static const struct fx_target *target(bool xdp)
{
	static struct fx_target t[2];

	t[0] = (struct fx_target){ .name = "sl_sctp_tc", .prog_fd = bpf_program__fd(skel->progs.sl_sctp_tc),
				   .reset = reset };
	t[1] = (struct fx_target){ .name = "sl_sctp_xdp", .prog_fd = bpf_program__fd(skel->progs.sl_sctp_xdp),
				   .reset = reset };
	return &t[xdp];
}

static __u32 verdict(bool xdp, const struct fx_case *c)
{
	bool drop = c->arg && ((const struct want *)c->arg)->drop;

	return xdp ? (drop ? XDP_DROP_RET : XDP_PASS_RET) : (drop ? TCX_DROP_RET : TCX_NEXT_RET);
}

/* rows through one program, from the maps as they are */
static size_t run_on(bool xdp, const struct fx_case *rows, size_t n)
{
	struct fx_case copy[64];

	cr_assert(n <= 64);
	for (size_t i = 0; i < n; i++) {
		copy[i] = rows[i];
		copy[i].retval = verdict(xdp, &rows[i]);
	}
	return fx_run_table(target(xdp), copy, n);
}

/* every row through XDP, then from empty maps through tc */
static void run(const struct fx_case *rows, size_t n)
{
	clear_all();
	cr_expect_eq(run_on(true, rows, n), 0, "failing XDP rows above");
	clear_all();
	cr_expect_eq(run_on(false, rows, n), 0, "failing tc rows above");
}

#define A1 "10.0.0.1"
#define A2 "10.0.1.1"
#define Z1 "10.0.0.2"
#define Z2 "10.0.1.2"
#define TA 0xaaaa0001u
#define TZ 0x2222000fu
#define CH(t, ...) { .type = (t), __VA_ARGS__ }

Test(sctp_progs, an_association_from_init_to_shutdown_complete)
{
	const struct fx_case rows[] = {
		ROW("INIT from A announcing a second IPv4 and an IPv6 address",
		    F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA, A2 " 2001:db8:1::1") }), W("new=1 tracked=1", 1, TA,
		    "st=1 tags=aaaa0001/0 ports=5000/6000 A=10.0.0.1,10.0.1.1,2001:db8:1::1 Z=10.0.0.2 drop=0/0 "
		    "paths=0.0:1 data=- stray=0")),
		ROW("INIT-ACK from Z with A's tag, announcing Z's",
		    F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, TZ, Z2 " 2001:db8:1::2") }), W("tracked=1", 1, TA,
		    "st=2 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1,10.0.1.1,2001:db8:1::1 "
		    "Z=10.0.0.2,10.0.1.2,2001:db8:1::2 drop=0/0 paths=0.0:2 data=- stray=0")),
		ROW("COOKIE-ECHO from A with Z's tag (found through Z's index entry)",
		    F(A1, Z1, 5000, 6000, TZ, { CH(SL_SCTP_COOKIE_ECHO) }), W("tracked=1", 1, TA,
		    "st=2 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1,10.0.1.1,2001:db8:1::1 "
		    "Z=10.0.0.2,10.0.1.2,2001:db8:1::2 drop=0/0 paths=0.0:3 data=- stray=0")),
		ROW("COOKIE-ACK from Z: established",
		    F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_COOKIE_ACK) }), W("tracked=1", 1, TA,
		    "st=3 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1,10.0.1.1,2001:db8:1::1 "
		    "Z=10.0.0.2,10.0.1.2,2001:db8:1::2 drop=0/0 paths=0.0:4 data=- stray=0")),
		ROW("DATA from A on the second path",
		    F(A2, Z2, 5000, 6000, TZ, { CH(SL_SCTP_DATA, 3, .data_len = 100) }), W("tracked=1", 1, TA,
		    "st=3 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1,10.0.1.1,2001:db8:1::1 "
		    "Z=10.0.0.2,10.0.1.2,2001:db8:1::2 drop=0/0 paths=0.0:4,1.1:1 data=1.1 stray=0")),
		ROW("SACK bundled with DATA from Z over IPv6: the IPv6 path carried data last",
		    F("2001:db8:1::2", "2001:db8:1::1", 6000, 5000, TA,
		      { CH(SL_SCTP_SACK, .raw = (const uint8_t[12]){ 0 }, .raw_len = 12), CH(SL_SCTP_DATA, 3, .data_len = 5) },
		      2), W("tracked=1", 1, TA,
		    "st=3 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1,10.0.1.1,2001:db8:1::1 "
		    "Z=10.0.0.2,10.0.1.2,2001:db8:1::2 drop=0/0 paths=0.0:4,1.1:1,2.2:1 data=2.2 stray=0")),
		ROW("a wrong tag on the association's ports and addresses: counted, not tracked",
		    F(A1, Z1, 5000, 6000, 0x12345678, { CH(SL_SCTP_DATA, 3, .data_len = 4) }), W("unknown_tag=1", 1)),
		ROW("A's tag to Z's port (the tag of the other direction): not tracked",
		    F(A1, Z1, 5000, 6000, TA, { CH(SL_SCTP_DATA, 3, .data_len = 4) }), W("unknown_tag=1", 1)),
		ROW("Z's tag from an address neither endpoint announced: a stray path",
		    F("10.9.9.9", Z1, 5000, 6000, TZ, { CH(SL_SCTP_HEARTBEAT) }), W("tracked=1 stray_path=1", 1, TA,
		    "st=3 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1,10.0.1.1,2001:db8:1::1 "
		    "Z=10.0.0.2,10.0.1.2,2001:db8:1::2 drop=0/0 paths=0.0:4,1.1:1,2.2:1 data=2.2 stray=1")),
		ROW("SHUTDOWN from A",
		    F(A1, Z1, 5000, 6000, TZ, { CH(SL_SCTP_SHUTDOWN, .raw = (const uint8_t[4]){ 0 }, .raw_len = 4) }), W("tracked=1", 1, TA,
		    "st=4 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1,10.0.1.1,2001:db8:1::1 "
		    "Z=10.0.0.2,10.0.1.2,2001:db8:1::2 drop=0/0 paths=0.0:5,1.1:1,2.2:1 data=2.2 stray=1")),
		ROW("SHUTDOWN-ACK from Z", F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_SHUTDOWN_ACK) }), W("tracked=1", 1)),
		ROW("SHUTDOWN-COMPLETE from A ends it, both keys gone",
		    F(A1, Z1, 5000, 6000, TZ, { CH(SL_SCTP_SHUTDOWN_COMPLETE) }), W("tracked=1 end_shutdown=1", 0)),
		ROW("then Z's tag finds nothing", F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_DATA, 3) }), W("unknown_tag=1", 0)),
	};

	run(rows, sizeof(rows) / sizeof(rows[0]));
	cr_expect_eq(count_hash(fd_of(skel->maps.sl_sctp_tag_v1)), 0, "Z's index entry outlived its association");
}

Test(sctp_progs, abort_with_and_without_the_t_bit)
{
	const struct fx_case rows[] = {
		ROW("INIT", F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA) }), W("new=1 tracked=1", 1)),
		ROW("INIT-ACK", F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, TZ) }), W("tracked=1", 1)),
		ROW("ABORT from Z with the T bit carries Z's own tag: ends it",
		    F(Z1, A1, 6000, 5000, TZ, { CH(SL_SCTP_ABORT, 1) }), W("tracked=1 end_abort=1", 0)),
		ROW("INIT again", F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA) }), W("new=1 tracked=1", 1)),
		ROW("INIT-ACK again", F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, TZ) }), W("tracked=1", 1)),
		ROW("ABORT from A without the T bit (Z's tag), after DATA in the same packet",
		    F(A1, Z1, 5000, 6000, TZ, { CH(SL_SCTP_DATA, 3, .data_len = 8), CH(SL_SCTP_ABORT) }, 2), W("tracked=1 end_abort=1", 0)),
		ROW("ABORT with the T bit and a tag nobody has", F(Z1, A1, 6000, 5000, 77, { CH(SL_SCTP_ABORT, 1) }), W("unknown_tag=1", 0)),
	};

	run(rows, sizeof(rows) / sizeof(rows[0]));
}

Test(sctp_progs, init_rules)
{
	const struct fx_case rows[] = {
		ROW("INIT with a nonzero verification tag", F(A1, Z1, 5000, 6000, 9, { CH(SL_SCTP_INIT, 0, TA) }), W("init_bad=1", 0)),
		ROW("INIT announcing tag 0", F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, 0) }), W("init_bad=1", 0)),
		ROW("INIT bundled with DATA", F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA), CH(SL_SCTP_DATA, 3) }, 2), W("init_bad=1", 0)),
		ROW("COOKIE-ECHO with no INIT", F(A1, Z1, 5000, 6000, TZ, { CH(SL_SCTP_COOKIE_ECHO) }), W("unknown_tag=1", 0)),
		ROW("INIT-ACK with no INIT", F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, TZ) }), W("unknown_tag=1", 0)),
		ROW("INIT", F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA, A2) }), W("new=1 tracked=1", 1)),
		ROW("the INIT again (a retransmission): counted on its path, the record kept",
		    F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA, "10.0.7.7") }), W("tracked=1 init_dup=1", 1, TA,
		    "st=1 tags=aaaa0001/0 ports=5000/6000 A=10.0.0.1,10.0.1.1 Z=10.0.0.2 drop=0/0 paths=0.0:2 data=- stray=0")),
		ROW("INIT-ACK announcing tag 0", F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, 0) }), W("tracked=1 init_ack_bad=1", 1)),
		ROW("INIT-ACK", F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, TZ) }), W("tracked=1", 1)),
		ROW("a second INIT-ACK with another tag", F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, TZ + 1) }), W("tracked=1 init_ack_bad=1", 1, TA,
		    "st=2 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1,10.0.1.1 Z=10.0.0.2 drop=0/0 paths=0.0:5 data=- "
		    "stray=0")),
		ROW("another association on other ports with the same tag", F(A1, Z1, 5001, 6000, 0, { CH(SL_SCTP_INIT, 0, TA) }), W("new=1 tracked=1", 2)),
	};

	run(rows, sizeof(rows) / sizeof(rows[0]));
}

Test(sctp_progs, an_association_over_ipv6)
{
	const struct fx_case rows[] = {
		ROW("INIT over IPv6 announcing IPv4 and IPv6",
		    F("2001:db8::a", "2001:db8::b", 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA, "10.0.0.1 2001:db8:2::a") }), W("new=1 tracked=1", 1, TA,
		    "st=1 tags=aaaa0001/0 ports=5000/6000 A=2001:db8::a,10.0.0.1,2001:db8:2::a Z=2001:db8::b drop=0/0 "
		    "paths=0.0:1 data=- stray=0")),
		ROW("INIT-ACK over IPv6 announcing IPv6 and IPv4",
		    F("2001:db8::b", "2001:db8::a", 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, TZ, "2001:db8:2::b 10.0.0.2") }), W("tracked=1", 1, TA,
		    "st=2 tags=aaaa0001/2222000f ports=5000/6000 A=2001:db8::a,10.0.0.1,2001:db8:2::a "
		    "Z=2001:db8::b,2001:db8:2::b,10.0.0.2 drop=0/0 paths=0.0:2 data=- stray=0")),
		ROW("DATA over IPv4 from Z", F("10.0.0.2", "10.0.0.1", 6000, 5000, TA, { CH(SL_SCTP_DATA, 3) }), W("tracked=1",
		    1, TA,
		    "st=2 tags=aaaa0001/2222000f ports=5000/6000 A=2001:db8::a,10.0.0.1,2001:db8:2::a "
		    "Z=2001:db8::b,2001:db8:2::b,10.0.0.2 drop=0/0 paths=0.0:2,1.2:1 data=1.2 stray=0")),
	};

	run(rows, sizeof(rows) / sizeof(rows[0]));
}

static const uint8_t zero_len_param[] = { 0x00, 0x05, 0x00, 0x00, 10, 0, 2, 1 };
static const uint8_t param_past_chunk[] = { 0x00, 0x05, 0x00, 0x28, 10, 0, 2, 1 };
static const uint8_t short_v4_param[] = { 0x00, 0x05, 0x00, 0x0c, 10, 0, 2, 1, 0, 0, 0, 0 };
static const uint8_t abort_chunk[] = { SL_SCTP_ABORT, 0, 0, 4 };
static const uint8_t two_bytes[] = { 0xab, 0xcd };

Test(sctp_progs, bad_parameters_and_chunks)
{
	const struct fx_case rows[] = {
		ROW("a zero-length parameter after an address: the walk stops there, the address kept",
		    F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA, A2, zero_len_param, 8) }), W("new=1 tracked=1 param_len=1", 1, TA,
		    "st=1 tags=aaaa0001/0 ports=5000/6000 A=10.0.0.1,10.0.1.1 Z=10.0.0.2 drop=0/0 paths=0.0:1 data=- stray=0")),
		ROW("a parameter running past its chunk: not read",
		    F(A1, Z1, 5001, 6000, 0, { CH(SL_SCTP_INIT, 0, TA, A2, param_past_chunk, 8) }), W("new=1 tracked=1 param_past_end=1", 2, TA,
		    "st=1 tags=aaaa0001/0 ports=5001/6000 A=10.0.0.1,10.0.1.1 Z=10.0.0.2 drop=0/0 paths=0.0:1 data=- stray=0",
		    5001)),
		ROW("an IPv4 address parameter of length 12: skipped, counted",
		    F(A1, Z1, 5002, 6000, 0, { CH(SL_SCTP_INIT, 0, TA, NULL, short_v4_param, 12) }), W("new=1 tracked=1 addr_bad=1", 3, TA,
		    "st=1 tags=aaaa0001/0 ports=5002/6000 A=10.0.0.1 Z=10.0.0.2 drop=0/0 paths=0.0:1 data=- stray=0", 5002)),
		ROW("the INIT's length field claims 2,000 bytes: clipped to the datagram, its address kept",
		    F(A1, Z1, 5003, 6000, 0, { CH(SL_SCTP_INIT, 0, TA, A2, .len = 2000) }), W("new=1 tracked=1 chunk_past_end=1", 4, TA,
		    "st=1 tags=aaaa0001/0 ports=5003/6000 A=10.0.0.1,10.0.1.1 Z=10.0.0.2 drop=0/0 paths=0.0:1 data=- stray=0",
		    5003)),
		ROW("an INIT cut inside its address parameter: the whole ones kept",
		    F(A1, Z1, 5004, 6000, 0, { CH(SL_SCTP_INIT, 0, TA, A2 " 10.0.2.1") }, .cut = 14 + 20 + 12 + 20 + 8 + 6), W("new=1 tracked=1 chunk_past_end=1 param_past_end=1", 5, TA,
		    "st=1 tags=aaaa0001/0 ports=5004/6000 A=10.0.0.1,10.0.1.1 Z=10.0.0.2 drop=0/0 paths=0.0:1 data=- stray=0",
		    5004)),
		ROW("INIT-ACK to the first, then a chunk past the datagram: the walk stops, the INIT-ACK counts",
		    F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, TZ), CH(SL_SCTP_DATA, 0, .len = 0xff00) }, 2), W("tracked=1 chunk_past_end=1", 5)),
		ROW("a chunk of length 0", F(A1, Z1, 5000, 6000, TZ, { CH(SL_SCTP_HEARTBEAT, .raw = two_bytes, .raw_len = 2, .len_zero = true) }), W("tracked=1 chunk_len=1", 5)),
		ROW("an ABORT in the Ethernet padding after the datagram: not read",
		    F(A1, Z1, 5000, 6000, TZ, { CH(SL_SCTP_HEARTBEAT) }, .pad = abort_chunk, .pad_len = 4), W("tracked=1", 5)),
		ROW("two bytes after the last chunk, inside the datagram",
		    F(A1, Z1, 5000, 6000, TZ, { CH(SL_SCTP_HEARTBEAT) }, .tail = two_bytes, .tail_len = 2), W("tracked=1 trailing=1", 5)),
		ROW("40 bundled chunks, an ABORT the 40th: 32 walked, the rest unread, the ABORT too",
		    F(A1, Z1, 5000, 6000, TZ,
		      { [0 ... 38] = CH(SL_SCTP_HEARTBEAT), [39] = CH(SL_SCTP_ABORT) }, 40), W("tracked=1 chunks_limit=1", 5)),
		ROW("an ABORT the 32nd of 32 chunks ends the first association",
		    F(A1, Z1, 5000, 6000, TZ,
		      { [0 ... 30] = CH(SL_SCTP_HEARTBEAT), [31] = CH(SL_SCTP_ABORT) }, 32), W("tracked=1 end_abort=1", 4)),
		ROW("a frame cut in the common header", F(A1, Z1, 5002, 6000, TA, { CH(SL_SCTP_DATA) }, .cut = 14 + 20 + 6), W("truncated=1", 4)),
	};

	run(rows, sizeof(rows) / sizeof(rows[0]));
}

/* an INIT announcing `announced` IPv4 addresses, the first `present` of
 * them in the frame (its chunk and IP lengths claim them all) */
static size_t big_init(uint8_t *buf, size_t cap, int present, int announced)
{
	struct pkt p;
	static uint8_t params[4000];
	size_t n = 0;

	cr_assert((size_t)present * 8 <= sizeof(params));
	for (int i = 0; i < present; i++, n += 8) {
		const uint8_t param[8] = { 0, 5, 0, 8, 10, 1, (uint8_t)(i >> 8), (uint8_t)i };

		memcpy(params + n, param, 8);
	}
	pkt_init(&p, buf, cap);
	sctpfx_build(&p, F(A1, Z1, 5000, 6000, 0,
				   { CH(SL_SCTP_INIT, 0, TA, .raw = params, .raw_len = n,
					.len = (uint16_t)(20 + 8 * announced)) }));
	cr_assert(pkt_ok(&p), "%s", p.error);
	return p.len;
}

Test(sctp_progs, an_init_with_1000_addresses)
{
	static uint8_t frame[4096];
	/* as many as an XDP test run's frame holds (a page less head and tail room) */
	size_t len = big_init(frame, sizeof(frame), 420, 1000);
	const struct fx_case rows[] = {
		{ .desc = "INIT announcing 1,000 addresses, 420 in the frame: 8 kept (its source first), 413 dropped",
		  .in = frame, .in_len = (__u32)len, .check = check,
		  .arg = W("new=1 tracked=1 chunk_past_end=1 addrs_dropped=413", 1, TA,
					       "st=1 tags=aaaa0001/0 ports=5000/6000 A=10.0.0.1,10.1.0.0,10.1.0.1,10.1.0.2,"
					       "10.1.0.3,10.1.0.4,10.1.0.5,10.1.0.6 Z=10.0.0.2 drop=413/0 paths=0.0:1 "
					       "data=- stray=0") },
	};

	run(rows, 1);
}

Test(sctp_progs, more_parameters_than_walked)
{
	static uint8_t frame[4096], params[SL_SCTP_MAX_PARAMS * 4 + 400];
	struct pkt p;

	/* 4-byte parameters of an unknown type, more than SL_SCTP_MAX_PARAMS */
	for (size_t i = 0; i < sizeof(params); i += 4)
		memcpy(params + i, (const uint8_t[4]){ 0x80, 0x08, 0, 4 }, 4);
	pkt_init(&p, frame, sizeof(frame));
	sctpfx_build(&p, F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA, A2, .raw = params, .raw_len = sizeof(params)) }));
	cr_assert(pkt_ok(&p), "%s", p.error);
	const struct fx_case rows[] = {
		{ .desc = "INIT with 613 parameters: the first 512 walked, its address among them",
		  .in = frame, .in_len = (__u32)p.len, .check = check,
		  .arg = W("new=1 tracked=1 params_limit=1", 1, TA,
					       "st=1 tags=aaaa0001/0 ports=5000/6000 A=10.0.0.1,10.0.1.1 Z=10.0.0.2 "
					       "drop=0/0 paths=0.0:1 data=- stray=0") },
	};

	run(rows, 1);
}

Test(sctp_progs, asconf_adds_and_deletes)
{
	const struct fx_case rows[] = {
		ROW("INIT", F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA, A2) }), W("new=1 tracked=1", 1)),
		ROW("INIT-ACK", F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, TZ) }), W("tracked=1", 1)),
		ROW("ASCONF from A: add 10.0.2.1, delete 10.0.1.1",
		    F(A1, Z1, 5000, 6000, TZ, { CH(SL_SCTP_ASCONF, 0, 0, "10.0.0.1 +10.0.2.1 -10.0.1.1") }), W("tracked=1 asconf_add=1 asconf_del=1", 1, TA,
		    "st=2 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1,10.0.2.1 Z=10.0.0.2 drop=0/0 paths=0.0:3 data=- "
		    "stray=0")),
		ROW("DATA from the added address", F("10.0.2.1", Z1, 5000, 6000, TZ, { CH(SL_SCTP_DATA, 3) }), W("tracked=1", 1,
		    TA,
		    "st=2 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1,10.0.2.1 Z=10.0.0.2 drop=0/0 paths=0.0:3,1.0:1 "
		    "data=1.0 stray=0")),
		ROW("ASCONF from Z: add an IPv6 address",
		    F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_ASCONF, 0, 0, "10.0.0.2 +2001:db8::2") }), W("tracked=1 asconf_add=1",
		    1, TA,
		    "st=2 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1,10.0.2.1 Z=10.0.0.2,2001:db8::2 drop=0/0 "
		    "paths=0.0:4,1.0:1 data=1.0 stray=0")),
	};

	run(rows, sizeof(rows) / sizeof(rows[0]));
}

Test(sctp_progs, not_sctp_and_fragments)
{
	static uint8_t udp[128], frag[128];
	struct pkt p;

	pkt_init(&p, udp, sizeof(udp));
	pkt_eth(&p, NULL, NULL);
	pkt_ip4(&p, &(struct pkt_ip4){ 0 });
	pkt_udp(&p, 5353, 53);
	pkt_fill(&p, 0, 20);
	pkt_finish(&p);
	size_t udp_len = p.len;
	pkt_init(&p, frag, sizeof(frag));
	pkt_eth(&p, NULL, NULL);
	pkt_ip4(&p, &(struct pkt_ip4){ .proto = IPPROTO_SCTP, .frag = 100 });
	pkt_fill(&p, 0, 40);
	pkt_finish(&p);
	const struct fx_case rows[] = {
		{ .desc = "UDP: untouched, nothing counted", .in = udp, .in_len = (__u32)udp_len, .check = check,
		  .arg = W("packets=0", 0) },
		{ .desc = "a later fragment of an SCTP datagram: no header to read", .in = frag, .in_len = (__u32)p.len,
		  .check = check, .arg = W("fragment=1", 0) },
	};

	run(rows, 2);
}

Test(sctp_progs, a_full_table_refuses_new_and_keeps_the_old)
{
	static struct sl_sctp_assoc filler;
	int fd;

	const struct fx_case first[] = {
		ROW("INIT before the table fills", F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA) }), W("new=1 tracked=1", 1)),
	};
	const struct fx_case rows[] = {
		ROW("INIT into a full table: refused, counted", F(A1, Z1, 5001, 6000, 0, { CH(SL_SCTP_INIT, 0, TA + 1) }), W("table_full=1", SL_SCTP_ASSOCS)),
		ROW("the association tracked before still is", F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, TZ) }), W("tracked=1", SL_SCTP_ASSOCS, TA,
		    "st=2 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1 Z=10.0.0.2 drop=0/0 paths=0.0:2 data=- stray=0")),
	};
	const struct fx_target t[2] = {
		{ .name = "sl_sctp_xdp", .prog_fd = bpf_program__fd(skel->progs.sl_sctp_xdp), .reset = reset },
		{ .name = "sl_sctp_tc", .prog_fd = bpf_program__fd(skel->progs.sl_sctp_tc), .reset = reset },
	};

	fd = fd_of(skel->maps.sl_sctp_assoc_v1);
	for (int h = 0; h < 2; h++) {
		struct fx_case c[2] = { rows[0], rows[1] }, f = first[0];

		clear_all();
		f.retval = c[0].retval = c[1].retval = h ? TCX_NEXT_RET : XDP_PASS_RET;
		cr_expect(fx_run(&t[h], &f));
		for (__u32 i = 1; i < SL_SCTP_ASSOCS; i++) {
			struct sl_sctp_key k = { .zone = ZONE + 1, .tag = i, .rport = 1, .sport = 2 };

			cr_assert_eq(bpf_map_update_elem(fd, &k, &filler, BPF_NOEXIST), 0, "filling: %s", strerror(errno));
		}
		cr_expect_eq(fx_run_table(&t[h], c, 2), 0);
	}
	clear_all();
}

static void set_policy(const char *set)
{
	struct sl_sctp_pol_key k = { .zone = ZONE, .ifindex = LO };
	struct sl_set_name v = { 0 };

	if (!set) {
		bpf_map_delete_elem(fd_of(skel->maps.sl_sctp_pol_v1), &k);
		return;
	}
	snprintf(v.name, sizeof(v.name), "%s", set);
	cr_assert_eq(bpf_map_update_elem(fd_of(skel->maps.sl_sctp_pol_v1), &k, &v, BPF_ANY), 0);
}

Test(sctp_progs, a_policy_admits_by_the_init_source)
{
	static const char *const clients[] = { A1, NULL };
	const struct fx_case rows[] = {
		ROW("policy: an INIT from outside the set: dropped",
		    F("10.0.0.9", Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA) }), WDROP("drop_init=1", 0)),
		ROW("policy: an INIT from the set", F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA, A2) }),
		    W("new=1 tracked=1", 1)),
		ROW("policy: its INIT-ACK", F(Z1, A1, 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, TZ, Z2) }), W("tracked=1", 1)),
		ROW("policy: DATA on the second path, both ways",
		    F(A2, Z2, 5000, 6000, TZ, { CH(SL_SCTP_DATA, 3) }), W("tracked=1", 1)),
		ROW("policy: a SACK back on it", F(Z2, A2, 6000, 5000, TA, { CH(SL_SCTP_SACK) }), W("tracked=1", 1, TA,
		    "st=2 tags=aaaa0001/2222000f ports=5000/6000 A=10.0.0.1,10.0.1.1 Z=10.0.0.2,10.0.1.2 drop=0/0 "
		    "paths=0.0:2,1.1:2 data=1.1 stray=0")),
		ROW("policy: a wrong tag: dropped", F(A1, Z1, 5000, 6000, 0x5555, { CH(SL_SCTP_DATA, 3) }),
		    WDROP("unknown_tag=1 drop_unknown_tag=1", 1)),
		ROW("policy: a COOKIE-ECHO with no INIT: dropped", F(A1, Z1, 5009, 6000, TZ, { CH(SL_SCTP_COOKIE_ECHO) }),
		    WDROP("unknown_tag=1 drop_unknown_tag=1", 1)),
		ROW("policy: the association's tag from an address it never announced: dropped",
		    F("10.9.9.9", Z1, 5000, 6000, TZ, { CH(SL_SCTP_DATA, 3) }), WDROP("drop_stray_path=1", 1)),
		ROW("policy: a frame cut in the common header: dropped", F(A1, Z1, 5000, 6000, TZ, { CH(SL_SCTP_DATA) },
									.cut = 14 + 20 + 6),
		    WDROP("truncated=1 drop_malformed=1", 1)),
		ROW("policy: an INIT bundled with DATA: dropped",
		    F(A1, Z1, 5001, 6000, 0, { CH(SL_SCTP_INIT, 0, TA), CH(SL_SCTP_DATA, 3) }, 2),
		    WDROP("init_bad=1 drop_malformed=1", 1)),
		ROW("policy: SHUTDOWN-COMPLETE ends it", F(A1, Z1, 5000, 6000, TZ, { CH(SL_SCTP_SHUTDOWN_COMPLETE) }),
		    W("tracked=1 end_shutdown=1", 0)),
	};
	int set = fx_set_ip4(skel->obj, "clients", 0, clients);

	set_policy("clients");
	run(rows, sizeof(rows) / sizeof(rows[0]));
	/* a policy naming a set that does not exist admits nothing */
	set_policy("gone");
	const struct fx_case none[] = {
		ROW("policy on a missing set: an INIT from the address dropped",
		    F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA) }), WDROP("drop_init=1", 0)),
	};
	run(none, 1);
	set_policy(NULL);
	close(set);
}

Test(sctp_progs, a_policy_drops_what_it_did_not_admit)
{
	static const char *const clients[] = { A1, NULL };
	const struct fx_case init[] = {
		ROW("no policy yet: an INIT from outside the set is tracked",
		    F("10.0.0.9", Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA) }), W("new=1 tracked=1", 1)),
	};
	const struct fx_case later[] = {
		ROW("policy on: its INIT-ACK dropped", F(Z1, "10.0.0.9", 6000, 5000, TA, { CH(SL_SCTP_INIT_ACK, 0, TZ) }),
		    WDROP("drop_not_admitted=1", 1)),
		ROW("policy on: the INIT again dropped", F("10.0.0.9", Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA) }),
		    WDROP("drop_init=1", 1)),
	};
	int set = fx_set_ip4(skel->obj, "clients", 0, clients);

	for (int xdp = 0; xdp < 2; xdp++) {
		clear_all();
		set_policy(NULL);
		cr_expect_eq(run_on(xdp, init, 1), 0);
		set_policy("clients");
		cr_expect_eq(run_on(xdp, later, 2), 0);
	}
	set_policy(NULL);
	close(set);
}

Test(sctp_progs, an_init_retransmitted_to_another_address)
{
	const struct fx_case rows[] = {
		ROW("INIT from A's first address to Z's first", F(A1, Z1, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA) }),
		    W("new=1 tracked=1", 1)),
		ROW("the INIT again, from another address of A to another of Z: both theirs, its own path",
		    F(A2, Z2, 5000, 6000, 0, { CH(SL_SCTP_INIT, 0, TA) }), W("tracked=1 init_dup=1", 1, TA,
		    "st=1 tags=aaaa0001/0 ports=5000/6000 A=10.0.0.1,10.0.1.1 Z=10.0.0.2,10.0.1.2 drop=0/0 paths=0.0:1,1.1:1 "
		    "data=- stray=0")),
	};

	run(rows, sizeof(rows) / sizeof(rows[0]));
}
