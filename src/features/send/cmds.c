/* Grammar of the send policy (shared by sluiced and sluicectl): the
 * issue's keywords as options, laid out by enum send_rule_opt, with each
 * command's handler in the daemon. */
#include "common/grammar.h"
#include "features/send/send.h"

static const char *const actions[] = { "allow", "deny", "count", "rewrite", NULL };
static const char *const set_dirs[] = { "dst", "dst,dst", NULL };

static const struct sl_opt_spec rule_opts[SEND_RULE_NOPTS + 1] = {
	[SEND_OPT_NETNS] = { .name = "netns", .kind = SL_STRING, .metavar = "NAME",
	  .help = "sockets in this network namespace (ip netns); default: the daemon's" },
	[SEND_OPT_CGROUP] = { .name = "cgroup", .kind = SL_STRING, .metavar = "PATH",
	  .help = "sockets of this cgroup v2 and below it (/a/b, as /proc/PID/cgroup names it)" },
	[SEND_OPT_PRIO] = { .name = "prio", .kind = SL_UINT, .metavar = "N", .min = 0, .max = 65535,
	  .help = "rules match in prio order (default 100), then in the order added" },
	[SEND_OPT_DST] = { .name = "dst", .kind = SL_STRING, .metavar = "PREFIX[:PORT]",
	  .help = "the message's destination: 10.0.0.0/8, 10.0.0.1:53, 2001:db8::/32, [2001:db8::/32]:53" },
	[SEND_OPT_MATCH_SET] = { .name = "match-set", .kind = SL_STRING, .metavar = "SET dst[,dst]", .then = set_dirs,
	  .help = "the destination is in SET (hash:ip, hash:net; with dst,dst its address and port: hash:ip,port, hash:net,port)" },
	[SEND_OPT_ACTION] = { .name = "action", .kind = SL_CHOICE, .metavar = "ACTION", .choices = actions,
	  .help = "allow, deny (EPERM), count (and go on) or rewrite ADDR[:PORT]" },
};

static const struct sl_arg_spec rule_args[] = {
	[SEND_ARG_TO] = { .metavar = "ADDR[:PORT]", .kind = SL_STRING, .optional = true,
	  .help = "after `action rewrite`: the new destination ([ADDR]:PORT for IPv6)" },
	{ 0 }
};

_Static_assert(SEND_RULE_NOPTS <= SL_MAX_OPTS, "send's options fit struct sl_cmd");

const struct sl_cmd_spec sl_send_cmds[] = {
	{ .words = "send add", .flags = SL_CMD_CONFIG, .opts = rule_opts, .args = rule_args,
	  .stage = SL_HANDLER(send_stage_add),
	  .summary = "allow, deny, count or rewrite each message UDP sockets send, per namespace, cgroup and destination",
	  .help = "cgroup sendmsg4/6 programs see each message of a sendmmsg batch on its own\n"
		  "(unconnected sockets), connect4/6 every connect(). The first rule in prio\n"
		  "order that matches the destination decides (count rules count and go on):\n"
		  "deny fails the message with EPERM, rewrite sends it to ADDR[:PORT], and\n"
		  "replies from there show the original address as their source (recvmsg4/6),\n"
		  "as getpeername() of a socket connected there does (getpeername4/6).\n"
		  "Sockets of other namespaces, and outside cgroup PATH, are never touched." },
	{ .words = "send del", .flags = SL_CMD_CONFIG, .opts = rule_opts, .args = rule_args,
	  .stage = SL_HANDLER(send_stage_del),
	  .summary = "remove a rule: its netns, cgroup and dst as added (prio and action, if given, must agree)" },
	{ .words = "send list", .opts = sl_no_opts, .query = SL_HANDLER(send_query_list),
	  .summary = "rules in match order, with the messages, connects and restored replies each matched" },
	{ 0 }
};
