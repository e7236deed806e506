/* SCTP multihoming without the kernel: the grammar of sctp track, untrack,
 * timeout and assoc (errors naming the word), devices in a state (the
 * same device once, refusals that change nothing, the namespace limit),
 * config lines that read back to the same state, and the counter names'
 * one table. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grammar.h"
#include "features/sctp/sctp.h"

static struct sl_cmd cmd;
static struct sl_error err;

/* parse and stage, as the daemon does: -2 when it does not parse */
static int stage(struct sctp_state *s, const char *line)
{
	memset(&err, 0, sizeof(err));
	if (sl_parse_line(line, &cmd, &err) != 1)
		return -2;
	if (!strncmp(line, "sctp track", 10))
		return sctp_stage_track(s, &cmd, &err);
	if (!strncmp(line, "sctp untrack", 12))
		return sctp_stage_untrack(s, &cmd, &err);
	if (!strncmp(line, "sctp policy del", 15))
		return sctp_stage_policy_del(s, &cmd, &err);
	if (!strncmp(line, "sctp policy", 11))
		return sctp_stage_policy(s, &cmd, &err);
	return sctp_stage_timeout(s, &cmd, &err);
}

static void save_text(const struct sctp_state *s, char *out, size_t size)
{
	FILE *f = fmemopen(out, size, "w");

	cr_assert_not_null(f);
	sctp_save_state(s, f);
	fclose(f);
}

Test(sctp_config, track_untrack_timeout_and_save)
{
	struct sctp_state s, back;
	char text[1024], line[256];

	sctp_state_init(&s);
	cr_assert_eq(s.timeout_s, SCTP_TIMEOUT_DEFAULT);
	cr_assert_eq(stage(&s, "sctp track dev a1 netns blue"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "sctp track dev a2"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "sctp track dev a1 netns blue"), 0, "the same device again: %s", err.msg);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(stage(&s, "sctp timeout 30"), 0, "%s", err.msg);
	save_text(&s, text, sizeof(text));
	cr_assert_str_eq(text, "sctp timeout 30\nsctp track dev a1 netns blue\nsctp track dev a2\n");
	/* the saved lines give the same state back */
	sctp_state_init(&back);
	for (char *save, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		snprintf(line, sizeof(line), "%s", l);
		cr_assert_eq(stage(&back, line), 0, "%s: %s", line, err.msg);
	}
	cr_assert_eq(memcmp(&s, &back, sizeof(s)), 0);
	cr_assert_eq(stage(&s, "sctp untrack dev a1 netns blue"), 0, "%s", err.msg);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.dev[0].dev, "a2");
	cr_assert_eq(stage(&s, "sctp timeout 300"), 0);
	save_text(&s, text, sizeof(text));
	cr_assert_str_eq(text, "sctp track dev a2\n", "the default timeout is not saved");
}

Test(sctp_config, bad_input_changes_nothing)
{
	struct sctp_state s, before;
	static const char *const unparsed[] = {
		"sctp track",                 /* no dev */
		"sctp track dev",             /* no value */
		"sctp timeout 0",             /* below 1 */
		"sctp timeout 864001",        /* above ten days */
		"sctp timeout soon",
		"sctp track dev a1 queue 3",  /* no such word */
		"sctp assoc --netns",
	};

	sctp_state_init(&s);
	cr_assert_eq(stage(&s, "sctp track dev a1"), 0);
	before = s;
	for (size_t i = 0; i < sizeof(unparsed) / sizeof(unparsed[0]); i++) {
		cr_assert_lt(stage(&s, unparsed[i]), 0, "'%s' accepted", unparsed[i]);
		cr_assert_eq(err.code, SL_E_USAGE, "'%s': code %d", unparsed[i], err.code);
	}
	cr_assert_eq(stage(&s, "sctp track dev a/b"), -1);
	cr_assert_str_eq(err.msg, "dev: 'a/b' is not a device name (1..15 characters)");
	cr_assert_eq(err.col, 16);
	cr_assert_eq(stage(&s, "sctp track dev a1 netns ../x"), -1);
	cr_assert_eq(stage(&s, "sctp untrack dev a9"), -1);
	cr_assert_str_eq(err.msg, "sctp untrack: dev a9 is not tracked");
	cr_assert_eq(memcmp(&s, &before, sizeof(s)), 0, "a refused command changed the state");
}

Test(sctp_config, limits)
{
	static struct sctp_state s, before;
	char line[128];

	sctp_state_init(&s);
	for (int z = 0; z < SL_SCTP_ZONES; z++) {
		snprintf(line, sizeof(line), "sctp track dev d netns n%d", z);
		cr_assert_eq(stage(&s, line), 0, "%s", err.msg);
	}
	before = s;
	cr_assert_eq(stage(&s, "sctp track dev d netns one-too-many"), -1);
	cr_assert_str_eq(err.msg, "sctp track: devices in at most 16 network namespaces");
	cr_assert_eq(memcmp(&s, &before, sizeof(s)), 0);
	for (int d = s.n; d < SL_SCTP_DEVS; d++) {
		snprintf(line, sizeof(line), "sctp track dev d%d netns n0", d); /* the host would be a 17th */
		cr_assert_eq(stage(&s, line), 0, "%s", err.msg);
	}
	cr_assert_eq(stage(&s, "sctp track dev last"), -1);
	cr_assert_str_eq(err.msg, "sctp track: at most 64 devices");
}

Test(sctp_config, counter_names)
{
	for (unsigned c = 0; c < SL_SCTP_C_COUNT; c++) {
		const char *n = sctp_counter_name(c);

		cr_assert_str_neq(n, "?", "counter %u has no name", c);
		cr_assert_eq(sctp_counter_value(n), (int)c, "%s", n);
	}
	cr_assert_str_eq(sctp_counter_name(SL_SCTP_C_COUNT), "?");
	cr_assert_eq(sctp_counter_value("nope"), -1);
	cr_assert_str_eq(sctp_state_name(SL_SCTP_S_ESTABLISHED), "established");
	cr_assert_str_eq(sctp_state_name(0), "?");
}

Test(sctp_config, policy)
{
	struct sctp_state s, before;
	char text[1024];

	sctp_state_init(&s);
	cr_assert_eq(stage(&s, "sctp policy dev a1 allow-set clients"), -1);
	cr_assert_str_eq(err.msg, "sctp policy: dev a1 is not tracked (sctp track it first)");
	cr_assert_eq(stage(&s, "sctp track dev a1"), 0);
	cr_assert_eq(stage(&s, "sctp track dev a2 netns blue"), 0);
	cr_assert_eq(stage(&s, "sctp policy dev a2 netns blue allow-set clients"), 0, "%s", err.msg);
	save_text(&s, text, sizeof(text));
	cr_assert_str_eq(text, "sctp track dev a1\nsctp track dev a2 netns blue\n"
			       "sctp policy dev a2 netns blue allow-set clients\n");
	before = s;
	cr_assert_lt(stage(&s, "sctp policy dev a1"), 0, "a policy without allow-set accepted");
	cr_assert_lt(stage(&s, "sctp track dev a1 allow-set x"), 0, "allow-set on track accepted");
	cr_assert_eq(stage(&s, "sctp policy dev a1 allow-set -bad"), -1);
	cr_assert_eq(stage(&s, "sctp policy del dev a1"), -1);
	cr_assert_str_eq(err.msg, "sctp policy del: dev a1 has no policy");
	cr_assert_eq(memcmp(&s, &before, sizeof(s)), 0, "a refused command changed the state");
	cr_assert_eq(stage(&s, "sctp policy del dev a2 netns blue"), 0, "%s", err.msg);
	cr_assert_eq(s.dev[1].set[0], '\0');
	cr_assert_eq(stage(&s, "sctp policy dev a1 allow-set clients"), 0);
	cr_assert_eq(stage(&s, "sctp untrack dev a1"), 0);
	save_text(&s, text, sizeof(text));
	cr_assert_str_eq(text, "sctp track dev a2 netns blue\n", "untrack takes the policy with it");
}
