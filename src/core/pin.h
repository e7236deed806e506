/* The pin root: <root>/maps/<map> and <root>/links/<link> on bpffs. */
#ifndef SLUICE_PIN_H
#define SLUICE_PIN_H

#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>

#include "common/grammar.h"

#define SL_PIN_MAPS  "maps"
#define SL_PIN_LINKS "links"
#define SL_PIN_PROGS "progs"  /* programs behind links, readable without CAP_SYS_ADMIN */

/* Create root and its maps, links and progs directories; refuse a root
 * that is not on bpffs. */
int sl_pin_root_prepare(const char *root, struct sl_error *err);
/* Take the root's exclusive lock (one daemon per pin root). Returns the fd
 * that holds it, or -1 with err set when another process holds it. */
int sl_pin_root_lock(const char *root, struct sl_error *err);
/* Unpin every link (detaching it), program and map, then remove the root. */
int sl_pin_root_cleanup(const char *root, struct sl_error *err);

int sl_pin_path(char *out, size_t size, const char *root, const char *kind, const char *name);

/* What a pinned map must be for this build to read it. */
struct sl_map_layout {
	uint32_t type;          /* enum bpf_map_type */
	uint32_t key_size, value_size;
	uint32_t max_entries;   /* 0: any */
	uint32_t flags;
};
/* 0 when root/maps/name is absent or has layout `want`; otherwise -1 with
 * err naming the pin and each difference. Run before a load reuses a pin,
 * so an old layout is refused, never read with the wrong sizes. */
int sl_pin_check_layout(const char *root, const char *name, const struct sl_map_layout *want,
			struct sl_error *err);
/* The layout of an open map, for the check above (0, or -1 with errno). */
int sl_map_layout_of(int fd, struct sl_map_layout *out);
/* Map pin names carry a layout version: "<family>_v<N>", or for one map per
 * slot the prefix "<family>_v<N>_" followed by the slot. Refuse (-1, err
 * naming it) a pin under root/maps of the same family with another version
 * or none (an older build's), so a stale layout is never left beside the
 * new one to be misread; --cleanup removes it. Names without a version are
 * not checked. */
int sl_pin_check_family(const char *root, const char *name, struct sl_error *err);

/* Both checks for every non-internal map of `obj` (opened, not loaded):
 * for a feature that reads its pins before it loads anything. */
int sl_pin_check_maps(struct bpf_object *obj, const char *root, struct sl_error *err);
/* Give every non-internal map of `obj` its pin path, so that load() reuses
 * a pinned map of the same name or pins the new one. A pin of another
 * layout is refused first (sl_pin_check_maps), and left as it is. Call it
 * once the maps' sizes are final. */
int sl_pin_maps(struct bpf_object *obj, const char *root, struct sl_error *err);
/* Give every non-internal map of `obj` the fd of the same-named map of
 * `from` (an object loaded before), so another load of the same programs
 * (with other read-only data) shares the first one's maps. */
int sl_maps_share(struct bpf_object *obj, struct bpf_object *from, struct sl_error *err);
/* Replacing a pin in two steps, so several pins can be prepared first and
 * then switched together: stage pins `fd` next to `path` (bpffs reserves
 * dots, so at "<path>__new"); commit renames it over `path` in one step, so
 * the object pinned there before loses its pin only once the new one is in
 * place; unstage drops a staged pin that will not be committed. */
int sl_pin_stage(int fd, const char *path, struct sl_error *err);
int sl_pin_commit(const char *path, struct sl_error *err);
void sl_pin_unstage(const char *path);
/* Open a pinned object; -1 (errno ENOENT) when absent. */
int sl_pin_open(const char *root, const char *kind, const char *name);

#endif
