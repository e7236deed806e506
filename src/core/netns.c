#include "core/netns.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

uint32_t sl_netns_self(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (uint32_t)st.st_ino;
}

int sl_netns_by_name(const char *name, uint32_t *inode, struct sl_error *err)
{
	char path[512];
	struct stat st;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return sl_fail(err, SL_E_USAGE, 0, "'%s' is not a network namespace name", name);
	if (!strcmp(name, "host")) {
		*inode = sl_netns_self();
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", SL_NETNS_DIR, name);
	if (stat(path, &st))
		return sl_fail(err, SL_E_USAGE, 0, "network namespace '%s' not found (%s: %s)", name, path,
			       strerror(errno));
	*inode = (uint32_t)st.st_ino;
	return 0;
}

void sl_netns_name(uint32_t inode, char *out, size_t size)
{
	char path[512];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (!inode) { /* the drop had neither a device nor a socket */
		snprintf(out, size, "unknown");
		return;
	}
	if (inode == sl_netns_self()) {
		snprintf(out, size, "host");
		return;
	}
	snprintf(out, size, "%u", inode);
	d = opendir(SL_NETNS_DIR);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", SL_NETNS_DIR, de->d_name);
		if (!stat(path, &st) && (uint32_t)st.st_ino == inode) {
			snprintf(out, size, "%s", de->d_name);
			break;
		}
	}
	closedir(d);
}
