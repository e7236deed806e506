/* The pin root: <root>/maps/<map> and <root>/links/<link> on bpffs. */
#ifndef SLUICE_PIN_H
#define SLUICE_PIN_H

#include <stddef.h>
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
/* Give every non-internal map of `obj` its pin path, so that load() reuses
 * a pinned map of the same name or pins the new one. */
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
