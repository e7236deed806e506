#include "lib/netsys.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/caps.h"
#include "core/log.h"
#include "core/pin.h"
#include "lib/bpf_info.h"
#include "lib/bpf_obj.h"
#include "lib/netns.h"
#include "lib/place.h"
#include "netsys.skel.h"

enum netsys_op { NS_READ, NS_WRITE, NS_TXQ };

struct answer {
	int rc;                 /* 0, or -1 with err */
	int count;              /* NS_TXQ */
	char value[SL_NETSYS_VALUE_MAX];
	struct sl_error err;
};

static const char *where(const char *netns)
{
	return netns && *netns ? netns : "the daemon's";
}

/* in the child: the namespace's own sysfs at /sys, in a mount namespace
 * of its own (the mount goes with the child) */
static int own_sysfs(const char *netns, struct sl_error *err)
{
	int self;

	if (sl_netns_enter(netns, &self, err))
		return -1;
	if (self >= 0)
		close(self); /* the child never goes back */
	if (sl_caps_sys_admin(true) || unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) ||
	    mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return sl_fail(err, SL_E_KERNEL, 0, "cannot mount a sysfs for network namespace %s: %s", where(netns),
			       strerror(errno));
	sl_caps_sys_admin(false);
	return 0;
}

static void child(const char *netns, enum netsys_op op, const char *dev, const char *rel, const char *value,
		  struct answer *a)
{
	char path[512], dir[256];
	int fd;

	a->rc = -1;
	if (own_sysfs(netns, &a->err))
		return;
	snprintf(dir, sizeof(dir), "/sys/class/net/%s", dev);
	if (access(dir, F_OK)) {
		sl_fail(&a->err, SL_E_USAGE, 0, "no device '%s' in %s network namespace", dev, where(netns));
		return;
	}
	if (op == NS_TXQ) {
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "%s/queues", dir);
		d = opendir(path);
		if (!d) {
			sl_fail(&a->err, SL_E_KERNEL, 0, "%s: %s", path, strerror(errno));
			return;
		}
		while ((de = readdir(d)))
			a->count += !strncmp(de->d_name, "tx-", 3);
		closedir(d);
		a->rc = 0;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, (op == NS_READ ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
	if (fd < 0) {
		/* ENOENT: the queue (or the device) is gone, and what it held with it */
		sl_fail(&a->err, errno == ENOENT ? SL_E_USAGE : SL_E_KERNEL, 0, "%s (network namespace %s): %s", path,
			where(netns), strerror(errno));
		return;
	}
	if (op == NS_READ) {
		ssize_t n = read(fd, a->value, sizeof(a->value) - 1);

		if (n < 0) {
			sl_fail(&a->err, SL_E_KERNEL, 0, "cannot read %s (network namespace %s): %s", path, where(netns),
				strerror(errno));
		} else {
			a->value[n] = '\0';
			a->value[strcspn(a->value, "\n")] = '\0';
			a->rc = 0;
		}
	} else if (write(fd, value, strlen(value)) < 0) {
		sl_fail(&a->err, SL_E_KERNEL, 0, "cannot write '%s' to %s (network namespace %s): %s", value, path,
			where(netns), strerror(errno));
	} else {
		a->rc = 0;
	}
	close(fd);
}

/* run child() in a child process; its answer comes back through a pipe */
static int run(const char *netns, enum netsys_op op, const char *dev, const char *rel, const char *value,
	       struct answer *a, struct sl_error *err)
{
	int fds[2], status;
	ssize_t got = 0;
	pid_t pid;

	memset(a, 0, sizeof(*a));
	if (strchr(dev, '/') || !*dev || (rel && strstr(rel, "..")))
		return sl_fail(err, SL_E_USAGE, 0, "'%s' is not a device name", dev);
	if (pipe2(fds, O_CLOEXEC))
		return sl_fail(err, SL_E_KERNEL, 0, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return sl_fail(err, SL_E_KERNEL, 0, "fork: %s", strerror(errno));
	}
	if (!pid) {
		close(fds[0]);
		child(netns, op, dev, rel, value, a);
		_exit(write(fds[1], a, sizeof(*a)) == (ssize_t)sizeof(*a) ? 0 : 1);
	}
	close(fds[1]);
	while (got < (ssize_t)sizeof(*a)) {
		ssize_t n = read(fds[0], (char *)a + got, sizeof(*a) - (size_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != (ssize_t)sizeof(*a))
		return sl_fail(err, SL_E_KERNEL, 0, "device %s: the sysfs helper process gave no answer", dev);
	if (a->rc) {
		*err = a->err;
		return -1;
	}
	return 0;
}

int sl_netsys_read(const char *netns, const char *dev, const char *rel, char *out, size_t size,
		   struct sl_error *err)
{
	struct answer a;

	if (run(netns, NS_READ, dev, rel, NULL, &a, err))
		return -1;
	snprintf(out, size, "%s", a.value);
	return 0;
}

int sl_netsys_write(const char *netns, const char *dev, const char *rel, const char *value, struct sl_error *err)
{
	struct answer a;

	return run(netns, NS_WRITE, dev, rel, value, &a, err);
}

int sl_netsys_txqueues(const char *netns, const char *dev, struct sl_error *err)
{
	struct answer a;

	if (run(netns, NS_TXQ, dev, NULL, NULL, &a, err))
		return -1;
	return a.count;
}

/* --- records ------------------------------------------------------------------------------ */

static int rec_fd = -1;
static char rec_root[256];

/* the map of pin_root, opened (and with `create`, made) on first use */
static int records(const char *pin_root, bool create, struct sl_error *err)
{
	size_t size;
	const void *elf = netsys_bpf__elf_bytes(&size);

	if (rec_fd >= 0 && !strcmp(rec_root, pin_root))
		return rec_fd;
	if (rec_fd >= 0)
		close(rec_fd);
	snprintf(rec_root, sizeof(rec_root), "%s", pin_root);
	rec_fd = sl_obj_pinned_map("netsys", elf, size, SL_STR(SL_NETSYS_MAP), pin_root, create, err);
	return rec_fd;
}

static struct sl_netsys_key key_of(const char *netns, const char *dev, const char *rel)
{
	struct sl_netsys_key k;

	memset(&k, 0, sizeof(k));
	sl_place_set(&k.dev, netns ? netns : "", dev, 0);
	snprintf(k.file, sizeof(k.file), "%s", rel);
	return k;
}

int sl_netsys_set(const char *pin_root, const char *netns, const char *dev, const char *rel, const char *value,
		  int ntxq, struct sl_error *err)
{
	struct sl_netsys_key k = key_of(netns, dev, rel);
	struct sl_netsys_rec r;
	int fd = records(pin_root, true, err);
	bool fresh;

	if (fd < 0)
		return -1;
	if (strlen(rel) >= sizeof(k.file) || strlen(value) >= sizeof(r.set))
		return sl_fail(err, SL_E_USAGE, 0, "dev %s: %s: name or value too long to record", dev, rel);
	fresh = bpf_map_lookup_elem(fd, &k, &r) != 0;
	if (fresh) {
		memset(&r, 0, sizeof(r));
		if (sl_netsys_read(netns, dev, rel, r.orig, sizeof(r.orig), err))
			return -1;
	}
	snprintf(r.set, sizeof(r.set), "%s", value);
	r.ntxq = (__u32)ntxq;
	/* recorded before the write: a daemon killed between the two still
	 * knows what to put back */
	if (bpf_map_update_elem(fd, &k, &r, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "dev %s: cannot record %s: %s", dev, rel, strerror(errno));
	if (sl_netsys_write(netns, dev, rel, value, err)) {
		if (fresh)
			bpf_map_delete_elem(fd, &k);
		return -1;
	}
	return 0;
}

int sl_netsys_restore(const char *pin_root, const char *netns, const char *dev, const char *rel,
		      struct sl_error *err)
{
	struct sl_netsys_key k = key_of(netns, dev, rel);
	struct sl_netsys_rec r;
	int fd = records(pin_root, false, err);

	if (fd < 0 || bpf_map_lookup_elem(fd, &k, &r))
		return 0;
	/* a device or namespace that is gone (SL_E_USAGE) took the value with
	 * it; a file that refused the value keeps its record */
	if (sl_netsys_write(netns, dev, rel, r.orig, err) && err->code != SL_E_USAGE)
		return -1;
	bpf_map_delete_elem(fd, &k);
	return 0;
}

int sl_netsys_records(const char *pin_root, struct sl_netsys_key *keys, struct sl_netsys_rec *recs, int max)
{
	int fd = records(pin_root, false, NULL), n = 0;
	struct sl_netsys_key *all;
	size_t nall;

	if (fd < 0)
		return 0;
	all = sl_map_keys(fd, &nall);
	for (size_t i = 0; all && i < nall && n < max; i++)
		if (!bpf_map_lookup_elem(fd, &all[i], &recs[n]))
			keys[n++] = all[i];
	free(all);
	return n;
}

int sl_netsys_cleanup(const char *pin_root, struct sl_error *err)
{
	static struct sl_netsys_key keys[SL_NETSYS_RECS];
	static struct sl_netsys_rec recs[SL_NETSYS_RECS];
	int n = sl_netsys_records(pin_root, keys, recs, SL_NETSYS_RECS);

	for (int i = 0; i < n; i++) {
		char netns[64], dev[32];
		uint32_t ifindex;

		sl_place_get(&keys[i].dev, netns, sizeof(netns), dev, sizeof(dev), &ifindex);
		keys[i].file[sizeof(keys[i].file) - 1] = '\0';
		/* one that cannot be put back is said, and cleanup goes on */
		if (sl_netsys_restore(pin_root, netns, dev, keys[i].file, err))
			sl_warn("cleanup: dev %s: %s: cannot put back '%s': %s", dev, keys[i].file, recs[i].orig,
				err->msg);
	}
	if (rec_fd >= 0)
		close(rec_fd);
	rec_fd = -1;
	return 0;
}
