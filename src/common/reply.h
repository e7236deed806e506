/* The JSON shape of every error, from the daemon or from sluicectl itself:
 * {"status":"error","code":N,"error":"...","line":L,"column":C}. */
#ifndef SLUICE_REPLY_H
#define SLUICE_REPLY_H

#include <json-c/json.h>

#include "common/grammar.h"

/* `source` prefixes the message as "source:line:col: " when err->line is
 * set (an error inside a config file); may be NULL otherwise. */
json_object *sl_error_json(const struct sl_error *err, const char *source);
/* One reply line, malloc'ed, newline-terminated: the error (when err is
 * given; data is then ignored) or {"status":"ok","data":data}. Takes
 * ownership of data. NULL when out of memory. */
char *sl_reply_line(json_object *data, const struct sl_error *err, const char *source);

#endif
