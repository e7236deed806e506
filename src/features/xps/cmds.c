/* Grammar of transmit steering (shared by sluiced and sluicectl): the
 * issue's keywords as options, laid out by enum xps_rule_opt, with each
 * command's handler in the daemon. */
#include "common/grammar.h"
#include "features/xps/xps.h"

static const struct sl_opt_spec rule_opts[XPS_RULE_NOPTS + 1] = {
	[XPS_OPT_DEV] = { .name = "dev", .kind = SL_STRING, .metavar = "IFACE", .help = "the device packets leave" },
	[XPS_OPT_NETNS] = { .name = "netns", .kind = SL_STRING, .metavar = "NAME",
			    .help = "the device's network namespace (ip netns); default: the daemon's" },
	[XPS_OPT_PRIO] = { .name = "prio", .kind = SL_UINT, .metavar = "N", .min = 0, .max = 65535,
			   .help = "rules match in prio order (default 100), then in the order added" },
	[XPS_OPT_CPU] = { .name = "cpu", .kind = SL_STRING, .metavar = "CPULIST",
			  .help = "packets sent from these CPUs (0-3,8)" },
	[XPS_OPT_CGROUP] = { .name = "cgroup", .kind = SL_STRING, .metavar = "PATH",
			     .help = "packets of sockets of this cgroup v2 and below it" },
	[XPS_OPT_MARK] = { .name = "mark", .kind = SL_STRING, .metavar = "V[/M]",
			   .help = "packets whose mark & M is V (M: all ones)" },
	[XPS_OPT_ALL] = { .name = "all", .kind = SL_FLAG, .help = "every packet" },
	[XPS_OPT_MATCH_SET] = { .name = "match-set", .kind = SL_STRING, .metavar = "SET", .then_any = "DIR[,DIR...]",
				.help = "packets SET matches, DIR src or dst per set dimension (iptables' --match-set)" },
	[XPS_OPT_QUEUE] = { .name = "queue", .kind = SL_UINT, .metavar = "Q", .min = 0, .max = 65534,
			    .help = "the tx queue the selected packets leave on" },
};

_Static_assert(XPS_RULE_NOPTS <= SL_MAX_OPTS, "xps's options fit struct sl_cmd");

#define MAP_OPTS                                                                                             \
	[XPS_MOPT_DEV] = { .name = "dev", .kind = SL_STRING, .metavar = "IFACE", .help = "the device" },      \
	[XPS_MOPT_NETNS] = { .name = "netns", .kind = SL_STRING, .metavar = "NAME",                           \
			     .help = "the device's network namespace (ip netns); default: the daemon's" },    \
	[XPS_MOPT_QUEUE] = { .name = "queue", .kind = SL_UINT, .metavar = "Q", .min = 0, .max = 65534,        \
			     .help = "the tx queue whose XPS map it is" }

static const struct sl_opt_spec map_opts[XPS_MAP_NOPTS + 1] = {
	MAP_OPTS,
	[XPS_MOPT_CPUS] = { .name = "cpus", .kind = SL_STRING, .metavar = "CPULIST",
			    .help = "the CPUs whose packets the kernel sends on queue Q (0-3,8)" },
};
static const struct sl_opt_spec map_del_opts[XPS_MAP_NOPTS] = { MAP_OPTS };

static int map_shape(const struct sl_cmd *cmd, struct sl_error *err)
{
	const char *w = cmd->spec->words;

	if (!cmd->opt[XPS_MOPT_DEV].set || !cmd->opt[XPS_MOPT_QUEUE].set)
		return sl_fail(err, SL_E_USAGE, 0, "%s: dev IFACE and queue Q are required", w);
	if (cmd->spec->opts == map_opts && !cmd->opt[XPS_MOPT_CPUS].set)
		return sl_fail(err, SL_E_USAGE, 0, "%s: cpus CPULIST is required", w);
	return 0;
}

/* dev and one selector; add also needs the queue */
static int rule_shape(const struct sl_cmd *cmd, bool add, struct sl_error *err)
{
	const struct sl_value *o = cmd->opt;
	int sel = o[XPS_OPT_CPU].set + o[XPS_OPT_CGROUP].set + o[XPS_OPT_MARK].set + o[XPS_OPT_ALL].set +
		  o[XPS_OPT_MATCH_SET].set;
	const char *w = add ? "xps add" : "xps del";

	if (!o[XPS_OPT_DEV].set)
		return sl_fail(err, SL_E_USAGE, 0, "%s: dev IFACE is required", w);
	if (sel != 1)
		return sl_fail(err, SL_E_USAGE, 0, "%s: give exactly one selector: cpu CPULIST, cgroup PATH, mark V[/M], "
			       "match-set SET DIR[,DIR...] or all",
			       w);
	if (add && !o[XPS_OPT_QUEUE].set)
		return sl_fail(err, SL_E_USAGE, 0, "%s: queue Q is required", w);
	return 0;
}

static int add_shape(const struct sl_cmd *cmd, struct sl_error *err)
{
	return rule_shape(cmd, true, err);
}

static int del_shape(const struct sl_cmd *cmd, struct sl_error *err)
{
	return rule_shape(cmd, false, err);
}

const struct sl_cmd_spec sl_xps_cmds[] = {
	{ .words = "xps add", .flags = SL_CMD_CONFIG, .opts = rule_opts, .validate = add_shape,
	  .stage = SL_HANDLER(xps_stage_add),
	  .summary = "steer the packets a selector picks to tx queue Q of a device (tc egress)",
	  .help = "A tc egress program on the device gives the packets of the first matching\n"
		  "rule (prio order) tx queue Q; unmatched packets keep the kernel's choice.\n"
		  "Refused (exit 4) where the kernel's own XPS maps cover CPUs the rule\n"
		  "selects: those take precedence (README, Transmit steering)." },
	{ .words = "xps del", .flags = SL_CMD_CONFIG, .opts = rule_opts, .validate = del_shape,
	  .stage = SL_HANDLER(xps_stage_del),
	  .summary = "remove a rule: its dev, netns and selector as added (prio and queue, if given, must agree)" },
	{ .words = "xps cpus", .flags = SL_CMD_CONFIG, .opts = map_opts, .validate = map_shape,
	  .stage = SL_HANDLER(xps_stage_cpus),
	  .summary = "set the kernel's XPS map of a tx queue (queues/tx-Q/xps_cpus); the value it replaced comes back on del",
	  .help = "Writes /sys/class/net/IFACE/queues/tx-Q/xps_cpus in the device's namespace.\n"
		  "The value it replaced is recorded (maps/sl_netsys_v1) and written back by\n"
		  "xps del cpus, by sluiced --cleanup, and when the device's tx queue count\n"
		  "changes. Refused where a steering rule selects packets of those CPUs:\n"
		  "the kernel's XPS would take them first." },
	{ .words = "xps del cpus", .flags = SL_CMD_CONFIG, .opts = map_del_opts, .validate = map_shape,
	  .stage = SL_HANDLER(xps_stage_del_cpus),
	  .summary = "put back the XPS map of a tx queue that xps cpus replaced" },
	{ .words = "xps list", .opts = sl_no_opts, .query = SL_HANDLER(xps_query_list),
	  .summary = "rules in match order with the packets each steered, and per device the packets steered to each queue" },
	{ 0 }
};
