/* The per-message send policy (include/sluice/send.h) as a decision on a
 * struct sl_send_msg: its maps, the rodata that says which cgroup a load is
 * attached to, the first-match walk and the reply's restore. Included by
 * bpf/send.bpf.c (the cgroup sock_addr programs, thin shims over it) and by
 * tests/bpf/send_fx.bpf.c (a program BPF_PROG_TEST_RUN can run), so the
 * fixtures test the very code the hooks run. Must pass the 6.1 verifier:
 * one bounded loop, map lookups checked. */
#ifndef SLUICE_BPF_SEND_POLICY_H
#define SLUICE_BPF_SEND_POLICY_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sluice/send.h"
#include "lib/sets_lookup.h"

/* set by userspace before load: the level below the root of the cgroup
 * this load is attached to, and the ids of that cgroup and its ancestors
 * by level (the root, level 0, is 1) */
const volatile __u32 sl_send_level = 0;
const volatile __u64 sl_send_cgroups[SL_SEND_CG_LEVELS + 1] = { 1 };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * SL_SEND_RULES);
	__type(key, __u32);
	__type(value, struct sl_send_rule);
} SL_SEND_RULES_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sl_send_config);
} SL_SEND_CONFIG_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_SEND_RULES);
	__type(key, __u32);
	__type(value, struct sl_send_stat);
} SL_SEND_STATS_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SL_SEND_MARKS);
	__type(key, struct sl_send_mark_key);
	__type(value, __u32);
} SL_SEND_MARK_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SL_SEND_ORIGS);
	__type(key, struct sl_send_orig_key);
	__type(value, struct sl_send_orig);
} SL_SEND_ORIG_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SL_SEND_MEMOS);
	__type(key, struct sl_send_memo_key);
	__type(value, struct sl_send_memo);
} SL_SEND_MEMO_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sl_send_scratch);
} SL_SEND_SCRATCH_MAP SEC(".maps");

/* Each socket's last walk: a socket that sends to one destination again
 * and again (the common case) finds its memo here, a pointer away, instead
 * of hashing a 40-byte key into the LRU. The kernel holds the socket's lock
 * around the sendmsg hooks, so an entry has one writer at a time. Each load
 * has its own (not pinned): nested loads do not evict each other's. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sl_send_scratch);
} SL_SEND_LAST_MAP SEC(".maps");

/* the rule's cgroup is this load's or an ancestor of it */
static __always_inline bool sl_send_cgroup_ok(const struct sl_send_rule *r)
{
	__u32 level = r->cgroup_level;

	if (r->cgroup_id == 0)
		return true;
	if (level > sl_send_level || level > SL_SEND_CG_LEVELS)
		return false;
	return sl_send_cgroups[level] == r->cgroup_id;
}

/* With programs on nested cgroups: a deeper load than this one decided
 * for this socket's hook already (true: leave it); else mark it as this
 * one's. A socket's chain always starts at the same (deepest) load, so
 * its mark is never stale for it. */
static __always_inline bool sl_send_decided_below(const struct sl_send_msg *m, const struct sl_send_config *cfg)
{
	struct sl_send_mark_key key = { .cookie = m->sock_cookie, .hook = m->hook };
	__u32 level = sl_send_level, *seen;

	if (!cfg->nested)
		return false;
	seen = bpf_map_lookup_elem(&SL_SEND_MARK_MAP, &key);
	if (seen && *seen > level)
		return true;
	if (level > 0) /* the root's load runs last: nothing above reads it */
		bpf_map_update_elem(&SL_SEND_MARK_MAP, &key, &level, BPF_ANY);
	return false;
}

static __always_inline void sl_send_count(const struct sl_send_rule *r, __u8 hook)
{
	__u32 id = r->id;
	struct sl_send_stat *st = bpf_map_lookup_elem(&SL_SEND_STATS_MAP, &id);

	if (!st)
		return;
	if (hook == SL_SEND_HOOK_CONNECT)
		st->connects++;
	else
		st->messages++;
}

/* the new destination, and the original under it for the replies (a
 * global function: its keys stay off the stack of the walk's call chain) */
__noinline int sl_send_rewrite(struct sl_send_msg *m, const struct sl_send_rule *r)
{
	struct sl_send_orig_key key = {};
	struct sl_send_orig orig = {};

	if (!m || !r)
		return 0;
	orig.port = m->port;
	orig.family = m->family;
	orig.rule = r->id;
	key.family = m->family;
	key.cookie = m->sock_cookie;
	__builtin_memcpy(orig.addr, m->ip, sizeof(orig.addr));
	__builtin_memcpy(key.addr, r->to_addr, sizeof(key.addr));
	key.port = r->to_port ? r->to_port : m->port;
	bpf_map_update_elem(&SL_SEND_ORIG_MAP, &key, &orig, BPF_ANY);
	__builtin_memcpy(m->ip, r->to_addr, sizeof(m->ip));
	m->port = key.port;
	m->changed = 1;
	return 0;
}

/* Whether the set named `set` holds the message's destination (with_port:
 * and its UDP port). A global function: the verifier checks the lookup
 * (every class it can meet) once, not on each rule's path. */
__noinline int sl_send_in_set(const struct sl_set_name *set, const struct sl_send_msg *m, int with_port)
{
	struct sl_set_name key; /* a map key from a global function's argument: 6.1 wants it on the stack */

	if (!set || !m)
		return 0;
	__builtin_memcpy(&key, set, sizeof(key));
	if (!with_port)
		return sl_set_named_has(&key, m->family, (const __u8 *)m->ip, 0, 0);
	return sl_set_named_has(&key, m->family, (const __u8 *)m->ip, IPPROTO_UDP, bpf_ntohs(m->port));
}

static __always_inline bool sl_send_matches(const struct sl_send_rule *r, const struct sl_send_msg *m)
{
	if (r->match == SL_SEND_MATCH_PREFIX)
		return sl_send_rule_match(r, m->family, m->ip, m->port);
	/* a set's rewrite is of one family: messages of the other pass it by */
	if (r->family && r->family != m->family)
		return false;
	return sl_send_in_set(&r->set, m, r->match == SL_SEND_MATCH_SET_PORT);
}

/* a matching rule: counted, and its action taken (count rules: none) */
static __always_inline void sl_send_apply(struct sl_send_msg *m, const struct sl_send_rule *r)
{
	sl_send_count(r, m->hook);
	if (r->action == SL_SEND_COUNT)
		return;
	m->rule = r->id;
	if (r->action == SL_SEND_DENY)
		m->verdict = 0;
	else if (r->action == SL_SEND_REWRITE)
		sl_send_rewrite(m, r);
}

static __always_inline const struct sl_send_rule *sl_send_at(__u32 bank, __u32 pos)
{
	__u32 k = bank * SL_SEND_RULES + pos;

	return pos < SL_SEND_RULES ? bpf_map_lookup_elem(&SL_SEND_RULES_MAP, &k) : NULL;
}

/* a remembered walk replayed: its count rules count, its rule decides */
static __always_inline void sl_send_replay(struct sl_send_msg *m, const struct sl_send_memo *memo, __u32 bank)
{
	const struct sl_send_rule *r;

	for (__u32 j = 0; j < SL_SEND_MEMO_COUNTS; j++) {
		if (j >= memo->ncount)
			break;
		r = sl_send_at(bank, memo->count_pos[j]);
		if (r)
			sl_send_count(r, m->hook);
	}
	r = sl_send_at(bank, memo->pos);
	if (r)
		sl_send_apply(m, r);
}

static __always_inline bool sl_send_same_key(const struct sl_send_memo_key *a, const struct sl_send_memo_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	for (__u32 i = 0; i < sizeof(*a) / sizeof(__u64); i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/* The walk of bank `bank` (n rules): the first rule (bank order) of the
 * message's namespace and this load's cgroups that matches its
 * destination decides; count rules on the way count it. What it passed
 * goes into `memo` (ncount above SL_SEND_MEMO_COUNTS: more than it holds).
 * A global function: verified once, and what it writes to the memo is not
 * tracked rule by rule (inlined, the states of the walk multiply past the
 * verifier's limit). */
__noinline int sl_send_walk(struct sl_send_msg *m, struct sl_send_memo *memo, __u32 bank, __u32 n)
{
	if (!m || !memo)
		return 0;
	for (__u32 i = 0; i < SL_SEND_RULES; i++) {
		const struct sl_send_rule *r;

		if (i >= n)
			break;
		r = sl_send_at(bank & 1, i);
		if (!r)
			break;
		if (r->netns_cookie != m->netns_cookie || !sl_send_cgroup_ok(r) || !sl_send_matches(r, m))
			continue;
		sl_send_apply(m, r);
		if (r->action != SL_SEND_COUNT) {
			memo->pos = i;
			break;
		}
		if (memo->ncount < SL_SEND_MEMO_COUNTS)
			memo->count_pos[memo->ncount & (SL_SEND_MEMO_COUNTS - 1)] = i;
		memo->ncount++;
	}
	return 0;
}

/* sendmsg and connect: the walk, or with the memo on, the walk this
 * destination had in the bank's generation replayed (and a new walk
 * remembered). `sk`: the socket (sendmsg), whose last memo is tried
 * first; NULL: none. */
static __always_inline void sl_send_decide(struct sl_send_msg *m, struct bpf_sock *sk)
{
	const struct sl_send_config *cfg;
	const struct sl_send_memo *memo;
	struct sl_send_scratch *s, *last = NULL;
	__u32 zero = 0, bank, n, gen, use_memo;

	m->verdict = 1;
	m->rule = SL_SEND_NO_RULE;
	m->changed = 0;
	cfg = bpf_map_lookup_elem(&SL_SEND_CONFIG_MAP, &zero);
	if (!cfg)
		return;
	bank = cfg->bank & 1;
	n = cfg->nrules[bank];
	gen = cfg->gen;
	use_memo = cfg->memo;
	if (n == 0 || sl_send_decided_below(m, cfg))
		return;
	s = bpf_map_lookup_elem(&SL_SEND_SCRATCH_MAP, &zero);
	if (!s)
		return;
	__builtin_memset(s, 0, sizeof(*s));
	s->memo.pos = SL_SEND_NO_RULE;
	s->memo.gen = gen;
	if (use_memo) {
		s->key.netns_cookie = m->netns_cookie;
		s->key.cgroup = sl_send_level <= SL_SEND_CG_LEVELS ? sl_send_cgroups[sl_send_level] : 0;
		__builtin_memcpy(s->key.ip, m->ip, sizeof(s->key.ip));
		s->key.port = m->port;
		s->key.family = m->family;
		s->key.hook = m->hook;
		if (sk)
			last = bpf_sk_storage_get(&SL_SEND_LAST_MAP, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (last && last->memo.gen == gen && sl_send_same_key(&last->key, &s->key)) {
			sl_send_replay(m, &last->memo, bank);
			return;
		}
		memo = bpf_map_lookup_elem(&SL_SEND_MEMO_MAP, &s->key);
		if (memo && memo->gen == gen) {
			__builtin_memcpy(&s->memo, memo, sizeof(s->memo));
			sl_send_replay(m, &s->memo, bank);
			goto remember;
		}
	}
	sl_send_walk(m, &s->memo, bank, n);
	if (!use_memo || s->memo.ncount > SL_SEND_MEMO_COUNTS)
		return;
	bpf_map_update_elem(&SL_SEND_MEMO_MAP, &s->key, &s->memo, BPF_ANY);
remember:
	if (last)
		__builtin_memcpy(last, s, sizeof(*last));
}

/* the hooks that give back what a rewrite changed instead of deciding */
static __always_inline bool sl_send_restores(__u8 hook)
{
	return hook == SL_SEND_HOOK_RECVMSG || hook == SL_SEND_HOOK_PEERNAME;
}

/* recvmsg: a reply from a destination this socket's messages were
 * rewritten to shows the original as its source; getpeername: a socket
 * connected through a rewrite shows the address it asked for */
static __always_inline void sl_send_restore(struct sl_send_msg *m)
{
	struct sl_send_orig_key key = { .cookie = m->sock_cookie, .port = m->port, .family = m->family };
	const struct sl_send_orig *orig;
	struct sl_send_stat *st;
	__u32 id;

	m->verdict = 1;
	m->rule = SL_SEND_NO_RULE;
	m->changed = 0;
	__builtin_memcpy(key.addr, m->ip, sizeof(key.addr));
	orig = bpf_map_lookup_elem(&SL_SEND_ORIG_MAP, &key);
	if (!orig)
		return;
	__builtin_memcpy(m->ip, orig->addr, sizeof(m->ip));
	m->port = orig->port;
	m->rule = id = orig->rule;
	m->changed = 1;
	if (m->hook != SL_SEND_HOOK_RECVMSG)
		return;
	st = bpf_map_lookup_elem(&SL_SEND_STATS_MAP, &id);
	if (st)
		st->replies++;
}

#endif
