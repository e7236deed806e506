/* Grammar of the bridge multicast policy (shared by sluiced and sluicectl),
 * with each command's handler in the daemon.
 * The words after the command follow the syntax, keywords in any
 * order, parsed by parse.c. */
#include "common/grammar.h"
#include "features/mcast/mcast.h"

#define REST(meta, opt, text) \
	(const struct sl_arg_spec[]){ { .metavar = meta, .kind = SL_REST, .optional = opt, .help = text }, { 0 } }

const struct sl_cmd_spec sl_mcast_cmds[] = {
	{ .words = "mcast bridge", .flags = SL_CMD_CONFIG, .opts = sl_no_opts, .stage = SL_HANDLER(mcast_stage_bridge),
	  .args = REST("BRIDGE [netns NAME] enable|disable [TIMERS] [fast-path on|off]", false,
		       "TIMERS: robustness N (2), query-interval S (125), query-response-interval S (10),\n"
		       "                         last-member-interval MS (1000), router-timeout S (255)"),
	  .summary = "multicast to unregistered groups only to router ports, on a Linux bridge",
	  .help = "Attaches tc programs (tcx) to every port of the bridge, and to ports added later.\n"
		  "Ingress snoops IGMPv1-3 and MLDv1-2; egress lets multicast data out of a port only\n"
		  "if the port is a member of the group or a router port (registered groups), or a\n"
		  "router port (unregistered groups). 224.0.0.0/24, ff02::/16 and non-IP frames are\n"
		  "not touched. A membership lasts robustness x query-interval + query-response-interval\n"
		  "unless refreshed; after a leave, robustness x last-member-interval.\n"
		  "fast-path on (default off; kernel 5.13+): XDP on every port sends a registered group's\n"
		  "data straight to the ports the policy allows (devmap broadcast), past the bridge." },
	{ .words = "mcast port", .flags = SL_CMD_CONFIG, .opts = sl_no_opts, .stage = SL_HANDLER(mcast_stage_port),
	  .args = REST("dev PORT [netns NAME] [router on|off|auto] [flood on|off]", false,
		       "router on: a static router port; off: never; auto (default): learned from\n"
		       "                         general queries and PIM hellos. flood on: gets every multicast frame"),
	  .summary = "a bridge port's router and flood settings" },
	{ .words = "mcast groups", .opts = sl_no_opts, .query = SL_HANDLER(mcast_query_groups),
	  .summary = "registered groups: bridge, group, member ports, seconds left" },
	{ .words = "mcast ports", .opts = sl_no_opts, .query = SL_HANDLER(mcast_query_ports),
	  .summary = "bridge ports: router state, flood, frames passed and suppressed, reports heard" },
	{ 0 }
};
