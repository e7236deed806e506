/* Grammar of the core's own commands, with their handlers (core/daemon.c);
 * built twice like a feature's cmds.c: with the handlers for sluiced, with
 * NULL for sluicectl. */
#include "common/grammar.h"
#include "core/daemon.h"

const struct sl_cmd_spec sl_core_cmds[] = {
	{ .words = "status", .opts = sl_no_opts,
	  .summary = "show features, programs, attach points, pins and map fill",
	  .help = "Every feature with its state, each program with its id and attach point,\n"
		  "each pinned map with its fill. Read only.",
	  .core = SL_HANDLER(sl_core_status) },
	{ .words = "save", .opts = sl_no_opts,
	  .summary = "print the running configuration as config-file lines",
	  .help = "Loading this output as a config file (sluiced --config) reproduces the state.",
	  .core = SL_HANDLER(sl_core_save) },
	{ .words = "reload", .opts = sl_no_opts,
	  .summary = "re-read the config file and replace every program atomically",
	  .help = "Same as SIGHUP. The file is validated whole first; on any error nothing\n"
		  "changes. Programs are swapped in place (new attached before old detached).",
	  .core = SL_HANDLER(sl_core_reload) },
	{ 0 }
};
