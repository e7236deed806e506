/* Transmit steering: the daemon module. The state is the rules; apply()
 * checks every device they name (it exists, has the queues, the kernel's
 * own XPS does not take the rule's packets) before it changes anything,
 * then gives each device a slot (recorded in sl_xpsdev_v1, so a restart
 * finds it), writes the slot's rules into the bank its program does not
 * read and flips to it with one update, and attaches the program (a tcx
 * link, or a legacy filter) where it is not yet. Devices no rule names any
 * more lose their program. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "core/log.h"
#include "core/pin.h"
#include "lib/bpf_info.h"
#include "lib/bpf_obj.h"
#include "lib/cgroup.h"
#include "lib/setref.h"
#include "lib/kernel.h"
#include "lib/netns.h"
#include "lib/netsys.h"
#include "lib/place.h"
#include "lib/slots.h"
#include "features/xps/xps.h"
#include "xps.skel.h"

const char *const xps_map_names[XM_COUNT] = {
	[XM_RULES] = SL_STR(SL_XPS_RULES_MAP),   [XM_CONFIG] = SL_STR(SL_XPS_CONFIG_MAP),
	[XM_RSTATS] = SL_STR(SL_XPS_RSTATS_MAP), [XM_QSTATS] = SL_STR(SL_XPS_QSTATS_MAP),
	[XM_DEV] = SL_STR(SL_XPS_DEV_MAP),     [XM_SETDIR] = SL_STR(SL_SET_DIR_MAP),
	[XM_SETUSE] = SL_STR(SL_SET_USE_MAP),
};

static void state_init(void *st)
{
	memset(st, 0, sizeof(struct xps_state));
}

int xps_stage_add(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct xps_rule_cfg r;
	unsigned given;

	if (xps_rule_from_cmd(cmd, get_nprocs_conf(), &r, &given, err))
		return -1;
	return xps_state_add(st, &r, err);
}

int xps_stage_del(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct xps_rule_cfg r;
	unsigned given;

	if (xps_rule_from_cmd(cmd, get_nprocs_conf(), &r, &given, err))
		return -1;
	return xps_state_del(st, &r, given, err);
}

int xps_stage_cpus(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct xps_map_cfg m;

	if (xps_map_from_cmd(cmd, get_nprocs_conf(), &m, err))
		return -1;
	return xps_state_map_set(st, &m, err);
}

int xps_stage_del_cpus(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct xps_map_cfg m;

	if (xps_map_from_cmd(cmd, get_nprocs_conf(), &m, err))
		return -1;
	return xps_state_map_del(st, &m, err);
}

static void save(void *priv, const void *st, FILE *out)
{
	(void)priv;
	xps_save_state(st, out);
}

int xps_kernel_cover(const char *netns, const char *dev, int ntxq, __u64 cpus[SL_XPS_CPU_WORDS], char *what,
		     size_t size, struct sl_error *err)
{
	size_t len = 0;

	memset(cpus, 0, sizeof(__u64) * SL_XPS_CPU_WORDS);
	what[0] = '\0';
	for (int q = 0; q < ntxq; q++) {
		static const char *const files[] = { "xps_cpus", "xps_rxqs" };

		for (int f = 0; f < 2; f++) {
			char rel[64], val[SL_NETSYS_VALUE_MAX];
			__u64 m[SL_XPS_CPU_WORDS];
			bool any = false;

			snprintf(rel, sizeof(rel), "queues/tx-%d/%s", q, files[f]);
			if (sl_netsys_read(netns, dev, rel, val, sizeof(val), err))
				return -1;
			if (xps_cpumask_parse(val, m))
				return sl_fail(err, SL_E_KERNEL, 0, "dev %s: %s reads '%s', not a mask", dev, rel, val);
			for (int w = 0; w < SL_XPS_CPU_WORDS; w++)
				any |= m[w] != 0;
			if (!any)
				continue;
			for (int w = 0; w < SL_XPS_CPU_WORDS; w++)
				cpus[w] |= f ? ~0ull : m[w]; /* xps_rxqs: a socket's rx queue, any CPU */
			if (len < size)
				len += (size_t)snprintf(what + len, size - len, "%s%s = %s", len ? ", " : "", rel, val);
		}
	}
	return 0;
}

/* --- maps and device slots ------------------------------------------------ */

static int open_maps(const struct sl_env *env, struct xps_priv *p, struct sl_error *err)
{
	struct xps_bpf *skel;

	if (p->base)
		return 0;
	skel = xps_bpf__open();
	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "xps: cannot open the BPF object: %s", strerror(errno));
	if (sl_obj_load_maps("xps", skel->obj, env->pin_root, err) ||
	    sl_obj_map_fds("xps", skel->obj, xps_map_names, XM_COUNT, p->map_fd, err)) {
		xps_bpf__destroy(skel);
		return -1;
	}
	p->base = skel->obj;
	skel->obj = NULL;
	xps_bpf__destroy(skel);
	/* what a daemon before this one attached */
	p->pin_root = env->pin_root;
	for (__u32 k = 0; k < SL_XPS_DEVS; k++) {
		struct sl_xps_dev rec;
		struct xps_dev *d = &p->dev[k];
		char name[32];
		uint32_t ifindex;

		if (bpf_map_lookup_elem(p->map_fd[XM_DEV], &k, &rec) || !rec.used)
			continue;
		d->used = true;
		d->ntxq = (int)rec.ntxq;
		sl_place_get(&rec.dev, d->netns, sizeof(d->netns), d->dev, sizeof(d->dev), &ifindex);
		snprintf(name, sizeof(name), SL_XPS_LINK_PREFIX "%u", k);
		if (sl_att_adopt(&d->att, env->pin_root, name))
			sl_att_init(&d->att);
	}
	return 0;
}

static int find_dev(const struct xps_priv *p, const char *netns, const char *dev)
{
	for (int k = 0; k < SL_XPS_DEVS; k++)
		if (p->dev[k].used && !strcmp(p->dev[k].netns, netns) && !strcmp(p->dev[k].dev, dev))
			return k;
	return -1;
}

static int write_config(struct xps_priv *p, __u32 slot, const struct sl_xps_config *cfg, struct sl_error *err)
{
	if (bpf_map_update_elem(p->map_fd[XM_CONFIG], &slot, cfg, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "xps: cannot write %s: %s", xps_map_names[XM_CONFIG], strerror(errno));
	return 0;
}

/* Rule ids: a rule the live bank has (same selector) keeps its id and its
 * counter, after a restart too; a new one takes the lowest free id, its
 * counter zeroed. */
static void assign_ids(struct xps_priv *p, __u32 slot, struct sl_xps_rule *want, int n)
{
	struct sl_xps_config cfg = { 0 };
	struct sl_slots used = { 0 };
	static struct sl_xps_rule old[SL_XPS_RULES];
	static bool taken[SL_XPS_RULES];
	int nold = 0;

	if (!bpf_map_lookup_elem(p->map_fd[XM_CONFIG], &slot, &cfg))
		nold = (int)(cfg.nrules[cfg.bank & 1] < SL_XPS_RULES ? cfg.nrules[cfg.bank & 1] : SL_XPS_RULES);
	for (int j = 0; j < nold; j++) {
		__u32 k = (slot * 2 + (cfg.bank & 1)) * SL_XPS_RULES + (__u32)j;

		taken[j] = bpf_map_lookup_elem(p->map_fd[XM_RULES], &k, &old[j]) || old[j].id >= SL_XPS_RULES;
	}
	for (int i = 0; i < n; i++) {
		want[i].id = SL_XPS_RULES;
		for (int j = 0; j < nold; j++) {
			struct sl_xps_rule a = old[j], b = want[i];

			a.queue = b.queue = 0;
			a.id = b.id = 0;
			if (taken[j] || memcmp(&a, &b, sizeof(a)) || sl_slot_taken(&used, (int)old[j].id))
				continue;
			taken[j] = true;
			want[i].id = old[j].id;
			sl_slot_set(&used, (int)old[j].id, true);
			break;
		}
	}
	for (int i = 0; i < n; i++) {
		__u32 row;

		if (want[i].id < SL_XPS_RULES)
			continue;
		want[i].id = (uint32_t)sl_slot_take(&used, SL_XPS_RULES);
		row = slot * SL_XPS_RULES + want[i].id;
		sl_percpu_zero(p->map_fd[XM_RSTATS], &row, sizeof(__u64));
	}
}

/* the rules in the bank not in use, then the switch to it */
static int write_bank(struct xps_priv *p, __u32 slot, const struct sl_xps_rule *rules, int n, __u32 cg_levels,
		      struct sl_error *err)
{
	struct sl_xps_config cfg = { 0 };
	__u32 next;

	bpf_map_lookup_elem(p->map_fd[XM_CONFIG], &slot, &cfg);
	next = (cfg.bank & 1) ^ 1;
	for (int i = 0; i < n; i++) {
		__u32 k = (slot * 2 + next) * SL_XPS_RULES + (__u32)i;

		if (bpf_map_update_elem(p->map_fd[XM_RULES], &k, &rules[i], BPF_ANY))
			return sl_fail(err, SL_E_KERNEL, 0, "xps: cannot write rule %d: %s", i, strerror(errno));
	}
	cfg.bank = next;
	cfg.nrules[next] = (__u32)n;
	cfg.cg_levels = cg_levels;
	return write_config(p, slot, &cfg, err);
}

/* the slot's program, attached to its device or put in place of the one there */
static int attach_slot(const struct sl_env *env, struct xps_priv *p, int slot, bool replace, struct sl_error *err)
{
	struct xps_dev *d = &p->dev[slot];
	struct xps_bpf *skel;
	char name[32];
	int self, rc = 0, fd;
	unsigned ifindex;

	if (sl_att_held(&d->att) && !sl_att_ifindex(&d->att))
		sl_att_detach(&d->att); /* the device went; it may be back under its name */
	if (sl_att_held(&d->att) && d->prog_fd >= 0 && !replace)
		return 0;
	skel = xps_bpf__open();
	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "xps: cannot open the BPF object: %s", strerror(errno));
	skel->rodata->sl_xps_slot = (__u32)slot;
	if (sl_obj_load_instance(skel->obj, p->base, "xps", "cannot load the steering program", err)) {
		xps_bpf__destroy(skel);
		return -1;
	}
	fd = bpf_program__fd(skel->progs.sl_xps_tc);
	if (sl_att_held(&d->att)) {
		if (sl_att_replace(&d->att, fd))
			rc = sl_fail(err, SL_E_KERNEL, 0, "xps: dev %s: cannot replace the steering program: %s", d->dev,
				     strerror(errno));
	} else if (!(rc = sl_netns_enter(d->netns, &self, err))) {
		snprintf(name, sizeof(name), SL_XPS_LINK_PREFIX "%d", slot);
		ifindex = if_nametoindex(d->dev);
		if (!ifindex)
			rc = sl_fail(err, SL_E_USAGE, 0, "xps: no device '%s'", d->dev);
		else
			rc = sl_att_tc(&d->att, env->pin_root, name, d->netns, (int)ifindex, true, SL_TC_OWNER_XPS, fd,
				       d->dev, err);
		sl_netns_leave(self);
	}
	if (!rc) {
		if (d->prog_fd >= 0)
			close(d->prog_fd);
		d->prog_fd = dup(fd);
	}
	xps_bpf__destroy(skel);
	return rc;
}

/* the slot emptied, its program off its device, its record gone */
static void free_slot(struct xps_priv *p, __u32 slot)
{
	struct xps_dev *d = &p->dev[slot];
	struct sl_xps_config none = { 0 };
	struct sl_xps_dev rec = { 0 };
	struct sl_error ignore;

	write_config(p, slot, &none, &ignore);
	if (sl_att_held(&d->att))
		sl_att_detach(&d->att);
	bpf_map_update_elem(p->map_fd[XM_DEV], &slot, &rec, BPF_ANY);
	if (d->prog_fd >= 0)
		close(d->prog_fd);
	memset(d, 0, sizeof(*d));
	sl_att_init(&d->att);
	d->prog_fd = -1;
}

static int take_slot(struct xps_priv *p, const char *netns, const char *dev, int ntxq, struct sl_error *err)
{
	struct sl_xps_dev rec = { 0 };
	__u32 k;

	for (k = 0; k < SL_XPS_DEVS && p->dev[k].used; k++)
		;
	if (k == SL_XPS_DEVS)
		return sl_fail(err, SL_E_USAGE, 0, "xps: rules on at most %d devices", SL_XPS_DEVS);
	sl_place_set(&rec.dev, netns, dev, 0);
	rec.used = 1;
	rec.ntxq = (__u32)ntxq;
	if (bpf_map_update_elem(p->map_fd[XM_DEV], &k, &rec, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "xps: cannot write %s: %s", xps_map_names[XM_DEV], strerror(errno));
	for (__u32 q = 0; q < SL_XPS_QUEUES; q++) {
		__u32 row = k * SL_XPS_QUEUES + q;

		sl_percpu_zero(p->map_fd[XM_QSTATS], &row, sizeof(__u64));
	}
	p->dev[k].used = true;
	p->dev[k].ntxq = ntxq;
	snprintf(p->dev[k].netns, sizeof(p->dev[k].netns), "%s", netns);
	snprintf(p->dev[k].dev, sizeof(p->dev[k].dev), "%s", dev);
	return (int)k;
}

/* --- apply ------------------------------------------------------------------ */

/* the devices the rules name, each once: the first rule naming it */
static int state_devices(const struct xps_state *s, int first[XPS_RULES_MAX])
{
	int n = 0;

	for (int k = 0; k < s->n; k++) {
		int j;

		for (j = 0; j < n && (strcmp(s->rule[first[j]].netns, s->rule[k].netns) ||
				      strcmp(s->rule[first[j]].dev, s->rule[k].dev));
		     j++)
			;
		if (j == n)
			first[n++] = k;
	}
	return n;
}

static bool was_applied(const struct xps_priv *p, const struct xps_rule_cfg *r)
{
	for (int k = 0; k < p->applied.n; k++)
		if (xps_rule_same_match(&p->applied.rule[k], r) && p->applied.rule[k].queue == r->queue)
			return true;
	return false;
}

/* Everything a device's rules need of the kernel, before anything changes:
 * the device, its queues, the cgroups, and no kernel XPS over a new
 * rule's CPUs (it would take those packets: the rule would not hold). */
static int check_device(const struct xps_priv *p, const struct xps_state *s, int first, int *ntxq, const char *cgroot,
			bool interactive, struct sl_error *err)
{
	const struct xps_rule_cfg *d = &s->rule[first];
	__u64 cover[SL_XPS_CPU_WORDS];
	char what[512];
	bool covered = false;

	*ntxq = sl_netsys_txqueues(d->netns, d->dev, err);
	if (*ntxq < 0)
		return -1;
	if (*ntxq < 2)
		return sl_fail(err, SL_E_USAGE, 0, "xps: dev %s has a single tx queue: there is nothing to steer", d->dev);
	if (xps_kernel_cover(d->netns, d->dev, *ntxq, cover, what, sizeof(what), err))
		return -1;
	for (int w = 0; w < SL_XPS_CPU_WORDS; w++)
		covered |= cover[w] != 0;
	for (int k = first; k < s->n; k++) {
		const struct xps_rule_cfg *r = &s->rule[k];
		__u64 cpus[SL_XPS_CPU_WORDS];
		uint64_t ids[SL_XPS_CG_LEVELS + 1];
		char words[512], list[512];
		int level;

		if (strcmp(r->netns, d->netns) || strcmp(r->dev, d->dev))
			continue;
		xps_rule_words(r, words, sizeof(words));
		if (r->queue >= (uint32_t)*ntxq)
			return sl_fail(err, SL_E_USAGE, 0, "xps add %s: dev %s has %d tx queues (0-%d)", words, r->dev, *ntxq,
				       *ntxq - 1);
		if (r->queue >= SL_XPS_QUEUES)
			return sl_fail(err, SL_E_USAGE, 0, "xps add %s: sluice steers to queues 0-%d", words, SL_XPS_QUEUES - 1);
		if (r->sel == SL_XPS_SEL_CGROUP &&
		    sl_cgroup_resolve(cgroot, r->cgroup, SL_XPS_CG_LEVELS - 1, ids, &level, err))
			return -1;
		/* a command's set is there (a config's sets come after its rules) */
		if (r->sel == SL_XPS_SEL_SET && interactive &&
		    sl_setref_check(p->map_fd[XM_SETDIR], "xps", r->set, r->ndirs, err))
			return -1;
		if (!covered || was_applied(p, r))
			continue;
		xps_rule_cpus(r, cpus);
		for (int w = 0; w < SL_XPS_CPU_WORDS; w++)
			cpus[w] &= cover[w];
		xps_cpulist_format(cpus, list, sizeof(list));
		if (list[0])
			return sl_fail(err, SL_E_KERNEL, 0,
				       "xps add %s: the kernel's XPS on dev %s (%s) takes the packets sent from CPU %s "
				       "before any tc program: the rule would not hold for them. Clear it (write 0 to "
				       "those files) or select other CPUs",
				       words, r->dev, what, list);
	}
	return 0;
}

/* the device's rules, compiled in match order */
static int compile_device(const struct xps_state *s, const int order[], const struct xps_rule_cfg *d, const char *cgroot,
			  struct sl_xps_rule *out, int idx[], __u32 *cg_levels, struct sl_error *err)
{
	int n = 0;

	*cg_levels = 0;
	for (int i = 0; i < s->n; i++) {
		const struct xps_rule_cfg *r = &s->rule[order[i]];
		uint64_t ids[SL_XPS_CG_LEVELS + 1];
		int level;

		if (strcmp(r->netns, d->netns) || strcmp(r->dev, d->dev))
			continue;
		xps_rule_compile(r, 0, &out[n]);
		if (r->sel == SL_XPS_SEL_CGROUP) {
			if (sl_cgroup_resolve(cgroot, r->cgroup, SL_XPS_CG_LEVELS - 1, ids, &level, err))
				return -1;
			out[n].cgroup_id = ids[level];
			out[n].cgroup_level = (__u32)level;
			if ((__u32)level + 1 > *cg_levels)
				*cg_levels = (__u32)level + 1;
		}
		idx[n++] = order[i];
	}
	return n;
}

static int check_pins(const struct sl_env *env, struct sl_error *err)
{
	struct xps_bpf *skel = xps_bpf__open();
	int rc;

	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "xps: cannot open the BPF object: %s", strerror(errno));
	rc = sl_pin_check_maps(skel->obj, env->pin_root, err);
	xps_bpf__destroy(skel);
	return rc;
}

/* the sets the rules name, in the sets' use map (one entry per rule) */
static int publish_sets(const struct xps_priv *p, const struct xps_state *s, struct sl_error *err)
{
	const char *names[XPS_RULES_MAX];
	int n = 0;

	for (int k = 0; k < s->n; k++)
		if (s->rule[k].sel == SL_XPS_SEL_SET)
			names[n++] = s->rule[k].set;
	return sl_setref_publish(p->map_fd[XM_SETUSE], "xps", names, n, err);
}

static bool any_used(const struct xps_priv *p)
{
	for (int k = 0; k < SL_XPS_DEVS; k++)
		if (p->dev[k].used)
			return true;
	return false;
}

static int apply(const struct sl_env *env, void *priv, const void *st, bool replace, struct sl_error *err)
{
	const struct xps_state *s = st;
	struct xps_priv *p = priv;
	int first[XPS_RULES_MAX], ntxq[XPS_RULES_MAX], slot[XPS_RULES_MAX], order[XPS_RULES_MAX];
	bool made[XPS_RULES_MAX] = { false }, keep[SL_XPS_DEVS] = { false };
	static struct sl_xps_rule rules[XPS_RULES_MAX];
	char cgroot[256] = "";
	int ndev = state_devices(s, first);

	struct sl_tc_name names[SL_XPS_DEVS];

	p->pin_root = env->pin_root;
	if (check_pins(env, err) || xps_maps_check(s, err))
		return -1;
	if (s->n && !sl_kernel_has(SL_KCAP_BPF_LOOP))
		return sl_fail(err, SL_E_KERNEL, 0, "xps: the kernel cannot run steering rules: it %s",
			       sl_kcap_needs(SL_KCAP_BPF_LOOP));
	if (!s->n && !p->base && !sl_att_names(env->pin_root, SL_XPS_LINK_PREFIX, names, SL_XPS_DEVS)) {
		/* never had rules: pin nothing for them */
		if (xps_maps_apply(env, s, err))
			return -1;
		goto done;
	}
	if (open_maps(env, p, err))
		return -1;
	for (int k = 0; k < s->n; k++)
		if (s->rule[k].sel == SL_XPS_SEL_CGROUP && !cgroot[0] && sl_cgroup2_root(cgroot, sizeof(cgroot), err))
			return -1;
	for (int i = 0; i < ndev; i++)
		if (check_device(p, s, first[i], &ntxq[i], cgroot, env->interactive, err))
			return -1;
	/* every check passed: the kernel's XPS maps first (the stage made
	 * sure none takes a rule's packets); the sets held before any rule
	 * can name them (those only the old rules named are let go: nothing
	 * else runs meanwhile) */
	if (xps_maps_apply(env, s, err) || publish_sets(p, s, err))
		return -1;
	xps_state_order(s, order);
	for (int i = 0; i < ndev; i++) {
		const struct xps_rule_cfg *d = &s->rule[first[i]];
		int idx[XPS_RULES_MAX], n;
		__u32 cg_levels;

		slot[i] = find_dev(p, d->netns, d->dev);
		if (slot[i] < 0) {
			slot[i] = take_slot(p, d->netns, d->dev, ntxq[i], err);
			if (slot[i] < 0)
				goto undo;
			made[i] = true;
		}
		keep[slot[i]] = true;
		n = compile_device(s, order, d, cgroot, rules, idx, &cg_levels, err);
		if (n < 0)
			goto undo;
		assign_ids(p, (__u32)slot[i], rules, n);
		if (write_bank(p, (__u32)slot[i], rules, n, cg_levels, err) ||
		    attach_slot(env, p, slot[i], replace, err))
			goto undo;
		for (int j = 0; j < n; j++) {
			p->id[idx[j]] = rules[j].id;
			p->slot[idx[j]] = slot[i];
		}
	}
	/* committed: devices no rule names any more lose the program */
	for (int k = 0; k < SL_XPS_DEVS; k++)
		if (p->dev[k].used && !keep[k])
			free_slot(p, (__u32)k);
	if (!any_used(p)) {
		/* links of slots whose record was lost go too */
		int n = sl_att_names(env->pin_root, SL_XPS_LINK_PREFIX, names, SL_XPS_DEVS);

		for (int i = 0; i < n; i++) {
			struct sl_att a;

			if (!sl_att_adopt(&a, env->pin_root, names[i].name))
				sl_att_detach(&a);
		}
	}
done:
	p->applied = *s;
	return 0;
undo:
	/* a device this apply took goes back; devices it had keep their
	 * new bank, written only after every check passed */
	for (int i = 0; i < ndev; i++)
		if (made[i] && slot[i] >= 0)
			free_slot(p, (__u32)slot[i]);
	{
		struct sl_error e2 = { 0 };

		if (publish_sets(p, &p->applied, &e2))
			sl_warn("%s", e2.msg); /* a stale use only keeps a set from destroy */
	}
	return -1;
}

static void release(void *priv)
{
	struct xps_priv *p = priv;

	for (int k = 0; k < SL_XPS_DEVS; k++) {
		sl_att_release(&p->dev[k].att);
		if (p->dev[k].prog_fd >= 0)
			close(p->dev[k].prog_fd);
		p->dev[k].prog_fd = -1;
	}
	bpf_object__close(p->base);
	p->base = NULL;
}

static void priv_init(void *priv)
{
	struct xps_priv *p = priv;

	for (int i = 0; i < XM_COUNT; i++)
		p->map_fd[i] = -1;
	for (int k = 0; k < SL_XPS_DEVS; k++) {
		sl_att_init(&p->dev[k].att);
		p->dev[k].prog_fd = -1;
	}
}

const struct sl_feature sl_xps_feature = {
	.name = "xps",
	.state_size = sizeof(struct xps_state),
	.priv_size = sizeof(struct xps_priv),
	.priv_init = priv_init,
	.state_init = state_init,
	.apply = apply,
	.save = save,
	.status = xps_status,
	.timers = xps_timers,
	.release = release,
};
