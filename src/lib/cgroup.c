#include "lib/cgroup.h"

#include <mntent.h>
#include <stdio.h>
#include <string.h>

int sl_cgroup2_root(char *out, size_t size, struct sl_error *err)
{
	FILE *f = setmntent("/proc/self/mounts", "r");
	struct mntent *m;
	int rc = -1;

	if (!f)
		return sl_fail(err, SL_E_KERNEL, 0, "cannot read /proc/self/mounts to find cgroup2");
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2") && strlen(m->mnt_dir) < size) {
			snprintf(out, size, "%s", m->mnt_dir);
			rc = 0;
			break;
		}
	endmntent(f);
	if (rc)
		sl_fail(err, SL_E_KERNEL, 0, "no cgroup v2 hierarchy is mounted (mount -t cgroup2 none /sys/fs/cgroup)");
	return rc;
}
