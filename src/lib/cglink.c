/* Programs on cgroups through pinned links (lib/cglink.h). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/pin.h"
#include "lib/cglink.h"

int sl_cglink_to(const char *pin_root, const char *name, const char *dir, enum bpf_attach_type type, int prog,
		 int *link_fd, bool *made, const char *feature, struct sl_error *err)
{
	char path[512];
	int cg, e;

	*made = false;
	if (*link_fd < 0)
		*link_fd = sl_pin_open(pin_root, SL_PIN_LINKS, name);
	if (*link_fd >= 0) {
		if (bpf_link_update(*link_fd, prog, NULL))
			return sl_fail(err, SL_E_KERNEL, 0, "%s: cannot replace the program of %s on %s: %s", feature,
				       name, dir, strerror(errno));
		return 0;
	}
	cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return sl_fail(err, SL_E_KERNEL, 0, "%s: cannot open %s: %s", feature, dir, strerror(errno));
	*link_fd = bpf_link_create(prog, cg, type, NULL);
	e = errno;
	close(cg);
	if (*link_fd < 0) {
		*link_fd = -1;
		return sl_fail(err, SL_E_KERNEL, 0, "%s: cannot attach %s to %s: %s", feature, name, dir, strerror(e));
	}
	sl_pin_path(path, sizeof(path), pin_root, SL_PIN_LINKS, name);
	if (bpf_obj_pin(*link_fd, path)) {
		e = errno;
		bpf_link_detach(*link_fd);
		close(*link_fd);
		*link_fd = -1;
		return sl_fail(err, SL_E_KERNEL, 0, "%s: cannot pin %s: %s", feature, path, strerror(e));
	}
	*made = true;
	return 0;
}

void sl_cglink_off(const char *pin_root, const char *name, int *link_fd)
{
	char path[512];

	if (*link_fd < 0)
		*link_fd = sl_pin_open(pin_root, SL_PIN_LINKS, name);
	sl_pin_path(path, sizeof(path), pin_root, SL_PIN_LINKS, name);
	unlink(path);
	if (*link_fd >= 0) {
		bpf_link_detach(*link_fd);
		close(*link_fd);
	}
	*link_fd = -1;
}

int sl_cglink_sweep(const char *pin_root, const char *prefix, const uint64_t keep[], int n, bool dry)
{
	char dir[512];
	struct dirent *de;
	int found = 0;
	DIR *d;

	sl_pin_path(dir, sizeof(dir), pin_root, SL_PIN_LINKS, "");
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		const char *us = strrchr(de->d_name, '_');
		uint64_t id;
		char *end;
		int k, fd = -1;

		if (strncmp(de->d_name, prefix, strlen(prefix)) || !us || !us[1])
			continue;
		id = strtoull(us + 1, &end, 10);
		if (*end)
			continue;
		found++;
		for (k = 0; k < n && keep[k] != id; k++)
			;
		if (k == n && !dry)
			sl_cglink_off(pin_root, de->d_name, &fd);
	}
	if (d)
		closedir(d);
	return found;
}
