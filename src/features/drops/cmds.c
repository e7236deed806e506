/* Grammar of the drops feature (shared by sluiced and sluicectl): each
 * command with its options, laid out by the slot enums of drops.h, and its
 * handler in the daemon. */
#include "common/grammar.h"
#include "features/drops/drops.h"

static const char *const by_choices[] = {
	[DROPS_BY_REASON] = "reason", [DROPS_BY_PORT] = "port", [DROPS_BY_ADDR] = "addr",
	[DROPS_BY_SOCKET] = "socket", NULL,
};

static int one_scope(const struct sl_cmd *cmd, struct sl_error *err)
{
	const struct sl_value *netns = &cmd->opt[DROPS_OPT_NETNS], *all = &cmd->opt[DROPS_OPT_ALL];

	if (netns->set && all->set)
		return sl_fail(err, SL_E_USAGE, all->col, "--all and --netns exclude each other");
	return 0;
}

#define SCOPE_OPTS                                                                              \
	[DROPS_OPT_NETNS] = { .name = "--netns", .kind = SL_STRING, .metavar = "NAME",          \
	  .help = "only this network namespace (a name from `ip netns`); default: the daemon's" }, \
	[DROPS_OPT_ALL] = { .name = "--all", .kind = SL_FLAG, .help = "every network namespace" }

/* each table one longer than its enum: the last entry ends it */
static const struct sl_opt_spec show_opts[DROPS_SHOW_NOPTS + 1] = {
	SCOPE_OPTS,
	[DROPS_OPT_BY] = { .name = "--by", .kind = SL_CHOICE, .metavar = "KEY", .choices = by_choices,
	  .help = "rows per reason, per port (default), per local address and port, or per\n"
		  "                         receiving socket and enqueue error (udp_fail_queue_rcv_skb)" },
	[DROPS_OPT_WATCH] = { .name = "--watch", .kind = SL_UINT, .metavar = "SECONDS", .min = 1, .max = 3600,
	  .client_only = true, .help = "repeat every SECONDS, showing per-second rates" },
};

static const struct sl_opt_spec scope_opts[DROPS_SCOPE_NOPTS + 1] = { SCOPE_OPTS };

static const struct sl_opt_spec events_opts[DROPS_EVENTS_NOPTS + 1] = {
	SCOPE_OPTS,
	[DROPS_OPT_COUNT] = { .name = "--count", .kind = SL_UINT, .metavar = "N", .min = 1, .max = 256,
	  .help = "at most N most recent events (default 20; the daemon keeps 256)" },
};

static const struct sl_opt_spec enable_opts[DROPS_ENABLE_NOPTS + 1] = {
	[DROPS_OPT_SAMPLE_RATE] = { .name = "--sample-rate", .kind = SL_UINT, .metavar = "N", .min = 0, .max = 100000,
	  .help = "sampled drop events per second, shared out over the CPUs (default 100;\n"
		  "                         0 = counters only; at most 100000: the daemon reads\n"
		  "                         events as they come, and bursts stay within a quarter\n"
		  "                         of the 3640-event ring; twice that was measured with\n"
		  "                         none lost on 2 busy CPUs)" },
};

_Static_assert(DROPS_SHOW_NOPTS <= SL_MAX_OPTS && DROPS_EVENTS_NOPTS <= SL_MAX_OPTS &&
	       DROPS_ENABLE_NOPTS <= SL_MAX_OPTS, "a command's options fit struct sl_cmd");

const struct sl_cmd_spec sl_drops_cmds[] = {
	{ .words = "drops", .opts = show_opts, .validate = one_scope, .query = SL_HANDLER(drops_query_rows),
	  .summary = "UDP drop counts by reason, family and local port",
	  .help = "Counts come from the skb:kfree_skb tracepoint (with the kernel's drop reason)\n"
		  "and udp:udp_fail_queue_rcv_skb, per network namespace. Reason names are read\n"
		  "from the running kernel's BTF (enum skb_drop_reason)." },
	{ .words = "drops enable", .flags = SL_CMD_CONFIG, .opts = enable_opts,
	  .stage = SL_HANDLER(drops_stage_enable),
	  .summary = "attach the UDP drop tracing programs",
	  .help = "Observe only: nothing is added to the packet path." },
	{ .words = "drops disable", .flags = SL_CMD_CONFIG, .opts = sl_no_opts,
	  .stage = SL_HANDLER(drops_stage_disable),
	  .summary = "detach the UDP drop tracing programs (counters are kept)" },
	{ .words = "drops reset", .flags = SL_CMD_ACTION, .opts = scope_opts, .validate = one_scope,
	  .query = SL_HANDLER(drops_query_reset),
	  .summary = "zero the drop counters" },
	{ .words = "drops events", .opts = events_opts, .validate = one_scope,
	  .query = SL_HANDLER(drops_query_events),
	  .summary = "recent sampled drop events, with lost and rate-limited counts" },
	{ .words = "drops stats", .opts = sl_no_opts, .query = SL_HANDLER(drops_query_stats),
	  .summary = "program-wide counters: drops seen, unparsed, map full, events" },
	{ 0 }
};
