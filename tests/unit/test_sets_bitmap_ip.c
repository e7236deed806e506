/* bitmap:ip in the ipset language (src/features/sets/ipset/bitmap_ip.c and
 * its rows in types.c, elem.c, expand.c): create lines with their range
 * widened as the kernel keeps it, the kernel's limits, elements in and out
 * of the range, and the entries a range or CIDR leaves under a netmask.
 * Every expected value was measured on the kernel's ipset (7.17, 6.x); the
 * whole command language is compared in tests/netns/ipset_diff.cmds. */
#include <criterion/criterion.h>

#include <string.h>

#include "features/sets/ipset/ipset.h"
#include "set_spec.h"
#include "words.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

Test(bitmap_ip, type_row)
{
	enum sl_set_type type;
	const struct sl_set_type_info *ti = sl_set_type_find("ipmap", &type);

	cr_assert_not_null(ti);
	cr_expect_eq(type, SL_SET_BITMAP_IP);
	cr_expect_str_eq(ti->name, "bitmap:ip");
	cr_expect(ti->bitmap && ti->inet && !ti->family && ti->netmask_only);
}

Test(bitmap_ip, create_lines)
{
	static const struct {
		const char *words, *line;
		uint32_t maxelem;      /* the entries the range holds */
	} ok[] = {
		{ "s bitmap:ip range 10.0.0.0/24", "create s bitmap:ip range 10.0.0.0-10.0.0.255", 256 },
		{ "s ipmap range 10.0.0.9-10.0.0.1", "create s bitmap:ip range 10.0.0.1-10.0.0.9", 9 },
		{ "s bitmap:ip range 10.0.0.7/24", "create s bitmap:ip range 10.0.0.0-10.0.0.255", 256 },
		{ "s bitmap:ip range 10.0.0.0/31 timeout 0 counters comment skbinfo",
		  "create s bitmap:ip range 10.0.0.0-10.0.0.1 timeout 0 counters comment skbinfo", 2 },
		{ "s bitmap:ip range 10.0.0.0/16", "create s bitmap:ip range 10.0.0.0-10.0.255.255", 65536 },
		/* the netmask widens the range to whole blocks */
		{ "s bitmap:ip range 10.0.0.1-10.0.0.9 netmask 30",
		  "create s bitmap:ip range 10.0.0.0-10.0.0.11 netmask 30", 4 },
		{ "s bitmap:ip range 0.0.0.0/0 netmask 16", "create s bitmap:ip range 0.0.0.0-255.255.255.255 netmask 16",
		  65536 },
		{ "s bitmap:ip range 10.0.0.0/8 netmask 24 --timeout 5",
		  "create s bitmap:ip range 10.0.0.0-10.255.255.255 netmask 24 timeout 5", 65536 },
		{ "s bitmap:ip range 10.0.0.0/24 netmask 32", "create s bitmap:ip range 10.0.0.0-10.0.0.255", 256 },
	};
	static const struct {
		const char *words, *error;
	} bad[] = {
		{ "s bitmap:ip", "bitmap:ip needs range FROM-TO" },
		{ "s bitmap:ip range 10.0.0.5", "range needs FROM-TO or IP/CIDR, got '10.0.0.5'" },
		{ "s bitmap:ip range 10.0.0.0-", "range needs FROM-TO or IP/CIDR, got '10.0.0.0-'" },
		{ "s bitmap:ip range /24", "range needs FROM-TO or IP/CIDR, got '/24'" },
		{ "s bitmap:ip range ::1-::2", "'::1' is not an IPv4 address" },
		{ "s bitmap:ip range 10.0.0.1-abc", "'abc' is not an IPv4 address" },
		{ "s bitmap:ip range 10.0.0.0/33", "CIDR /33 out of range 1..32" },
		{ "s bitmap:ip range 10.0.0.0/x", "CIDR 'x' is not a number" },
		{ "s bitmap:ip range 10.0.0.0/32", "range 10.0.0.0/32: a /32 is no range (the CIDR parameter is invalid)" },
		{ "s bitmap:ip range 10.0.0.0/15",
		  "the range holds 131072 entries: it exceeds the size limit of the set type (65536)" },
		{ "s bitmap:ip range 0.0.0.0/0 netmask 17",
		  "the range holds 131072 entries: it exceeds the size limit of the set type (65536)" },
		{ "s bitmap:ip range 10.0.0.0/24 netmask 24",
		  "netmask 24 does not split the range 10.0.0.0-10.0.0.255 into blocks: element is out of the range of the set" },
		{ "s bitmap:ip range 10.0.0.5-10.0.0.5 netmask 25",
		  "netmask 25 does not split the range 10.0.0.0-10.0.0.127 into blocks: element is out of the range of the set" },
		{ "s bitmap:ip range 10.0.0.0/24 family inet", "option 'family' is not for bitmap:ip" },
		{ "s bitmap:ip range 10.0.0.0/24 bitmask 255.0.0.0", "option 'bitmask' is not for bitmap:ip" },
		{ "s bitmap:ip range 10.0.0.0/24 maxelem 5", "option 'maxelem' is not for bitmap:ip" },
		{ "s bitmap:ip range 10.0.0.0/24 forceadd", "option 'forceadd' is not for bitmap:ip" },
	};

	for (size_t i = 0; i < N(ok); i++) {
		struct sl_set_spec spec, again;
		char out[SL_SET_LINE_MAX];

		spec_of(ok[i].words, &spec);
		cr_expect_eq(spec.family, SL_FAMILY_IPV4, "[%zu] family inet, fixed", i);
		cr_expect_eq(spec.maxelem, ok[i].maxelem, "[%zu] %u entries", i, spec.maxelem);
		cr_assert_gt(sl_set_spec_format(&spec, out, sizeof(out)), 0);
		cr_expect_str_eq(out, ok[i].line, "[%zu]", i);
		spec_of(out + strlen("create "), &again); /* the printed line reads back the same */
		cr_expect_eq(memcmp(&spec, &again, sizeof(spec)), 0, "[%zu] '%s' does not round trip", i, out);
	}
	for (size_t i = 0; i < N(bad); i++) {
		struct sl_set_spec spec;
		struct sl_error err = { 0 };
		struct words w;

		split(bad[i].words, &w);
		cr_expect_eq(sl_set_spec_parse(w.n, w.argv, w.cols, &spec, &err), -1, "[%zu] '%s' parsed", i, bad[i].words);
		cr_expect_str_eq(err.msg, bad[i].error, "[%zu] '%s'", i, bad[i].words);
		cr_expect_eq(err.code, SL_E_USAGE, "[%zu]", i);
	}
}

/* the entries an element leaves, as `ipset list` showed them */
Test(bitmap_ip, entries_as_the_kernel_keeps_them)
{
	static const struct {
		const char *create, *elem, *entries;
	} cases[] = {
		{ "s bitmap:ip range 10.0.0.0/24", "10.0.0.6-10.0.0.4", "10.0.0.4 10.0.0.5 10.0.0.6" },
		{ "s bitmap:ip range 10.0.0.0/24", "10.0.0.16/30", "10.0.0.16 10.0.0.17 10.0.0.18 10.0.0.19" },
		{ "s bitmap:ip range 10.0.0.0/24", "10.0.0.32/32", "10.0.0.32" },
		{ "s bitmap:ip range 0.0.0.0/30", "0.0.0.0", "0.0.0.0" },
		/* under a netmask: from the first address as given, a block at a
		 * time, not past the last (its block may be left out) */
		{ "s bitmap:ip range 10.0.0.0/16 netmask 24", "10.0.2.5-10.0.3.4", "10.0.2.0" },
		{ "s bitmap:ip range 10.0.0.0/16 netmask 24", "10.0.5.0-10.0.6.0", "10.0.5.0 10.0.6.0" },
		{ "s bitmap:ip range 10.0.0.0/16 netmask 24", "10.0.8.7/23", "10.0.8.0 10.0.9.0" },
		{ "s bitmap:ip range 10.0.0.0/16 netmask 24", "10.0.10.255/24", "10.0.10.0" },
		{ "s bitmap:ip range 10.0.0.0/16 netmask 24", "10.0.14.1/28", "10.0.14.0" },
		{ "s bitmap:ip range 10.0.0.0/16 netmask 24", "10.0.0.77", "10.0.0.0" },
		{ "s bitmap:ip range 10.0.0.1-10.0.0.9 netmask 30", "10.0.0.5-10.0.0.11", "10.0.0.4 10.0.0.8" },
		{ "s bitmap:ip range 0.0.0.0/0 netmask 16", "255.255.0.1-255.255.255.255", "255.255.0.0" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct sl_set_spec spec;
		char got[512];

		spec_of(cases[i].create, &spec);
		entries_of(&spec, cases[i].elem, got, sizeof(got));
		cr_expect_str_eq(got, cases[i].entries, "[%zu] %s: %s", i, cases[i].create, cases[i].elem);
	}
}

/* outside the range: refused after the options (a set without timeout
 * names the timeout first, as the kernel does); test refuses ranges */
Test(bitmap_ip, elements_refused)
{
	static const struct {
		enum sl_set_cmd cmd;
		const char *words, *error;
	} cases[] = {
		{ SL_SETCMD_ADD, "10.0.1.0", "address 10.0.1.0 outside the range 10.0.0.0-10.0.0.255 of set 's'" },
		{ SL_SETCMD_ADD, "9.255.255.255", "address 9.255.255.255 outside the range 10.0.0.0-10.0.0.255 of set 's'" },
		{ SL_SETCMD_ADD, "10.0.0.250-10.0.1.2",
		  "address 10.0.0.250-10.0.1.2 outside the range 10.0.0.0-10.0.0.255 of set 's'" },
		{ SL_SETCMD_DEL, "10.0.0.1/23", "address 10.0.0.1/23 outside the range 10.0.0.0-10.0.0.255 of set 's'" },
		{ SL_SETCMD_TEST, "10.0.1.9", "address 10.0.1.9 outside the range 10.0.0.0-10.0.0.255 of set 's'" },
		{ SL_SETCMD_ADD, "10.0.1.8 timeout 5", "timeout given but set 's' was created without timeout" },
		{ SL_SETCMD_ADD, "10.0.0.1,80", "bitmap:ip takes IP, got '10.0.0.1,80'" },
		{ SL_SETCMD_ADD, "::1", "'::1' is not an IPv4 address (set 's' is family inet)" },
		{ SL_SETCMD_ADD, "10.0.0.1 nomatch", "nomatch given but set 's' is bitmap:ip (only hash:net types have it)" },
		{ SL_SETCMD_TEST, "10.0.0.1-10.0.0.3",
		  "FROM-TO IP range is not allowed in command test with set type bitmap:ip and family inet" },
		{ SL_SETCMD_TEST, "10.0.0.0/32",
		  "IP/CIDR range is not allowed in command test with set type bitmap:ip and family inet" },
	};
	struct sl_set_spec spec;

	spec_of("s bitmap:ip range 10.0.0.0/24", &spec);
	for (size_t i = 0; i < N(cases); i++) {
		struct sl_set_elem e;
		struct sl_error err = { 0 };
		struct words w;

		split(cases[i].words, &w);
		cr_expect_eq(sl_set_elem_parse(&spec, cases[i].cmd, w.n, w.argv, w.cols, &e, &err), -1, "[%zu] '%s' parsed",
			     i, cases[i].words);
		cr_expect_str_eq(err.msg, cases[i].error, "[%zu] '%s'", i, cases[i].words);
	}
}
