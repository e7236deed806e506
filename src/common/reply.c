#include "common/reply.h"

#include <stdio.h>
#include <stdlib.h>

json_object *sl_error_json(const struct sl_error *err, const char *source)
{
	json_object *r = json_object_new_object();
	char *m = NULL;

	json_object_object_add(r, "status", json_object_new_string("error"));
	json_object_object_add(r, "code", json_object_new_int(err->code ? (int)err->code : SL_E_USAGE));
	if (err->line > 0 && source &&
	    asprintf(&m, "%s:%d:%d: %s", source, err->line, err->col, err->msg) >= 0) {
		json_object_object_add(r, "error", json_object_new_string(m));
		free(m);
	} else {
		json_object_object_add(r, "error", json_object_new_string(err->msg));
	}
	if (err->line > 0)
		json_object_object_add(r, "line", json_object_new_int(err->line));
	if (err->col)
		json_object_object_add(r, "column", json_object_new_int(err->col));
	return r;
}
