/* Rules onto hooks: one program per (netns, device, direction) with its
 * rules compiled in as read-only data, attached as lib/attach.h attaches
 * (XDP native, else generic, on ingress; a tcx link, else a legacy tc
 * filter, on egress) under the pin name sl_hook_<n>, and replaced in
 * place. A change loads every program it needs first and switches them
 * after, undoing the switched ones if one fails. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/attach.h"
#include "lib/bpf_info.h"
#include "core/log.h"
#include "lib/netns.h"
#include "core/pin.h"
#include "lib/bpf_obj.h"
#include "lib/slots.h"
#include "lib/place.h"
#include "features/sets/sets.h"
#include "sets.skel.h"

static void hook_name(int h, char *out, size_t size)
{
	snprintf(out, size, "sl_hook_%d", h);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The hook's program (ours, whether we loaded it or adopted the link of
 * an earlier daemon). */
static void hook_prog_release(struct sets_hook *k)
{
	close_fd(&k->prog_fd);
}

/* --- rule ids and persistence ------------------------------------------------------ */

static bool id_used(const struct sets_catalog *c, uint16_t id)
{
	for (int i = 0; c && i < c->nrules; i++)
		if (c->rule[i].id == id)
			return true;
	return false;
}

/* A rule equal to a live one keeps its id (and counters) across a reload;
 * a new one gets a free id with zeroed counters. */
static int assign_id(struct sets_priv *p, struct sets_catalog *c, struct rules_rule *r, struct sl_error *err)
{
	if (c != &p->live)
		for (int i = 0; i < p->live.nrules; i++)
			if (rules_same(&p->live.rule[i], r) && !id_used(c, p->live.rule[i].id)) {
				r->id = p->live.rule[i].id;
				return 0;
			}
	for (uint16_t id = 0; id < SL_RULE_IDS; id++) {
		if (id_used(&p->live, id) || id_used(c, id))
			continue;
		r->id = id;
		uint32_t key = id;
		sl_percpu_zero(p->shared_fd[SM_RSTAT], &key, sizeof(struct sl_rule_count));
		return 0;
	}
	return sl_fail(err, SL_E_USAGE, 0, "no free rule counter (%d in use)", SL_RULE_IDS);
}

int rules_store(struct sets_priv *p, const struct sets_catalog *c, int bank, struct sl_error *err)
{
	for (uint32_t i = 0; i < SL_RULES_TOTAL; i++) {
		struct sl_rule_meta m = { 0 };
		uint32_t key = (uint32_t)bank * SL_RULES_TOTAL + i;

		if ((int)i < c->nrules) {
			const struct rules_rule *r = &c->rule[i];

			snprintf(m.netns, sizeof(m.netns), "%s", r->netns);
			snprintf(m.dev, sizeof(m.dev), "%s", r->dev);
			snprintf(m.set, sizeof(m.set), "%s", r->set);
			m.prio = r->prio;
			m.id = r->id;
			m.used = 1;
			m.dir = r->dir;
			m.ndirs = r->ndirs;
			m.src_dims = r->src_dims;
			m.invert = r->invert;
			m.action = r->action;
			m.match = r->match;
		}
		if (bpf_map_update_elem(p->shared_fd[SM_RULES], &key, &m, BPF_ANY))
			return sl_fail(err, SL_E_KERNEL, 0, "rules: cannot write the rule records: %s", strerror(errno));
	}
	return 0;
}

static void hook_store(struct sets_priv *p, int h)
{
	const struct sets_hook *k = &p->hook[h];
	struct sl_hook_meta m = { 0 };
	uint32_t key = (uint32_t)h;

	if (k->used) {
		sl_place_set(&m.dev, k->netns, k->dev, k->ifindex);
		m.link_id = sl_att_link_id(&k->att);
		m.used = 1;
		m.dir = k->dir;
		m.mode = k->att.mode;
	}
	bpf_map_update_elem(p->shared_fd[SM_HOOKS], &key, &m, BPF_ANY);
}

int rules_adopt(struct sets_priv *p, struct sets_catalog *c, int bank, struct sl_error *err)
{
	(void)err;
	for (uint32_t i = 0; i < SL_RULES_TOTAL && c->nrules < RULES_MAX_TOTAL; i++) {
		struct sl_rule_meta m;
		struct rules_rule *r = &c->rule[c->nrules];
		uint32_t key = (uint32_t)bank * SL_RULES_TOTAL + i;

		if (bpf_map_lookup_elem(p->shared_fd[SM_RULES], &key, &m) || !m.used)
			continue;
		memset(r, 0, sizeof(*r));
		snprintf(r->netns, sizeof(r->netns), "%.*s", (int)sizeof(m.netns) - 1, m.netns);
		snprintf(r->dev, sizeof(r->dev), "%.*s", (int)sizeof(m.dev) - 1, m.dev);
		snprintf(r->set, sizeof(r->set), "%.*s", (int)sizeof(m.set) - 1, m.set);
		r->prio = m.prio;
		r->id = m.id;
		r->dir = m.dir;
		r->ndirs = m.ndirs;
		r->src_dims = m.src_dims;
		r->invert = m.invert;
		r->action = m.action;
		r->match = m.match;
		if (r->match != SL_MATCH_SET && r->match != SL_MATCH_UNPARSED) {
			sl_warn("rule %u: match kind %u is not one this build knows; dropping the rule", r->id, r->match);
			continue;
		}
		if (r->match == SL_MATCH_SET && !sets_find(c, r->set)) {
			sl_warn("rule %u: set '%s' is gone; dropping the rule", r->id, r->set);
			continue;
		}
		c->nrules++;
	}
	for (uint32_t h = 0; h < SL_HOOKS_MAX; h++) {
		struct sets_hook *k = &p->hook[h];
		struct sl_hook_meta m;
		char name[32];

		hook_name((int)h, name, sizeof(name));
		if (bpf_map_lookup_elem(p->shared_fd[SM_HOOKS], &h, &m) || !m.used) {
			/* attached by a daemon that died before recording it: the
			 * link or filter is no state's */
			if (!sl_att_adopt(&k->att, p->pin_root, name)) {
				sl_att_detach(&k->att);
				sl_info("hook %u: attached without a record; removed", h);
			}
			continue;
		}
		if (sl_att_adopt(&k->att, p->pin_root, name)) {
			sl_warn("hook %.*s %s: pinned link gone; forgetting it", (int)sizeof(m.dev.dev), m.dev.dev,
				m.dir ? "egress" : "ingress");
			hook_store(p, (int)h);
			continue;
		}
		k->used = true;
		sl_place_get(&m.dev, k->netns, sizeof(k->netns), k->dev, sizeof(k->dev), &k->ifindex);
		k->dir = m.dir;
		if (k->att.mode != SL_ATTACH_TC)
			k->att.mode = m.mode; /* a link: which kind is the record's */
		k->prog_fd = sl_att_prog_fd(&k->att); /* to switch back to, if a change fails */
		k->ncompiled = -1; /* what it was loaded with is not known: the next change reloads it */
	}
	return 0;
}

/* --- programs -------------------------------------------------------------------------- */

static int cmp_prio(const void *a, const void *b)
{
	const struct rules_rule *const *x = a, *const *y = b;

	if ((*x)->prio != (*y)->prio)
		return (*x)->prio < (*y)->prio ? -1 : 1;
	return *x < *y ? -1 : *x > *y; /* the order they were added */
}

/* One set's entry of rule `r`, as the program keeps it */
static struct sl_rule compile_set(const struct rules_rule *r, const struct sets_set *s)
{
	struct sl_rule out = { .id = r->id, .slot = (__u16)s->slot, .cls = s->cls, .family = (__u8)s->spec.family,
			       .src_dims = r->src_dims, .invert = r->invert, .action = r->action };

	out.masked = sl_set_types[s->spec.type].mask && sl_set_spec_mask(&s->spec, out.mask);
	if (sl_set_types[s->spec.type].markmask)
		out.markmask = s->spec.markmask;
	/* hash:net,iface: the interface its second direction names on this
	 * hook (r's), the incoming one (src) on ingress, the outgoing one (dst)
	 * on egress; the other has none here (the kernel: no match) */
	if (sl_set_types[s->spec.type].iface && (r->src_dims >> 1 & 1) == (r->dir == SL_DIR_INGRESS)) {
		out.has_iface = 1;
		memcpy(out.iface, r->dev, strnlen(r->dev, SL_IFACE_LEN));
	}
	return out;
}

/* A rule on a list:set: an entry per member that can match, in the list's
 * order (as iptables' -m set: a member of more dimensions than the rule
 * gives never matches, one of another family meets no packet of its
 * family), each chained to the next (`more`); the last carries the rule's
 * `!`. A list without such members is one entry that never matches, so
 * that `!` still does. */
static int compile_list(const struct sets_catalog *c, const struct rules_rule *r, const struct sets_set *list,
			struct sl_rule *out, int *n, struct sl_error *err)
{
	uint64_t now = sets_now_ns();
	int first = *n;

	for (uint32_t k = 0; k < list->list->n; k++) {
		const struct sl_set_lmember *m = &list->list->m[k];
		const struct sets_set *s = sets_find(c, m->name);

		/* hash:ip,mark: XDP has no mark, so its members match nothing there */
		if (!s || s->list || (m->expires_ns && m->expires_ns <= now) || sl_set_types[s->spec.type].dims > r->ndirs ||
		    (sl_set_types[s->spec.type].markmask && r->dir == SL_DIR_INGRESS))
			continue;
		if (*n == SL_RULES_MAX)
			goto full;
		out[*n] = compile_set(r, s);
		out[*n].invert = 0;
		out[*n].more = 1;
		out[*n].expires_ns = m->expires_ns;
		(*n)++;
	}
	if (*n == first) {
		if (*n == SL_RULES_MAX)
			goto full;
		out[(*n)++] = (struct sl_rule){ .id = r->id, .cls = SL_CLASS_LIST, .action = r->action };
	}
	out[*n - 1].more = 0;
	out[*n - 1].list_invert = r->invert;
	return 0;
full:
	return sl_fail(err, SL_E_USAGE, 0, "dev %s %s: at most %d rules per hook, a list:set's members counted one by one",
		       r->dev, r->dir ? "egress" : "ingress", SL_RULES_MAX);
}

/* The rules of `c` on the hook of `hook`, as the program keeps them. */
static int compile_hook(const struct sets_catalog *c, const struct rules_rule *hook, struct sl_rule *out, int *n,
			struct sl_error *err)
{
	const struct rules_rule *mine[SL_RULES_MAX + 1];
	int nmine = 0;

	*n = 0;
	for (int i = 0; i < c->nrules; i++) {
		if (!rules_same_hook(&c->rule[i], hook))
			continue;
		if (nmine == SL_RULES_MAX)
			return sl_fail(err, SL_E_USAGE, 0, "dev %s %s: at most %d rules per hook", hook->dev,
				       hook->dir ? "egress" : "ingress", SL_RULES_MAX);
		mine[nmine++] = &c->rule[i];
	}
	qsort(mine, (size_t)nmine, sizeof(mine[0]), cmp_prio);
	memset(out, 0, SL_RULES_MAX * sizeof(*out));
	for (int i = 0; i < nmine; i++) {
		const struct sets_set *s = sets_find(c, mine[i]->set);

		if (mine[i]->match != SL_MATCH_UNPARSED && !s)
			return sl_fail(err, SL_E_USAGE, 0, "rule: set '%s' does not exist", mine[i]->set);
		if (mine[i]->match == SL_MATCH_SET && s->list) {
			if (compile_list(c, mine[i], s, out, n, err))
				return -1;
			continue;
		}
		if (*n == SL_RULES_MAX)
			return sl_fail(err, SL_E_USAGE, 0, "dev %s %s: at most %d rules per hook, a list:set's members "
				       "counted one by one", hook->dev, hook->dir ? "egress" : "ingress", SL_RULES_MAX);
		if (mine[i]->match == SL_MATCH_UNPARSED)
			out[(*n)++] = (struct sl_rule){ .id = mine[i]->id, .action = mine[i]->action,
							.match = SL_MATCH_UNPARSED };
		else
			out[(*n)++] = compile_set(mine[i], s);
	}
	return 0;
}

/* Load the program of hook `h` with `n` compiled rules. */
/* The hook's program loaded with `rules`: its fd alone is kept. The
 * object's own copies of the shared maps' fds close with it: kept, they
 * would cost every hook some forty fds, past a service's default limit of
 * 1024 (systemd's soft LimitNOFILE) at a few dozen hooks. */
static int load_hook_prog(struct sets_priv *p, int h, uint8_t dir, const char *dev, const struct sl_rule *rules, int n,
			  int *fd_out, struct sl_error *err)
{
	struct sets_bpf *skel = sets_bpf__open();
	char what[64];

	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "rules: cannot open the BPF object: %s", strerror(errno));
	skel->rodata->sl_hook_id = (__u32)h;
	skel->rodata->sl_nrules = (__u32)n;
	memcpy((void *)skel->rodata->sl_rules, rules, (size_t)n * sizeof(*rules));
	bpf_program__set_autoload(skel->progs.sl_sets_xdp, dir == RULES_INGRESS);
	bpf_program__set_autoload(skel->progs.sl_sets_tc, dir == RULES_EGRESS);
	snprintf(what, sizeof(what), "dev %s", dev);
	if (sl_obj_load_instance(skel->obj, p->base, what, "the rule program does not load", err)) {
		sets_bpf__destroy(skel);
		return -1;
	}
	*fd_out = fcntl(bpf_program__fd(dir == RULES_INGRESS ? skel->progs.sl_sets_xdp : skel->progs.sl_sets_tc),
			F_DUPFD_CLOEXEC, 0);
	sets_bpf__destroy(skel);
	if (*fd_out < 0)
		return sl_fail(err, SL_E_KERNEL, 0, "%s: cannot keep the rule program: %s", what, strerror(errno));
	return 0;
}

/* --- attach inside a namespace ----------------------------------------------------------- */

/* Resolve the device and attach in the namespace `netns` ("" = our own),
 * pinned or recorded as hook `h`. */
static int attach_hook(const struct sets_priv *p, int h, const char *netns, const char *dev, uint8_t dir,
		       int prog_fd, uint32_t *ifindex, struct sl_att *att, struct sl_error *err)
{
	int self, rc = -1;
	char name[32];

	hook_name(h, name, sizeof(name));
	if (sl_netns_enter(netns, &self, err))
		return -1;
	*ifindex = if_nametoindex(dev);
	if (!*ifindex)
		sl_fail(err, SL_E_USAGE, 0, "no device '%s'%s%s", dev, netns[0] ? " in network namespace " : "", netns);
	else if (dir == RULES_INGRESS)
		rc = sl_att_xdp(att, p->pin_root, name, prog_fd, (int)*ifindex, dev, err);
	else
		rc = sl_att_tc(att, p->pin_root, name, netns, (int)*ifindex, true, SL_TC_OWNER_SETS, prog_fd, dev, err);
	sl_netns_leave(self);
	return rc;
}

/* the rule's device exists, in its namespace */
static int device_check(const struct rules_rule *r, struct sl_error *err)
{
	int self, rc = 0;

	if (sl_netns_enter(r->netns, &self, err))
		return -1;
	if (!if_nametoindex(r->dev))
		rc = sl_fail(err, SL_E_USAGE, 0, "no device '%s'%s%s", r->dev, r->netns[0] ? " in network namespace " : "",
			     r->netns);
	sl_netns_leave(self);
	return rc;
}

/* --- sync ------------------------------------------------------------------------------------ */

struct plan {
	int hook;                       /* index in p->hook */
	bool fresh;                     /* a new attach (else an update) */
	struct sl_rule rules[SL_RULES_MAX];
	int nrules;
	int prog_fd;                    /* loaded (plans below n), until a hook takes it */
	struct sl_att att;              /* a new attachment (fresh, or replacing a severed one) */
	uint32_t ifindex;
	bool done, lost;                /* switched; its device is gone (left detached) */
};

/* the hook a rule runs on */
static bool hook_is(const struct sets_hook *k, const struct rules_rule *r)
{
	return !strcmp(k->netns, r->netns) && !strcmp(k->dev, r->dev) && k->dir == r->dir;
}

static int find_hook(const struct sets_priv *p, const struct rules_rule *r)
{
	for (int h = 0; h < SL_HOOKS_MAX; h++)
		if (p->hook[h].used && hook_is(&p->hook[h], r))
			return h;
	return -1;
}

static bool hook_wanted(const struct sets_catalog *c, const struct sets_hook *k)
{
	for (int i = 0; i < c->nrules; i++)
		if (hook_is(k, &c->rule[i]))
			return true;
	return false;
}

static void plans_drop(struct plan *plans, int n)
{
	for (int i = 0; i < n; i++) {
		sl_att_release(&plans[i].att);
		close_fd(&plans[i].prog_fd);
	}
	free(plans);
}

/* A new attachment for the plan's hook, pinned or recorded. */
static int attach_plan(struct sets_priv *p, struct plan *pl, struct sl_error *err)
{
	struct sets_hook *k = &p->hook[pl->hook];

	return attach_hook(p, pl->hook, k->netns, k->dev, k->dir, pl->prog_fd, &pl->ifindex, &pl->att, err);
}

int rules_sync(struct sets_priv *p, const struct sets_catalog *c, struct sl_error *err)
{
	struct plan *plans = calloc(SL_HOOKS_MAX, sizeof(*plans));
	struct sl_slots taken = { 0 };
	int n = 0, i;

	if (!plans)
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	for (int h = 0; h < SL_HOOKS_MAX; h++)
		sl_slot_set(&taken, h, p->hook[h].used);
	/* 1. a program per hook whose rules changed, loaded before anything changes */
	for (int r = 0; r < c->nrules; r++) {
		struct plan *pl = &plans[n];
		int h = find_hook(p, &c->rule[r]);
		bool seen = false;

		/* one plan per hook: the first of its rules makes it */
		for (i = 0; i < r && !seen; i++)
			seen = rules_same_hook(&c->rule[i], &c->rule[r]);
		if (seen)
			continue;
		if (h < 0 && (h = sl_slot_take(&taken, SL_HOOKS_MAX)) < 0) {
			plans_drop(plans, n);
			return sl_fail(err, SL_E_USAGE, 0, "at most %d devices and directions carry rules", SL_HOOKS_MAX);
		}
		pl->hook = h;
		pl->fresh = !p->hook[h].used;
		sl_att_init(&pl->att);
		if (compile_hook(c, &c->rule[r], pl->rules, &pl->nrules, err)) {
			plans_drop(plans, n);
			return -1;
		}
		/* the same rules on the same slots: the program there is right */
		if (!pl->fresh && p->hook[h].ncompiled == pl->nrules &&
		    !memcmp(p->hook[h].compiled, pl->rules, (size_t)pl->nrules * sizeof(pl->rules[0])))
			continue;
		if (load_hook_prog(p, h, c->rule[r].dir, c->rule[r].dev, pl->rules, pl->nrules, &pl->prog_fd, err)) {
			plans_drop(plans, n);
			return -1;
		}
		n++;
		if (pl->fresh) {
			struct sets_hook *k = &p->hook[h];

			/* fill the hook now; `used` only once attached */
			snprintf(k->netns, sizeof(k->netns), "%s", c->rule[r].netns);
			snprintf(k->dev, sizeof(k->dev), "%s", c->rule[r].dev);
			k->dir = c->rule[r].dir;
		}
	}
	/* 2. switch: update the links we have, attach the new ones */
	for (i = 0; i < n; i++) {
		struct plan *pl = &plans[i];
		struct sets_hook *k = &p->hook[pl->hook];

		if (pl->fresh) {
			if (attach_plan(p, pl, err))
				goto undo;
		} else if (sl_att_replace(&k->att, pl->prog_fd)) {
			struct sl_error e2 = { 0 };

			if (errno != ENOLINK) {
				sl_fail(err, SL_E_KERNEL, 0, "dev %s %s: cannot replace the program: %s", k->dev,
					k->dir ? "egress" : "ingress", strerror(errno));
				goto undo;
			}
			/* the device went away: attach again if it is back, else
			 * leave the hook detached rather than refuse every change */
			if (attach_plan(p, pl, &e2)) {
				sl_warn("dev %s %s: detached (%s); its rules wait for it", k->dev,
					k->dir ? "egress" : "ingress", e2.msg);
				pl->lost = true;
			}
		}
		pl->done = true;
		sets_txn_point(p);
	}
	/* 3. commit: hooks take their new programs; hooks without rules go */
	for (i = 0; i < n; i++) {
		struct plan *pl = &plans[i];
		struct sets_hook *k = &p->hook[pl->hook];

		hook_prog_release(k);
		k->prog_fd = pl->prog_fd;
		pl->prog_fd = -1;
		memcpy(k->compiled, pl->rules, sizeof(k->compiled));
		k->ncompiled = pl->nrules;
		if (sl_att_held(&pl->att)) {
			sl_att_release(&k->att); /* severed: its pin or record is the new one's now */
			k->att = pl->att;
			sl_att_init(&pl->att);
			k->ifindex = pl->ifindex;
		}
		k->used = true;
		hook_store(p, pl->hook);
	}
	for (int h = 0; h < SL_HOOKS_MAX; h++) {
		struct sets_hook *k = &p->hook[h];

		if (!k->used || hook_wanted(c, k))
			continue;
		sl_att_detach(&k->att);
		hook_prog_release(k);
		memset(k, 0, sizeof(*k));
		k->prog_fd = -1;
		sl_att_init(&k->att);
		hook_store(p, h);
		sets_txn_point(p);
	}
	plans_drop(plans, n);
	return 0;
undo:
	while (i-- > 0) {
		struct plan *pl = &plans[i];
		struct sets_hook *k = &p->hook[pl->hook];
		int old = k->prog_fd;

		if (!pl->done || pl->lost)
			continue;
		if (pl->fresh) {
			sl_att_detach(&pl->att);
		} else if (old < 0 || sl_att_replace(&k->att, old)) {
			sl_err("dev %s: cannot switch back to the previous program: %s", k->dev, strerror(errno));
			k->ncompiled = -1; /* not known: the next change reloads it */
			p->txn.hooks_unsure = true;
		}
	}
	plans_drop(plans, n);
	return -1;
}

/* --- add, del, list, release ---------------------------------------------------------------------- */

int rules_add(struct sets_priv *p, struct sets_catalog *c, struct rules_rule *r, struct sl_error *err)
{
	const struct sets_set *s = sets_find(c, r->set);

	if (r->id != RULES_ID_NONE)
		return sl_fail(err, SL_E_USAGE, 0, "rule add: give the rule, not an id");
	if (r->match == SL_MATCH_SET && !s)
		return sl_fail(err, SL_E_USAGE, 0, "rule: set '%s' does not exist", r->set);
	if (r->match == SL_MATCH_SET && rules_check_dims(r, &s->spec, err))
		return -1;
	if (c->nrules == RULES_MAX_TOTAL)
		return sl_fail(err, SL_E_USAGE, 0, "at most %d rules", RULES_MAX_TOTAL);
	if (assign_id(p, c, r, err))
		return -1;
	/* a catalog being built: a device that is not there is found now, on
	 * the rule's own line (the live one finds it when its hooks sync) */
	if (c != &p->live && device_check(r, err))
		return -1;
	c->rule[c->nrules++] = *r;
	return 0;
}

int rules_del(struct sets_catalog *c, const struct rules_rule *r, struct sl_error *err)
{
	int i;

	for (i = 0; i < c->nrules; i++)
		if (r->id != RULES_ID_NONE ? c->rule[i].id == r->id : rules_same(&c->rule[i], r))
			break;
	if (i == c->nrules)
		return sl_fail(err, SL_E_USAGE, 0, "no such rule (see `sluicectl rule list`)");
	memmove(&c->rule[i], &c->rule[i + 1], (size_t)(c->nrules - i - 1) * sizeof(c->rule[0]));
	c->nrules--;
	return 0;
}

json_object *rules_list_json(struct sets_priv *p, const struct sets_catalog *c)
{
	json_object *arr = json_object_new_array();

	for (int i = 0; i < c->nrules; i++) {
		const struct rules_rule *r = &c->rule[i];
		json_object *o = json_object_new_object();
		char dirs[32];
		struct sl_rule_count sum;
		uint32_t key = r->id;
		int h = find_hook(p, r);

		rules_dirs(r, dirs, sizeof(dirs));
		SL_PERCPU_SUM(p->shared_fd[SM_RSTAT], &key, &sum); /* zeroed if unreadable */
		json_object_object_add(o, "id", json_object_new_int(r->id));
		json_object_object_add(o, "dev", json_object_new_string(r->dev));
		json_object_object_add(o, "netns", json_object_new_string(r->netns[0] ? r->netns : "host"));
		json_object_object_add(o, "hook", json_object_new_string(r->dir == RULES_EGRESS ? "egress" : "ingress"));
		json_object_object_add(o, "mode", json_object_new_string(sl_attach_mode_name(h >= 0 ? p->hook[h].att.mode : 0)));
		json_object_object_add(o, "prio", json_object_new_int64(r->prio));
		json_object_object_add(o, "match", json_object_new_string(r->match == SL_MATCH_UNPARSED ? "unparsed"
													: "set"));
		json_object_object_add(o, "set", json_object_new_string(r->set));
		json_object_object_add(o, "dirs", json_object_new_string(dirs));
		json_object_object_add(o, "invert", json_object_new_boolean(r->invert));
		json_object_object_add(o, "action", json_object_new_string(rules_action_name(r->action)));
		json_object_object_add(o, "packets", json_object_new_uint64(sum.packets));
		json_object_object_add(o, "bytes", json_object_new_uint64(sum.bytes));
		json_object_array_add(arr, o);
	}
	return arr;
}

json_object *rules_hooks_json(struct sets_priv *p)
{
	json_object *arr = json_object_new_array();

	for (int h = 0; h < SL_HOOKS_MAX; h++) {
		const struct sets_hook *k = &p->hook[h];
		json_object *o;
		struct sl_hook_count sum;
		uint32_t key = (uint32_t)h;

		if (!k->used)
			continue;
		o = json_object_new_object();
		SL_PERCPU_SUM(p->shared_fd[SM_HSTAT], &key, &sum);
		json_object_object_add(o, "dev", json_object_new_string(k->dev));
		json_object_object_add(o, "netns", json_object_new_string(k->netns[0] ? k->netns : "host"));
		json_object_object_add(o, "hook", json_object_new_string(k->dir == RULES_EGRESS ? "egress" : "ingress"));
		json_object_object_add(o, "mode", json_object_new_string(!sl_att_ifindex(&k->att)
										 ? "detached"
										 : sl_attach_mode_name(k->att.mode)));
		json_object_object_add(o, "link_id", json_object_new_int64(sl_att_link_id(&k->att)));
		/* a legacy tc filter has no link: its program is known by id */
		json_object_object_add(o, "prog_id", json_object_new_int64(sl_prog_id(k->prog_fd)));
		json_object_object_add(o, "packets", json_object_new_uint64(sum.packets));
		json_object_object_add(o, "unparsed", json_object_new_uint64(sum.unparsed));
		json_object_object_add(o, "not_ip", json_object_new_uint64(sum.not_ip));
		json_object_object_add(o, "dropped", json_object_new_uint64(sum.dropped));
		json_object_array_add(arr, o);
	}
	return arr;
}

void rules_release(struct sets_priv *p)
{
	for (int h = 0; h < SL_HOOKS_MAX; h++) {
		struct sets_hook *k = &p->hook[h];

		sl_att_release(&k->att);
		hook_prog_release(k);
		k->used = false;
	}
}
