#include "lib/tc.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/pin.h"
#include "lib/attach.h"
#include "lib/bpf_info.h"
#include "lib/bpf_obj.h"
#include "lib/netns.h"
#include "tc_filters.skel.h"

#define REC_PIN SL_STR(SL_TC_FILTERS_MAP)

static const char *side(const struct sl_tc_filter *f)
{
	return f->egress ? "egress" : "ingress";
}

/* --- filters ------------------------------------------------------------------------ */

static void hook_of(const struct sl_tc_filter *f, struct bpf_tc_hook *h)
{
	memset(h, 0, sizeof(*h));
	h->sz = sizeof(*h);
	h->ifindex = (int)f->dev.ifindex;
	h->attach_point = f->egress ? BPF_TC_EGRESS : BPF_TC_INGRESS;
}

int sl_tc_filter_attach(struct sl_tc_filter *f, int prog_fd, bool replace, struct sl_error *err)
{
	struct bpf_tc_hook hook;
	LIBBPF_OPTS(bpf_tc_opts, o, .prog_fd = prog_fd, .handle = f->handle, .priority = f->priority,
		    .flags = replace ? BPF_TC_F_REPLACE : 0);
	int self, rc;

	if (sl_netns_enter(f->dev.netns, &self, err))
		return -1;
	hook_of(f, &hook);
	rc = bpf_tc_hook_create(&hook);
	if (rc && rc != -EEXIST) {
		sl_netns_leave(self);
		return sl_fail(err, SL_E_KERNEL, 0, "dev %s: cannot add a clsact qdisc for the tc %s program: %s",
			       f->dev.dev, side(f), strerror(-rc));
	}
	rc = bpf_tc_attach(&hook, &o);
	sl_netns_leave(self);
	errno = -rc; /* for callers that tell a gone device (ENODEV) apart */
	if (rc == -EEXIST)
		return sl_fail(err, SL_E_KERNEL, 0,
			       "dev %s: a tc %s filter is at sluice's place already (pref %u handle 0x%x): "
			       "another sluice daemon's, or one left behind (sluiced --cleanup, or tc filter del)",
			       f->dev.dev, side(f), f->priority, f->handle);
	if (rc)
		return sl_fail(err, SL_E_KERNEL, 0, "dev %s: cannot attach the tc %s program: %s", f->dev.dev, side(f),
			       strerror(-rc));
	f->prog_id = o.prog_id;
	return 0;
}

int sl_tc_filter_query(const struct sl_tc_filter *f, uint32_t *prog_id)
{
	struct bpf_tc_hook hook;
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = f->handle, .priority = f->priority);
	struct sl_error e = { 0 };
	int self, rc;

	if (sl_netns_enter(f->dev.netns, &self, &e))
		return -1;
	hook_of(f, &hook);
	rc = bpf_tc_query(&hook, &o);
	sl_netns_leave(self);
	if (rc) {
		errno = -rc;
		return -1;
	}
	*prog_id = o.prog_id;
	return 0;
}

bool sl_tc_filter_ours(const struct sl_tc_filter *f)
{
	uint32_t id;

	return !sl_tc_filter_query(f, &id) && id == f->prog_id;
}

void sl_tc_filter_detach(const struct sl_tc_filter *f)
{
	struct bpf_tc_hook hook;
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = f->handle, .priority = f->priority);
	struct sl_error e = { 0 };
	int self, rc;

	/* someone else's filter at our place (or none) stays as it is */
	if (!sl_tc_filter_ours(f) || sl_netns_enter(f->dev.netns, &self, &e))
		return;
	hook_of(f, &hook);
	rc = bpf_tc_detach(&hook, &o);
	sl_netns_leave(self);
	if (rc && rc != -ENOENT)
		sl_warn("dev %s: cannot remove the tc %s filter (pref %u handle 0x%x): %s", f->dev.dev, side(f),
			f->priority, f->handle, strerror(-rc));
}

/* --- records ----------------------------------------------------------------------------- */

/* the map of pin_root, opened (and with `create`, made) on first use */
static int rec_fd = -1;
static char rec_root[256];

static int records(const char *pin_root, bool create, struct sl_error *err)
{
	size_t size;
	const void *elf = tc_filters_bpf__elf_bytes(&size);

	if (rec_fd >= 0 && !strcmp(rec_root, pin_root))
		return rec_fd;
	if (rec_fd >= 0)
		close(rec_fd);
	snprintf(rec_root, sizeof(rec_root), "%s", pin_root);
	rec_fd = sl_obj_pinned_map("tc", elf, size, REC_PIN, pin_root, create, err);
	return rec_fd;
}

static struct sl_tc_name key_of(const char *name)
{
	struct sl_tc_name k = { 0 };

	snprintf(k.name, sizeof(k.name), "%s", name);
	return k;
}

int sl_tc_record_put(const char *pin_root, const char *name, const struct sl_tc_filter *f, struct sl_error *err)
{
	struct sl_tc_name k = key_of(name);
	int fd = records(pin_root, true, err);

	if (fd < 0)
		return -1;
	if (bpf_map_update_elem(fd, &k, f, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "dev %s: cannot record its tc filter: %s", f->dev.dev,
			       strerror(errno));
	return 0;
}

int sl_tc_record_get(const char *pin_root, const char *name, struct sl_tc_filter *f)
{
	struct sl_tc_name k = key_of(name);
	int fd = records(pin_root, false, NULL);

	return fd < 0 ? -1 : bpf_map_lookup_elem(fd, &k, f);
}

void sl_tc_record_del(const char *pin_root, const char *name)
{
	struct sl_tc_name k = key_of(name);
	int fd = records(pin_root, false, NULL);

	if (fd >= 0)
		bpf_map_delete_elem(fd, &k);
}

int sl_tc_record_names(const char *pin_root, const char *prefix, struct sl_tc_name *out, int max)
{
	int fd = records(pin_root, false, NULL), n = 0;
	size_t nkeys;
	struct sl_tc_name *keys = fd < 0 ? NULL : sl_map_keys(fd, &nkeys);

	for (size_t i = 0; keys && i < nkeys && n < max; i++)
		if (!strncmp(keys[i].name, prefix, strlen(prefix)))
			out[n++] = keys[i];
	free(keys);
	return n;
}

int sl_tc_cleanup(const char *pin_root, struct sl_error *err)
{
	int fd = sl_pin_open(pin_root, SL_PIN_MAPS, REC_PIN);
	struct sl_tc_name *keys;
	size_t n;

	(void)err;
	if (fd < 0)
		return 0; /* no legacy filter was ever made here */
	keys = sl_map_keys(fd, &n);
	for (size_t i = 0; keys && i < n; i++) {
		struct sl_tc_filter f;

		if (bpf_map_lookup_elem(fd, &keys[i], &f))
			continue;
		if (sl_tc_filter_ours(&f))
			sl_tc_filter_detach(&f);
		else
			sl_info("cleanup: %.*s: its tc filter is gone or runs another program; left as it is",
				(int)sizeof(keys[i].name), keys[i].name);
		bpf_map_delete_elem(fd, &keys[i]);
	}
	free(keys);
	close(fd);
	return 0;
}
