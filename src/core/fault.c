#include "core/fault.h"

#include "core/log.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* SLUICE_FAULT parsed once: armed is 0 until read, then 1 (a point is
 * set) or -1 (unset or malformed: every call returns at the first test) */
static int armed;
static char fault_op[64];
static long fault_step;

static void parse(void)
{
	const char *env = getenv("SLUICE_FAULT");
	const char *colon = env ? strrchr(env, ':') : NULL;
	char *end;

	armed = -1;
	if (!colon || colon == env || (size_t)(colon - env) >= sizeof(fault_op))
		return;
	fault_step = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || fault_step < 1) {
		sl_warn("SLUICE_FAULT=%s: not op:step (step 1 or more); ignored", env);
		return;
	}
	memcpy(fault_op, env, (size_t)(colon - env));
	fault_op[colon - env] = '\0';
	armed = 1;
}

void sl_fault_point(const char *op, int step)
{
	if (!armed)
		parse();
	if (armed < 0 || step != fault_step || strcmp(op, fault_op))
		return;
	sl_warn("fault point %s:%d: killing myself", op, step);
	raise(SIGKILL);
}
