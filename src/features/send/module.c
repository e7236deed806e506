/* Send policy: the daemon module. The state is the rules; apply() makes
 * the kernel run them: on every cgroup the rules name (the root for rules
 * without one) one load of bpf/send.bpf.c, its eight programs each on a
 * pinned cgroup link (adopted by a restarted daemon, the program replaced
 * in place), then the rules written into the bank the programs do not
 * read and switched to with one update of the config map. A failure before
 * the switch leaves the dataplane as it was; links this apply made are
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
#include "lib/netns.h"
#include "lib/setref.h"
#include "features/send/send.h"
#include "send.skel.h"

const char *const send_map_names[SNDM_COUNT] = {
	[SNDM_RULES] = SL_STR(SL_SEND_RULES_MAP),
	[SNDM_CONFIG] = SL_STR(SL_SEND_CONFIG_MAP),
	[SNDM_STATS] = SL_STR(SL_SEND_STATS_MAP),
	[SNDM_MARK] = SL_STR(SL_SEND_MARK_MAP),
	[SNDM_ORIG] = SL_STR(SL_SEND_ORIG_MAP),
	[SNDM_MEMO] = SL_STR(SL_SEND_MEMO_MAP),
	[SNDM_SETDIR] = SL_STR(SL_SET_DIR_MAP),
	[SNDM_SETUSE] = SL_STR(SL_SET_USE_MAP),
};

/* program sl_send_<hook> attaches as hook_type[] */
const char *const send_hook_names[SEND_HOOKS] = {
	"sendmsg4", "sendmsg6", "connect4", "connect6", "recvmsg4", "recvmsg6", "getpeername4", "getpeername6",
};
static const enum bpf_attach_type hook_type[SEND_HOOKS] = {
	BPF_CGROUP_UDP4_SENDMSG, BPF_CGROUP_UDP6_SENDMSG, BPF_CGROUP_INET4_CONNECT,
	BPF_CGROUP_INET6_CONNECT, BPF_CGROUP_UDP4_RECVMSG, BPF_CGROUP_UDP6_RECVMSG,
	BPF_CGROUP_INET4_GETPEERNAME, BPF_CGROUP_INET6_GETPEERNAME,
};

static void state_init(void *st)
{
	memset(st, 0, sizeof(struct send_state));
}

int send_stage_add(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct send_rule_cfg r;
	unsigned given;

	if (send_rule_from_cmd(cmd, &r, &given, err))
		return -1;
	return send_state_add(st, &r, err);
}

int send_stage_del(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct send_rule_cfg r;
	unsigned given;

	if (send_rule_from_cmd(cmd, &r, &given, err))
		return -1;
	return send_state_del(st, &r, given, err);
}

static void save(void *priv, const void *st, FILE *out)
{
	(void)priv; /* all of it is in the state */
	send_save_state(st, out);
}

static void link_name(int hook, uint64_t id, char *out, size_t size)
{
	snprintf(out, size, SL_SEND_LINK_PREFIX "%s_%llu", send_hook_names[hook], (unsigned long long)id);
}

/* the pinned maps (made now when absent), once per daemon */
static int open_maps(const struct sl_env *env, struct send_priv *p, struct sl_error *err)
{
	size_t size;
	const void *elf = send_bpf__elf_bytes(&size);

	if (p->base)
		return 0;
	return sl_obj_open_base("send", elf, size, env->pin_root, send_map_names, SNDM_COUNT, p->map_fd, &p->base, err);
}

/* the load for one cgroup: `ids` are its and its ancestors' by level */
static struct send_bpf *load_prog(struct send_priv *p, int level, const uint64_t ids[], struct sl_error *err)
{
	struct send_bpf *skel = send_bpf__open();

	if (!skel) {
		sl_fail(err, SL_E_KERNEL, 0, "send: cannot open the BPF object: %s", strerror(errno));
		return NULL;
	}
	skel->rodata->sl_send_level = (__u32)level;
	for (int l = 0; l <= level; l++)
		skel->rodata->sl_send_cgroups[l] = ids[l];
	if (sl_obj_load_instance(skel->obj, p->base, "send", "cannot load the sock_addr programs", err)) {
		send_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/* one cgroup's programs, each on its link (adopted or made) */
static int cg_attach(const struct sl_env *env, struct send_priv *p, struct send_cg *c, const char *dir, int level,
		     const uint64_t ids[], bool made[SEND_HOOKS], struct sl_error *err)
{
	struct send_bpf *skel = load_prog(p, level, ids, err);
	char name[64], prog_name[32];
	int rc = 0;

	if (!skel)
		return -1;
	for (int h = 0; h < SEND_HOOKS && !rc; h++) {
		struct bpf_program *prog;

		snprintf(prog_name, sizeof(prog_name), "sl_send_%s", send_hook_names[h]);
		prog = bpf_object__find_program_by_name(skel->obj, prog_name);
		link_name(h, c->id, name, sizeof(name));
		rc = sl_cglink_to(env->pin_root, name, dir, hook_type[h], bpf_program__fd(prog), &c->link_fd[h],
				  &made[h], "send", err);
	}
	send_bpf__destroy(skel);
	return rc;
}

static void cg_off(const struct sl_env *env, struct send_cg *c, const bool made[SEND_HOOKS])
{
	char name[64];

	for (int h = 0; h < SEND_HOOKS; h++) {
		if (made && !made[h]) {
			if (c->link_fd[h] >= 0)
				close(c->link_fd[h]);
			c->link_fd[h] = -1;
			continue;
		}
		link_name(h, c->id, name, sizeof(name));
		sl_cglink_off(env->pin_root, name, &c->link_fd[h]);
	}
}

static void cg_close(struct send_cg *c)
{
	for (int h = 0; h < SEND_HOOKS; h++) {
		if (c->link_fd[h] >= 0)
			close(c->link_fd[h]);
		c->link_fd[h] = -1;
	}
}

static bool same_match(const void *x, const void *y)
{
	const struct sl_send_rule *a = x, *b = y;

	return a->netns_cookie == b->netns_cookie && a->cgroup_id == b->cgroup_id && a->family == b->family &&
	       a->prefix_len == b->prefix_len && a->port == b->port && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

SL_BANK_HEAD_CHECK(struct sl_send_config);

static struct sl_banks banks_of(const struct send_priv *p)
{
	return (struct sl_banks){ .feature = "send", .rules_fd = p->map_fd[SNDM_RULES], .cfg_fd = p->map_fd[SNDM_CONFIG],
				  .stats_fd = p->map_fd[SNDM_STATS], .rule_size = sizeof(struct sl_send_rule),
				  .cfg_size = sizeof(struct sl_send_config), .stat_size = sizeof(struct sl_send_stat),
				  .id_off = offsetof(struct sl_send_rule, id), .per_bank = SL_SEND_RULES,
				  .same = same_match };
}

/* the rules in the bank not in use, then the switch to it: a new
 * generation, so no remembered decision of the old rules is replayed */
static int write_bank(struct send_priv *p, const struct sl_send_rule *rules, int n, bool nested, struct sl_error *err)
{
	struct sl_banks b = banks_of(p);
	struct sl_send_config cfg;
	bool sets = false;

	if (sl_banks_config(&b, &cfg))
		return sl_fail(err, SL_E_KERNEL, 0, "send: cannot read %s: %s", send_map_names[SNDM_CONFIG],
			       strerror(errno));
	for (int i = 0; i < n; i++)
		sets |= rules[i].match != SL_SEND_MATCH_PREFIX;
	cfg.nested = nested;
	cfg.gen++;
	cfg.memo = n >= SL_SEND_MEMO_MIN && !sets;
	return sl_banks_write(&b, &cfg, rules, n, err);
}

/* pins of another layout are refused before anything reads them */
static int check_pins(const struct sl_env *env, struct sl_error *err)
{
	struct send_bpf *skel = send_bpf__open();
	int rc;

	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "send: cannot open the BPF object: %s", strerror(errno));
	rc = sl_pin_check_maps(skel->obj, env->pin_root, err);
	send_bpf__destroy(skel);
	return rc;
}

/* A command's rules name sets that are there, of the classes their match
 * takes (dst,dst: an address and a port), and of a rewrite's family (a
 * config's are looked up as they come: the sets feature applies its part
 * of a config after this one). */
static int check_sets(const struct send_priv *p, const struct send_state *s, struct sl_error *err)
{
	for (int k = 0; k < s->n; k++) {
		const struct send_rule_cfg *r = &s->rule[k];
		struct sl_set_dirent d;
		__u8 c;

		if (!r->set[0])
			continue;
		if (sl_setref_check(p->map_fd[SNDM_SETDIR], "send", r->set, r->set_port ? 2 : 0, err) ||
		    sl_setref_find(p->map_fd[SNDM_SETDIR], r->set, &d))
			return -1;
		c = sl_set_key_class(d.cls);
		if (r->set_port && c != SL_CLASS_IPPORT4 && c != SL_CLASS_IPPORT6 && c != SL_CLASS_NETPORT4 &&
		    c != SL_CLASS_NETPORT6)
			return sl_fail(err, SL_E_USAGE, 0, "match-set %s dst,dst: the set is not of hash:ip,port or "
				       "hash:net,port", r->set);
		if (r->action == SL_SEND_REWRITE && d.family != r->family)
			return sl_fail(err, SL_E_USAGE, 0, "rewrite: the set %s is IPv%u and the new address IPv%u: "
				       "a message keeps its family", r->set, d.family, r->family);
	}
	return 0;
}

/* the sets the rules name, in the sets' use map (one entry per rule) */
static int publish_sets(const struct send_priv *p, const struct send_state *s, struct sl_error *err)
{
	const char *names[SL_SEND_RULES];
	int n = 0;

	for (int k = 0; k < s->n; k++)
		if (s->rule[k].set[0])
			names[n++] = s->rule[k].set;
	return sl_setref_publish(p->map_fd[SNDM_SETUSE], "send", names, n, err);
}

static void links_close(struct send_priv *p)
{
	for (int c = 0; c < p->ncg; c++)
		cg_close(&p->cg[c]);
	p->ncg = 0;
}

/* no rules: the bank emptied, off every cgroup (counters stay pinned
 * until --cleanup); a daemon that never had rules pins nothing */
static int apply_none(const struct sl_env *env, struct send_priv *p, struct sl_error *err)
{
	if (p->ncg || sl_cglink_sweep(env->pin_root, SL_SEND_LINK_PREFIX, NULL, 0, true)) {
		if (open_maps(env, p, err) || write_bank(p, NULL, 0, false, err))
			return -1;
		if (sl_setref_publish(p->map_fd[SNDM_SETUSE], "send", NULL, 0, err))
			sl_warn("%s", err->msg); /* the rules are gone: a stale use only keeps a set */
		for (int c = 0; c < p->ncg; c++)
			cg_off(env, &p->cg[c], NULL);
		p->ncg = 0;
		sl_cglink_sweep(env->pin_root, SL_SEND_LINK_PREFIX, NULL, 0, false);
	}
	return 0;
}

/* the rules in match order, compiled: their namespaces' cookies, their
 * cgroups' ids */
static int compile(const struct send_state *s, const int order[], char cgs[][SEND_CGROUP_MAX], int ncg,
		   uint64_t cg_ids[][SL_SEND_CG_LEVELS + 1], const int cg_level[], struct sl_send_rule *rules,
		   struct sl_error *err)
{
	for (int i = 0; i < s->n; i++) {
		const struct send_rule_cfg *r = &s->rule[order[i]];
		uint64_t cookie;
		int c;

		if (sl_netns_cookie(r->netns, &cookie, err))
			return -1;
		send_rule_compile(r, cookie, 0, &rules[i]);
		for (c = 0; c < ncg - 1 && strcmp(cgs[c], r->cgroup); c++)
			;
		if (r->cgroup[0]) {
			rules[i].cgroup_id = cg_ids[c][cg_level[c]];
			rules[i].cgroup_level = (__u32)cg_level[c];
		}
	}
	return 0;
}

static int apply(const struct sl_env *env, void *priv, const void *st, bool replace, struct sl_error *err)
{
	const struct send_state *s = st;
	struct send_priv *p = priv;
	static struct sl_send_rule rules[SL_SEND_RULES];
	static char cgs[SEND_CGROUPS_MAX][SEND_CGROUP_MAX];
	struct send_cg next[SEND_CGROUPS_MAX];
	uint64_t keep[SEND_CGROUPS_MAX], cg_ids[SEND_CGROUPS_MAX][SL_SEND_CG_LEVELS + 1];
	bool made[SEND_CGROUPS_MAX][SEND_HOOKS];
	int order[SL_SEND_RULES], cg_level[SEND_CGROUPS_MAX], ncg, c;

	(void)replace; /* the programs are always this build's: replaced in place */
	if (check_pins(env, err))
		return -1;
	if (!s->n) {
		if (apply_none(env, p, err))
			return -1;
		goto done;
	}
	ncg = send_state_cgroups(s, cgs, SEND_CGROUPS_MAX);
	if (ncg < 0)
		return sl_fail(err, SL_E_USAGE, 0, "send: the rules name more than %d cgroups", SEND_CGROUPS_MAX);
	if (sl_cgroup2_root(p->cgroup_root, sizeof(p->cgroup_root), err))
		return -1;
	for (c = 0; c < ncg; c++)
		if (sl_cgroup_resolve(p->cgroup_root, cgs[c], SL_SEND_CG_LEVELS, cg_ids[c], &cg_level[c], err))
			return -1;
	if (open_maps(env, p, err) || (env->interactive && check_sets(p, s, err)))
		return -1;
	/* the sets are held before any rule can name them */
	if (publish_sets(p, s, err))
		return -1;
	send_state_order(s, order);
	if (compile(s, order, cgs, ncg, cg_ids, cg_level, rules, err))
		return -1;
	{
		struct sl_banks b = banks_of(p);

		sl_banks_assign_ids(&b, rules, s->n);
	}
	memset(made, 0, sizeof(made));
	/* every cgroup's programs, adopted or attached, before the switch */
	for (c = 0; c < ncg; c++) {
		struct send_cg *n = &next[c];
		char dir[1024];

		memset(n, 0, sizeof(*n));
		snprintf(n->cgroup, sizeof(n->cgroup), "%s", cgs[c]);
		n->id = keep[c] = cg_ids[c][cg_level[c]];
		for (int h = 0; h < SEND_HOOKS; h++)
			n->link_fd[h] = -1;
		for (int i = 0; i < p->ncg; i++)
			for (int h = 0; p->cg[i].id == n->id && h < SEND_HOOKS; h++)
				if (p->cg[i].link_fd[h] >= 0)
					n->link_fd[h] = dup(p->cg[i].link_fd[h]);
		snprintf(dir, sizeof(dir), "%s%s", p->cgroup_root, cgs[c]);
		if (cg_attach(env, p, n, dir, cg_level[c], cg_ids[c], made[c], err)) {
			ncg = c + 1;
			goto undo;
		}
	}
	if (write_bank(p, rules, s->n, ncg > 1, err))
		goto undo;
	/* committed: programs on cgroups no rule names any more go */
	sl_cglink_sweep(env->pin_root, SL_SEND_LINK_PREFIX, keep, ncg, false);
	links_close(p);
	memcpy(p->cg, next, sizeof(next[0]) * (size_t)ncg);
	p->ncg = ncg;
	for (int i = 0; i < s->n; i++)
		p->id[order[i]] = rules[i].id;
done:
	p->applied = *s;
	p->has_applied = true;
	return 0;
undo:
	for (c = 0; c < ncg; c++)
		cg_off(env, &next[c], made[c]);
	if (p->has_applied) {
		struct sl_error e2 = { 0 };

		if (publish_sets(p, &p->applied, &e2))
			sl_warn("%s", e2.msg);
	}
	return -1;
}

static void release(void *priv)
{
	struct send_priv *p = priv;

	links_close(p);
	bpf_object__close(p->base);
	p->base = NULL;
}

static void priv_init(void *priv)
{
	struct send_priv *p = priv;

	p->ncg = 0;
	for (int i = 0; i < SNDM_COUNT; i++)
		p->map_fd[i] = -1;
}

const struct sl_feature sl_send_feature = {
	.name = "send",
	.state_size = sizeof(struct send_state),
	.priv_size = sizeof(struct send_priv),
	.priv_init = priv_init,
	.state_init = state_init,
	.apply = apply,
	.save = save,
	.status = send_status,
	.release = release,
};
