#include "lib/attach.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/pin.h"
#include "lib/bpf_info.h"
#include "lib/kernel.h"
#include "lib/place.h"
#include "lib/tc.h"

/* the kernel's, newer than libbpf 1.1's headers */
#define SL_BPF_TCX_INGRESS 46
#define SL_BPF_TCX_EGRESS 47
#define SL_XDP_FLAGS_SKB_MODE (1U << 1)
#define SL_XDP_FLAGS_DRV_MODE (1U << 2)

void sl_att_init(struct sl_att *a)
{
	memset(a, 0, sizeof(*a));
	a->link_fd = -1;
}

static void name_it(struct sl_att *a, const char *pin_root, const char *name)
{
	sl_att_init(a);
	a->pin_root = pin_root;
	snprintf(a->name, sizeof(a->name), "%s", name);
}

static int link_pin(struct sl_att *a, const char *dev, struct sl_error *err)
{
	char path[512];

	sl_pin_path(path, sizeof(path), a->pin_root, SL_PIN_LINKS, a->name);
	unlink(path);
	if (!bpf_obj_pin(a->link_fd, path))
		return 0;
	sl_fail(err, SL_E_KERNEL, 0, "dev %s: pin %s: %s", dev, path, strerror(errno));
	close(a->link_fd); /* unpinned: closing detaches it */
	sl_att_init(a);
	return -1;
}

int sl_att_xdp(struct sl_att *a, const char *pin_root, const char *name, int prog_fd, int ifindex,
	       const char *dev, struct sl_error *err)
{
	LIBBPF_OPTS(bpf_link_create_opts, o, .flags = SL_XDP_FLAGS_DRV_MODE);

	name_it(a, pin_root, name);
	a->link_fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &o);
	a->mode = SL_ATTACH_XDP_NATIVE;
	if (a->link_fd < 0 && (errno == EOPNOTSUPP || errno == EINVAL)) {
		/* the driver has no XDP of its own: the generic hook, and say so */
		o.flags = SL_XDP_FLAGS_SKB_MODE;
		a->mode = SL_ATTACH_XDP_GENERIC;
		a->link_fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &o);
	}
	if (a->link_fd < 0) {
		sl_att_init(a);
		return sl_fail(err, SL_E_KERNEL, 0, "dev %s: cannot attach the XDP program: %s", dev, strerror(errno));
	}
	return link_pin(a, dev, err);
}

static int prog_id_of(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(prog_fd, &info, &len) ? -1 : (int)info.id;
}

/* the legacy filter: recorded first, so that a daemon killed in between
 * leaves a record --cleanup and the next start can act on, never a filter
 * no record names */
static int tc_filter(struct sl_att *a, const char *netns, int ifindex, bool egress, enum sl_tc_owner owner,
		     int prog_fd, const char *dev, struct sl_error *err)
{
	struct sl_tc_filter *f = &a->tc;
	int id = prog_id_of(prog_fd);

	if (id < 0)
		return sl_fail(err, SL_E_KERNEL, 0, "dev %s: cannot read the tc program's id: %s", dev, strerror(errno));
	sl_place_set(&f->dev, netns, dev, (uint32_t)ifindex);
	f->handle = SL_TC_HANDLE_BASE | owner;
	f->priority = SL_TC_PRIORITY;
	f->egress = egress;
	f->prog_id = (uint32_t)id;
	if (sl_tc_record_put(a->pin_root, a->name, f, err))
		return -1;
	if (sl_tc_filter_attach(f, prog_fd, false, err)) {
		sl_tc_record_del(a->pin_root, a->name);
		return -1;
	}
	a->mode = SL_ATTACH_TC;
	return 0;
}

int sl_att_tc(struct sl_att *a, const char *pin_root, const char *name, const char *netns, int ifindex,
	      bool egress, enum sl_tc_owner owner, int prog_fd, const char *dev, struct sl_error *err)
{
	name_it(a, pin_root, name);
	if (!sl_kernel_has(SL_KCAP_TCX)) {
		if (tc_filter(a, netns, ifindex, egress, owner, prog_fd, dev, err)) {
			sl_att_init(a);
			return -1;
		}
		return 0;
	}
	a->link_fd = bpf_link_create(prog_fd, ifindex,
				     (enum bpf_attach_type)(egress ? SL_BPF_TCX_EGRESS : SL_BPF_TCX_INGRESS), NULL);
	if (a->link_fd < 0) {
		sl_att_init(a);
		return sl_fail(err, SL_E_KERNEL, 0, "dev %s: cannot attach the tcx %s program: %s", dev,
			       egress ? "egress" : "ingress", strerror(errno));
	}
	a->mode = SL_ATTACH_TCX;
	return link_pin(a, dev, err);
}

int sl_att_replace(struct sl_att *a, int prog_fd)
{
	struct sl_tc_filter f = a->tc;
	struct sl_error e = { 0 };

	if (a->mode != SL_ATTACH_TC)
		return a->link_fd < 0 ? (errno = ENOLINK, -1) : bpf_link_update(a->link_fd, prog_fd, NULL);
	if (!sl_tc_filter_ours(&a->tc)) {
		errno = ENOLINK; /* as a link whose device went */
		return -1;
	}
	if (sl_tc_filter_attach(&f, prog_fd, true, &e))
		return -1; /* errno from the kernel's answer */
	a->tc = f;
	if (sl_tc_record_put(a->pin_root, a->name, &a->tc, &e))
		sl_warn("%s", e.msg); /* it runs; a restart will not adopt it */
	return 0;
}

int sl_att_adopt(struct sl_att *a, const char *pin_root, const char *name)
{
	name_it(a, pin_root, name);
	a->link_fd = sl_pin_open(pin_root, SL_PIN_LINKS, name);
	if (a->link_fd >= 0) {
		/* the link's own kind; XDP's native/generic is the caller's record */
		a->mode = SL_ATTACH_TCX;
		return 0;
	}
	if (sl_tc_record_get(pin_root, name, &a->tc)) {
		sl_att_init(a);
		return -1;
	}
	if (!sl_tc_filter_ours(&a->tc)) {
		/* gone with its device, or someone else's now: not ours to hold */
		sl_tc_record_del(pin_root, name);
		sl_att_init(a);
		return -1;
	}
	a->mode = SL_ATTACH_TC;
	return 0;
}

void sl_att_off(const struct sl_att *a)
{
	if (a->mode == SL_ATTACH_TC)
		sl_tc_filter_detach(&a->tc);
	else if (a->link_fd >= 0)
		bpf_link_detach(a->link_fd);
}

void sl_att_detach(struct sl_att *a)
{
	char path[512];

	sl_att_off(a);
	if (a->mode == SL_ATTACH_TC) {
		sl_tc_record_del(a->pin_root, a->name);
	} else if (a->link_fd >= 0) {
		sl_pin_path(path, sizeof(path), a->pin_root, SL_PIN_LINKS, a->name);
		unlink(path);
		close(a->link_fd);
	}
	sl_att_init(a);
}

void sl_att_release(struct sl_att *a)
{
	if (a->link_fd >= 0)
		close(a->link_fd);
	sl_att_init(a);
}

int sl_att_repin(struct sl_att *a)
{
	struct sl_error e = { 0 };
	char path[512];

	if (a->mode == SL_ATTACH_TC)
		return sl_tc_record_put(a->pin_root, a->name, &a->tc, &e);
	sl_pin_path(path, sizeof(path), a->pin_root, SL_PIN_LINKS, a->name);
	return a->link_fd < 0 ? -1 : bpf_obj_pin(a->link_fd, path);
}

int sl_att_names(const char *pin_root, const char *prefix, struct sl_tc_name *out, int max)
{
	int n = sl_tc_record_names(pin_root, prefix, out, max);
	char dir[512];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", pin_root, SL_PIN_LINKS);
	d = opendir(dir);
	while (d && (de = readdir(d)) && n < max) {
		bool seen = false;

		if (strncmp(de->d_name, prefix, strlen(prefix)) || strlen(de->d_name) >= SL_ATT_NAME_MAX)
			continue;
		for (int i = 0; i < n && !seen; i++)
			seen = !strcmp(out[i].name, de->d_name);
		if (!seen)
			snprintf(out[n++].name, SL_ATT_NAME_MAX, "%s", de->d_name);
	}
	if (d)
		closedir(d);
	return n;
}

int sl_att_prog_fd(const struct sl_att *a)
{
	if (a->mode == SL_ATTACH_TC)
		return bpf_prog_get_fd_by_id(a->tc.prog_id);
	return a->link_fd < 0 ? -1 : sl_link_prog_fd(a->link_fd);
}

uint32_t sl_att_ifindex(const struct sl_att *a)
{
	if (a->mode == SL_ATTACH_TC)
		return sl_tc_filter_ours(&a->tc) ? a->tc.dev.ifindex : 0;
	return a->link_fd < 0 ? 0 : sl_link_ifindex(a->link_fd);
}

uint32_t sl_att_link_id(const struct sl_att *a)
{
	return a->mode == SL_ATTACH_TC || a->link_fd < 0 ? 0 : sl_link_id(a->link_fd);
}

const char *sl_attach_mode_name(uint8_t mode)
{
	switch (mode) {
	case SL_ATTACH_XDP_NATIVE: return "xdp";
	case SL_ATTACH_XDP_GENERIC: return "xdp-generic";
	case SL_ATTACH_TCX: return "tcx";
	case SL_ATTACH_TC: return "tc";
	default: return "none";
	}
}
