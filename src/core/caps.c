#include "core/caps.h"

#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

/* CAP_BPF: load programs and maps; CAP_PERFMON: tracing programs and
 * reading kernel memory; CAP_NET_ADMIN: XDP/tc/cgroup attach. */
static const cap_value_t keep[] = { CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN };
#define NKEEP ((int)(sizeof(keep) / sizeof(keep[0])))

const char *sl_caps_runtime_names(void)
{
	return "cap_bpf,cap_perfmon,cap_net_admin";
}

static int kept(cap_value_t c)
{
	for (int i = 0; i < NKEEP; i++)
		if (keep[i] == c)
			return 1;
	return 0;
}

int sl_caps_drop_to_runtime(void)
{
	cap_t caps;
	int rc;

	/* the bounding set first: that needs CAP_SETPCAP, dropped below. Under
	 * systemd's CapabilityBoundingSet the unwanted ones are gone already. */
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (!kept(c) && cap_get_bound(c) == 1 && cap_drop_bound(c))
			return -1;
	caps = cap_init();
	if (!caps)
		return -1;
	rc = cap_set_flag(caps, CAP_PERMITTED, NKEEP, keep, CAP_SET) ||
	     cap_set_flag(caps, CAP_EFFECTIVE, NKEEP, keep, CAP_SET) || cap_set_proc(caps);
	cap_free(caps);
	return rc ? -1 : 0;
}
