#include "lib/btf_enum.h"

#include <stdlib.h>
#include <string.h>

int sl_enum_names_load(struct sl_enum_names *e, const struct btf *btf, const char *enum_name,
		       const char *prefix)
{
	size_t plen = strlen(prefix);
	const struct btf_type *t;
	int id;

	e->v = NULL;
	e->n = 0;
	id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
	if (id < 0)
		id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM64);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	e->v = calloc(btf_vlen(t) ? btf_vlen(t) : 1, sizeof(*e->v));
	if (!e->v)
		return -1;
	for (int i = 0; i < btf_vlen(t); i++) {
		const char *name;
		int64_t value;

		if (btf_is_enum(t)) {
			const struct btf_enum *m = btf_enum(t) + i;

			name = btf__name_by_offset(btf, m->name_off);
			value = btf_kflag(t) ? (int64_t)m->val : (int64_t)(uint32_t)m->val;
		} else {
			const struct btf_enum64 *m = btf_enum64(t) + i;

			name = btf__name_by_offset(btf, m->name_off);
			value = (int64_t)btf_enum64_value(m);
		}
		if (!name)
			continue;
		if (!strncmp(name, prefix, plen))
			name += plen;
		e->v[e->n].value = value;
		e->v[e->n].name = strdup(name);
		if (!e->v[e->n].name)
			return -1;
		e->n++;
	}
	return 0;
}

const char *sl_enum_name(const struct sl_enum_names *e, int64_t value)
{
	for (int i = 0; i < e->n; i++)
		if (e->v[i].value == value)
			return e->v[i].name;
	return NULL;
}

int sl_enum_value(const struct sl_enum_names *e, const char *name, int64_t *value)
{
	for (int i = 0; i < e->n; i++)
		if (!strcmp(e->v[i].name, name)) {
			*value = e->v[i].value;
			return 0;
		}
	return -1;
}

void sl_enum_names_free(struct sl_enum_names *e)
{
	for (int i = 0; i < e->n; i++)
		free(e->v[i].name);
	free(e->v);
	e->v = NULL;
	e->n = 0;
}
