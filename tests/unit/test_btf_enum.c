/* Enum names from BTF: a synthetic BTF built with libbpf (ENUM, signed ENUM,
 * ENUM64), prefix removal, lookups both ways, and the running kernel's
 * skb_drop_reason when /sys/kernel/btf/vmlinux is readable. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "lib/btf_enum.h"

#define PREFIX "SKB_DROP_REASON_"

static struct btf *btf;
static struct sl_enum_names e;

struct member {
	const char *name;
	int64_t value;
};

static void add_enum(const char *name, const struct member *m, size_t n)
{
	cr_assert_gt(btf__add_enum(btf, name, 4), 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(btf__add_enum_value(btf, m[i].name, m[i].value), 0, "%s", m[i].name);
}

static const struct member reasons[] = {
	{ "SKB_CONSUMED", 1 },                 /* no prefix: kept whole */
	{ "SKB_DROP_REASON_NOT_SPECIFIED", 2 },
	{ "SKB_DROP_REASON_NO_SOCKET", 3 },
	{ "SKB_DROP_REASON_SOCKET_RCVBUFF", 6 },
	{ "SKB_DROP_REASON_MAX", 0xffffffffLL }, /* unsigned 32-bit: not -1 */
};

static void setup(void)
{
	btf = btf__new_empty();
	cr_assert_not_null(btf);
	/* other kinds first, so the enum is not type 1 */
	cr_assert_gt(btf__add_int(btf, "int", 4, BTF_INT_SIGNED), 0);
	cr_assert_gt(btf__add_struct(btf, "decoy", 0), 0);
	add_enum("skb_drop_reason", reasons, sizeof(reasons) / sizeof(reasons[0]));
	memset(&e, 0, sizeof(e));
}

static void teardown(void)
{
	sl_enum_names_free(&e);
	btf__free(btf);
}

TestSuite(btf_enum, .init = setup, .fini = teardown);

static void assert_pair(const char *name, int64_t value)
{
	int64_t got = -12345;

	cr_assert_str_eq(sl_enum_name(&e, value) ?: "(null)", name, "value %lld", (long long)value);
	cr_assert_eq(sl_enum_value(&e, name, &got), 0, "name %s", name);
	cr_assert_eq(got, value, "%s = %lld, expected %lld", name, (long long)got, (long long)value);
}

Test(btf_enum, names_without_prefix)
{
	cr_assert_eq(sl_enum_names_load(&e, btf, "skb_drop_reason", PREFIX), 0);
	cr_assert_eq(e.n, 5);
	assert_pair("SKB_CONSUMED", 1);
	assert_pair("NOT_SPECIFIED", 2);
	assert_pair("NO_SOCKET", 3);
	assert_pair("SOCKET_RCVBUFF", 6);
	assert_pair("MAX", 4294967295LL);
	/* in BTF order */
	cr_assert_str_eq(e.v[0].name, "SKB_CONSUMED");
	cr_assert_str_eq(e.v[4].name, "MAX");
}

Test(btf_enum, unknown_lookups)
{
	int64_t v = 77;

	cr_assert_eq(sl_enum_names_load(&e, btf, "skb_drop_reason", PREFIX), 0);
	cr_assert_null(sl_enum_name(&e, 4));
	cr_assert_null(sl_enum_name(&e, 0));
	cr_assert_null(sl_enum_name(&e, -1), "0xffffffff is unsigned");
	cr_assert_eq(sl_enum_value(&e, "SKB_DROP_REASON_NO_SOCKET", &v), -1, "the prefix is gone");
	cr_assert_eq(sl_enum_value(&e, "no_socket", &v), -1, "names are case sensitive");
	cr_assert_eq(sl_enum_value(&e, "", &v), -1);
	cr_assert_eq(v, 77, "value untouched on a miss");
}

Test(btf_enum, empty_prefix_keeps_names)
{
	cr_assert_eq(sl_enum_names_load(&e, btf, "skb_drop_reason", ""), 0);
	assert_pair("SKB_DROP_REASON_NO_SOCKET", 3);
	assert_pair("SKB_CONSUMED", 1);
}

Test(btf_enum, absent_enum)
{
	e.n = 3; /* garbage from before: load resets it */
	cr_assert_eq(sl_enum_names_load(&e, btf, "no_such_enum", PREFIX), -1);
	cr_assert_eq(e.n, 0);
	cr_assert_null(e.v);
	cr_assert_null(sl_enum_name(&e, 3));
	/* a struct of that name is not an enum */
	cr_assert_eq(sl_enum_names_load(&e, btf, "decoy", PREFIX), -1);
	cr_assert_eq(sl_enum_names_load(&e, btf, "int", PREFIX), -1);
}

Test(btf_enum, signed_enum)
{
	static const struct member m[] = { { "E_NEG", -5 }, { "E_MIN", INT32_MIN }, { "E_POS", 7 } };

	add_enum("signed_e", m, 3);
	cr_assert_eq(sl_enum_names_load(&e, btf, "signed_e", "E_"), 0);
	cr_assert_eq(e.n, 3);
	assert_pair("NEG", -5);
	assert_pair("MIN", INT32_MIN);
	assert_pair("POS", 7);
}

Test(btf_enum, empty_enum)
{
	cr_assert_gt(btf__add_enum(btf, "nothing", 4), 0);
	cr_assert_eq(sl_enum_names_load(&e, btf, "nothing", PREFIX), 0);
	cr_assert_eq(e.n, 0);
	cr_assert_null(sl_enum_name(&e, 0));
}

Test(btf_enum, name_equal_to_prefix)
{
	static const struct member m[] = { { "SKB_DROP_REASON_", 9 } };

	add_enum("edge", m, 1);
	cr_assert_eq(sl_enum_names_load(&e, btf, "edge", PREFIX), 0);
	assert_pair("", 9);
}

Test(btf_enum, enum64)
{
	cr_assert_gt(btf__add_enum64(btf, "wide", 8, false), 0);
	cr_assert_eq(btf__add_enum64_value(btf, "WIDE_ONE", 1), 0);
	cr_assert_eq(btf__add_enum64_value(btf, "WIDE_BIG", 1ULL << 40), 0);
	cr_assert_eq(btf__add_enum64_value(btf, "WIDE_TOP", 0x7fffffffffffffffULL), 0);
	cr_assert_gt(btf__add_enum64(btf, "swide", 8, true), 0);
	cr_assert_eq(btf__add_enum64_value(btf, "SWIDE_NEG", (uint64_t)-7), 0);

	cr_assert_eq(sl_enum_names_load(&e, btf, "wide", "WIDE_"), 0);
	cr_assert_eq(e.n, 3);
	assert_pair("ONE", 1);
	assert_pair("BIG", 1LL << 40);
	assert_pair("TOP", INT64_MAX);
	cr_assert_null(sl_enum_name(&e, 0));
	sl_enum_names_free(&e);

	cr_assert_eq(sl_enum_names_load(&e, btf, "swide", "SWIDE_"), 0);
	assert_pair("NEG", -7);
}

Test(btf_enum, free_resets)
{
	cr_assert_eq(sl_enum_names_load(&e, btf, "skb_drop_reason", PREFIX), 0);
	sl_enum_names_free(&e);
	cr_assert_eq(e.n, 0);
	cr_assert_null(e.v);
	cr_assert_null(sl_enum_name(&e, 3));
	sl_enum_names_free(&e); /* twice is harmless */
}

/* The running kernel: values agree with vmlinux/vmlinux.h
 * (SKB_DROP_REASON_NOT_SPECIFIED = 2, NO_SOCKET = 3, SOCKET_RCVBUFF = 6). */
Test(btf_enum, kernel_vmlinux)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	struct btf *k;

	if (access(path, R_OK))
		cr_skip_test("%s is not readable", path);
	k = btf__parse(path, NULL);
	if (!k)
		cr_skip_test("%s does not parse", path);
	cr_assert_eq(sl_enum_names_load(&e, k, "skb_drop_reason", PREFIX), 0, "no enum skb_drop_reason");
	cr_assert_gt(e.n, 10);
	assert_pair("NOT_SPECIFIED", 2);
	assert_pair("NO_SOCKET", 3);
	assert_pair("SOCKET_RCVBUFF", 6);
	assert_pair("SKB_CONSUMED", 1);
	for (int i = 0; i < e.n; i++)
		cr_assert(strncmp(e.v[i].name, PREFIX, strlen(PREFIX)), "%s kept its prefix", e.v[i].name);
	btf__free(k);
}
