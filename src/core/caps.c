#include "core/caps.h"

#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

/* CAP_BPF: load programs and maps; CAP_PERFMON: tracing programs and
 * reading kernel memory; CAP_NET_ADMIN: XDP/tc/cgroup attach. These stay
 * effective. CAP_SYS_ADMIN stays permitted only: setns() into a named
 * network namespace needs it, and sl_caps_sys_admin() raises it just for
 * that. */
static const cap_value_t effective[] = { CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN };
static const cap_value_t permitted[] = { CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, CAP_SYS_ADMIN };
#define NEFF ((int)(sizeof(effective) / sizeof(effective[0])))
#define NPRM ((int)(sizeof(permitted) / sizeof(permitted[0])))

const char *sl_caps_runtime_names(void)
{
	return "cap_bpf,cap_perfmon,cap_net_admin (cap_sys_admin permitted, raised only to enter a netns)";
}

static int kept(cap_value_t c)
{
	for (int i = 0; i < NPRM; i++)
		if (permitted[i] == c)
			return 1;
	return 0;
}

static int set_caps(bool sys_admin)
{
	cap_t caps = cap_init();
	cap_value_t sa = CAP_SYS_ADMIN;
	int rc;

	if (!caps)
		return -1;
	rc = cap_set_flag(caps, CAP_PERMITTED, NPRM, permitted, CAP_SET) ||
	     cap_set_flag(caps, CAP_EFFECTIVE, NEFF, effective, CAP_SET) ||
	     (sys_admin && cap_set_flag(caps, CAP_EFFECTIVE, 1, &sa, CAP_SET)) || cap_set_proc(caps);
	cap_free(caps);
	return rc ? -1 : 0;
}

static bool dropped; /* the start-up drop happened */

int sl_caps_drop_to_runtime(void)
{
	/* the bounding set first: that needs CAP_SETPCAP, dropped below. Under
	 * systemd's CapabilityBoundingSet the unwanted ones are gone already. */
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (!kept(c) && cap_get_bound(c) == 1 && cap_drop_bound(c))
			return -1;
	dropped = true;
	return set_caps(false);
}

int sl_caps_sys_admin(bool on)
{
	cap_t now;
	cap_flag_value_t prm = CAP_CLEAR;

	if (!dropped)
		return 0; /* before the start-up drop every capability is there: touch nothing */
	now = cap_get_proc();
	if (!now)
		return -1;
	cap_get_flag(now, CAP_SYS_ADMIN, CAP_PERMITTED, &prm);
	cap_free(now);
	/* before the start-up drop (or as root without one) it is already there */
	if (prm != CAP_SET)
		return on ? (errno = EPERM, -1) : 0;
	return set_caps(on);
}
