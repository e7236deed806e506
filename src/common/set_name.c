/* A set's name: see set_name.h. */
#include <stdio.h>
#include <string.h>

#include "common/set_name.h"
#include "common/utf8.h"

int sl_set_name_check(const char *name, int col, struct sl_error *err)
{
	size_t len = strlen(name);

	if (!len)
		return sl_fail(err, SL_E_USAGE, col, "empty set name");
	if (len > SL_SET_NAME_MAX)
		return sl_fail(err, SL_E_USAGE, col, "set name '%s' is longer than %d characters", name,
			       SL_SET_NAME_MAX);
	if (name[0] == '-')
		return sl_fail(err, SL_E_USAGE, col, "set name '%s' starts with '-'", name);
	/* ipset takes them, but its save output (and sluice's) would not read back */
	if (strpbrk(name, " \t\"'#\\"))
		return sl_fail(err, SL_E_USAGE, col, "set name '%s' holds a blank, quote, '#' or backslash", name);
	if (sl_utf8_valid_len(name, len) < len) /* it is pinned, listed and sent as JSON */
		return sl_fail(err, SL_E_USAGE, col, "set name '%s' is not valid UTF-8", name);
	return 0;
}

int sl_set_dirs_parse(const char *text, int col, uint8_t *ndirs, uint8_t *src_dims, struct sl_error *err)
{
	char buf[64];
	char *save = NULL, *w;

	if (strlen(text) >= sizeof(buf))
		return sl_fail(err, SL_E_USAGE, col, "match-set: '%s' is not DIR[,DIR,DIR]", text);
	snprintf(buf, sizeof(buf), "%s", text);
	*ndirs = 0;
	*src_dims = 0;
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		/* a set uses as many as it has dimensions */
		if (*ndirs == SL_SET_DIRS_MAX)
			return sl_fail(err, SL_E_USAGE, col, "match-set: at most %d directions, got '%s'", SL_SET_DIRS_MAX,
				       text);
		if (!strcmp(w, "src"))
			*src_dims |= (uint8_t)(1u << *ndirs);
		else if (strcmp(w, "dst"))
			return sl_fail(err, SL_E_USAGE, col, "match-set: '%s' is not src or dst", w);
		(*ndirs)++;
	}
	if (!*ndirs || text[strlen(text) - 1] == ',' || text[0] == ',' || strstr(text, ",,"))
		return sl_fail(err, SL_E_USAGE, col, "match-set: '%s' is not DIR[,DIR...]", text);
	return 0;
}

void sl_set_dirs_format(uint8_t ndirs, uint8_t src_dims, char *out, size_t size)
{
	out[0] = '\0';
	for (int i = 0; i < ndirs; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? "," : "", src_dims & (1u << i) ? "src" : "dst");
}
