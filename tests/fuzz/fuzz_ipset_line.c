/* libFuzzer target: `ipset restore` input, line by line, as `sluicectl set
 * restore` parses it (before any kernel work). Each line parses or fails
 * with a column inside the line; a create line's set is known to later
 * lines (as in restore); an add line's element prints back (as `ipset save`
 * writes it) to a line that parses to the same element, and its expansion
 * walks at most the count it announced. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/sets/ipset/ipset.h"

#define SETS_MAX 16

struct known {
	struct sl_set_spec spec[SETS_MAX];
	int n;
};

static const struct sl_set_spec *lookup(const char *name, void *ctx)
{
	struct known *k = ctx;

	for (int i = 0; i < k->n; i++)
		if (!strcmp(k->spec[i].name, name))
			return &k->spec[i];
	return NULL;
}

static void check_add(struct known *k, const struct sl_set_line *l, const char *line)
{
	static struct sl_set_line back;
	struct sl_error err = { 0 };
	char text[SL_MAX_LINE + 64];
	struct sl_set_iter it;
	struct sl_set_elem e;
	uint64_t walked = 0;
	const struct sl_set_spec *spec = lookup(l->name, k);

	if (!spec)
		abort(); /* an add parsed for a set nobody created */
	if (sl_set_add_format(spec, &l->elem, text, sizeof(text)) < 0)
		return; /* too long to print: not a parse bug */
	if (strpbrk(l->elem.iface, " \t"))
		return; /* an interface name with a blank (quoted in): ipset's save prints it bare and
			 * so does sluice's, byte for byte; neither reads back (measured) */
	if (sl_set_line_parse(text, lookup, k, &back, &err) != 1 || back.cmd != SL_SETCMD_ADD) {
		fprintf(stderr, "'%s' printed as '%s', which does not parse: %s\n", line, text, err.msg);
		abort();
	}
	if (sl_set_expand_init(&it, spec, &l->elem, 4096, &err))
		return; /* larger than the bound: refused with a message */
	while (sl_set_expand_next(&it, &e))
		if (++walked > it.count)
			abort();
	if (walked != it.count)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sl_set_line l;
	struct known k = { .n = 0 };
	size_t off = 0;

	while (off < size) {
		char line[SL_MAX_LINE + 1];
		size_t len = 0;
		struct sl_error err = { 0 };
		int rc;

		while (off + len < size && data[off + len] != '\n' && len < SL_MAX_LINE)
			len++;
		memcpy(line, data + off, len);
		line[len] = '\0';
		off += len + 1;
		if (strlen(line) != len)
			continue; /* a NUL inside: the control socket refuses those before parsing */
		rc = sl_set_line_parse(line, lookup, &k, &l, &err);
		if (rc < 0) {
			if (!err.msg[0] || err.col < 0 || err.col > (int)len + 2)
				abort();
			continue;
		}
		if (rc == 0)
			continue;
		if (l.cmd == SL_SETCMD_CREATE && k.n < SETS_MAX && !lookup(l.spec.name, &k))
			k.spec[k.n++] = l.spec;
		else if (l.cmd == SL_SETCMD_ADD)
			check_add(&k, &l, line);
	}
	return 0;
}
