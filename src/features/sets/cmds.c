/* Grammar of the sets feature: `set ...` speaks ipset's command language,
 * `rule ...` matches sets on a device's packet path. The words after the
 * command are ipset's own syntax, parsed by sets_lang (shared by sluiced
 * and sluicectl). Each command names its handler in the daemon: every
 * config command goes to sets_stage / sets_run, told by .op which it is. */
#include "common/grammar.h"
#include "features/sets/sets.h"
#include "sluice/sets.h"

/* a config command: `op` is its ipset verb or rule change (enum sets_op) */
#define CONFIG(verb) \
	.flags = SL_CMD_CONFIG, .stage = SL_HANDLER(sets_stage), .run = SL_HANDLER(sets_run), .op = (verb)

#define REST(meta, opt, text) \
	(const struct sl_arg_spec[]){ { .metavar = meta, .kind = SL_REST, .optional = opt, .help = text }, { 0 } }

#define ELEM_HELP \
	"NAME ELEM, then the entry's options as ipset takes them: timeout N, nomatch,\n" \
	"                         packets N bytes N, comment \"TEXT\", -exist"

#define RULE_HELP \
	"dev IFACE [netns NAME] ingress|egress [prio N]\n" \
	"                         (match-set SET DIR[,DIR...] [!] | unparsed) action drop|pass|count"

const struct sl_cmd_spec sl_sets_cmds[] = {
	{ .words = "set create", CONFIG(SL_SETCMD_CREATE), .opts = sl_no_opts,
	  .args = REST("NAME TYPE [OPTIONS]", false,
		       "TYPE: hash:ip hash:net hash:ip,port hash:net,port hash:ip,port,ip\n"
		       "                         hash:mac bitmap:port bitmap:ip; OPTIONS: family inet|inet6,\n"
		       "                         hashsize N, maxelem N, timeout N, counters, comment, range\n"
		       "                         FROM-TO (bitmap:port; bitmap:ip: FROM-TO or IP/CIDR), -exist"),
	  .summary = "create a set (ipset create)",
	  .help = "The set is a BPF map pinned under <pin-root>/maps/" SL_SET_SLOT_MAP_PREFIX "<slot>; maxelem is\n"
		  "its max_entries, so a full set refuses new entries and keeps the old ones." },
	{ .words = "set add", CONFIG(SL_SETCMD_ADD), .opts = sl_no_opts,
	  .args = REST("NAME ELEM [OPTIONS]", false, ELEM_HELP),
	  .summary = "add an element, a range or a CIDR of them (ipset add)",
	  .help = "All or nothing: an element already there (without -exist) or a full set\n"
		  "refuses the whole command." },
	{ .words = "set del", CONFIG(SL_SETCMD_DEL), .opts = sl_no_opts,
	  .args = REST("NAME ELEM [-exist]", false, "the element, range or CIDR to remove"),
	  .summary = "delete an element (ipset del)" },
	{ .words = "set test", .opts = sl_no_opts, .query = SL_HANDLER(sets_query_test),
	  .args = REST("NAME ELEM [nomatch]", false, "the element to look up, as the dataplane would"),
	  .summary = "is the element in the set? exit 0 yes, 1 no (ipset test)" },
	{ .words = "set list", .opts = sl_no_opts, .query = SL_HANDLER(sets_query_list),
	  .args = REST("[NAME] [-terse] [-output plain|save]", true,
		       "one set or all; -terse leaves out the members"),
	  .summary = "sets with their header, size in memory, references and members" },
	{ .words = "set save", .opts = sl_no_opts, .query = SL_HANDLER(sets_query_save),
	  .args = REST("[NAME]", true, "one set or all"),
	  .summary = "print sets as `ipset restore` reads them (ipset save)" },
	{ .words = "set restore", .flags = SL_CMD_ACTION | SL_CMD_BODY, .opts = sl_no_opts,
	  .query = SL_HANDLER(sets_query_restore),
	  .args = REST("[-exist]", true, "-exist: ignore what already exists"),
	  .summary = "read `ipset save` output from standard input (ipset restore)",
	  .help = "The whole input is checked and applied as one: on any error nothing changes.\n"
		  "Large inputs report progress on standard error." },
	{ .words = "set flush", CONFIG(SL_SETCMD_FLUSH), .opts = sl_no_opts,
	  .args = REST("[NAME]", true, "one set or all"),
	  .summary = "remove every element (ipset flush)" },
	{ .words = "set destroy", CONFIG(SL_SETCMD_DESTROY), .opts = sl_no_opts,
	  .args = REST("[NAME]", true, "one set or all"),
	  .summary = "remove a set; refused while a rule uses it (ipset destroy)" },
	{ .words = "set rename", CONFIG(SL_SETCMD_RENAME), .opts = sl_no_opts,
	  .args = REST("FROM TO", false, "rules that use the set follow it"),
	  .summary = "rename a set (ipset rename)" },
	{ .words = "set swap", CONFIG(SL_SETCMD_SWAP), .opts = sl_no_opts,
	  .args = REST("FROM TO", false, "two sets of the same type and family"),
	  .summary = "exchange two sets' contents, atomically for the dataplane (ipset swap)" },
	{ .words = "rule add", CONFIG(SETS_OP_RULE_ADD), .opts = sl_no_opts,
	  .args = REST("dev IFACE ...", false, RULE_HELP),
	  .summary = "match a set on a device: XDP on ingress, tc (tcx) on egress",
	  .help = "DIR is src or dst per set dimension, as iptables' --match-set. Rules run in\n"
		  "prio order (then in the order added); the first drop or pass decides, count\n"
		  "goes on. A frame that does not parse (truncated, malformed, more IPv6\n"
		  "extension headers than the parser walks) is counted and meets only the hook's\n"
		  "`unparsed` rules: `unparsed action drop` makes the hook fail closed; without\n"
		  "one such frames pass." },
	{ .words = "rule del", CONFIG(SETS_OP_RULE_DEL), .opts = sl_no_opts,
	  .args = REST("dev IFACE ... | id N", false, "the rule as added, or its id from `rule list`"),
	  .summary = "remove a rule" },
	{ .words = "rule list", .opts = sl_no_opts, .query = SL_HANDLER(sets_query_rules),
	  .summary = "rules with their hook, attach mode and packet/byte counters" },
	{ 0 }
};
