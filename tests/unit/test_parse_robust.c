/* Bad input never crashes the parser: random and mutated lines (seeded, so
 * a failure reproduces) go through the tokenizer, the command parser and
 * the config stager. Every call must return cleanly with a sane error. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/grammar.h"
#include "core/config.h"

static const char *const seeds[] = {
	"drops enable --sample-rate 100",
	"drops --netns \"a b\" --by addr --watch 2",
	"drops events --all --count 5",
	"status # comment",
	"'single' \"dou\\\"ble\" \\\\",
};

/* one random edit: replace, insert or delete a byte, or splice a seed */
static void mutate(char *buf, size_t cap, unsigned *rs)
{
	size_t len = strlen(buf);
	size_t at = len ? (size_t)rand_r(rs) % (len + 1) : 0;
	char c = (char)(rand_r(rs) % 256);

	switch (rand_r(rs) % 4) {
	case 0:
		if (at < len && c)
			buf[at] = c;
		break;
	case 1:
		if (len + 2 < cap && c) {
			memmove(buf + at + 1, buf + at, len - at + 1);
			buf[at] = c;
		}
		break;
	case 2:
		if (at < len)
			memmove(buf + at, buf + at + 1, len - at);
		break;
	default: {
		const char *s = seeds[rand_r(rs) % (sizeof(seeds) / sizeof(seeds[0]))];

		if (len + strlen(s) + 2 < cap)
			strcat(strcat(buf, " "), s);
	}
	}
}

Test(parse_robust, mutated_lines_never_crash)
{
	struct sl_cmd *cmd = malloc(sizeof(*cmd));
	char buf[SL_MAX_LINE + 64];
	unsigned rs = 12345;
	int ok = 0, bad = 0;

	cr_assert_not_null(cmd);
	for (int i = 0; i < 20000; i++) {
		struct sl_error err = { 0 };
		int rc;

		if (i % 50 == 0)
			snprintf(buf, sizeof(buf), "%s", seeds[(size_t)i / 50 % (sizeof(seeds) / sizeof(seeds[0]))]);
		mutate(buf, sizeof(buf), &rs);
		rc = sl_parse_line(buf, cmd, &err);
		cr_assert(rc >= -1 && rc <= 1, "rc %d for '%s'", rc, buf);
		if (rc < 0) {
			bad++;
			cr_assert(err.msg[0], "an error without a message for '%s'", buf);
			cr_assert(err.code == SL_E_USAGE, "code %d for '%s'", err.code, buf);
			cr_assert(err.col >= 0 && (size_t)err.col <= strlen(buf) + 2, "column %d for '%s'", err.col, buf);
		} else if (rc == 1) {
			ok++;
		}
	}
	/* both outcomes must occur, or the mutator is not exercising anything */
	cr_assert_gt(ok, 100);
	cr_assert_gt(bad, 1000);
	free(cmd);
}

Test(parse_robust, random_config_texts_stage_or_fail_cleanly)
{
	unsigned rs = 777;
	char text[2048];
	int failed = 0;

	for (int i = 0; i < 2000; i++) {
		struct sl_states st = { 0 };
		struct sl_error err = { 0 };
		size_t n = (size_t)rand_r(&rs) % (sizeof(text) - 1);

		for (size_t k = 0; k < n; k++) /* mostly printable, some newlines and controls */
			text[k] = (char)(rand_r(&rs) % 10 == 0 ? '\n' : 1 + rand_r(&rs) % 126);
		text[n] = '\0';
		if (sl_config_stage(text, &st, NULL, &err)) {
			failed++;
			cr_assert(err.line >= 1, "error without a line number");
			cr_assert(err.msg[0]);
		}
		sl_states_free(&st);
	}
	cr_assert_gt(failed, 1000);
}
