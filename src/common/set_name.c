/* A set's name: see set_name.h. */
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
