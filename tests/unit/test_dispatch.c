/* One dispatch: each command's spec names the handlers the daemon calls
 * (stage, run, query) and lays out its options by an enum. These tests hold
 * the tables to that: every command of every feature has its handlers, the
 * slot enums name the options the tables put there, and a parsed line
 * reaches the handler of its own command. */
#include <criterion/criterion.h>

#include <string.h>

#include "common/grammar.h"
#include "core/config.h"
#include "core/daemon.h"
#include "core/feature.h"
#include "features/drops/drops.h"
#include "features/mcast/mcast.h"
#include "features/sets/sets.h"
#include "features/tcp/tcp.h"
#include "features/xps/xps.h"
#include "features/send/send.h"
#include "features/sctp/sctp.h"

static struct sl_cmd cmd;
static struct sl_error err;

static const struct sl_cmd_spec *spec_of(const char *words)
{
	for (int t = 0; sl_command_tables[t]; t++)
		for (const struct sl_cmd_spec *s = sl_command_tables[t]; s->words; s++)
			if (!strcmp(s->words, words))
				return s;
	cr_assert_fail("no command '%s'", words);
	return NULL;
}

static int nopts(const struct sl_cmd_spec *s)
{
	int n = 0;

	while (s->opts && s->opts[n].name)
		n++;
	return n;
}

/* a line for every feature command, and the handlers it must reach */
static const struct {
	const char *line;
	sl_stage_fn *stage;
	sl_run_fn *run;
	sl_query_fn *query;
	int op;
} lines[] = {
	{ "drops", .query = drops_query_rows },
	{ "drops --all --by reason", .query = drops_query_rows },
	{ "drops events --count 3", .query = drops_query_events },
	{ "drops stats", .query = drops_query_stats },
	{ "drops reset --netns blue", .query = drops_query_reset },
	{ "drops enable --sample-rate 5", .stage = drops_stage_enable },
	{ "drops disable", .stage = drops_stage_disable },
	{ "mcast bridge br0 enable", .stage = mcast_stage_bridge },
	{ "mcast port dev p1 router on", .stage = mcast_stage_port },
	{ "mcast groups", .query = mcast_query_groups },
	{ "mcast ports", .query = mcast_query_ports },
	{ "set create s hash:ip", sets_stage, sets_run, .op = SL_SETCMD_CREATE },
	{ "set add s 192.0.2.1", sets_stage, sets_run, .op = SL_SETCMD_ADD },
	{ "set del s 192.0.2.1", sets_stage, sets_run, .op = SL_SETCMD_DEL },
	{ "set flush", sets_stage, sets_run, .op = SL_SETCMD_FLUSH },
	{ "set destroy s", sets_stage, sets_run, .op = SL_SETCMD_DESTROY },
	{ "set rename s t", sets_stage, sets_run, .op = SL_SETCMD_RENAME },
	{ "set swap s t", sets_stage, sets_run, .op = SL_SETCMD_SWAP },
	{ "rule add dev eth0 ingress match-set s src action drop", sets_stage, sets_run,
	  .op = SETS_OP_RULE_ADD },
	{ "rule del id 3", sets_stage, sets_run, .op = SETS_OP_RULE_DEL },
	{ "set test s 192.0.2.1", .query = sets_query_test },
	{ "set list -terse", .query = sets_query_list },
	{ "set save", .query = sets_query_save },
	{ "set restore -exist", .query = sets_query_restore },
	{ "rule list", .query = sets_query_rules },
	{ "tcp add netns blue prio 5 dst 10.0.0.0/8 initcwnd 10 initrwnd 40", .stage = tcp_stage_add },
	{ "tcp del dst 10.0.0.0/8", .stage = tcp_stage_del },
	{ "tcp list", .query = tcp_query_list },
	{ "xps add dev eth0 netns blue prio 5 cpu 0-1 queue 2", .stage = xps_stage_add },
	{ "xps del dev eth0 mark 7/0xff", .stage = xps_stage_del },
	{ "xps list", .query = xps_query_list },
	{ "xps cpus dev eth0 queue 1 cpus 0", .stage = xps_stage_cpus },
	{ "xps del cpus dev eth0 queue 1", .stage = xps_stage_del_cpus },
	{ "send add netns blue prio 5 dst 10.0.0.0/8:53 action rewrite 10.1.1.1", .stage = send_stage_add },
	{ "send del dst 10.0.0.0/8:53", .stage = send_stage_del },
	{ "send list", .query = send_query_list },
	{ "sctp track dev eth0 netns blue", .stage = sctp_stage_track },
	{ "sctp untrack dev eth0", .stage = sctp_stage_untrack },
	{ "sctp policy dev eth0 allow-set clients", .stage = sctp_stage_policy },
	{ "sctp policy del dev eth0", .stage = sctp_stage_policy_del },
	{ "sctp timeout 60", .stage = sctp_stage_timeout },
	{ "sctp assoc --netns blue", .query = sctp_query_assoc },
};

/* --- every command has its handlers ------------------------------------- */

/* true when one of lines[] parses to `s` */
static bool has_a_line(const struct sl_cmd_spec *s)
{
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (sl_parse_line(lines[i].line, &cmd, &err) == 1 && cmd.spec == s)
			return true;
	return false;
}

Test(dispatch, every_feature_command_has_its_handlers)
{

	cr_assert_eq(sl_features_check(sl_command_tables, &err), 0, "%s", err.msg);
	/* the same, spelled out, so a failure names the command */
	for (int t = 0; sl_command_tables[t]; t++)
		for (const struct sl_cmd_spec *s = sl_command_tables[t]; s->words; s++) {
			int f = sl_feature_of(s);

			if (f < 0)
				continue; /* the core's own */
			cr_assert(has_a_line(s), "'%s' has no line in lines[]", s->words);
			if (s->flags & SL_CMD_CONFIG) {
				cr_assert_not_null(s->stage, "'%s' has no stage handler", s->words);
				cr_assert(s->run || !sl_features[f]->state_free, "'%s' has no run handler", s->words);
				cr_assert_null(s->query, "config command '%s' has a query handler", s->words);
			} else {
				cr_assert_not_null(s->query, "'%s' has no query handler", s->words);
				cr_assert_null(s->stage, "'%s' has a stage handler", s->words);
				cr_assert_null(s->run, "'%s' has a run handler", s->words);
			}
		}
}

/* sl_features_check() itself: a table with a hole is refused by name */
Test(dispatch, check_refuses_a_command_without_its_handler)
{
	static const struct sl_cmd_spec no_query[] = {
		{ .words = "drops bogus", .opts = sl_no_opts, .summary = "x" }, { 0 } };
	static const struct sl_cmd_spec no_stage[] = {
		{ .words = "mcast bogus", .flags = SL_CMD_CONFIG, .opts = sl_no_opts, .summary = "x" }, { 0 } };
	/* sets' state owns memory: its config commands are run in place */
	static const struct sl_cmd_spec no_run[] = {
		{ .words = "set bogus", .flags = SL_CMD_CONFIG, .opts = sl_no_opts, .stage = sets_stage,
		  .summary = "x" }, { 0 } };
	static const struct sl_cmd_spec stray[] = {
		{ .words = "drops bogus", .opts = sl_no_opts, .query = drops_query_stats,
		  .stage = drops_stage_enable, .summary = "x" }, { 0 } };
	static const struct sl_cmd_spec orphan[] = {
		{ .words = "nobody owns", .opts = sl_no_opts, .summary = "x" }, { 0 } };
	static const struct {
		const struct sl_cmd_spec *table;
		const char *msg;
	} cases[] = {
		{ no_query, "command 'drops bogus' has no query handler" },
		{ no_stage, "command 'mcast bogus' has no stage handler" },
		{ no_run, "command 'set bogus' has no run handler (its feature's state cannot be copied)" },
		{ stray, "command 'drops bogus' is not a config command but has a stage or run handler" },
		{ orphan, "command 'nobody owns': no feature owns its first word" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sl_cmd_spec *const tables[] = { sl_command_tables[0], cases[i].table, NULL };

		memset(&err, 0, sizeof(err));
		cr_assert_eq(sl_features_check(tables, &err), -1, "%s accepted", cases[i].msg);
		cr_assert_str_eq(err.msg, cases[i].msg);
	}
}

/* the core's own commands: each has its handler, and a table without one
 * is refused by name */
Test(dispatch, core_commands_have_their_handlers)
{
	static const struct sl_cmd_spec no_core[] = {
		{ .words = "status", .opts = sl_no_opts, .summary = "x" }, { 0 } };
	const struct sl_cmd_spec *const tables[] = { no_core, NULL };
	static const struct {
		const char *line;
		sl_core_fn *core;
	} want[] = { { "status", sl_core_status }, { "save", sl_core_save }, { "reload", sl_core_reload } };

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_assert_eq(sl_parse_line(want[i].line, &cmd, &err), 1, "%s: %s", want[i].line, err.msg);
		cr_assert_lt(sl_feature_of(cmd.spec), 0, "'%s' is the core's", want[i].line);
		cr_assert_eq(cmd.spec->core, want[i].core, "'%s' reaches its handler", want[i].line);
	}
	memset(&err, 0, sizeof(err));
	cr_assert_eq(sl_features_check(tables, &err), -1);
	cr_assert_str_eq(err.msg, "command 'status' has no core handler");
}

/* --- the slot enums agree with the tables ------------------------------- */

Test(dispatch, option_enums_name_what_the_tables_hold)
{
	static const struct {
		const char *words;
		int slot;
		const char *name;
	} slots[] = {
		{ "drops", DROPS_OPT_NETNS, "--netns" },
		{ "drops", DROPS_OPT_ALL, "--all" },
		{ "drops", DROPS_OPT_BY, "--by" },
		{ "drops", DROPS_OPT_WATCH, "--watch" },
		{ "drops reset", DROPS_OPT_NETNS, "--netns" },
		{ "drops reset", DROPS_OPT_ALL, "--all" },
		{ "drops events", DROPS_OPT_NETNS, "--netns" },
		{ "drops events", DROPS_OPT_ALL, "--all" },
		{ "drops events", DROPS_OPT_COUNT, "--count" },
		{ "drops enable", DROPS_OPT_SAMPLE_RATE, "--sample-rate" },
		{ "tcp add", TCP_OPT_NETNS, "netns" },
		{ "tcp add", TCP_OPT_CGROUP, "cgroup" },
		{ "tcp add", TCP_OPT_PRIO, "prio" },
		{ "tcp add", TCP_OPT_DST, "dst" },
		{ "tcp add", TCP_OPT_INITCWND, "initcwnd" },
		{ "tcp add", TCP_OPT_INITRWND, "initrwnd" },
		{ "tcp del", TCP_OPT_DST, "dst" },
		{ "xps add", XPS_OPT_DEV, "dev" },
		{ "xps add", XPS_OPT_NETNS, "netns" },
		{ "xps add", XPS_OPT_PRIO, "prio" },
		{ "xps add", XPS_OPT_CPU, "cpu" },
		{ "xps add", XPS_OPT_CGROUP, "cgroup" },
		{ "xps add", XPS_OPT_MARK, "mark" },
		{ "xps add", XPS_OPT_ALL, "all" },
		{ "xps add", XPS_OPT_QUEUE, "queue" },
		{ "xps del", XPS_OPT_CPU, "cpu" },
		{ "xps cpus", XPS_MOPT_DEV, "dev" },
		{ "xps cpus", XPS_MOPT_NETNS, "netns" },
		{ "xps cpus", XPS_MOPT_QUEUE, "queue" },
		{ "xps cpus", XPS_MOPT_CPUS, "cpus" },
		{ "send add", SEND_OPT_NETNS, "netns" },
		{ "send add", SEND_OPT_CGROUP, "cgroup" },
		{ "send add", SEND_OPT_PRIO, "prio" },
		{ "send add", SEND_OPT_DST, "dst" },
		{ "send add", SEND_OPT_MATCH_SET, "match-set" },
		{ "send add", SEND_OPT_ACTION, "action" },
		{ "send del", SEND_OPT_DST, "dst" },
		{ "xps del cpus", XPS_MOPT_QUEUE, "queue" },
		{ "sctp track", SCTP_OPT_DEV, "dev" },
		{ "sctp track", SCTP_OPT_NETNS, "netns" },
		{ "sctp policy", SCTP_OPT_ALLOW_SET, "allow-set" },
		{ "sctp assoc", SCTP_AOPT_NETNS, "--netns" },
	};
	/* every command with options, and its enum's length */
	static const struct {
		const char *words;
		int n;
	} lengths[] = {
		{ "drops", DROPS_SHOW_NOPTS },
		{ "drops reset", DROPS_SCOPE_NOPTS },
		{ "drops events", DROPS_EVENTS_NOPTS },
		{ "drops enable", DROPS_ENABLE_NOPTS },
		{ "tcp add", TCP_RULE_NOPTS },
		{ "tcp del", TCP_RULE_NOPTS },
		{ "xps add", XPS_RULE_NOPTS },
		{ "xps del", XPS_RULE_NOPTS },
		{ "xps cpus", XPS_MAP_NOPTS },
		{ "xps del cpus", XPS_MAP_NOPTS - 1 },
		{ "send add", SEND_RULE_NOPTS },
		{ "send del", SEND_RULE_NOPTS },
		{ "sctp track", SCTP_DEV_NOPTS },
		{ "sctp untrack", SCTP_DEV_NOPTS },
		{ "sctp policy", SCTP_DEV_NOPTS },
		{ "sctp policy del", SCTP_DEV_NOPTS },
		{ "sctp assoc", SCTP_ASSOC_NOPTS },
	};

	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		const struct sl_cmd_spec *s = spec_of(slots[i].words);

		cr_assert_lt(slots[i].slot, nopts(s), "%s: slot %d past the table's end", s->words, slots[i].slot);
		cr_assert_str_eq(s->opts[slots[i].slot].name, slots[i].name, "%s: slot %d", s->words, slots[i].slot);
	}
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++)
		cr_assert_eq(nopts(spec_of(lengths[i].words)), lengths[i].n, "%s: a hole in its table",
			     lengths[i].words);
	/* a command that gains options gains an enum, and a row above */
	for (int t = 0; sl_command_tables[t]; t++)
		for (const struct sl_cmd_spec *s = sl_command_tables[t]; s->words; s++) {
			bool listed = false;

			cr_assert_leq(nopts(s), SL_MAX_OPTS, "%s", s->words);
			for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++)
				listed |= !strcmp(lengths[i].words, s->words);
			cr_assert(listed || !nopts(s), "'%s' has options but no slot enum here", s->words);
		}
}

Test(dispatch, by_choices_follow_enum_drops_by)
{
	const char *const *c = spec_of("drops")->opts[DROPS_OPT_BY].choices;

	cr_assert_str_eq(c[DROPS_BY_REASON], "reason");
	cr_assert_str_eq(c[DROPS_BY_PORT], "port");
	cr_assert_str_eq(c[DROPS_BY_ADDR], "addr");
	cr_assert_str_eq(c[DROPS_BY_SOCKET], "socket");
	cr_assert_null(c[DROPS_BY_SOCKET + 1]);
}

/* the daemon reads the value the user gave under its slot */
Test(dispatch, values_land_in_their_slots)
{
	cr_assert_eq(sl_parse_line("drops events --count 7 --netns blue", &cmd, &err), 1, "%s", err.msg);
	cr_assert_eq(cmd.opt[DROPS_OPT_COUNT].num, 7);
	cr_assert_str_eq(cmd.opt[DROPS_OPT_NETNS].str, "blue");
	cr_assert_not(cmd.opt[DROPS_OPT_ALL].set);
	cr_assert_eq(sl_parse_line("drops reset --all", &cmd, &err), 1, "%s", err.msg);
	cr_assert(cmd.opt[DROPS_OPT_ALL].set);
	cr_assert_not(cmd.opt[DROPS_OPT_NETNS].set);
}

/* --- a line reaches its own handler ----------------------------------- */

Test(dispatch, lines_reach_their_handlers)
{
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		memset(&err, 0, sizeof(err));
		cr_assert_eq(sl_parse_line(lines[i].line, &cmd, &err), 1, "'%s': %s", lines[i].line, err.msg);
		cr_assert_eq(cmd.spec->stage, lines[i].stage, "'%s': stage", lines[i].line);
		cr_assert_eq(cmd.spec->run, lines[i].run, "'%s': run", lines[i].line);
		cr_assert_eq(cmd.spec->query, lines[i].query, "'%s': query", lines[i].line);
		cr_assert_eq(cmd.spec->op, lines[i].op, "'%s': op", lines[i].line);
	}
}

/* through the core's own path: a config's lines staged by their handlers */
Test(dispatch, config_lines_are_staged_by_their_handlers)
{
	static const char text[] = "drops enable --sample-rate 7\n"
				   "mcast bridge br0 enable\n"
				   "set create s hash:ip\n"
				   "rule add dev eth0 ingress match-set s src action drop\n";
	struct sl_states st = { 0 };
	int ncmds = 0;

	cr_assert_eq(sl_config_stage(text, &st, &ncmds, &err), 0, "%s", err.msg);
	cr_assert_eq(ncmds, 4);
	for (int f = 0; f < sl_nfeatures; f++) {
		const char *name = sl_features[f]->name;

		if (!strcmp(name, "drops")) {
			const struct drops_state *d = st.st[f];

			cr_assert_eq(d->enabled, 1);
			cr_assert_eq(d->sample_rate, 7);
		} else if (!strcmp(name, "mcast")) {
			cr_assert_eq(((const struct mcast_state *)st.st[f])->nbr, 1);
		} else if (!strcmp(name, "set")) {
			const struct sets_state *s = st.st[f];

			cr_assert_eq(s->nspecs, 1);
			cr_assert_eq(s->nrules, 1);
		}
	}
	sl_states_free(&st);

	cr_assert_eq(sl_config_stage("drops enable\ndrops disable\n", &st, NULL, &err), 0, "%s", err.msg);
	for (int f = 0; f < sl_nfeatures; f++)
		if (!strcmp(sl_features[f]->name, "drops"))
			cr_assert_eq(((const struct drops_state *)st.st[f])->enabled, 0);
	sl_states_free(&st);
}
