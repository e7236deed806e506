/* A feature's BPF object, loaded the two ways features with one program
 * load per instance (a bridge, a hook) use it.
 *
 * The "base" load makes the feature's maps (or reuses the ones a daemon
 * before this one left pinned) and loads no program: its object holds the
 * map fds and the BTF for as long as the daemon runs. Each instance is a
 * load of the same object with its own read-only data, its maps taken from
 * the base, so every instance shares one set of maps.
 *
 * Both take an object opened by the feature's skeleton (X_bpf__open()), so
 * the caller keeps typed access to its read-only data. */
#ifndef SLUICE_LIB_BPF_OBJ_H
#define SLUICE_LIB_BPF_OBJ_H

#include <bpf/libbpf.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/grammar.h"

/* Load `obj` for its maps alone: every map pinned under pin_root (see
 * core/pin.h) reused, the others created and pinned; no program loaded.
 * `feature` prefixes the error. */
int sl_obj_load_maps(const char *feature, struct bpf_object *obj, const char *pin_root, struct sl_error *err);

/* Load instance `obj` (its read-only data set by the caller) with the maps
 * of `base`. On failure the error is "<what>: <fail_msg>: <errno text>". */
int sl_obj_load_instance(struct bpf_object *obj, struct bpf_object *base, const char *what, const char *fail_msg,
			 struct sl_error *err);

/* The feature's "base" from its object's ELF (the skeleton's
 * X_bpf__elf_bytes(), opened under the skeleton's name X_bpf): loaded for
 * its maps (sl_obj_load_maps), fds[i] of names[i] (sl_obj_map_fds), the
 * object in *base for as long as the daemon runs. */
int sl_obj_open_base(const char *feature, const void *elf, size_t elf_size, const char *pin_root,
		     const char *const names[], int n, int fds[], struct bpf_object **base, struct sl_error *err);

/* fds[i] = the fd of map names[i] in `obj`, for i < n; fails naming the
 * first map the object lacks */
int sl_obj_map_fds(const char *feature, struct bpf_object *obj, const char *const names[], int n, int fds[],
		   struct sl_error *err);

/* The fd of map `map` of a maps-only object (its ELF: the skeleton's
 * X_bpf__elf_bytes()), as pinned under pin_root: the pin opened, or with
 * `create` and no pin, the object loaded for its maps (pinned now) and its
 * fd kept. -1 (err set when a load failed) otherwise. For records that
 * lib/ keeps beside the features' maps (tc filters, sysfs writes). */
int sl_obj_pinned_map(const char *feature, const void *elf, size_t elf_size, const char *map, const char *pin_root,
		      bool create, struct sl_error *err);

#endif
