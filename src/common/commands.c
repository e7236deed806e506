/* The command registry: the core's table plus each feature's. */
#include "common/grammar.h"

const struct sl_opt_spec sl_no_opts[] = { { 0 } };

extern const struct sl_cmd_spec sl_core_cmds[];

#define SL_FEATURE(name) extern const struct sl_cmd_spec sl_##name##_cmds[];
#include "features/list.h"
#undef SL_FEATURE

const struct sl_cmd_spec *const sl_command_tables[] = {
	sl_core_cmds,
#define SL_FEATURE(name) sl_##name##_cmds,
#include "features/list.h"
#undef SL_FEATURE
	NULL,
};
