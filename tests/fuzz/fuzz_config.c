/* libFuzzer target: a config file, as `sluiced --config` and
 * `--check-config` read it. Whatever the bytes, staging either fails with
 * an error that points inside the text, or succeeds; and a config that
 * stages saves to text that stages again and saves the same (`save`
 * output loads back to the same state). No kernel is touched: staging is
 * pure validation. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

static char *saved(const struct sl_states *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	sl_config_save(s, NULL, f);
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_states first = { 0 }, again = { 0 };
	struct sl_error err = { 0 };
	char *text = malloc(size + 1), *out1, *out2;
	int lines = 1;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* a NUL ends the text, as sl_config_read() refuses one */
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	if (sl_config_stage(text, &first, NULL, &err)) {
		/* an error names a line of the text and says what is wrong */
		if (err.line < 1 || err.line > lines || !err.msg[0] || err.col < 0)
			abort();
		free(text);
		return 0;
	}
	out1 = saved(&first);
	if (sl_config_stage(out1, &again, NULL, &err)) {
		fprintf(stderr, "save output does not stage: line %d: %s\n--- saved:\n%s", err.line, err.msg, out1);
		abort();
	}
	out2 = saved(&again);
	if (strcmp(out1, out2)) {
		fprintf(stderr, "save is not a fixed point:\n--- first:\n%s--- again:\n%s", out1, out2);
		abort();
	}
	sl_states_free(&first);
	sl_states_free(&again);
	free(out1);
	free(out2);
	free(text);
	return 0;
}
