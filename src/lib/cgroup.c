#include "lib/cgroup.h"

#include <errno.h>
#include <mntent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>

#include "common/utf8.h"

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

int sl_cgroup_resolve(const char *mount, const char *path, int max_level, uint64_t ids[], int *level,
		      struct sl_error *err)
{
	char dir[1024];
	size_t len;
	struct stat st;
	int n = 0;

	len = (size_t)snprintf(dir, sizeof(dir), "%s", mount);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return sl_fail(err, SL_E_USAGE, 0, "cgroup root %s: %s", mount, strerror(errno));
	ids[0] = (uint64_t)st.st_ino;
	for (const char *p = path; *p;) {
		size_t w;

		while (*p == '/')
			p++;
		w = strcspn(p, "/");
		if (!w)
			break;
		if (n == max_level)
			return sl_fail(err, SL_E_USAGE, 0, "cgroup %s: more than %d levels below the root", path,
				       max_level);
		if (len + 1 + w >= sizeof(dir))
			return sl_fail(err, SL_E_USAGE, 0, "cgroup %s: path too long", path);
		len += (size_t)snprintf(dir + len, sizeof(dir) - len, "/%.*s", (int)w, p);
		if (stat(dir, &st))
			return sl_fail(err, SL_E_USAGE, 0, "cgroup %s not found (%s: %s)", path, dir, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return sl_fail(err, SL_E_USAGE, 0, "cgroup %s: %s is not a cgroup", path, dir);
		ids[++n] = (uint64_t)st.st_ino;
		p += w;
	}
	*level = n;
	return 0;
}

int sl_cgroup_canon(const char *cg, char *out, size_t size)
{
	size_t len = strlen(cg);

	if (cg[0] != '/' || len >= size || strstr(cg, "//") || strstr(cg, "/./") || strstr(cg, "/../") ||
	    (len >= 2 && !strcmp(cg + len - 2, "/.")) || (len >= 3 && !strcmp(cg + len - 3, "/..")) ||
	    strpbrk(cg, " \t\"'#\\") || sl_utf8_valid_len(cg, len) < len)
		return -1;
	snprintf(out, size, "%s", cg);
	while (len > 1 && out[len - 1] == '/')
		out[--len] = '\0';
	if (!strcmp(out, "/"))
		out[0] = '\0';
	return 0;
}

int sl_cgroup_distinct(const char *first, size_t stride, int n, char *out, size_t out_size, int max)
{
	int found = 0;

	for (int k = 0; k < n; k++) {
		const char *path = first + (size_t)k * stride;
		int j;

		for (j = 0; j < found && strcmp(out + (size_t)j * out_size, path); j++)
			;
		if (j < found)
			continue;
		if (found == max)
			return -1;
		snprintf(out + (size_t)found++ * out_size, out_size, "%s", path);
	}
	return found;
}
