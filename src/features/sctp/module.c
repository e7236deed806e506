/* SCTP multihoming: the daemon module. The state is the tracked devices
 * and the idle timeout. apply() checks that every device is there before
 * it changes anything, then gives each new device a slot (recorded in
 * sl_sctp_dev_v1 with its zone, so a restart finds both), loads its
 * namespace's programs once (the zone in read-only data) and attaches the
 * XDP program to its ingress and the tc program to its egress. Devices no
 * longer tracked lose both; a namespace left with none loses its
 * associations. Every second, associations idle past the timeout go. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/pin.h"
#include "lib/bpf_info.h"
#include "lib/bpf_obj.h"
#include "lib/kernel.h"
#include "lib/netns.h"
#include "lib/place.h"
#include "lib/setref.h"
#include "features/sctp/sctp.h"
#include "sctp.skel.h"

const char *const sctp_map_names[SCM_COUNT] = {
	[SCM_ASSOC] = SL_STR(SL_SCTP_ASSOC_MAP),
	[SCM_TAG] = SL_STR(SL_SCTP_TAG_MAP),
	[SCM_STATS] = SL_STR(SL_SCTP_STATS_MAP),
	[SCM_DEV] = SL_STR(SL_SCTP_DEV_MAP),
	[SCM_POLICY] = SL_STR(SL_SCTP_POLICY_MAP),
	[SCM_SETDIR] = SL_STR(SL_SET_DIR_MAP),
	[SCM_SETUSE] = SL_STR(SL_SET_USE_MAP),
};

void sctp_link_name(int slot, bool egress, char *out, size_t size)
{
	snprintf(out, size, SL_SCTP_LINK_PREFIX "%d%c", slot, egress ? 'e' : 'i');
}

int sctp_zone_of(const struct sctp_priv *p, const char *netns)
{
	for (int k = 0; k < SL_SCTP_DEVS; k++)
		if (p->dev[k].used && !strcmp(p->dev[k].netns, netns))
			return (int)p->dev[k].zone;
	return -1;
}

const char *sctp_zone_netns(const struct sctp_priv *p, uint32_t zone)
{
	for (int k = 0; k < SL_SCTP_DEVS; k++)
		if (p->dev[k].used && p->dev[k].zone == zone)
			return p->dev[k].netns;
	return NULL;
}

static void save(void *priv, const void *st, FILE *out)
{
	(void)priv;
	sctp_save_state(st, out);
}

/* --- maps, slots, zones ------------------------------------------------------ */

static int open_maps(const struct sl_env *env, struct sctp_priv *p, struct sl_error *err)
{
	struct sctp_bpf *skel;

	if (p->base)
		return 0;
	skel = sctp_bpf__open();
	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "sctp: cannot open the BPF object: %s", strerror(errno));
	if (sl_obj_load_maps("sctp", skel->obj, env->pin_root, err) ||
	    sl_obj_map_fds("sctp", skel->obj, sctp_map_names, SCM_COUNT, p->map_fd, err)) {
		sctp_bpf__destroy(skel);
		return -1;
	}
	p->base = skel->obj;
	skel->obj = NULL;
	sctp_bpf__destroy(skel);
	/* what a daemon before this one attached */
	for (__u32 k = 0; k < SL_SCTP_DEVS; k++) {
		struct sctp_devp *d = &p->dev[k];
		struct sl_sctp_dev rec;
		uint32_t ifindex;
		char name[32];

		if (bpf_map_lookup_elem(p->map_fd[SCM_DEV], &k, &rec) || !rec.used || rec.zone >= SL_SCTP_ZONES)
			continue;
		d->used = true;
		d->zone = rec.zone;
		sl_place_get(&rec.dev, d->netns, sizeof(d->netns), d->dev, sizeof(d->dev), &ifindex);
		sctp_link_name((int)k, false, name, sizeof(name));
		if (sl_att_adopt(&d->xdp, env->pin_root, name))
			sl_att_init(&d->xdp);
		sctp_link_name((int)k, true, name, sizeof(name));
		if (sl_att_adopt(&d->tc, env->pin_root, name))
			sl_att_init(&d->tc);
		/* its policy entry, if it had one */
		struct sl_sctp_pol_key pk = { .zone = d->zone, .ifindex = sl_att_ifindex(&d->xdp) };
		struct sl_set_name set;

		if (pk.ifindex && !bpf_map_lookup_elem(p->map_fd[SCM_POLICY], &pk, &set))
			d->pol_ifindex = pk.ifindex;
	}
	return 0;
}

static int find_dev(const struct sctp_priv *p, const char *netns, const char *dev)
{
	for (int k = 0; k < SL_SCTP_DEVS; k++)
		if (p->dev[k].used && !strcmp(p->dev[k].netns, netns) && !strcmp(p->dev[k].dev, dev))
			return k;
	return -1;
}

/* the lowest zone no slot has, its counters zeroed */
static int new_zone(struct sctp_priv *p)
{
	for (uint32_t z = 0; z < SL_SCTP_ZONES; z++) {
		if (sctp_zone_netns(p, z))
			continue;
		for (__u32 c = 0; c < SL_SCTP_C_COUNT; c++) {
			__u32 row = z * SL_SCTP_C_COUNT + c;

			sl_percpu_zero(p->map_fd[SCM_STATS], &row, sizeof(__u64));
		}
		return (int)z;
	}
	return -1;
}

static int take_slot(struct sctp_priv *p, const struct sctp_dev_cfg *c, struct sl_error *err)
{
	struct sl_sctp_dev rec = { 0 };
	int zone = sctp_zone_of(p, c->netns);
	__u32 k;

	for (k = 0; k < SL_SCTP_DEVS && p->dev[k].used; k++)
		;
	if (k == SL_SCTP_DEVS)
		return sl_fail(err, SL_E_USAGE, 0, "sctp: at most %d devices", SL_SCTP_DEVS);
	if (zone < 0)
		zone = new_zone(p);
	if (zone < 0)
		return sl_fail(err, SL_E_USAGE, 0, "sctp: devices in at most %d network namespaces", SL_SCTP_ZONES);
	sl_place_set(&rec.dev, c->netns, c->dev, 0);
	rec.used = 1;
	rec.zone = (__u32)zone;
	if (bpf_map_update_elem(p->map_fd[SCM_DEV], &k, &rec, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "sctp: cannot write %s: %s", sctp_map_names[SCM_DEV], strerror(errno));
	p->dev[k].used = true;
	p->dev[k].zone = (uint32_t)zone;
	snprintf(p->dev[k].netns, sizeof(p->dev[k].netns), "%s", c->netns);
	snprintf(p->dev[k].dev, sizeof(p->dev[k].dev), "%s", c->dev);
	return (int)k;
}

/* every association of the zone, and Z's index entries, gone */
static void purge_zone(struct sctp_priv *p, uint32_t zone)
{
	for (int m = SCM_ASSOC; m <= SCM_TAG; m++) {
		struct sl_sctp_key key, next;
		void *at = NULL;

		while (!bpf_map_get_next_key(p->map_fd[m], at, &next)) {
			key = next;
			if (key.zone == zone && !bpf_map_delete_elem(p->map_fd[m], &key))
				at = NULL; /* deleted: from the start again */
			else
				at = &key;
		}
	}
}

static void free_slot(struct sctp_priv *p, __u32 k)
{
	struct sctp_devp *d = &p->dev[k];
	struct sl_sctp_dev rec = { 0 };
	uint32_t zone = d->zone;

	if (d->pol_ifindex) {
		struct sl_sctp_pol_key pk = { .zone = zone, .ifindex = d->pol_ifindex };

		bpf_map_delete_elem(p->map_fd[SCM_POLICY], &pk);
	}
	if (sl_att_held(&d->xdp))
		sl_att_detach(&d->xdp);
	if (sl_att_held(&d->tc))
		sl_att_detach(&d->tc);
	bpf_map_update_elem(p->map_fd[SCM_DEV], &k, &rec, BPF_ANY);
	memset(d, 0, sizeof(*d));
	sl_att_init(&d->xdp);
	sl_att_init(&d->tc);
	if (!sctp_zone_netns(p, zone))
		purge_zone(p, zone);
}

/* the zone's programs, loaded by this daemon (again with `fresh`) */
static int zone_progs(struct sctp_priv *p, uint32_t zone, bool fresh, struct sl_error *err)
{
	struct sctp_zone *z = &p->zone[zone];
	struct sctp_bpf *skel;
	int rc = 0;

	if (!fresh && z->xdp_fd >= 0)
		return 0;
	skel = sctp_bpf__open();
	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "sctp: cannot open the BPF object: %s", strerror(errno));
	skel->rodata->sl_sctp_zone = zone;
	if (sl_obj_load_instance(skel->obj, p->base, "sctp", "cannot load the tracking programs", err)) {
		sctp_bpf__destroy(skel);
		return -1;
	}
	if (z->xdp_fd >= 0)
		close(z->xdp_fd);
	if (z->tc_fd >= 0)
		close(z->tc_fd);
	z->xdp_fd = fcntl(bpf_program__fd(skel->progs.sl_sctp_xdp), F_DUPFD_CLOEXEC, 0);
	z->tc_fd = fcntl(bpf_program__fd(skel->progs.sl_sctp_tc), F_DUPFD_CLOEXEC, 0);
	if (z->xdp_fd < 0 || z->tc_fd < 0)
		rc = sl_fail(err, SL_E_KERNEL, 0, "sctp: cannot keep the tracking programs: %s", strerror(errno));
	sctp_bpf__destroy(skel);
	return rc;
}

/* the device is there, in its namespace */
static int check_dev(const struct sctp_dev_cfg *c, struct sl_error *err)
{
	int self, rc = 0;

	if (sl_netns_enter(c->netns, &self, err))
		return -1;
	if (!if_nametoindex(c->dev))
		rc = sl_fail(err, SL_E_USAGE, 0, "sctp track: no device '%s'%s%s", c->dev,
			     c->netns[0] ? " in network namespace " : "", c->netns);
	sl_netns_leave(self);
	return rc;
}

/* both programs on the slot's device, or in place of the ones there */
static int attach_slot(const struct sl_env *env, struct sctp_priv *p, int k, bool replace, struct sl_error *err)
{
	struct sctp_devp *d = &p->dev[k];
	const struct sctp_zone *z = &p->zone[d->zone];
	char iname[32], ename[32];
	unsigned ifindex;
	int self, rc = 0;

	for (int e = 0; e < 2; e++) {
		struct sl_att *a = e ? &d->tc : &d->xdp;

		if (sl_att_held(a) && !sl_att_ifindex(a))
			sl_att_detach(a); /* the device went; it may be back under its name */
	}
	if (sl_att_held(&d->xdp) && sl_att_held(&d->tc)) {
		if (!replace)
			return 0;
		if (sl_att_replace(&d->xdp, z->xdp_fd) || sl_att_replace(&d->tc, z->tc_fd))
			return sl_fail(err, SL_E_KERNEL, 0, "sctp: dev %s: cannot replace the tracking programs: %s", d->dev,
				       strerror(errno));
		return 0;
	}
	sctp_link_name(k, false, iname, sizeof(iname));
	sctp_link_name(k, true, ename, sizeof(ename));
	if (sl_netns_enter(d->netns, &self, err))
		return -1;
	ifindex = if_nametoindex(d->dev);
	if (!ifindex)
		rc = sl_fail(err, SL_E_USAGE, 0, "sctp: no device '%s'", d->dev);
	if (!rc && !sl_att_held(&d->xdp))
		rc = sl_att_xdp(&d->xdp, env->pin_root, iname, z->xdp_fd, (int)ifindex, d->dev, err);
	if (!rc && !sl_att_held(&d->tc))
		rc = sl_att_tc(&d->tc, env->pin_root, ename, d->netns, (int)ifindex, true, SL_TC_OWNER_SCTP, z->tc_fd,
			       d->dev, err);
	sl_netns_leave(self);
	return rc;
}

static int check_pins(const struct sl_env *env, struct sl_error *err)
{
	struct sctp_bpf *skel = sctp_bpf__open();
	int rc;

	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "sctp: cannot open the BPF object: %s", strerror(errno));
	rc = sl_pin_check_maps(skel->obj, env->pin_root, err);
	sctp_bpf__destroy(skel);
	return rc;
}

static bool any_used(const struct sctp_priv *p)
{
	for (int k = 0; k < SL_SCTP_DEVS; k++)
		if (p->dev[k].used)
			return true;
	return false;
}

/* links of slots whose record was lost */
static void detach_orphans(const char *pin_root)
{
	struct sl_tc_name names[2 * SL_SCTP_DEVS];
	int n = sl_att_names(pin_root, SL_SCTP_LINK_PREFIX, names, 2 * SL_SCTP_DEVS);

	for (int i = 0; i < n; i++) {
		struct sl_att a;

		if (!sl_att_adopt(&a, pin_root, names[i].name))
			sl_att_detach(&a);
	}
}

/* every set a policy names is there and holds addresses (a command's; a
 * config's are looked up by the programs as they come: the sets feature
 * applies its part of a config after this one) */
static int check_sets(const struct sctp_priv *p, const struct sctp_state *s, struct sl_error *err)
{
	for (int i = 0; i < s->n; i++) {
		struct sl_set_dirent d;
		__u8 key_class;

		if (!s->dev[i].set[0])
			continue;
		if (sl_setref_find(p->map_fd[SCM_SETDIR], s->dev[i].set, &d))
			return sl_fail(err, SL_E_USAGE, 0, "sctp policy: the set with the given name does not exist: %s",
				       s->dev[i].set);
		key_class = sl_set_key_class(d.cls);
		if (key_class != SL_CLASS_IP4 && key_class != SL_CLASS_IP6 && key_class != SL_CLASS_NET4 &&
		    key_class != SL_CLASS_NET6)
			return sl_fail(err, SL_E_USAGE, 0,
				       "sctp policy allow-set %s: the set holds more than addresses; an INIT's source "
				       "is matched against hash:ip and hash:net sets", s->dev[i].set);
	}
	return 0;
}

/* the device's policy entry as the state has it (by the ifindex it is on now) */
static int write_policy(struct sctp_priv *p, int k, const char *set, struct sl_error *err)
{
	struct sctp_devp *d = &p->dev[k];
	struct sl_sctp_pol_key pk = { .zone = d->zone, .ifindex = d->pol_ifindex };
	struct sl_set_name name = { 0 };

	if (d->pol_ifindex && (!set[0] || d->pol_ifindex != sl_att_ifindex(&d->xdp)))
		bpf_map_delete_elem(p->map_fd[SCM_POLICY], &pk);
	d->pol_ifindex = 0;
	if (!set[0])
		return 0;
	pk.ifindex = sl_att_ifindex(&d->xdp);
	snprintf(name.name, sizeof(name.name), "%s", set);
	if (!pk.ifindex || bpf_map_update_elem(p->map_fd[SCM_POLICY], &pk, &name, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "sctp policy: dev %s: cannot write %s: %s", d->dev,
			       sctp_map_names[SCM_POLICY], strerror(errno));
	d->pol_ifindex = pk.ifindex;
	return 0;
}

/* the use map: which sets sctp's policies name */
static int publish_sets(struct sctp_priv *p, const struct sctp_state *s, struct sl_error *err)
{
	const char *names[SL_SCTP_DEVS];
	int n = 0;

	for (int i = 0; i < s->n; i++)
		if (s->dev[i].set[0])
			names[n++] = s->dev[i].set;
	return sl_setref_publish(p->map_fd[SCM_SETUSE], "sctp", names, n, err);
}

/* what the programs need of the kernel */
static const enum sl_kcap sctp_kcaps[] = { SL_KCAP_BPF_LOOP, SL_KCAP_XDP_LOAD_BYTES };

static int apply(const struct sl_env *env, void *priv, const void *st, bool replace, struct sl_error *err)
{
	const struct sctp_state *s = st;
	struct sctp_priv *p = priv;
	bool made[SL_SCTP_DEVS] = { false }, keep[SL_SCTP_DEVS] = { false }, loaded[SL_SCTP_ZONES] = { false };
	struct sl_tc_name names[1];

	p->pin_root = env->pin_root;
	if (check_pins(env, err))
		return -1;
	/* chunks are walked by bpf_loop, read by bpf_xdp_load_bytes at XDP */
	for (size_t i = 0; s->n && i < sizeof(sctp_kcaps) / sizeof(sctp_kcaps[0]); i++)
		if (!sl_kernel_has(sctp_kcaps[i]))
			return sl_fail(err, SL_E_KERNEL, 0, "sctp: the kernel cannot walk SCTP chunks: it %s",
				       sl_kcap_needs(sctp_kcaps[i]));
	if (!s->n && !p->base && !sl_att_names(env->pin_root, SL_SCTP_LINK_PREFIX, names, 1))
		goto done; /* never tracked: pin nothing */
	for (int i = 0; i < s->n; i++)
		if (check_dev(&s->dev[i], err))
			return -1;
	if (open_maps(env, p, err) || (env->interactive && check_sets(p, s, err)))
		return -1;
	for (int i = 0; i < s->n; i++) {
		const struct sctp_dev_cfg *c = &s->dev[i];
		int k = find_dev(p, c->netns, c->dev);

		if (k < 0) {
			k = take_slot(p, c, err);
			if (k < 0)
				goto undo;
			made[k] = true;
		}
		keep[k] = true;
		if (zone_progs(p, p->dev[k].zone, replace && !loaded[p->dev[k].zone], err) ||
		    attach_slot(env, p, k, replace, err) || write_policy(p, k, c->set, err))
			goto undo;
		loaded[p->dev[k].zone] = true;
	}
	/* committed: devices no longer tracked lose their programs */
	for (int k = 0; k < SL_SCTP_DEVS; k++)
		if (p->dev[k].used && !keep[k])
			free_slot(p, (__u32)k);
	if (!any_used(p))
		detach_orphans(env->pin_root);
	if (publish_sets(p, s, err))
		return -1;
done:
	p->applied = *s;
	return 0;
undo:
	for (int k = 0; k < SL_SCTP_DEVS; k++)
		if (made[k])
			free_slot(p, (__u32)k);
	return -1;
}

/* --- the idle sweep --------------------------------------------------------- */

static void count_expired(struct sctp_priv *p, uint32_t zone, __u64 n)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 row = zone * SL_SCTP_C_COUNT + SL_SCTP_C_EXPIRED;
	__u64 *v;

	if (ncpu <= 0 || !(v = calloc((size_t)ncpu, sizeof(*v))))
		return;
	/* only the daemon writes this row: no update of the programs' is lost */
	if (!bpf_map_lookup_elem(p->map_fd[SCM_STATS], &row, v)) {
		v[0] += n;
		bpf_map_update_elem(p->map_fd[SCM_STATS], &row, v, BPF_ANY);
	}
	free(v);
}

static void sweep(void *priv)
{
	struct sctp_priv *p = priv;
	static struct sl_sctp_key old[SL_SCTP_ASSOCS];
	static struct sl_sctp_assoc a;
	struct sl_sctp_key key, next;
	__u64 expired[SL_SCTP_ZONES] = { 0 };
	struct timespec ts;
	__u64 now, limit;
	int n = 0;

	if (!p->base || clock_gettime(CLOCK_MONOTONIC, &ts)) /* bpf_ktime_get_ns()'s clock */
		return;
	now = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	limit = (__u64)p->applied.timeout_s * 1000000000ull;
	for (void *at = NULL; n < SL_SCTP_ASSOCS && !bpf_map_get_next_key(p->map_fd[SCM_ASSOC], at, &next);
	     at = &key) {
		key = next;
		if (!bpf_map_lookup_elem(p->map_fd[SCM_ASSOC], &key, &a) && now > a.last_seen &&
		    now - a.last_seen > limit)
			old[n++] = key;
	}
	for (int i = 0; i < n; i++) {
		struct sl_sctp_key zkey = { .zone = old[i].zone, .rport = old[i].sport, .sport = old[i].rport };

		if (bpf_map_lookup_elem(p->map_fd[SCM_ASSOC], &old[i], &a))
			continue;
		zkey.tag = a.tag[1];
		if (a.tag[1])
			bpf_map_delete_elem(p->map_fd[SCM_TAG], &zkey);
		if (!bpf_map_delete_elem(p->map_fd[SCM_ASSOC], &old[i]) && old[i].zone < SL_SCTP_ZONES)
			expired[old[i].zone]++;
	}
	for (uint32_t z = 0; z < SL_SCTP_ZONES; z++)
		if (expired[z])
			count_expired(p, z, expired[z]);
}

static const struct sl_feature_timer timers[] = {
	{ .period_ms = 1000, .run = sweep },
	{ 0 },
};

static void release(void *priv)
{
	struct sctp_priv *p = priv;

	for (int k = 0; k < SL_SCTP_DEVS; k++) {
		sl_att_release(&p->dev[k].xdp);
		sl_att_release(&p->dev[k].tc);
	}
	for (int z = 0; z < SL_SCTP_ZONES; z++) {
		if (p->zone[z].xdp_fd >= 0)
			close(p->zone[z].xdp_fd);
		if (p->zone[z].tc_fd >= 0)
			close(p->zone[z].tc_fd);
		p->zone[z].xdp_fd = p->zone[z].tc_fd = -1;
	}
	bpf_object__close(p->base);
	p->base = NULL;
}

static void priv_init(void *priv)
{
	struct sctp_priv *p = priv;

	for (int i = 0; i < SCM_COUNT; i++)
		p->map_fd[i] = -1;
	for (int k = 0; k < SL_SCTP_DEVS; k++) {
		sl_att_init(&p->dev[k].xdp);
		sl_att_init(&p->dev[k].tc);
	}
	for (int z = 0; z < SL_SCTP_ZONES; z++)
		p->zone[z].xdp_fd = p->zone[z].tc_fd = -1;
	sctp_state_init(&p->applied);
}

const struct sl_feature sl_sctp_feature = {
	.name = "sctp",
	.state_size = sizeof(struct sctp_state),
	.priv_size = sizeof(struct sctp_priv),
	.priv_init = priv_init,
	.state_init = sctp_state_init,
	.apply = apply,
	.save = save,
	.status = sctp_status,
	.timers = timers,
	.release = release,
};
