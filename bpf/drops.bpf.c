// SPDX-License-Identifier: GPL-2.0
/* UDP drop tracing: count every dropped UDP skb by (netns, drop reason,
 * family, local address and port) from skb:kfree_skb, count socket enqueue
 * failures from udp:udp_fail_queue_rcv_skb, and sample drops to a ring
 * buffer under a per-CPU rate limit. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "sluice/drops.h"
#include "lib/compat.h"
#include "lib/counters.h"
#include "lib/ip_copy.h"

char LICENSE[] SEC("license") = "GPL";

/* this program's generation; it acts only while the config says it is active */
const volatile __u32 sl_gen = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SL_DROPS_MAX_KEYS);
	__type(key, struct sl_drop_key);
	__type(value, struct sl_drop_count);
} SL_DROPS_COUNTERS_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SL_DROPS_MAX_OTHER);
	__type(key, struct sl_drop_key);
	__type(value, struct sl_drop_count);
} SL_DROPS_OTHER_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SL_DROPS_MAX_QFAIL);
	__type(key, struct sl_qfail_key);
	__type(value, struct sl_drop_count);
} SL_DROPS_QFAIL_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_DSTAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} SL_DROPS_STATS_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sl_drops_config);
} SL_DROPS_CONFIG_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sl_rate_window);
} SL_DROPS_LIMIT_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_DROPS_NLINKS);
	__type(key, __u32);
	__type(value, struct sl_drop_last);
} SL_DROPS_LAST_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SL_DROPS_EVENTS_BYTES);
} SL_DROPS_EVENTS_MAP SEC(".maps");

static __always_inline const struct sl_drops_config *active_config(void)
{
	__u32 zero = 0;
	const struct sl_drops_config *cfg = bpf_map_lookup_elem(&SL_DROPS_CONFIG_MAP, &zero);

	return cfg && cfg->active_gen == sl_gen ? cfg : NULL;
}

/* Whether this program should count the event on `skb` (see struct
 * sl_drop_last): it is the active generation, and the generation just
 * before it has not counted this same event on this CPU. Always records
 * the event, so the record describes the current event for whoever runs
 * next. `slot` is the tracepoint. */
static __always_inline const struct sl_drops_config *claim_event(__u32 slot, const void *skb)
{
	const struct sl_drops_config *cfg = active_config();
	struct sl_drop_last *last = bpf_map_lookup_elem(&SL_DROPS_LAST_MAP, &slot);
	bool dup;

	if (!last)
		return cfg;
	dup = last->skb == (__u64)skb && last->gen == sl_gen - 1 && last->counted;
	last->skb = (__u64)skb;
	last->gen = sl_gen;
	last->counted = dup || cfg;
	return dup ? NULL : cfg;
}

/* tp_btf arguments are BTF pointers: the loads below are plain (CO-RE
 * relocated, fault-safe) loads, not bpf_probe_read_kernel calls, which
 * matters on a path that runs for every freed skb in the system. */
static __always_inline __u32 netns_of(const struct sk_buff *skb)
{
	const struct net_device *dev = skb->dev;
	const struct sock *sk;

	if (dev)
		return dev->nd_net.net->ns.inum;
	sk = skb->sk;
	if (sk)
		return sk->__sk_common.skc_net.net->ns.inum;
	return 0;
}

/* Over budget, read the clock only this often: a storm then pays a
 * compare and an increment per drop, not a clock read. */
#define SL_BUDGET_CLOCK_EVERY 32

/* The time to stamp an event with when this CPU may still emit one in the
 * current window, else 0. Every clock read also expires an old window, so
 * no burst can exceed one window's budget. */
static __always_inline __u64 event_budget(const struct sl_drops_config *cfg)
{
	__u32 zero = 0;
	struct sl_rate_window *w = bpf_map_lookup_elem(&SL_DROPS_LIMIT_MAP, &zero);
	__u64 now;

	if (!w || !cfg->events_per_window)
		return 0;
	if (w->used >= cfg->events_per_window && ++w->over % SL_BUDGET_CLOCK_EVERY)
		return 0;
	now = bpf_ktime_get_ns();
	if (now - w->start_ns >= cfg->window_ns) {
		w->start_ns = now;
		w->used = 0;
		w->over = 0;
	}
	if (w->used >= cfg->events_per_window)
		return 0;
	w->used++;
	return now;
}

static __always_inline void emit_event(const struct sl_drops_config *cfg, const struct sl_drop_key *key,
				       const struct sl_udp_tuple *t, const struct sk_buff *skb)
{
	struct sl_drop_event *e;
	__u64 now = event_budget(cfg);

	if (!now)
		return; /* counted as seen - sent - lost */
	e = bpf_ringbuf_reserve(&SL_DROPS_EVENTS_MAP, sizeof(*e), 0);
	if (!e) {
		sl_stat_inc(&SL_DROPS_STATS_MAP, SL_DSTAT_EV_LOST);
		return;
	}
	e->ts_ns = now;
	e->netns = key->netns;
	e->reason = key->reason;
	e->ifindex = skb->skb_iif;
	e->len = skb->len;
	e->family = t->family;
	e->pad0 = 0;
	e->cpu = bpf_get_smp_processor_id();
	e->sport = t->sport;
	e->dport = t->dport;
	__builtin_memcpy(e->saddr, t->saddr, sizeof(e->saddr));
	__builtin_memcpy(e->daddr, t->daddr, sizeof(e->daddr));
	bpf_ringbuf_submit(e, 0);
	sl_stat_inc(&SL_DROPS_STATS_MAP, SL_DSTAT_EV_SENT);
}

/* Count under the exact key, or, when that map is full, under the
 * (netns, reason, family) row of the "other" map, so totals stay exact. */
static __always_inline void count_drop(struct sl_drop_key *key, __u32 len)
{
	if (!sl_pcpu_add(&SL_DROPS_COUNTERS_MAP, key, 1, len))
		return;
	key->flags = SL_DROP_KEY_OTHER;
	key->port = 0;
	__builtin_memset(key->addr, 0, sizeof(key->addr));
	if (sl_pcpu_add(&SL_DROPS_OTHER_MAP, key, 1, len))
		sl_stat_inc(&SL_DROPS_STATS_MAP, SL_DSTAT_KEYS_FULL);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(sl_drops_kfree, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	const struct sl_drops_config *cfg;
	__u8 hdr[SL_DROPS_HDR_COPY]; /* filled whole by the copy below */
	struct sl_udp_tuple t = {};
	struct sl_drop_key key = {};
	__u16 proto, nh;
	__u32 tail;         /* sk_buff_data_t: an offset from head on 64-bit */
	unsigned char *head;
	bool ingress;
	__u32 len;

	proto = skb->protocol;
	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return 0;

	nh = skb->network_header;
	tail = skb->tail;
	head = skb->head;
	if (nh == (__u16)~0U || tail <= nh) {
		sl_stat_inc(&SL_DROPS_STATS_MAP, SL_DSTAT_UNPARSED);
		return 0;
	}
	/* Copy a fixed 128 bytes: the head allocation always extends past
	 * tail (skb_shared_info follows it), and a constant size keeps the
	 * verifier simple. Only the first `len` bytes are packet. */
	len = tail - nh;
	if (len > SL_DROPS_HDR_COPY)
		len = SL_DROPS_HDR_COPY;
	if (bpf_probe_read_kernel(hdr, sizeof(hdr), head + nh) ||
	    sl_parse_udp_copy(hdr, len, &t) < 0) {
		sl_stat_inc(&SL_DROPS_STATS_MAP, SL_DSTAT_UNPARSED);
		return 0;
	}
	if (t.family == 0)
		return 0; /* parsed, not UDP */
	cfg = claim_event(0, skb);
	if (!cfg)
		return 0;

	sl_stat_inc(&SL_DROPS_STATS_MAP, SL_DSTAT_SEEN);
	/* received packets have an input interface; locally sent ones do not */
	ingress = skb->skb_iif != 0;
	key.netns = netns_of(skb);
	key.reason = reason;
	key.family = t.family;
	key.port = ingress ? t.dport : t.sport;
	__builtin_memcpy(key.addr, ingress ? t.daddr : t.saddr, sizeof(key.addr));
	emit_event(cfg, &key, &t, skb);
	count_drop(&key, skb->len);
	return 0;
}

SEC("tp_btf/udp_fail_queue_rcv_skb")
int BPF_PROG(sl_drops_udpq, int rc, struct sock *sk, struct sk_buff *skb)
{
	struct sl_qfail_key key = {};
	__u16 family;

	if (!sk || !claim_event(1, skb ? (const void *)skb : (const void *)sk))
		return 0;
	family = sk->__sk_common.skc_family;
	key.netns = sk->__sk_common.skc_net.net->ns.inum;
	key.err = rc;
	key.family = family == AF_INET6 ? SL_FAMILY_IPV6 : SL_FAMILY_IPV4;
	key.port = sk->__sk_common.skc_num;
	if (sl_pcpu_add(&SL_DROPS_QFAIL_MAP, &key, 1, skb ? skb->len : 0))
		sl_stat_inc(&SL_DROPS_STATS_MAP, SL_DSTAT_QFAIL_FULL);
	return 0;
}
