#include <stdbool.h>
#include <string.h>

#include "ctl.h"

#define MAX_COLS 24

/* a list of words ("ports": ["p1","p2"]) fits a cell as p1,p2 */
static bool is_word_list(json_object *v)
{
	if (!json_object_is_type(v, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(v); i++)
		if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
			return false;
	return true;
}

static const char *cell(json_object *v)
{
	static char joined[1024];

	if (!v)
		return "-";
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	if (is_word_list(v)) {
		joined[0] = '\0';
		for (size_t i = 0; i < json_object_array_length(v); i++)
			snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", i ? "," : "",
				 json_object_get_string(json_object_array_get_idx(v, i)));
		return joined;
	}
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

static int is_number(json_object *v)
{
	return v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double));
}

void sl_render_table(FILE *out, json_object *rows, int indent)
{
	const char *cols[MAX_COLS];
	size_t width[MAX_COLS];
	int ncols = 0, nrows = (int)json_object_array_length(rows);

	if (!nrows) {
		fprintf(out, "%*s(none)\n", indent, "");
		return;
	}
	for (int r = 0; r < nrows; r++) { /* columns in order of first appearance */
		json_object_object_foreach(json_object_array_get_idx(rows, (size_t)r), key, val) {
			int c;

			(void)val;
			for (c = 0; c < ncols && strcmp(cols[c], key); c++)
				;
			if (c == ncols && ncols < MAX_COLS) {
				cols[ncols] = key;
				width[ncols++] = strlen(key);
			}
		}
	}
	for (int r = 0; r < nrows; r++)
		for (int c = 0; c < ncols; c++) {
			json_object *v = NULL;
			size_t w;

			json_object_object_get_ex(json_object_array_get_idx(rows, (size_t)r), cols[c], &v);
			w = strlen(cell(v));
			if (w > width[c])
				width[c] = w;
		}
	fprintf(out, "%*s", indent, "");
	for (int c = 0; c < ncols; c++)
		fprintf(out, "%-*s%s", (int)width[c], cols[c], c + 1 < ncols ? "  " : "\n");
	for (int r = 0; r < nrows; r++) {
		json_object *row = json_object_array_get_idx(rows, (size_t)r);

		fprintf(out, "%*s", indent, "");
		for (int c = 0; c < ncols; c++) {
			json_object *v = NULL;

			json_object_object_get_ex(row, cols[c], &v);
			fprintf(out, is_number(v) ? "%*s%s" : "%-*s%s", (int)width[c], cell(v),
				c + 1 < ncols ? "  " : "\n");
		}
	}
}

static int is_nested(json_object *v)
{
	return json_object_is_type(v, json_type_object) || (json_object_is_type(v, json_type_array) && !is_word_list(v));
}

/* an array of flat objects: fit for a table */
static int is_flat_table(json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *row = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(row, json_type_object))
			return 0;
		json_object_object_foreach(row, key, val) {
			(void)key;
			if (is_nested(val))
				return 0;
		}
	}
	return 1;
}

static void render_at(FILE *out, json_object *data, int indent)
{
	if (json_object_is_type(data, json_type_array)) {
		if (is_flat_table(data)) {
			sl_render_table(out, data, indent);
		} else if (json_object_is_type(json_object_array_get_idx(data, 0), json_type_object)) {
			for (size_t i = 0; i < json_object_array_length(data); i++) {
				if (i)
					fputc('\n', out);
				render_at(out, json_object_array_get_idx(data, i), indent);
			}
		} else {
			for (size_t i = 0; i < json_object_array_length(data); i++)
				fprintf(out, "%*s%s\n", indent, "", cell(json_object_array_get_idx(data, i)));
		}
		return;
	}
	if (!json_object_is_type(data, json_type_object)) {
		fprintf(out, "%*s%s\n", indent, "", cell(data));
		return;
	}
	/* scalars first, then nested parts under their key */
	json_object_object_foreach(data, key, val) {
		if (!is_nested(val))
			fprintf(out, "%*s%s: %s\n", indent, "", key, cell(val));
	}
	json_object_object_foreach(data, k2, v2) {
		if (is_nested(v2)) {
			fprintf(out, "%*s%s:\n", indent, "", k2);
			render_at(out, v2, indent + 2);
		}
	}
}

void sl_render(FILE *out, json_object *data)
{
	render_at(out, data, 0);
}

/* identity of a row: every field but the counters */
static void row_id(json_object *row, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	json_object_object_foreach(row, key, val) {
		if (!strcmp(key, "packets") || !strcmp(key, "bytes") || !strcmp(key, "pps"))
			continue;
		len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s=%s;", key, cell(val));
	}
}

void sl_add_rates(json_object *rows, json_object *prev, double seconds)
{
	json_object *before = json_object_new_object(); /* row id -> packets, one pass */
	char id[512];

	for (size_t j = 0; prev && j < json_object_array_length(prev); j++) {
		json_object *pr = json_object_array_get_idx(prev, j), *pp = NULL;

		if (json_object_object_get_ex(pr, "packets", &pp)) {
			row_id(pr, id, sizeof(id));
			json_object_object_add(before, id, json_object_get(pp));
		}
	}
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		json_object *row = json_object_array_get_idx(rows, i), *pk = NULL, *pp = NULL;
		long long now;

		if (!json_object_object_get_ex(row, "packets", &pk))
			continue;
		now = json_object_get_int64(pk);
		row_id(row, id, sizeof(id));
		json_object_object_get_ex(before, id, &pp);
		json_object_object_add(row, "pps", json_object_new_int64(
			prev ? (long long)((double)(now - (pp ? json_object_get_int64(pp) : 0)) / seconds + 0.5) : 0));
	}
	json_object_put(before);
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

void sl_render_set_list(FILE *out, json_object *data)
{
	json_object *sets = NULL, *members, *flag = NULL;
	bool names = json_object_object_get_ex(data, "names_only", &flag);

	json_object_object_get_ex(data, "sets", &sets);
	for (size_t i = 0; sets && i < json_object_array_length(sets); i++) {
		json_object *s = json_object_array_get_idx(sets, i);

		if (names) {
			fprintf(out, "%s\n", str_of(s, "name"));
			continue;
		}
		/* the layout of `ipset list` */
		fprintf(out, "%sName: %s\nType: %s\nHeader: %s\nSize in memory: %s\nReferences: %s\n"
			     "Number of entries: %s\n", i ? "\n" : "", str_of(s, "name"), str_of(s, "type"),
			str_of(s, "header"), str_of(s, "memory"), str_of(s, "references"), str_of(s, "entries"));
		if (!json_object_object_get_ex(s, "members", &members))
			continue;
		fprintf(out, "Members:\n");
		for (size_t m = 0; m < json_object_array_length(members); m++)
			fprintf(out, "%s\n", str_of(json_object_array_get_idx(members, m), "line"));
	}
}
