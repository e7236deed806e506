/* Config files: staging a whole text into feature states (all or nothing,
 * errors located by line and column), saving states back as config lines,
 * error printing, and reading files. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/grammar.h"
#include "core/config.h"
#include "core/feature.h"
#include "default_config.h"

#define SAVE_HEADER "# sluice running configuration (sluicectl save)\n"
#define SAVED_OFF SAVE_HEADER "drops disable\n"
#define SAVED_ON(rate) SAVE_HEADER "drops enable --sample-rate " #rate "\n"

static struct sl_states st;
static struct sl_error err;

static void setup(void)
{
	cr_assert_eq(sl_states_new(&st), 0);
}

static void teardown(void)
{
	sl_states_free(&st);
}

TestSuite(config, .init = setup, .fini = teardown);

/* sl_config_save() output as a malloc'd string */
static char *save_str(const struct sl_states *s)
{
	char *text;
	size_t len;
	FILE *out = open_memstream(&text, &len);

	cr_assert_not_null(out);
	sl_config_save(s, NULL, out);
	cr_assert_eq(fclose(out), 0);
	return text;
}

static void assert_saved(const struct sl_states *s, const char *expect)
{
	char *text = save_str(s);

	cr_assert_str_eq(text, expect);
	free(text);
}

static int stage(const char *text, int *ncmds)
{
	memset(&err, 0, sizeof(err));
	return sl_config_stage(text, &st, ncmds, &err);
}

/* `text` is rejected at line:col with `msg`, and `st` keeps what it had */
static void assert_rejected(const char *text, int line, int col, const char *msg)
{
	char *before = save_str(&st);
	int ncmds = -7;

	cr_assert_eq(stage(text, &ncmds), -1, "accepted:\n%s", text);
	cr_assert_eq(err.code, SL_E_USAGE);
	cr_assert_str_eq(err.msg, msg);
	cr_assert_eq(err.line, line, "line %d, expected %d", err.line, line);
	cr_assert_eq(err.col, col, "col %d, expected %d", err.col, col);
	cr_assert_eq(ncmds, -7, "ncmds written on failure");
	assert_saved(&st, before);
	free(before);
}

Test(config, fresh_states_are_off)
{
	assert_saved(&st, SAVED_OFF);
}

Test(config, default_config_stages)
{
	int ncmds = -1;

	cr_assert_eq(stage(sl_default_config, &ncmds), 0, "%d:%d: %s", err.line, err.col, err.msg);
	cr_assert_eq(ncmds, 1);
	assert_saved(&st, SAVED_ON(100));
}

Test(config, blank_and_comment_lines)
{
	int ncmds = -1;

	cr_assert_eq(stage("", &ncmds), 0, "%s", err.msg);
	cr_assert_eq(ncmds, 0);
	assert_saved(&st, SAVED_OFF);

	cr_assert_eq(stage("\n# only comments\n   \n\t# indented\n\n", &ncmds), 0, "%s", err.msg);
	cr_assert_eq(ncmds, 0);
	assert_saved(&st, SAVED_OFF);

	cr_assert_eq(stage("# c\n\n  drops enable --sample-rate 9   # trailing comment\n\n", &ncmds), 0,
		     "%s", err.msg);
	cr_assert_eq(ncmds, 1);
	assert_saved(&st, SAVED_ON(9));
}

Test(config, line_endings)
{
	int ncmds = -1;

	/* CRLF lines, and a last line without its newline */
	cr_assert_eq(stage("# x\r\ndrops enable --sample-rate 9\r\n", &ncmds), 0, "%s", err.msg);
	cr_assert_eq(ncmds, 1);
	assert_saved(&st, SAVED_ON(9));
	cr_assert_eq(stage("drops disable\ndrops enable --sample-rate 3", &ncmds), 0, "%s", err.msg);
	cr_assert_eq(ncmds, 2);
	assert_saved(&st, SAVED_ON(3));
}

Test(config, ncmds_may_be_null)
{
	cr_assert_eq(stage("drops enable --sample-rate 4\n", NULL), 0, "%s", err.msg);
	assert_saved(&st, SAVED_ON(4));
}

Test(config, last_command_wins)
{
	static const struct {
		const char *text, *saved;
		int ncmds;
	} cases[] = {
		{ "drops enable --sample-rate 5\ndrops disable\n", SAVED_OFF, 2 },
		{ "drops disable\ndrops enable --sample-rate 5\n", SAVED_ON(5), 2 },
		/* an enable without --sample-rate goes back to the default */
		{ "drops enable --sample-rate 5\ndrops enable\n", SAVED_ON(100), 2 },
		{ "drops enable --sample-rate 5\ndrops enable --sample-rate 0\n", SAVED_ON(0), 2 },
		{ "drops enable --sample-rate 5\ndrops disable\ndrops enable --sample-rate 6\n# end\n",
		  SAVED_ON(6), 3 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ncmds = -1;

		cr_assert_eq(stage(cases[i].text, &ncmds), 0, "case %zu: %s", i, err.msg);
		cr_assert_eq(ncmds, cases[i].ncmds, "case %zu", i);
		assert_saved(&st, cases[i].saved);
	}
}

Test(config, staging_starts_from_off)
{
	/* a text that does not mention drops turns it off, whatever `out` held */
	cr_assert_eq(stage("drops enable --sample-rate 5\n", NULL), 0, "%s", err.msg);
	cr_assert_eq(stage("# nothing\n", NULL), 0, "%s", err.msg);
	assert_saved(&st, SAVED_OFF);
}

Test(config, error_locates_line_and_column_and_changes_nothing)
{
	cr_assert_eq(stage("drops enable --sample-rate 7\n", NULL), 0, "%s", err.msg);
	assert_saved(&st, SAVED_ON(7));

	assert_rejected("# header\n\ndrops enable --sample-rate 2000000\ndrops disable\n", 3, 28,
			"--sample-rate: 2000000 is out of range 0..100000");
	assert_rejected("drops disable\n\n  drops enable --rate 5\n", 3, 16,
			"drops enable: unknown option '--rate'");
	assert_rejected("drops disable\ndrops enable --sample-rate \"5\n", 2, 28, "unterminated \" quote");
	assert_rejected("drops disable\r\n\r\nbogus\r\n", 3, 1, "unknown command 'bogus'");
	assert_rejected("drops disable\ndrops enable --sample-rate 1\ndrops en\x01" "able\n", 3, 9,
			"control character 0x01 not allowed");
	/* only the first error counts */
	assert_rejected("drops enable --sample-rate x\nbogus\n", 1, 28,
			"--sample-rate: expected a number, got 'x'");
	assert_saved(&st, SAVED_ON(7));
}

Test(config, overlong_line)
{
	size_t n = SL_MAX_LINE + 1;
	char *text = malloc(n + 64);

	cr_assert_not_null(text);
	strcpy(text, "drops disable\n");
	memset(text + strlen(text), '#', n);
	strcpy(text + strlen("drops disable\n") + n, "\ndrops enable\n");
	assert_rejected(text, 2, SL_MAX_LINE + 1, "line longer than 4096 bytes");

	/* a comment of exactly the limit is fine */
	text[strlen("drops disable\n") + SL_MAX_LINE] = '\n';
	cr_assert_eq(stage(text, NULL), 0, "%d:%d: %s", err.line, err.col, err.msg);
	free(text);
}

Test(config, only_configuration_commands)
{
	static const struct {
		const char *text;
		int line, col;
		const char *msg;
	} cases[] = {
		{ "status\n", 1, 1,
		  "'status' is not a configuration command (it does not describe running state)" },
		{ "drops disable\n  drops reset\n", 2, 3,
		  "'drops reset' is not a configuration command (it does not describe running state)" },
		{ "drops --all\n", 1, 1,
		  "'drops' is not a configuration command (it does not describe running state)" },
		{ "# x\ndrops stats\n", 2, 1,
		  "'drops stats' is not a configuration command (it does not describe running state)" },
		{ "save\n", 1, 1,
		  "'save' is not a configuration command (it does not describe running state)" },
		{ "\treload\n", 1, 2,
		  "'reload' is not a configuration command (it does not describe running state)" },
		{ "drops events --count 3\n", 1, 1,
		  "'drops events' is not a configuration command (it does not describe running state)" },
	};

	cr_assert_eq(stage("drops enable --sample-rate 11\n", NULL), 0, "%s", err.msg);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_rejected(cases[i].text, cases[i].line, cases[i].col, cases[i].msg);
	assert_saved(&st, SAVED_ON(11));
}

Test(config, save_output_round_trips)
{
	static const char *const texts[] = {
		"",
		"drops enable\n",
		"drops enable --sample-rate 0\n",
		"drops enable --sample-rate 10000\n",
		"drops enable --sample-rate 3\ndrops disable\n",
		sl_default_config,
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *first, *second;
		int ncmds = -1;

		cr_assert_eq(stage(texts[i], NULL), 0, "case %zu: %s", i, err.msg);
		first = save_str(&st);
		cr_assert_eq(stage(first, &ncmds), 0, "saved text rejected: %s\n%s", err.msg, first);
		cr_assert_eq(ncmds, 1, "one line per feature");
		second = save_str(&st);
		cr_assert_str_eq(second, first, "case %zu", i);
		free(first);
		free(second);
	}
}

Test(config, states_free_twice)
{
	cr_assert_eq(stage("drops enable --sample-rate 42\n", NULL), 0, "%s", err.msg);
	sl_states_free(&st);
	cr_assert_null(st.st);
	sl_states_free(&st);                    /* twice is harmless */
}

Test(config, feature_of)
{
	static struct sl_cmd cmd;
	int drops = -1;

	for (int i = 0; i < sl_nfeatures; i++)
		if (!strcmp(sl_features[i]->name, "drops"))
			drops = i;
	cr_assert_geq(drops, 0);
	cr_assert_eq(sl_parse_line("drops enable", &cmd, &err), 1);
	cr_assert_eq(sl_feature_of(cmd.spec), drops);
	cr_assert_eq(sl_parse_line("drops", &cmd, &err), 1);
	cr_assert_eq(sl_feature_of(cmd.spec), drops);
	cr_assert_eq(sl_parse_line("status", &cmd, &err), 1);
	cr_assert_eq(sl_feature_of(cmd.spec), -1);
}

/* --- error printing ----------------------------------------------------- */

static char *print_error(const char *source, const char *text, const struct sl_error *e)
{
	char *out_text;
	size_t len;
	FILE *out = open_memstream(&out_text, &len);

	cr_assert_not_null(out);
	sl_config_print_error(out, source, text, e);
	cr_assert_eq(fclose(out), 0);
	return out_text;
}

Test(config, print_error_with_caret)
{
	const char *text = "drops disable\n\n\tdrops enable --sample-rate x\ndrops disable\n";
	char *out;

	cr_assert_eq(stage(text, NULL), -1);
	out = print_error("/etc/sluice.conf", text, &err);
	cr_assert_str_eq(out,
			 "/etc/sluice.conf:3:29: error: --sample-rate: expected a number, got 'x'\n"
			 "  \tdrops enable --sample-rate x\n"
			 "  \t                           ^\n");
	free(out);
}

Test(config, print_error_first_line_and_last_line)
{
	char *out;

	cr_assert_eq(stage("status", NULL), -1);
	out = print_error("f", "status", &err);
	cr_assert_str_eq(out,
			 "f:1:1: error: 'status' is not a configuration command (it does not describe running state)\n"
			 "  status\n"
			 "  ^\n");
	free(out);

	cr_assert_eq(stage("drops disable\ndrops x", NULL), -1);
	out = print_error("f", "drops disable\ndrops x", &err);
	cr_assert_str_eq(out, "f:2:7: error: drops: unexpected argument 'x'\n  drops x\n        ^\n");
	free(out);
}

Test(config, print_error_without_line)
{
	struct sl_error e = { .code = SL_E_USAGE, .line = 0, .col = 0 };
	char *out;

	snprintf(e.msg, sizeof(e.msg), "cannot read config 'x': No such file or directory");
	out = print_error("sluiced", "", &e);
	cr_assert_str_eq(out, "sluiced: error: cannot read config 'x': No such file or directory\n");
	free(out);
}

/* --- reading files ------------------------------------------------------ */

/* a temporary file holding `len` bytes of `data`; the path is static */
static const char *temp_file(const void *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/sluice-test-config-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

Test(config, read_file)
{
	const char text[] = "# x\ndrops enable --sample-rate 5\n";
	const char *path = temp_file(text, strlen(text));
	char *got = sl_config_read(path, &err);

	unlink(path);
	cr_assert_not_null(got, "%s", err.msg);
	cr_assert_str_eq(got, text);
	cr_assert_eq(stage(got, NULL), 0, "%s", err.msg);
	assert_saved(&st, SAVED_ON(5));
	free(got);
}

Test(config, read_empty_file)
{
	const char *path = temp_file("", 0);
	char *got = sl_config_read(path, &err);

	unlink(path);
	cr_assert_not_null(got, "%s", err.msg);
	cr_assert_str_eq(got, "");
	free(got);
}

Test(config, read_missing_file)
{
	char path[64], expect[160];

	snprintf(path, sizeof(path), "/tmp/sluice-test-missing-%d", (int)getpid());
	unlink(path);
	memset(&err, 0, sizeof(err));
	cr_assert_null(sl_config_read(path, &err));
	snprintf(expect, sizeof(expect), "cannot read config '%s': No such file or directory", path);
	cr_assert_str_eq(err.msg, expect);
	cr_assert_eq(err.code, SL_E_USAGE);
	cr_assert_eq(err.line, 0);
	cr_assert_eq(err.col, 0);
}

Test(config, read_file_with_nul_byte)
{
	const char data[] = "drops disable\n\0drops enable\n";
	const char *path = temp_file(data, sizeof(data) - 1);
	char expect[160];

	memset(&err, 0, sizeof(err));
	cr_assert_null(sl_config_read(path, &err));
	snprintf(expect, sizeof(expect), "config '%s' contains a NUL byte", path);
	unlink(path);
	cr_assert_str_eq(err.msg, expect);
	cr_assert_eq(err.code, SL_E_USAGE);
}

Test(config, read_directory)
{
	memset(&err, 0, sizeof(err));
	cr_assert_null(sl_config_read("/tmp", &err));
	cr_assert_str_eq(err.msg, "cannot read config '/tmp': Is a directory");
}
