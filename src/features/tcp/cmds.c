/* Grammar of TCP initial windows (shared by sluiced and sluicectl): the
 * issue's keywords as options, laid out by enum tcp_rule_opt, with each
 * command's handler in the daemon. */
#include "common/grammar.h"
#include "features/tcp/tcp.h"

#define RULE_OPTS                                                                                    \
	[TCP_OPT_NETNS] = { .name = "netns", .kind = SL_STRING, .metavar = "NAME",                   \
	  .help = "connections in this network namespace (ip netns); default: the daemon's" },      \
	[TCP_OPT_CGROUP] = { .name = "cgroup", .kind = SL_STRING, .metavar = "PATH",                 \
	  .help = "sockets of this cgroup v2 and below it (/a/b, as /proc/PID/cgroup names it)" },   \
	[TCP_OPT_PRIO] = { .name = "prio", .kind = SL_UINT, .metavar = "N", .min = 0, .max = 65535,  \
	  .help = "rules match in prio order (default 100), then in the order added" },             \
	[TCP_OPT_DST] = { .name = "dst", .kind = SL_STRING, .metavar = "PREFIX",                     \
	  .help = "the connection's remote address (either direction) is in PREFIX" },              \
	[TCP_OPT_MATCH_SET] = { .name = "match-set", .kind = SL_STRING, .metavar = "SET dst", .then = set_dirs, \
	  .help = "the remote address is in SET (hash:ip or hash:net, `sluicectl set`)" },           \
	[TCP_OPT_INITCWND] = { .name = "initcwnd", .kind = SL_UINT, .metavar = "N", .min = 1,       \
	  .max = SL_TCP_WND_MAX, .help = "initial congestion window, segments (route initcwnd)" },  \
	[TCP_OPT_INITRWND] = { .name = "initrwnd", .kind = SL_UINT, .metavar = "N", .min = 1,       \
	  .max = SL_TCP_WND_MAX, .help = "initial receive window, segments (route initrwnd)" },      \
	[TCP_OPT_CC] = { .name = "cc", .kind = SL_STRING, .metavar = "NAME",                         \
	  .help = "congestion control, one the kernel has (tcp_available_congestion_control)" }

static const char *const set_dirs[] = { "dst", NULL };

static const struct sl_opt_spec rule_opts[TCP_RULE_NOPTS + 1] = { RULE_OPTS };

_Static_assert(TCP_RULE_NOPTS <= SL_MAX_OPTS, "tcp's options fit struct sl_cmd");

static int some_window(const struct sl_cmd *cmd, struct sl_error *err)
{
	if (cmd->opt[TCP_OPT_DST].set && cmd->opt[TCP_OPT_MATCH_SET].set)
		return sl_fail(err, SL_E_USAGE, cmd->opt[TCP_OPT_MATCH_SET].col,
			       "tcp add: give dst PREFIX or match-set SET dst, not both");
	if (!cmd->opt[TCP_OPT_INITCWND].set && !cmd->opt[TCP_OPT_INITRWND].set && !cmd->opt[TCP_OPT_CC].set)
		return sl_fail(err, SL_E_USAGE, 0, "tcp add: give at least one of initcwnd N, initrwnd N, cc NAME");
	return 0;
}

const struct sl_cmd_spec sl_tcp_cmds[] = {
	{ .words = "tcp add", .flags = SL_CMD_CONFIG, .opts = rule_opts, .validate = some_window,
	  .stage = SL_HANDLER(tcp_stage_add),
	  .summary = "set new TCP connections' initial windows and congestion control, per namespace, cgroup and remote prefix",
	  .help = "A sockops program on the cgroup v2 root gives the connections a rule selects\n"
		  "(connect and accept alike) the initial congestion window and initial receive\n"
		  "window that `ip route ... initcwnd N initrwnd N` would. The first rule in prio\n"
		  "order matches; a connection no rule matches keeps the kernel's defaults and\n"
		  "routes. Sockets of other namespaces are never touched. With cgroup PATH the\n"
		  "program is attached to that cgroup, and only its sockets (and those of the\n"
		  "cgroups below it) match." },
	{ .words = "tcp del", .flags = SL_CMD_CONFIG, .opts = rule_opts, .stage = SL_HANDLER(tcp_stage_del),
	  .summary = "remove a rule: its netns, cgroup and dst as added (prio and windows, if given, must agree)" },
	{ .words = "tcp list", .opts = sl_no_opts, .query = SL_HANDLER(tcp_query_list),
	  .summary = "rules in match order, with the connections each set: active (connect), passive (accept)" },
	{ 0 }
};
