/* Skip BPF tests cleanly where the process may not load programs. */
#include <criterion/criterion.h>

#include <errno.h>
#include <sys/capability.h>

#include "fixture.h"

#define SKIP_MSG "needs root (CAP_BPF) to load BPF programs"

static bool has_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
}

void fx_require_bpf(void)
{
	cap_t caps = cap_get_proc();
	bool ok;

	/* capabilities, not the uid: root in a container may lack them, and
	 * tc/XDP programs need CAP_NET_ADMIN, tracing ones CAP_PERFMON */
	ok = caps && (has_cap(caps, CAP_SYS_ADMIN) ||
		      (has_cap(caps, CAP_BPF) && has_cap(caps, CAP_NET_ADMIN) &&
		       has_cap(caps, CAP_PERFMON)));
	cap_free(caps);
	if (!ok)
		cr_skip_test(SKIP_MSG);
}

void fx_skip_on_eperm(int err)
{
	if (err == -EPERM || err == EPERM)
		cr_skip_test(SKIP_MSG " (load failed with EPERM)");
}
