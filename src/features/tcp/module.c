/* TCP initial windows: the daemon module. The state is the rules; apply()
 * makes the kernel run them: the program on every cgroup the rules name
 * (the root for rules without one; a pinned cgroup link each, adopted by
 * a restarted daemon, its program replaced in place), and the rules
 * written into the bank the programs do not read, then switched to with
 * one update of the config map. A failure before
 * that switch leaves the dataplane as it was; a link this apply made is
 * taken off again. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/pin.h"
#include "lib/banks.h"
#include "lib/bpf_info.h"
#include "lib/bpf_obj.h"
#include "lib/cgroup.h"
#include "lib/cglink.h"
#include "lib/kernel.h"
#include "lib/netns.h"
#include "lib/setref.h"
#include "features/tcp/tcp.h"
#include "tcp.skel.h"

const char *const tcp_map_names[TM_COUNT] = {
	[TM_RULES] = SL_STR(SL_TCP_RULES_MAP),
	[TM_CONFIG] = SL_STR(SL_TCP_CONFIG_MAP),
	[TM_STATS] = SL_STR(SL_TCP_STATS_MAP),
	[TM_MARK] = SL_STR(SL_TCP_MARK_MAP),
	[TM_SETDIR] = SL_STR(SL_SET_DIR_MAP),
	[TM_SETUSE] = SL_STR(SL_SET_USE_MAP),
};

/* the sockops program reads the netns cookie, and reaches sets through
 * sets_lookup.h, whose prefix lookup is a bpf_loop: it loads whole or not at all */
const char *tcp_kernel_off(void)
{
	if (!sl_kernel_has(SL_KCAP_SOCKOPS_NETNS))
		return sl_kcap_needs(SL_KCAP_SOCKOPS_NETNS);
	return sl_kernel_has(SL_KCAP_BPF_LOOP) ? NULL : sl_kcap_needs(SL_KCAP_BPF_LOOP);
}

static void state_init(void *st)
{
	memset(st, 0, sizeof(struct tcp_state));
}

int tcp_stage_add(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct tcp_rule_cfg r;
	unsigned given;

	if (tcp_rule_from_cmd(cmd, &r, &given, err))
		return -1;
	return tcp_state_add(st, &r, 0, err);
}

int tcp_stage_del(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct tcp_rule_cfg r;
	unsigned given;

	if (tcp_rule_from_cmd(cmd, &r, &given, err))
		return -1;
	return tcp_state_del(st, &r, given, 0, err);
}

static void save(void *priv, const void *st, FILE *out)
{
	(void)priv; /* all of it is in the state */
	tcp_save_state(st, out);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* the pinned maps (made now when absent), once per daemon */
static int open_maps(const struct sl_env *env, struct tcp_priv *p, struct sl_error *err)
{
	size_t size;
	const void *elf = tcp_bpf__elf_bytes(&size);

	if (p->base)
		return 0;
	return sl_obj_open_base("tcp", elf, size, env->pin_root, tcp_map_names, TM_COUNT, p->map_fd, &p->base, err);
}

/* the program for one cgroup: `ids` are its and its ancestors' by level */
static int load_prog(struct tcp_priv *p, int level, const uint64_t ids[], struct tcp_bpf **out, struct sl_error *err)
{
	struct tcp_bpf *skel = tcp_bpf__open();

	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "tcp: cannot open the BPF object: %s", strerror(errno));
	skel->rodata->sl_tcp_level = (__u32)level;
	for (int l = 0; l <= level; l++)
		skel->rodata->sl_tcp_cgroups[l] = ids[l];
	if (sl_obj_load_instance(skel->obj, p->base, "tcp", "cannot load the sockops program", err)) {
		tcp_bpf__destroy(skel);
		return -1;
	}
	*out = skel;
	return 0;
}

static void link_name(uint64_t id, char *out, size_t size)
{
	snprintf(out, size, SL_TCP_LINK_PREFIX "%llu", (unsigned long long)id);
}

/* The program on cgroup `l` (its id set): the pinned link adopted and its
 * program replaced in place (bpf_link_update), or a link made and pinned
 * (*made). */
static int link_to(const struct sl_env *env, struct tcp_priv *p, struct tcp_link *l, int prog, bool *made,
		   struct sl_error *err)
{
	char name[64], dir[1024];

	link_name(l->id, name, sizeof(name));
	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", p->cgroup_root, l->cgroup) >= sizeof(dir))
		return sl_fail(err, SL_E_USAGE, 0, "tcp: cgroup %s: path too long", l->cgroup);
	return sl_cglink_to(env->pin_root, name, dir, BPF_CGROUP_SOCK_OPS, prog, &l->link_fd, made, "tcp", err);
}

/* off its cgroup, its pin gone */
static void link_off(const struct sl_env *env, struct tcp_link *l)
{
	char name[64];

	link_name(l->id, name, sizeof(name));
	sl_cglink_off(env->pin_root, name, &l->link_fd);
	close_fd(&l->prog_fd);
}

/* every pinned link of the feature whose cgroup id is not in keep[] (n)
 * goes (with `dry`, none does); the number of links found */
static int links_walk(const struct sl_env *env, const uint64_t keep[], int n, bool dry)
{
	return sl_cglink_sweep(env->pin_root, SL_TCP_LINK_PREFIX, keep, n, dry);
}

static void links_close(struct tcp_priv *p)
{
	for (int i = 0; i < p->nlinks; i++) {
		close_fd(&p->link[i].link_fd);
		close_fd(&p->link[i].prog_fd);
	}
	p->nlinks = 0;
}

static bool same_match(const void *x, const void *y)
{
	const struct sl_tcp_rule *o = x, *w = y;

	return o->netns_cookie == w->netns_cookie && o->cgroup_id == w->cgroup_id && o->match == w->match &&
	       o->family == w->family && o->prefix_len == w->prefix_len &&
	       !memcmp(o->addr, w->addr, sizeof(o->addr)) && !memcmp(o->mask, w->mask, sizeof(o->mask));
}

SL_BANK_HEAD_CHECK(struct sl_tcp_config);

static struct sl_banks banks_of(const struct tcp_priv *p)
{
	return (struct sl_banks){ .feature = "tcp", .rules_fd = p->map_fd[TM_RULES], .cfg_fd = p->map_fd[TM_CONFIG],
				  .stats_fd = p->map_fd[TM_STATS], .rule_size = sizeof(struct sl_tcp_rule),
				  .cfg_size = sizeof(struct sl_tcp_config), .stat_size = sizeof(struct sl_tcp_stat),
				  .id_off = offsetof(struct sl_tcp_rule, id), .per_bank = SL_TCP_RULES,
				  .same = same_match };
}

/* Rule ids: a rule the live bank has (same namespace, cgroup and match) keeps its
 * id and its counters, after a restart too; a new one takes the lowest
 * free id, its counters zeroed. */
static void assign_ids(struct tcp_priv *p, struct sl_tcp_rule *want, int n, uint32_t ids[])
{
	struct sl_banks b = banks_of(p);

	sl_banks_assign_ids(&b, want, n);
	for (int i = 0; i < n; i++)
		ids[i] = want[i].id;
}

/* the rules in the bank not in use, then the switch to it */
static int write_bank(struct tcp_priv *p, const struct sl_tcp_rule *rules, int n, bool nested, struct sl_error *err)
{
	struct sl_banks b = banks_of(p);
	struct sl_tcp_config cfg;

	if (sl_banks_config(&b, &cfg))
		return sl_fail(err, SL_E_KERNEL, 0, "tcp: cannot read %s: %s", tcp_map_names[TM_CONFIG], strerror(errno));
	cfg.nested = nested;
	return sl_banks_write(&b, &cfg, rules, n, err);
}

/* every cc a rule names is one the kernel has now (bpf_setsockopt cannot
 * load a module) */
static int check_ccs(const struct tcp_state *s, struct sl_error *err)
{
	char avail[512] = "";
	FILE *f = NULL;

	for (int k = 0; k < s->n; k++) {
		if (!s->rule[k].cc[0] || !strcmp(s->rule[k].cc, SL_TCP_OWN_CC))
			continue;
		if (!f) {
			f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "r");
			if (!f || !fgets(avail, sizeof(avail), f)) {
				if (f)
					fclose(f);
				return sl_fail(err, SL_E_KERNEL, 0, "tcp: cannot read the kernel's congestion controls: %s",
					       strerror(errno));
			}
			avail[strcspn(avail, "\n")] = '\0';
		}
		if (!tcp_cc_available(avail, s->rule[k].cc)) {
			fclose(f);
			return sl_fail(err, SL_E_USAGE, 0, "cc: the kernel has no congestion control '%s' (it has: %s)",
				       s->rule[k].cc, avail);
		}
	}
	if (f)
		fclose(f);
	return 0;
}

/* pins of another layout are refused before anything reads them, even
 * while no rule uses them (as every feature does at start) */
static int check_pins(const struct sl_env *env, struct sl_error *err)
{
	struct tcp_bpf *skel;
	int rc;

	skel = tcp_bpf__open();
	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "tcp: cannot open the BPF object: %s", strerror(errno));
	rc = sl_pin_check_maps(skel->obj, env->pin_root, err);
	tcp_bpf__destroy(skel);
	return rc;
}

/* A command's rules name sets that are there and hold addresses (a
 * config's are looked up by the program as they come: the sets feature
 * applies its part of a config after this one). */
static int check_sets(const struct tcp_priv *p, const struct tcp_state *s, struct sl_error *err)
{
	for (int k = 0; k < s->n; k++)
		if (s->rule[k].set[0] && sl_setref_check(p->map_fd[TM_SETDIR], "tcp", s->rule[k].set, 0, err))
			return -1;
	return 0;
}

/* the sets the rules name, in the sets' use map (one entry per rule) */
static int publish_sets(const struct tcp_priv *p, const struct tcp_state *s, struct sl_error *err)
{
	const char *names[SL_TCP_RULES];
	int n = 0;

	for (int k = 0; k < s->n; k++)
		if (s->rule[k].set[0])
			names[n++] = s->rule[k].set;
	return sl_setref_publish(p->map_fd[TM_SETUSE], "tcp", names, n, err);
}

static bool uses_own_cc(const struct tcp_state *s)
{
	for (int k = 0; k < s->n; k++)
		if (!strcmp(s->rule[k].cc, SL_TCP_OWN_CC))
			return true;
	return false;
}

static int apply(const struct sl_env *env, void *priv, const void *st, bool replace, struct sl_error *err)
{
	const struct tcp_state *s = st;
	struct tcp_priv *p = priv;
	struct sl_tcp_rule rules[SL_TCP_RULES];
	uint32_t ids[SL_TCP_RULES];
	int order[SL_TCP_RULES], ncg;
	char cgs[TCP_LINKS_MAX][TCP_CGROUP_MAX];
	struct tcp_link next[TCP_LINKS_MAX];
	uint64_t keep[TCP_LINKS_MAX], cg_ids[TCP_LINKS_MAX][SL_TCP_CG_LEVELS + 1];
	int cg_level[TCP_LINKS_MAX];
	bool made[TCP_LINKS_MAX] = { false }, had_cc;
	const char *off = tcp_kernel_off();

	/* the programs are always this build's: replaced in place (replace
	 * matters to sluice's own cc alone, without struct_ops links) */
	if (check_pins(env, err))
		return -1;
	if (!s->n) {
		/* no rules: the bank emptied, off every cgroup; counters stay
		 * pinned until --cleanup. A daemon that never had rules pins
		 * nothing. */
		if (p->nlinks || links_walk(env, NULL, 0, true)) {
			if (open_maps(env, p, err) || write_bank(p, rules, 0, false, err))
				return -1;
			if (publish_sets(p, s, err))
				sl_warn("%s", err->msg); /* the rules are gone: a stale use only keeps a set */
			for (int i = 0; i < p->nlinks; i++)
				link_off(env, &p->link[i]);
			p->nlinks = 0;
			links_walk(env, NULL, 0, false);
		}
		tcp_cc_drop(env, p);
		p->applied = *s;
		p->has_applied = true;
		return 0;
	}
	if (off) {
		if (env->interactive)
			return sl_fail(err, SL_E_KERNEL, 0, "tcp: the kernel cannot run the rules: %s", off);
		sl_warn("tcp: %d rules kept but not run: the kernel %s", s->n, off);
		p->applied = *s;
		p->has_applied = true;
		return 0;
	}
	ncg = tcp_state_cgroups(s, cgs, TCP_LINKS_MAX);
	if (ncg < 0)
		return sl_fail(err, SL_E_USAGE, 0, "tcp: the rules name more than %d cgroups", TCP_LINKS_MAX);
	if (sl_cgroup2_root(p->cgroup_root, sizeof(p->cgroup_root), err))
		return -1;
	for (int c = 0; c < ncg; c++)
		if (sl_cgroup_resolve(p->cgroup_root, cgs[c], SL_TCP_CG_LEVELS, cg_ids[c], &cg_level[c], err))
			return -1;
	if (check_ccs(s, err) || open_maps(env, p, err) || (env->interactive && check_sets(p, s, err)))
		return -1;
	/* the sets are held before any rule can name them (and those only
	 * the old rules named are let go: nothing else runs meanwhile) */
	if (publish_sets(p, s, err))
		return -1;
	tcp_state_order(s, order);
	for (int i = 0; i < s->n; i++) {
		const struct tcp_rule_cfg *r = &s->rule[order[i]];
		uint64_t cookie;
		int c;

		if (sl_netns_cookie(r->netns, &cookie, err))
			return -1;
		tcp_rule_compile(r, cookie, 0, &rules[i]);
		for (c = 0; c < ncg - 1 && strcmp(cgs[c], r->cgroup); c++)
			;
		if (r->cgroup[0]) {
			rules[i].cgroup_id = cg_ids[c][cg_level[c]];
			rules[i].cgroup_level = (__u32)cg_level[c];
		}
	}
	/* sluice's own cc, when a rule names it: registered before any
	 * program can set it; an apply that fails after it registered it
	 * unregisters it again */
	had_cc = p->cc_fd >= 0 || tcp_cc_pinned(env);
	p->cc_off[0] = '\0';
	if (uses_own_cc(s) && tcp_cc_ensure(env, p, replace, err)) {
		if (env->interactive)
			return -1;
		/* a config's rules still run: the connections they name keep the
		 * kernel's congestion control (bpf_setsockopt refuses the name;
		 * counted as refused), and their windows are not set */
		snprintf(p->cc_off, sizeof(p->cc_off), "%s", err->msg);
		sl_warn("%s; the rules naming it run without it (their connections count as refused)", err->msg);
		memset(err, 0, sizeof(*err));
	}
	assign_ids(p, rules, s->n, ids);
	for (int i = 0; i < s->n; i++)
		rules[i].id = ids[i];
	/* every cgroup's program, adopted or attached, before the switch */
	for (int c = 0; c < ncg; c++) {
		struct tcp_link *l = &next[c];
		struct tcp_bpf *prog = NULL;

		snprintf(l->cgroup, sizeof(l->cgroup), "%s", cgs[c]);
		l->id = keep[c] = cg_ids[c][cg_level[c]];
		l->link_fd = l->prog_fd = -1;
		for (int i = 0; i < p->nlinks; i++)
			if (p->link[i].id == l->id && p->link[i].link_fd >= 0)
				l->link_fd = dup(p->link[i].link_fd);
		if (load_prog(p, cg_level[c], cg_ids[c], &prog, err) ||
		    link_to(env, p, l, bpf_program__fd(prog->progs.sl_tcp_sockops), &made[c], err)) {
			if (prog)
				tcp_bpf__destroy(prog);
			ncg = c + 1;
			goto undo;
		}
		l->prog_fd = dup(bpf_program__fd(prog->progs.sl_tcp_sockops));
		tcp_bpf__destroy(prog);
	}
	if (write_bank(p, rules, s->n, ncg > 1, err))
		goto undo;
	/* committed: programs on cgroups no rule names any more go, and
	 * sluice's own cc when no rule names it */
	links_walk(env, keep, ncg, false);
	if (!uses_own_cc(s))
		tcp_cc_drop(env, p);
	links_close(p);
	memcpy(p->link, next, sizeof(next[0]) * (size_t)ncg);
	p->nlinks = ncg;
	for (int i = 0; i < s->n; i++)
		p->id[order[i]] = ids[i];
	p->applied = *s;
	p->has_applied = true;
	return 0;
undo:
	for (int c = 0; c < ncg; c++) {
		if (made[c])
			link_off(env, &next[c]);
		close_fd(&next[c].link_fd);
		close_fd(&next[c].prog_fd);
	}
	if (!had_cc)
		tcp_cc_drop(env, p);
	if (p->has_applied) {
		struct sl_error e2 = { 0 };

		if (publish_sets(p, &p->applied, &e2))
			sl_warn("%s", e2.msg);
	}
	return -1;
}

static void release(void *priv)
{
	struct tcp_priv *p = priv;

	links_close(p);
	if (p->cc_fd >= 0) /* the pin keeps it registered */
		close(p->cc_fd);
	p->cc_fd = -1;
	bpf_object__close(p->base);
	p->base = NULL;
}

static void priv_init(void *priv)
{
	struct tcp_priv *p = priv;

	p->nlinks = 0;
	p->cc_fd = -1;
	for (int i = 0; i < TM_COUNT; i++)
		p->map_fd[i] = -1;
}

const struct sl_feature sl_tcp_feature = {
	.name = "tcp",
	.state_size = sizeof(struct tcp_state),
	.priv_size = sizeof(struct tcp_priv),
	.priv_init = priv_init,
	.state_init = state_init,
	.apply = apply,
	.save = save,
	.status = tcp_status,
	.release = release,
};
