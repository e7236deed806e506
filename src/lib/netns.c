#include "lib/netns.h"

#include "core/caps.h"
#include "core/log.h"
#include "common/utf8.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

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

int sl_netns_enter(const char *name, int *self, struct sl_error *err)
{
	char path[512];
	int target;

	*self = -1;
	if (!name || !*name)
		return 0;
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return sl_fail(err, SL_E_USAGE, 0, "'%s' is not a network namespace name", name);
	snprintf(path, sizeof(path), "%s/%s", SL_NETNS_DIR, name);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (target < 0)
		return sl_fail(err, SL_E_USAGE, 0, "network namespace '%s' not found (%s: %s)", name, path,
			       strerror(errno));
	*self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	/* setns() needs CAP_SYS_ADMIN: raised for this call only */
	if (*self < 0 || sl_caps_sys_admin(true) || setns(target, CLONE_NEWNET)) {
		sl_fail(err, SL_E_KERNEL, 0, "cannot enter network namespace '%s': %s", name, strerror(errno));
		sl_caps_sys_admin(false);
		close(target);
		if (*self >= 0)
			close(*self);
		*self = -1;
		return -1;
	}
	sl_caps_sys_admin(false);
	close(target);
	return 0;
}

void sl_netns_leave(int self)
{
	if (self < 0)
		return;
	if (sl_caps_sys_admin(true) || setns(self, CLONE_NEWNET))
		sl_err("cannot return to our own network namespace: %s", strerror(errno));
	sl_caps_sys_admin(false);
	close(self);
}

int sl_netns_cookie(const char *name, uint64_t *cookie, struct sl_error *err)
{
	socklen_t len = sizeof(*cookie);
	int self, fd, rc = 0;

	if (sl_netns_enter(name, &self, err))
		return -1;
	/* any socket answers for the namespace it was made in */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		rc = sl_fail(err, SL_E_KERNEL, 0, "network namespace '%s': no cookie (SO_NETNS_COOKIE): %s",
			     name && *name ? name : "host", strerror(errno));
	if (fd >= 0)
		close(fd);
	sl_netns_leave(self);
	return rc;
}

bool sl_netns_name_ok(const char *ns, size_t size)
{
	return strlen(ns) < size && *ns && !strpbrk(ns, "/ \t\"'#\\") && strcmp(ns, ".") && strcmp(ns, "..") &&
	       sl_utf8_valid_len(ns, strlen(ns)) == strlen(ns);
}
