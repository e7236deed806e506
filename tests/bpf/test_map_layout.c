/* Reading maps only with the layout they have: SL_PERCPU_SUM sums a per-CPU
 * value into its struct and refuses a map whose value size is another
 * struct's; sl_pin_check_layout names each difference of a pinned map. */
#include <criterion/criterion.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bpf_info.h"
#include "core/pin.h"
#include "fixture.h"
#include "sluice/drops.h"
#include "sluice/sets.h"

static int ncpu;

static void setup(void)
{
	fx_require_bpf();
	ncpu = libbpf_num_possible_cpus();
	cr_assert_gt(ncpu, 0);
}

TestSuite(map_layout, .init = setup);

/* a per-CPU array of one entry with `value_size` bytes per CPU, CPU c's
 * __u64 word f holding 100 * c + f + 1 */
static int percpu_map(enum bpf_map_type type, uint32_t value_size)
{
	size_t stride = (value_size + 7) & ~7u;
	uint64_t *vals = calloc((size_t)ncpu, stride);
	uint32_t key = 0;
	int fd = bpf_map_create(type, "sl_test_pcpu", 4, value_size, 1, NULL);

	cr_assert_geq(fd, 0, "map create: %s", strerror(errno));
	for (int c = 0; c < ncpu; c++)
		for (size_t f = 0; f < stride / 8; f++)
			vals[(size_t)c * (stride / 8) + f] = 100u * (uint64_t)c + f + 1;
	if (type == BPF_MAP_TYPE_PERCPU_ARRAY)
		cr_assert_eq(bpf_map_update_elem(fd, &key, vals, BPF_ANY), 0, "%s", strerror(errno));
	free(vals);
	return fd;
}

static uint64_t want_sum(size_t f)
{
	uint64_t s = 0;

	for (int c = 0; c < ncpu; c++)
		s += 100u * (uint64_t)c + f + 1;
	return s;
}

Test(map_layout, percpu_sum_reads_each_field_of_its_struct)
{
	int fd = percpu_map(BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(struct sl_hook_count));
	struct sl_hook_count sum;
	uint32_t key = 0;

	cr_assert_eq(SL_PERCPU_SUM(fd, &key, &sum), 0);
	cr_expect_eq(sum.packets, want_sum(0));
	cr_expect_eq(sum.unparsed, want_sum(1));
	cr_expect_eq(sum.not_ip, want_sum(2));
	cr_expect_eq(sum.dropped, want_sum(3));
	close(fd);
}

Test(map_layout, percpu_sum_refuses_a_smaller_struct)
{
	/* the map holds sl_hook_count (32 bytes); reading it as a 16-byte
	 * sl_rule_count would misplace every CPU after the first */
	int fd = percpu_map(BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(struct sl_hook_count));
	struct sl_rule_count sum = { 7, 7 };
	uint32_t key = 0;

	errno = 0;
	cr_expect_eq(SL_PERCPU_SUM(fd, &key, &sum), -1);
	cr_expect_eq(errno, EINVAL);
	cr_expect_eq(sum.packets, 0, "a refused sum leaves zeros, not stale values");
	cr_expect_eq(sum.bytes, 0);
	close(fd);
}

Test(map_layout, percpu_sum_refuses_a_larger_struct)
{
	/* reading 16-byte values as 48: the buffer would be three times too
	 * large and the fields past the first two other CPUs' counters */
	int fd = percpu_map(BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(struct sl_drop_count));
	struct { uint64_t f[6]; } sum;
	uint32_t key = 0;

	cr_expect_eq(SL_PERCPU_SUM(fd, &key, &sum), -1);
	cr_expect_eq(errno, EINVAL);
	close(fd);
}

Test(map_layout, percpu_sum_refuses_a_struct_that_only_covers_the_padding)
{
	/* 12 bytes per CPU are laid out in 16, but a 16-byte struct would read
	 * 4 bytes of padding into its second field */
	int fd = percpu_map(BPF_MAP_TYPE_PERCPU_ARRAY, 12);
	struct sl_drop_count sum;
	uint32_t key = 0;

	cr_expect_eq(SL_PERCPU_SUM(fd, &key, &sum), -1);
	cr_expect_eq(errno, EINVAL);
	close(fd);
}

Test(map_layout, percpu_sum_refuses_a_map_that_is_not_per_cpu)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "sl_test_arr", 4, 16, 1, NULL);
	struct sl_drop_count sum;
	uint32_t key = 0;

	cr_assert_geq(fd, 0);
	cr_expect_eq(SL_PERCPU_SUM(fd, &key, &sum), -1);
	cr_expect_eq(errno, EINVAL);
	close(fd);
}

Test(map_layout, percpu_zero_and_add_check_the_value_size_too)
{
	int fd = percpu_map(BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(struct sl_drop_count));
	uint32_t key = 0;

	cr_expect_eq(sl_percpu_add(fd, &key, 5), -1, "a 16-byte value is not one __u64");
	cr_expect_eq(sl_percpu_zero(fd, &key, sizeof(struct sl_hook_count)), -1);
	cr_expect_eq(sl_percpu_zero(fd, &key, sizeof(struct sl_drop_count)), 0);
	close(fd);
}

/* --- pinned maps ---------------------------------------------------------------- */

static char root[128];

static void pin_setup(void)
{
	setup();
	snprintf(root, sizeof(root), "/sys/fs/bpf/sluice-test-sl%d-layout", getpid());
	cr_assert_eq(mkdir(root, 0700), 0, "%s: %s (bpffs mounted?)", root, strerror(errno));
	cr_assert_eq(sl_pin_root_prepare(root, &(struct sl_error){ 0 }), 0);
}

static void pin_teardown(void)
{
	struct sl_error err = { 0 };

	sl_pin_root_cleanup(root, &err);
}

static void plant(const char *name, enum bpf_map_type type, uint32_t key, uint32_t value, uint32_t entries)
{
	char path[256];
	int fd = bpf_map_create(type, NULL, key, value, entries, NULL);

	cr_assert_geq(fd, 0, "%s", strerror(errno));
	sl_pin_path(path, sizeof(path), root, SL_PIN_MAPS, name);
	cr_assert_eq(bpf_obj_pin(fd, path), 0, "%s: %s", path, strerror(errno));
	close(fd);
}

Test(map_layout, a_pin_of_another_layout_is_named_with_each_difference, .init = pin_setup, .fini = pin_teardown)
{
	const struct sl_map_layout want = { .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
					    .value_size = sizeof(struct sl_set_meta), .max_entries = SL_SET_SLOTS };
	struct sl_error err = { 0 };

	cr_expect_eq(sl_pin_check_layout(root, "sl_sets_v1", &want, &err), 0, "absent: nothing to refuse");
	plant("sl_sets_v1", BPF_MAP_TYPE_ARRAY, 4, 64, SL_SET_SLOTS);
	cr_assert_eq(sl_pin_check_layout(root, "sl_sets_v1", &want, &err), -1);
	cr_expect_str_eq(err.msg, "pin maps/sl_sets_v1: value size 64, this build expects 96 (a pin of another "
				  "sluice layout; run sluiced --cleanup or remove it)");
	plant("sl_rules_v1", BPF_MAP_TYPE_HASH, 8, sizeof(struct sl_set_meta), 16);
	memset(&err, 0, sizeof(err));
	cr_assert_eq(sl_pin_check_layout(root, "sl_rules_v1", &want, &err), -1);
	cr_expect(strstr(err.msg, "type hash, this build expects array; key size 8, this build expects 4; "
				  "max entries 16, this build expects 256 ("), "%s", err.msg);
	plant("sl_hooks_v1", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct sl_set_meta), SL_SET_SLOTS);
	cr_expect_eq(sl_pin_check_layout(root, "sl_hooks_v1", &want, &err), 0, "the same layout is reused");
}
