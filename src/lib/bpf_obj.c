#include "lib/bpf_obj.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/pin.h"

int sl_obj_load_maps(const char *feature, struct bpf_object *obj, const char *pin_root, struct sl_error *err)
{
	struct bpf_program *prog;
	int rc;

	if (sl_pin_maps(obj, pin_root, err))
		return -1;
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, false);
	rc = bpf_object__load(obj);
	if (rc)
		return sl_fail(err, SL_E_KERNEL, 0, "%s: cannot load the BPF object: %s", feature, strerror(-rc));
	return 0;
}

int sl_obj_load_instance(struct bpf_object *obj, struct bpf_object *base, const char *what, const char *fail_msg,
			 struct sl_error *err)
{
	int rc;

	if (sl_maps_share(obj, base, err))
		return -1;
	rc = bpf_object__load(obj);
	if (rc)
		return sl_fail(err, SL_E_KERNEL, 0, "%s: %s: %s", what, fail_msg, strerror(-rc));
	return 0;
}

int sl_obj_map_fds(const char *feature, struct bpf_object *obj, const char *const names[], int n, int fds[],
		   struct sl_error *err)
{
	for (int i = 0; i < n; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, names[i]);

		if (!map)
			return sl_fail(err, SL_E_KERNEL, 0, "%s: map %s missing", feature, names[i]);
		fds[i] = bpf_map__fd(map);
	}
	return 0;
}

int sl_obj_pinned_map(const char *feature, const void *elf, size_t elf_size, const char *map, const char *pin_root,
		      bool create, struct sl_error *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, o, .object_name = feature);
	struct bpf_object *obj;
	struct bpf_map *m;
	int fd = sl_pin_open(pin_root, SL_PIN_MAPS, map);

	if (fd >= 0 || !create)
		return fd;
	obj = bpf_object__open_mem(elf, elf_size, &o);
	if (!obj) {
		sl_fail(err, SL_E_KERNEL, 0, "%s: cannot open the BPF object: %s", feature, strerror(errno));
		return -1;
	}
	m = bpf_object__find_map_by_name(obj, map);
	if (!m)
		sl_fail(err, SL_E_KERNEL, 0, "%s: map %s missing", feature, map);
	else if (!sl_obj_load_maps(feature, obj, pin_root, err))
		fd = dup(bpf_map__fd(m));
	bpf_object__close(obj);
	return fd;
}

int sl_obj_open_base(const char *feature, const void *elf, size_t elf_size, const char *pin_root,
		     const char *const names[], int n, int fds[], struct bpf_object **base, struct sl_error *err)
{
	char name[64];
	struct bpf_object *obj;

	snprintf(name, sizeof(name), "%s_bpf", feature);
	LIBBPF_OPTS(bpf_object_open_opts, o, .object_name = name);
	obj = bpf_object__open_mem(elf, elf_size, &o);
	if (!obj)
		return sl_fail(err, SL_E_KERNEL, 0, "%s: cannot open the BPF object: %s", feature, strerror(errno));
	if (sl_obj_load_maps(feature, obj, pin_root, err) || sl_obj_map_fds(feature, obj, names, n, fds, err)) {
		bpf_object__close(obj);
		return -1;
	}
	*base = obj;
	return 0;
}
