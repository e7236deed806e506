/* Grammar of SCTP multihoming (shared by sluiced and sluicectl): the
 * issue's words, laid out by enum sctp_dev_opt, with each command's
 * handler in the daemon. */
#include "common/grammar.h"
#include "features/sctp/sctp.h"

static const struct sl_opt_spec dev_opts[SCTP_DEV_NOPTS + 1] = {
	[SCTP_OPT_DEV] = { .name = "dev", .kind = SL_STRING, .metavar = "IFACE", .help = "the device" },
	[SCTP_OPT_NETNS] = { .name = "netns", .kind = SL_STRING, .metavar = "NAME",
			     .help = "the device's network namespace (ip netns); default: the daemon's" },
	[SCTP_OPT_ALLOW_SET] = { .name = "allow-set", .kind = SL_STRING, .metavar = "SET",
				 .help = "sctp policy: admit associations whose INIT comes from an address of SET" },
};

static const struct sl_arg_spec timeout_args[] = {
	{ .metavar = "SECONDS", .kind = SL_UINT, .min = 1, .max = SCTP_TIMEOUT_MAX,
	  .help = "an association idle this long is forgotten" },
	{ 0 },
};

static const struct sl_opt_spec assoc_opts[SCTP_ASSOC_NOPTS + 1] = {
	[SCTP_AOPT_NETNS] = { .name = "--netns", .kind = SL_STRING, .metavar = "NAME",
			      .help = "only the associations seen in this network namespace (\"host\": the daemon's)" },
};

_Static_assert(SCTP_DEV_NOPTS <= SL_MAX_OPTS, "sctp's options fit struct sl_cmd");

static int dev_shape(const struct sl_cmd *cmd, struct sl_error *err)
{
	if (!cmd->opt[SCTP_OPT_DEV].set)
		return sl_fail(err, SL_E_USAGE, 0, "%s: dev IFACE is required", cmd->spec->words);
	if (cmd->opt[SCTP_OPT_ALLOW_SET].set)
		return sl_fail(err, SL_E_USAGE, cmd->opt[SCTP_OPT_ALLOW_SET].col, "%s: allow-set belongs to sctp policy",
			       cmd->spec->words);
	return 0;
}

static int policy_shape(const struct sl_cmd *cmd, struct sl_error *err)
{
	if (!cmd->opt[SCTP_OPT_DEV].set || !cmd->opt[SCTP_OPT_ALLOW_SET].set)
		return sl_fail(err, SL_E_USAGE, 0, "sctp policy: dev IFACE and allow-set SET are required");
	return 0;
}

const struct sl_cmd_spec sl_sctp_cmds[] = {
	{ .words = "sctp track", .flags = SL_CMD_CONFIG, .opts = dev_opts, .validate = dev_shape,
	  .stage = SL_HANDLER(sctp_stage_track),
	  .summary = "track SCTP associations on a device (XDP ingress, tc egress)",
	  .help = "Associations are followed by their verification tags across every address\n"
		  "their INIT, INIT-ACK and ASCONF announce; every packet still passes.\n"
		  "The device's XDP hook is taken: a sets rule at XDP on it is refused." },
	{ .words = "sctp untrack", .flags = SL_CMD_CONFIG, .opts = dev_opts, .validate = dev_shape,
	  .stage = SL_HANDLER(sctp_stage_untrack), .summary = "stop tracking on a device" },
	{ .words = "sctp policy", .flags = SL_CMD_CONFIG, .opts = dev_opts, .validate = policy_shape,
	  .stage = SL_HANDLER(sctp_stage_policy),
	  .summary = "on a tracked device, pass only SCTP of associations whose INIT came from SET",
	  .help = "An association is admitted when the source of its INIT is in SET (a set of\n"
		  "the sets feature, looked up at each packet); its packets then pass on every\n"
		  "address pair it announced, both ways. Other SCTP packets on the device (no\n"
		  "association, a wrong tag, an address it never announced, malformed) are\n"
		  "dropped and counted by reason. Other traffic is untouched." },
	{ .words = "sctp policy del", .flags = SL_CMD_CONFIG, .opts = dev_opts, .validate = dev_shape,
	  .stage = SL_HANDLER(sctp_stage_policy_del), .summary = "the device back to tracking only" },
	{ .words = "sctp timeout", .flags = SL_CMD_CONFIG, .args = timeout_args, .opts = sl_no_opts,
	  .stage = SL_HANDLER(sctp_stage_timeout),
	  .summary = "forget associations idle this many seconds (default 300)" },
	{ .words = "sctp assoc", .opts = assoc_opts, .query = SL_HANDLER(sctp_query_assoc),
	  .summary = "tracked associations: tags, ports, each endpoint's addresses, state, per-path counts" },
	{ 0 }
};
