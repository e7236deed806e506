#include "common/reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"

json_object *sl_error_json(const struct sl_error *err, const char *source)
{
	json_object *r = json_object_new_object();
	char *m = NULL;
	char msg[sizeof(err->msg)];

	json_object_object_add(r, "status", json_object_new_string("error"));
	json_object_object_add(r, "code", json_object_new_int(err->code ? (int)err->code : SL_E_USAGE));
	/* JSON text is UTF-8: a message built without sl_fail(), or a file
	 * name, may not be */
	if (err->line > 0 && source &&
	    asprintf(&m, "%s:%d:%d: %s", source, err->line, err->col, err->msg) >= 0) {
		sl_utf8_sanitize(m);
		json_object_object_add(r, "error", json_object_new_string(m));
		free(m);
	} else {
		memcpy(msg, err->msg, sizeof(msg));
		msg[sizeof(msg) - 1] = '\0';
		sl_utf8_sanitize(msg);
		json_object_object_add(r, "error", json_object_new_string(msg));
	}
	if (err->line > 0)
		json_object_object_add(r, "line", json_object_new_int(err->line));
	if (err->col)
		json_object_object_add(r, "column", json_object_new_int(err->col));
	return r;
}

char *sl_reply_line(json_object *data, const struct sl_error *err, const char *source)
{
	json_object *r;
	char *s;

	if (err) {
		json_object_put(data);
		r = sl_error_json(err, source);
	} else {
		r = json_object_new_object();
		json_object_object_add(r, "status", json_object_new_string("ok"));
		json_object_object_add(r, "data", data ? data : json_object_new_object());
	}
	if (asprintf(&s, "%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN)) < 0)
		s = NULL;
	json_object_put(r);
	return s;
}
