/* A set for fixtures: see fx_set.h. */
#include "fx_set.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sluice/sets.h"

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	cr_assert_not_null(m, "the object has no map %s", name);
	return bpf_map__fd(m);
}

int fx_set_ip4(struct bpf_object *obj, const char *name, __u32 slot, const char *const addrs[])
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	const struct btf *btf = bpf_object__btf(obj);
	struct sl_set_dirent d = { .slot = slot, .cls = SL_CLASS_IP4, .family = SL_FAMILY_IPV4,
				   .type = SL_SET_HASH_IP };
	struct sl_set_name key = { 0 };
	int fd;

	cr_assert_not_null(btf, "the object has no BTF");
	o.btf_fd = (__u32)btf__fd(btf);
	o.btf_key_type_id = (__u32)btf__find_by_name_kind(btf, "sl_set_key_ip4", BTF_KIND_STRUCT);
	o.btf_value_type_id = (__u32)btf__find_by_name_kind(btf, "sl_set_value", BTF_KIND_STRUCT);
	cr_assert(o.btf_key_type_id > 0 && o.btf_value_type_id > 0, "the set's types are not in the object's BTF");
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "fx_set", sizeof(struct sl_set_key_ip4), sizeof(struct sl_set_value),
			    16, &o);
	cr_assert_geq(fd, 0, "creating the set: %s", strerror(errno));
	for (; *addrs; addrs++) {
		struct sl_set_key_ip4 k;
		struct sl_set_value v = { .cidr = 32 };

		cr_assert_eq(inet_pton(AF_INET, *addrs, k.addr), 1, "'%s'", *addrs);
		cr_assert_eq(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), 0, "%s", strerror(errno));
	}
	cr_assert_eq(bpf_map_update_elem(map_fd(obj, "sl_sc_ip4_v1"), &slot, &fd, BPF_ANY), 0,
		     "the set into its outer map: %s", strerror(errno));
	snprintf(key.name, sizeof(key.name), "%s", name);
	cr_assert_eq(bpf_map_update_elem(map_fd(obj, SL_STR(SL_SET_DIR_MAP)), &key, &d, BPF_ANY), 0, "%s",
		     strerror(errno));
	return fd;
}
