/* What `set save` and `set list` print: ipset's save lines, and the list
 * as JSON (sluicectl renders it the way `ipset list` prints). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/pin.h"
#include "features/sets/sets.h"

struct save_ctx {
	FILE *out;
	const char *prefix;
	int rc;
};

static int save_entry(const struct sets_set *s, const void *key, const struct sl_set_value *v, void *ctx)
{
	struct save_ctx *c = ctx;
	struct sl_set_elem e;
	char line[SL_SET_LINE_MAX];

	sets_entry_elem(s, key, v, &e);
	if (sl_set_add_format(&s->spec, &e, line, sizeof(line)) < 0)
		return c->rc = -1;
	fprintf(c->out, "%s%s\n", c->prefix, line);
	return 0;
}

static int create_line(const struct sets_set *s, const char *prefix, FILE *out, struct sl_error *err)
{
	char line[SL_SET_LINE_MAX];

	if (sl_set_spec_format(&s->spec, line, sizeof(line)) < 0)
		return sl_fail(err, SL_E_KERNEL, 0, "set %s: create line too long", s->spec.name);
	/* ipset's save leaves forceadd out, as the kernel's does; the config
	 * (prefix "set ") must reproduce the set, so it keeps it */
	fprintf(out, "%s%s%s\n", prefix, line, *prefix && (s->spec.flags & SL_SET_F_FORCEADD) ? " forceadd" : "");
	return 0;
}

static int entry_lines(const struct sets_set *s, const char *prefix, FILE *out, struct sl_error *err)
{
	struct save_ctx c = { .out = out, .prefix = prefix };

	sets_map_walk(s, save_entry, &c);
	if (c.rc)
		return sl_fail(err, SL_E_KERNEL, 0, "set %s: an entry does not print", s->spec.name);
	return 0;
}

/* Whether set i of `c` is listed in pass `pass` (0, 1) of a listing of
 * `name` (all sets: NULL or ""): the kernel dumps list:set sets after all
 * others, so that a restore of its save creates the members first. */
static bool listed(const struct sets_catalog *c, int i, const char *name, int pass)
{
	if (name && *name)
		return pass == 0 && !strcmp(c->set[i]->spec.name, name);
	return pass == (c->set[i]->list != NULL);
}

int sets_save_text(const struct sets_catalog *c, const char *name, const char *prefix, FILE *out,
		   struct sl_error *err)
{
	bool all = !name || !*name;

	if (!all && !sets_find(c, name))
		return sets_no_set(name, err);
	/* ipset save prints every create line first, then the entries */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < c->nsets; i++)
			if (listed(c, i, name, pass) && create_line(c->set[i], prefix, out, err))
				return -1;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < c->nsets; i++)
			if (listed(c, i, name, pass) && entry_lines(c->set[i], prefix, out, err))
				return -1;
	return 0;
}

static int member_json(const struct sets_set *s, const void *key, const struct sl_set_value *v, void *ctx)
{
	json_object *arr = ctx, *m = json_object_new_object();
	struct sl_set_elem e;
	char text[SL_SET_LINE_MAX];

	sets_entry_elem(s, key, v, &e);
	/* the add line minus "add NAME ": the element and its options */
	/* "add NAME " comes first */
	if (sl_set_add_format(&s->spec, &e, text, sizeof(text)) < (int)strlen(s->spec.name) + 5)
		snprintf(text, sizeof(text), "add %s ?", s->spec.name);
	json_object_object_add(m, "line", json_object_new_string(text + 5 + strlen(s->spec.name)));
	if (sl_set_elem_format(&s->spec, &e, text, sizeof(text)) < 0)
		text[0] = '\0';
	json_object_object_add(m, "elem", json_object_new_string(text));
	if (e.flags & SL_ELEM_F_TIMEOUT)
		json_object_object_add(m, "timeout", json_object_new_int64(e.timeout));
	if (e.flags & SL_ELEM_F_PACKETS) {
		json_object_object_add(m, "packets", json_object_new_uint64(e.packets));
		json_object_object_add(m, "bytes", json_object_new_uint64(e.bytes));
	}
	if (e.flags & SL_ELEM_F_NOMATCH)
		json_object_object_add(m, "nomatch", json_object_new_boolean(1));
	if (e.flags & SL_ELEM_F_WILDCARD)
		json_object_object_add(m, "wildcard", json_object_new_boolean(1));
	if (e.flags & SL_ELEM_F_COMMENT)
		json_object_object_add(m, "comment", json_object_new_string(e.comment));
	if ((s->spec.flags & SL_SET_F_SKBINFO) && (e.skb.mark || e.skb.mask))
		json_object_object_add(m, "skbmark", json_object_new_string(sl_set_skbmark_format(&e.skb, text, sizeof(text))));
	if ((s->spec.flags & SL_SET_F_SKBINFO) && e.skb.prio)
		json_object_object_add(m, "skbprio", json_object_new_string(sl_set_skbprio_format(&e.skb, text, sizeof(text))));
	if ((s->spec.flags & SL_SET_F_SKBINFO) && e.skb.queue)
		json_object_object_add(m, "skbqueue", json_object_new_int(e.skb.queue));
	json_object_array_add(arr, m);
	return 0;
}

static json_object *set_json(const struct sets_catalog *c, const struct sets_set *s, bool terse)
{
	json_object *o = json_object_new_object();
	char line[SL_SET_LINE_MAX], pin[64], name[16];
	const char *header;
	size_t skip = strlen("create ") + strlen(s->spec.name) + 1 + strlen(sl_set_types[s->spec.type].name);

	if (sl_set_spec_format(&s->spec, line, sizeof(line)) < 0)
		line[0] = '\0';
	header = strlen(line) > skip ? line + skip + 1 : "";
	json_object_object_add(o, "name", json_object_new_string(s->spec.name));
	json_object_object_add(o, "type", json_object_new_string(sl_set_types[s->spec.type].name));
	json_object_object_add(o, "header", json_object_new_string(header));
	json_object_object_add(o, "memory", json_object_new_uint64(sets_map_memory(s)));
	/* the kernel counts the lists that hold a set among its references */
	json_object_object_add(o, "references", json_object_new_int(sets_rules_using(c->rule, c->nrules, s->spec.name) +
								     sets_list_holders(c, s->spec.name)));
	json_object_object_add(o, "entries", json_object_new_int64(sets_map_entries(s)));
	json_object_object_add(o, "slot", json_object_new_int(s->slot));
	sets_slot_name(s->slot, false, name);
	snprintf(pin, sizeof(pin), "%s/%s", SL_PIN_MAPS, name);
	json_object_object_add(o, "pin", json_object_new_string(pin));
	if (!terse) {
		json_object *members = json_object_new_array();

		sets_map_walk(s, member_json, members);
		json_object_object_add(o, "members", members);
	}
	return o;
}

json_object *sets_list_json(const struct sets_catalog *c, const char *name, bool terse, struct sl_error *err)
{
	json_object *arr;

	if (name && *name && !sets_find(c, name)) {
		sets_no_set(name, err);
		return NULL;
	}
	arr = json_object_new_array();
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < c->nsets; i++)
			if (listed(c, i, name, pass))
				json_object_array_add(arr, set_json(c, c->set[i], terse));
	return arr;
}
