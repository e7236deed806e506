#include "core/pin.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/log.h"

int sl_pin_path(char *out, size_t size, const char *root, const char *kind, const char *name)
{
	int n = snprintf(out, size, "%s/%s/%s", root, kind, name);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* the file system type of the nearest existing ancestor of `path` */
static int fs_type_of(const char *path, long *type)
{
	char p[4096];
	struct statfs st;

	snprintf(p, sizeof(p), "%s", path);
	for (;;) {
		char *slash;

		if (!statfs(p, &st)) {
			*type = (long)st.f_type;
			return 0;
		}
		if (errno != ENOENT)
			return -1;
		slash = strrchr(p, '/');
		if (!slash)
			return -1;
		if (slash == p) {
			p[1] = '\0';
		} else {
			*slash = '\0';
		}
	}
}

static int mkdir_p(const char *path)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0700) && errno != EEXIST ? -1 : 0;
}

static int on_bpffs(const char *path, struct sl_error *err)
{
	long type;

	if (fs_type_of(path, &type))
		return sl_fail(err, SL_E_KERNEL, 0, "pin root '%s': %s", path, strerror(errno));
	if (type != (long)BPF_FS_MAGIC)
		return sl_fail(err, SL_E_USAGE, 0,
			       "pin root '%s' is not on a bpf filesystem (mount it: mount -t bpf bpf /sys/fs/bpf)",
			       path);
	return 0;
}

int sl_pin_root_prepare(const char *root, struct sl_error *err)
{
	char sub[4096];

	if (root[0] != '/')
		return sl_fail(err, SL_E_USAGE, 0, "pin root '%s' is not an absolute path", root);
	if (on_bpffs(root, err))
		return -1;
	if (mkdir_p(root))
		return sl_fail(err, SL_E_KERNEL, 0, "cannot create pin root '%s': %s", root, strerror(errno));
	static const char *const dirs[] = { SL_PIN_MAPS, SL_PIN_LINKS, SL_PIN_PROGS };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(sub, sizeof(sub), "%s/%s", root, dirs[i]);
		if (mkdir(sub, 0700) && errno != EEXIST)
			return sl_fail(err, SL_E_KERNEL, 0, "cannot create '%s': %s", sub, strerror(errno));
	}
	return 0;
}

int sl_pin_root_lock(const char *root, struct sl_error *err)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return sl_fail(err, SL_E_KERNEL, 0, "cannot open pin root '%s': %s", root, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK)
			return sl_fail(err, SL_E_NEGATIVE, 0,
				       "pin root '%s' is in use by another sluiced (stop it first)", root);
		return sl_fail(err, SL_E_KERNEL, 0, "cannot lock pin root '%s': %s", root, strerror(e));
	}
	return fd;
}

/* unlink every entry of root/kind; links first so programs detach before
 * their maps go */
static int unpin_dir(const char *root, const char *kind, struct sl_error *err)
{
	char dir[4096], path[4096 + 256];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/%s", root, kind);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : sl_fail(err, SL_E_KERNEL, 0, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = bpf_obj_get(path); /* only ever remove BPF objects */
		if (fd < 0) {
			rc = sl_fail(err, SL_E_KERNEL, 0, "'%s' is not a pinned BPF object; left alone", path);
			continue;
		}
		/* a struct_ops map registered without a link (kernels before 6.4)
		 * stays registered after its last reference goes: unregister it */
		if (!strcmp(kind, SL_PIN_MAPS)) {
			struct sl_map_layout l;
			__u32 zero = 0;

			if (!sl_map_layout_of(fd, &l) && l.type == BPF_MAP_TYPE_STRUCT_OPS &&
			    bpf_map_delete_elem(fd, &zero) == 0)
				sl_debug("unregistered the struct_ops of %s", path);
		}
		close(fd);
		if (unlink(path)) {
			rc = sl_fail(err, SL_E_KERNEL, 0, "cannot unpin '%s': %s", path, strerror(errno));
			continue;
		}
		sl_debug("unpinned %s", path);
	}
	closedir(d);
	if (!rc && rmdir(dir) && errno != ENOENT)
		rc = sl_fail(err, SL_E_KERNEL, 0, "cannot remove '%s': %s", dir, strerror(errno));
	return rc;
}

int sl_pin_root_cleanup(const char *root, struct sl_error *err)
{
	if (on_bpffs(root, err))
		return -1;
	if (unpin_dir(root, SL_PIN_LINKS, err) || unpin_dir(root, SL_PIN_PROGS, err) ||
	    unpin_dir(root, SL_PIN_MAPS, err))
		return -1;
	if (rmdir(root) && errno != ENOENT)
		return sl_fail(err, SL_E_KERNEL, 0, "cannot remove '%s': %s (unknown files left there?)", root,
			       strerror(errno));
	return 0;
}

int sl_pin_check_maps(struct bpf_object *obj, const char *root, struct sl_error *err)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const struct sl_map_layout want = {
			.type = bpf_map__type(map), .key_size = bpf_map__key_size(map),
			.value_size = bpf_map__value_size(map), .max_entries = bpf_map__max_entries(map),
			.flags = bpf_map__map_flags(map),
		};

		if (bpf_map__is_internal(map))
			continue;
		if (sl_pin_check_family(root, bpf_map__name(map), err) ||
		    sl_pin_check_layout(root, bpf_map__name(map), &want, err))
			return -1;
	}
	return 0;
}

int sl_pin_maps(struct bpf_object *obj, const char *root, struct sl_error *err)
{
	struct bpf_map *map;
	char path[4096];

	if (sl_pin_check_maps(obj, root, err))
		return -1;
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue; /* .rodata/.bss belong to one program load */
		if (sl_pin_path(path, sizeof(path), root, SL_PIN_MAPS, bpf_map__name(map)) ||
		    bpf_map__set_pin_path(map, path))
			return sl_fail(err, SL_E_USAGE, 0, "pin path for map %s too long", bpf_map__name(map));
	}
	return 0;
}

int sl_maps_share(struct bpf_object *obj, struct bpf_object *from, struct sl_error *err)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		struct bpf_map *base;

		if (bpf_map__is_internal(map))
			continue;
		base = bpf_object__find_map_by_name(from, bpf_map__name(map));
		if (!base || bpf_map__reuse_fd(map, bpf_map__fd(base)))
			return sl_fail(err, SL_E_KERNEL, 0, "map %s: cannot share it: %s", bpf_map__name(map), strerror(errno));
	}
	return 0;
}

static void staged_path(char *out, size_t size, const char *path)
{
	snprintf(out, size, "%s__new", path);
}

int sl_pin_stage(int fd, const char *path, struct sl_error *err)
{
	char tmp[4096 + 8];

	staged_path(tmp, sizeof(tmp), path);
	unlink(tmp); /* left by a daemon that died mid-swap */
	if (bpf_obj_pin(fd, tmp))
		return sl_fail(err, SL_E_KERNEL, 0, "cannot pin at '%s': %s", tmp, strerror(errno));
	return 0;
}

int sl_pin_commit(const char *path, struct sl_error *err)
{
	char tmp[4096 + 8];

	staged_path(tmp, sizeof(tmp), path);
	if (rename(tmp, path))
		return sl_fail(err, SL_E_KERNEL, 0, "cannot move pin '%s' to '%s': %s", tmp, path,
			       strerror(errno));
	return 0;
}

void sl_pin_unstage(const char *path)
{
	char tmp[4096 + 8];

	staged_path(tmp, sizeof(tmp), path);
	unlink(tmp);
}

int sl_pin_open(const char *root, const char *kind, const char *name)
{
	char path[4096];

	if (sl_pin_path(path, sizeof(path), root, kind, name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return bpf_obj_get(path);
}
