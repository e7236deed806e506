/* The command registry: core commands plus each feature's table. */
#include "common/grammar.h"

const struct sl_opt_spec sl_no_opts[] = { { 0 } };

static const struct sl_cmd_spec core_cmds[] = {
	{ .words = "status", .opts = sl_no_opts,
	  .summary = "show features, programs, attach points, pins and map fill",
	  .help = "Every feature with its state, each program with its id and attach point,\n"
		  "each pinned map with its fill. Read only." },
	{ .words = "save", .opts = sl_no_opts,
	  .summary = "print the running configuration as config-file lines",
	  .help = "Loading this output as a config file (sluiced --config) reproduces the state." },
	{ .words = "reload", .opts = sl_no_opts,
	  .summary = "re-read the config file and replace every program atomically",
	  .help = "Same as SIGHUP. The file is validated whole first; on any error nothing\n"
		  "changes. Programs are swapped in place (new attached before old detached)." },
	{ 0 }
};

#define SL_FEATURE(name) extern const struct sl_cmd_spec sl_##name##_cmds[];
#include "features/list.h"
#undef SL_FEATURE

const struct sl_cmd_spec *const sl_command_tables[] = {
	core_cmds,
#define SL_FEATURE(name) sl_##name##_cmds,
#include "features/list.h"
#undef SL_FEATURE
	NULL,
};
