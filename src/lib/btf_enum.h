/* Names of a kernel enum read from BTF at run time (e.g. skb_drop_reason),
 * so sluice never carries a table that goes stale with the kernel. */
#ifndef SLUICE_BTF_ENUM_H
#define SLUICE_BTF_ENUM_H

#include <stdint.h>
#include <bpf/btf.h>

struct sl_enum_names {
	struct sl_enum_name {
		int64_t value;
		char *name;
	} *v;
	int n;
};

/* Load enum `enum_name` from `btf`, removing `prefix` from each name.
 * Returns 0, or -1 if the enum is absent. */
int sl_enum_names_load(struct sl_enum_names *e, const struct btf *btf, const char *enum_name,
		       const char *prefix);
/* The name for `value`, or NULL when the enum has none. */
const char *sl_enum_name(const struct sl_enum_names *e, int64_t value);
/* The value for `name` (prefix already removed); -1 when unknown. */
int sl_enum_value(const struct sl_enum_names *e, const char *name, int64_t *value);
void sl_enum_names_free(struct sl_enum_names *e);

#endif
