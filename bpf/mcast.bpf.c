// SPDX-License-Identifier: GPL-2.0
/* Bridge multicast flooding policy (RHEL 6.2: multicast for unregistered
 * groups goes only to router ports), as two tc programs on every port of a
 * bridge (see include/sluice/mcast.h):
 *
 *   sl_mc_ingress  snoops IGMP/MLD reports, leaves and dones into the
 *                  member and group maps, and makes a port that hears a
 *                  general query or a PIM hello a learned router port for
 *                  config.router_ns. Never drops.
 *   sl_mc_egress   lets multicast data out of this port only to members of
 *                  a registered group and to router ports; a `flood` port
 *                  gets everything. Link-local control groups, IGMP/MLD
 *                  themselves, non-IP, non-multicast and unparsable frames
 *                  pass untouched and uncounted.
 *
 *   sl_mc_xdp      (fast path, XDP on every port) a registered group's
 *                  data goes straight to the ports by devmap broadcast:
 *                  those of the group's own port set when it is current,
 *                  else all of the bridge's; everything else passes to the
 *                  bridge.
 *   sl_mc_xdp_port the devmap program of each port's entry (in both):
 *                  sl_mc_egress's decision for that port, with the same
 *                  code, so a set that holds a port no longer due (a
 *                  leave, an expiry) still sends it nothing.
 *
 * A port is (sl_mc_bridge, skb->ifindex): the port the frame came in on
 * (ingress) or leaves by (egress). Times are bpf_ktime_get_ns(). The
 * programs never delete map entries: expired ones stay until the daemon
 * sweeps them. Message parsing, and why IGMP/MLD checksums are not
 * verified, is in lib/igmp.h. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sluice/mcast.h"
#include "lib/compat.h"
#include "lib/counters.h"
#include "lib/parse.h"
#include "lib/igmp.h"

char LICENSE[] SEC("license") = "GPL";

/* set by userspace before load: this bridge's row in the config map */
const volatile __u32 sl_mc_bridge = 0;

/* Group records read from one IGMPv3/MLDv2 report. A 1500-byte report
 * holds up to 183 IGMPv3 records (8 bytes each, no sources), a 9000-byte
 * one 1121: the bound must not drop the memberships of a real report. The
 * walk also ends at the end of the message, so a report claiming more
 * records than it holds costs no more than its bytes allow. Records past
 * the bound are not read and the message counts as malformed. */
#define SL_MC_MAX_RECORDS 1024

/* headers beyond the linear area are pulled in up to this much */
#define SL_MC_PULL 256

/* ---- maps ------------------------------------------------------------------ */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SL_MC_BRIDGES);
	__type(key, __u32);
	__type(value, struct sl_mc_config);
} SL_MC_CONFIG_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_MC_PORTS);
	__type(key, struct sl_mc_port_key);
	__type(value, struct sl_mc_port);
} SL_MC_PORT_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_MC_MEMBERS);
	__type(key, struct sl_mc_member_key);
	__type(value, struct sl_mc_member);
} SL_MC_MEMBER_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_MC_GROUPS);
	__type(key, struct sl_mc_group_key);
	__type(value, struct sl_mc_group);
} SL_MC_GROUP_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SL_MC_PORTS);
	__type(key, struct sl_mc_port_key);
	__type(value, struct sl_mc_port_stats);
} SL_MC_STATS_MAP SEC(".maps");

/* userspace's record of which bridge each index is, never read here
 * (declared so it has BTF and pins with the rest) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SL_MC_BRIDGES);
	__type(key, __u32);
	__type(value, struct sl_mc_bridge_meta);
} SL_MC_BRIDGE_MAP SEC(".maps");

/* the fast path's port set: one DEVMAP_HASH per bridge, made by the daemon */
struct sl_mc_devmap {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, SL_MC_DEV_PORTS);
	__type(key, __u32);
	/* struct bpf_devmap_val, by size: its union does not size in BTF */
	__uint(value_size, sizeof(struct bpf_devmap_val));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, SL_MC_BRIDGES);
	__type(key, __u32);
	__array(values, struct sl_mc_devmap);
} SL_MC_DEV_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_MC_BRIDGES);
	__type(key, __u32);
	__type(value, struct sl_mc_fast_stats);
} SL_MC_FAST_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SL_MC_BRIDGES);
	__type(key, __u32);
	__type(value, struct sl_mc_gen);
} SL_MC_GEN_MAP SEC(".maps");

/* per group, its members' and router ports (made by the daemon) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, SL_MC_GSETS);
	__type(key, struct sl_mc_gset_key);
	__array(values, struct sl_mc_devmap);
} SL_MC_GSET_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SL_MC_GROUPS);
	__type(key, struct sl_mc_group_key);
	__type(value, struct sl_mc_group_stats);
} SL_MC_GSTAT_MAP SEC(".maps");

/* ---- shared ------------------------------------------------------------------ */

/* the frame's first byte: the group bit of its destination MAC */
static __always_inline bool sl_mc_mac_multicast(struct __sk_buff *skb)
{
	__u8 *d = (void *)(long)skb->data;

	if ((void *)(d + 1) > (void *)(long)skb->data_end)
		return true; /* not linear enough to tell: parse and see */
	return d[0] & 1;
}

static __always_inline const struct sl_mc_config *sl_mc_config(void)
{
	__u32 bridge = sl_mc_bridge;
	const struct sl_mc_config *cfg = bpf_map_lookup_elem(&SL_MC_CONFIG_MAP, &bridge);

	return cfg && cfg->enabled ? cfg : NULL;
}

/* this port's counters, created on first use; NULL when the map is full */
static __always_inline struct sl_mc_port_stats *sl_mc_stats(const struct sl_mc_port_key *pk)
{
	const struct sl_mc_port_stats zero = {};

	return sl_pcpu_slot(&SL_MC_STATS_MAP, pk, &zero);
}

/* The parser as a global function: the verifier checks it once, on its
 * own, and its callers see *p as unknown bytes (inline, every path out of
 * the parser would be walked through the code after it; see sets.bpf.c). */
__noinline int sl_mc_parse(struct __sk_buff *skb, struct sl_pkt *p)
{
	if (!p)
		return SL_PARSE_MALFORMED;
	return sl_parse((void *)(long)skb->data, (void *)(long)skb->data_end, p);
}

/* Parse, pulling headers in from the paged part of the skb when they
 * are there rather than missing. */
static __always_inline int sl_mc_parse_skb(struct __sk_buff *skb, struct sl_pkt *p)
{
	int status = sl_mc_parse(skb, p);
	__u32 len = skb->len, linear = skb->data_end - skb->data;

	if (status == SL_PARSE_TRUNCATED && len > linear && linear < SL_MC_PULL &&
	    !bpf_skb_pull_data(skb, len < SL_MC_PULL ? len : SL_MC_PULL))
		status = sl_mc_parse(skb, p);
	return status;
}

/* ---- snooping (ingress) ------------------------------------------------------ */

/* One report's worth of changes on one port: what the record walk needs,
 * and what it counted (added to the port's stats once, at the end). */
struct sl_mc_snoop {
	struct __sk_buff *skb;
	struct sl_mc_member_key key;   /* bridge, ifindex, family; group per record */
	__u64 now;
	__u64 join_until;              /* now + membership_ns */
	__u64 leave_until;             /* now + leave_ns */
	__u32 off, end;                /* the next record; the end of the message */
	__u8 version;
	__u8 pad[3];
	__u32 reports, leaves;
	__u32 malformed;               /* 0 or 1: counted once per message */
};

/* a generation moved: the daemon's cue to rebuild port sets */
static __always_inline void sl_mc_changed(struct sl_mc_gen *gen)
{
	if (gen)
		__sync_fetch_and_add(&gen->changes, 1);
}

static __always_inline struct sl_mc_gen *sl_mc_gen(void)
{
	__u32 bridge = sl_mc_bridge;

	return bpf_map_lookup_elem(&SL_MC_GEN_MAP, &bridge);
}

/* A join: the membership expires at `until` (created or refreshed), and
 * the group stays registered at least that long. Two CPUs refreshing the
 * same group at once compute the same expiry to within nanoseconds, so a
 * plain max (no compare-and-swap) is enough. A full map loses the join.
 * A membership that becomes live moves the group's generation, after the
 * membership is written (a fetching atomic: fully ordered), so a port set
 * built from a generation read before this join is no longer current. A
 * refresh of a live one moves nothing. */
static __always_inline void sl_mc_join(const struct sl_mc_member_key *k, __u64 now, __u64 until, __u8 version)
{
	struct sl_mc_member *m = bpf_map_lookup_elem(&SL_MC_MEMBER_MAP, k);
	struct sl_mc_group_key gk = {};
	struct sl_mc_group *g;
	bool fresh = !m || m->expires_ns <= now;

	if (m) {
		m->expires_ns = until;
		m->version = version;
	} else {
		struct sl_mc_member nm = { .expires_ns = until, .version = version };

		bpf_map_update_elem(&SL_MC_MEMBER_MAP, k, &nm, BPF_ANY);
	}
	gk.bridge = k->bridge;
	gk.family = k->family;
	__builtin_memcpy(gk.group, k->group, sizeof(gk.group));
	g = bpf_map_lookup_elem(&SL_MC_GROUP_MAP, &gk);
	if (!g) {
		struct sl_mc_group ng = { .expires_ns = until, .gen = 1 };

		/* a new group: no set can be current for it yet (the daemon
		 * deletes a group's sets before the group) */
		if (!bpf_map_update_elem(&SL_MC_GROUP_MAP, &gk, &ng, BPF_NOEXIST)) {
			sl_mc_changed(sl_mc_gen());
			return;
		}
		g = bpf_map_lookup_elem(&SL_MC_GROUP_MAP, &gk); /* another CPU made it */
		if (!g)
			return;
	}
	if (g->expires_ns < until)
		g->expires_ns = until;
	if (fresh) {
		__sync_fetch_and_add(&g->gen, 1);
		sl_mc_changed(sl_mc_gen());
	}
}

/* A leave: a membership ends by `until` (last member query time), sooner
 * if it was ending anyway. The group's own expiry stays: a registered group
 * without live members goes to router ports only, as an unregistered one. */
static __always_inline void sl_mc_leave(const struct sl_mc_member_key *k, __u64 until)
{
	struct sl_mc_member *m = bpf_map_lookup_elem(&SL_MC_MEMBER_MAP, k);

	if (m && m->expires_ns > until)
		m->expires_ns = until;
}

/* Join or leave `group` on the walk's port. Link-local control groups are
 * never snooped (they always flood) and count nothing; a group address
 * that is not multicast counts as malformed. */
static __always_inline void sl_mc_apply(struct sl_mc_snoop *s, int action, const __u8 *group)
{
	if (action == SL_MC_SKIP)
		return;
	if (!sl_mc_addr_multicast(s->key.family, group)) {
		s->malformed = 1;
		return;
	}
	if (sl_mc_addr_ll_control(s->key.family, group))
		return;
	__builtin_memcpy(s->key.group, group, sizeof(s->key.group));
	if (action == SL_MC_DO_JOIN) {
		sl_mc_join(&s->key, s->now, s->join_until, s->version);
		s->reports++;
	} else {
		sl_mc_leave(&s->key, s->leave_until);
		s->leaves++;
	}
}

/* bpf_loop callback: one group record; 1 stops the walk */
static long sl_mc_record(__u32 i, void *ctx)
{
	struct sl_mc_snoop *s = ctx;
	struct sl_mc_rec r;

	if (sl_mc_rec_read(s->skb, s->key.family, &s->off, s->end, &r)) {
		s->malformed = 1; /* the records before it stand, as in the kernel */
		return 1;
	}
	sl_mc_apply(s, sl_mc_rec_action(&r), r.group);
	return 0;
}

/* Everything snooping does with one parsed frame. A global function, so
 * the verifier checks it once, apart from the parser's many paths. */
__noinline int sl_mc_snoop(struct __sk_buff *skb, const struct sl_pkt *p)
{
	const struct sl_mc_config *cfg = sl_mc_config();
	struct sl_mc_port_key pk = {};
	struct sl_mc_port_stats *st;
	struct sl_mc_snoop s = {};
	struct sl_mc_port *port;
	struct sl_mc_msg m;
	__u32 queries = 0;
	__u64 now;

	if (!p || !cfg)
		return 0;
	sl_mc_msg_read(skb, p, &m);
	if (m.kind == SL_MC_NONE || m.kind == SL_MC_QUERY_GROUP)
		return 0; /* group-specific queries: no router port, nothing counted */

	now = bpf_ktime_get_ns();
	pk.bridge = sl_mc_bridge;
	pk.ifindex = skb->ifindex;
	s.skb = skb;
	s.key.bridge = pk.bridge;
	s.key.ifindex = pk.ifindex;
	s.key.family = p->family;
	s.now = now;
	s.join_until = now + cfg->membership_ns;
	s.leave_until = now + cfg->leave_ns;
	s.version = m.version;

	switch (m.kind) {
	case SL_MC_MALFORMED:
		s.malformed = 1;
		break;
	case SL_MC_QUERY_GENERAL:
	case SL_MC_PIM_HELLO:
		/* a querier or a multicast router is behind this port */
		port = bpf_map_lookup_elem(&SL_MC_PORT_MAP, &pk);
		if (port && port->router == SL_MC_ROUTER_AUTO) {
			bool fresh = port->router_until_ns <= now;

			port->router_until_ns = now + cfg->router_ns;
			if (fresh) { /* a new router port: every port set lacks it */
				struct sl_mc_gen *gen = sl_mc_gen();

				if (gen) {
					__sync_fetch_and_add(&gen->learned, 1);
					sl_mc_changed(gen);
				}
			}
		}
		queries = 1;
		break;
	case SL_MC_JOIN:
		sl_mc_apply(&s, SL_MC_DO_JOIN, m.group);
		break;
	case SL_MC_LEAVE:
		sl_mc_apply(&s, SL_MC_DO_LEAVE, m.group);
		break;
	case SL_MC_RECORDS:
		s.off = m.off;
		s.end = m.end;
		if (m.nrec > SL_MC_MAX_RECORDS)
			s.malformed = 1;
		bpf_loop(m.nrec > SL_MC_MAX_RECORDS ? SL_MC_MAX_RECORDS : m.nrec, sl_mc_record, &s, 0);
		break;
	}

	if (!(s.reports | s.leaves | queries | s.malformed))
		return 0; /* e.g. a link-local group's report: no counters to create */
	st = sl_mc_stats(&pk);
	if (st) {
		st->reports += s.reports;
		st->leaves += s.leaves;
		st->queries += queries;
		st->malformed += s.malformed;
	}
	return 0;
}

SEC("tc")
int sl_mc_ingress(struct __sk_buff *skb)
{
	struct sl_pkt p;

	/* IGMP, MLD and PIM hellos all go to multicast MACs */
	if (!sl_mc_mac_multicast(skb) || !sl_mc_config())
		return TCX_NEXT;
	if (sl_mc_parse_skb(skb, &p) == SL_PARSE_OK)
		sl_mc_snoop(skb, &p);
	return TCX_NEXT; /* snooping never drops */
}

/* ---- enforcement (egress) ---------------------------------------------------- */

/* Multicast data the policy decides on: a multicast MAC (a frame the
 * bridge sent as unicast, e.g. multicast-to-unicast, is not flooding) and
 * a multicast IP destination outside the link-local control groups, not
 * IGMP/MLD itself (v1 reports go to the group they report). */
static __always_inline bool sl_mc_is_data(const struct sl_pkt *p)
{
	return (p->dmac[0] & 1) && sl_mc_addr_multicast(p->family, p->daddr) &&
	       !sl_mc_addr_ll_control(p->family, p->daddr) && !sl_mc_is_igmp_mld(p);
}

/* Whether this port gets the frame. A port without a record (the daemon
 * has not set it up yet) gets everything, as without the policy, and
 * counts nothing. `fast`: a fast path copy (counted as offered too). */
static __always_inline bool sl_mc_pass(__u32 ifindex, const struct sl_pkt *p, bool fast)
{
	struct sl_mc_port_key pk = { .bridge = sl_mc_bridge, .ifindex = ifindex };
	const struct sl_mc_port *port = bpf_map_lookup_elem(&SL_MC_PORT_MAP, &pk);
	struct sl_mc_port_stats *st;
	bool pass;

	if (!port)
		return true;
	if (port->flood || port->router == SL_MC_ROUTER_ON) {
		pass = true;
	} else {
		__u64 now = bpf_ktime_get_ns();

		if (port->router == SL_MC_ROUTER_AUTO && port->router_until_ns > now) {
			pass = true; /* a learned router port: registered or not */
		} else {
			struct sl_mc_group_key gk = { .bridge = pk.bridge, .family = p->family };
			const struct sl_mc_group *g;

			__builtin_memcpy(gk.group, p->daddr, sizeof(gk.group));
			g = bpf_map_lookup_elem(&SL_MC_GROUP_MAP, &gk);
			pass = false; /* unregistered: router ports only */
			if (g && g->expires_ns > now) {
				struct sl_mc_member_key mk = {
					.bridge = pk.bridge, .ifindex = ifindex, .family = p->family,
				};
				const struct sl_mc_member *m;

				__builtin_memcpy(mk.group, p->daddr, sizeof(mk.group));
				m = bpf_map_lookup_elem(&SL_MC_MEMBER_MAP, &mk);
				pass = m && m->expires_ns > now;
			}
		}
	}
	st = sl_mc_stats(&pk);
	if (st) {
		if (pass)
			st->passed++;
		else
			st->suppressed++;
		if (fast)
			st->fast_offered++;
	}
	return pass;
}

/* A membership report or leave/done (not a query): as the kernel's bridge
 * does, these go to router ports only, so hosts do not hear each other's
 * reports and hold theirs back (IGMPv2/MLDv1 report suppression). */
static __always_inline bool sl_mc_is_report(struct __sk_buff *skb, const struct sl_pkt *p)
{
	__u8 type;

	if (!sl_mc_is_igmp_mld(p))
		return false;
	if (p->family == SL_FAMILY_IPV6)
		return p->icmp_type != SL_MLD_QUERY;
	if (bpf_skb_load_bytes(skb, p->l4_off, &type, 1))
		return false;
	return type == SL_IGMPV1_REPORT || type == SL_IGMPV2_REPORT || type == SL_IGMPV2_LEAVE ||
	       type == SL_IGMPV3_REPORT;
}

/* a router port (static or learned) or a flood port */
static __always_inline bool sl_mc_to_routers(__u32 ifindex)
{
	struct sl_mc_port_key pk = { .bridge = sl_mc_bridge, .ifindex = ifindex };
	const struct sl_mc_port *port = bpf_map_lookup_elem(&SL_MC_PORT_MAP, &pk);

	return !port || port->flood || port->router == SL_MC_ROUTER_ON ||
	       (port->router == SL_MC_ROUTER_AUTO && port->router_until_ns > bpf_ktime_get_ns());
}

SEC("tc")
int sl_mc_egress(struct __sk_buff *skb)
{
	struct sl_pkt p;

	/* unicast first: most frames, and none of the policy's business */
	if (!sl_mc_mac_multicast(skb) || !sl_mc_config())
		return TCX_NEXT;
	/* frames that do not parse are none of the policy's business either */
	if (sl_mc_parse_skb(skb, &p) != SL_PARSE_OK)
		return TCX_NEXT;
	if (sl_mc_is_report(skb, &p))
		return sl_mc_to_routers(skb->ifindex) ? TCX_NEXT : TCX_DROP;
	if (!sl_mc_is_data(&p))
		return TCX_NEXT;
	return sl_mc_pass(skb->ifindex, &p, false) ? TCX_NEXT : TCX_DROP;
}

/* ---- fast path (XDP) ---------------------------------------------------------- */

__noinline int sl_mc_xdp_parse(struct xdp_md *ctx, struct sl_pkt *p)
{
	if (!p)
		return SL_PARSE_MALFORMED;
	return sl_parse((void *)(long)ctx->data, (void *)(long)ctx->data_end, p);
}

/* a group with a live membership on this bridge (what sl_mc_pass reads) */
static __always_inline const struct sl_mc_group *sl_mc_registered(const struct sl_pkt *p)
{
	struct sl_mc_group_key gk = { .bridge = sl_mc_bridge, .family = p->family };
	const struct sl_mc_group *g;

	__builtin_memcpy(gk.group, p->daddr, sizeof(gk.group));
	g = bpf_map_lookup_elem(&SL_MC_GROUP_MAP, &gk);
	return g && g->expires_ns > bpf_ktime_get_ns() ? g : NULL;
}

/* what sl_mc_xdp does with a parsed frame: the counter it bumps; for a
 * redirect, the group (*grp) whose frame it is */
static __always_inline int sl_mc_fast_decide(const struct sl_pkt *p, int status, __u64 **ctr,
					     struct sl_mc_fast_stats *st, const struct sl_mc_group **grp)
{
	if (!(p->dmac[0] & 1) || (p->dmac[0] == 0xff && p->dmac[1] == 0xff)) {
		*ctr = &st->not_multicast; /* ARP and other broadcasts too */
		return XDP_PASS;
	}
	if (p->nvlan) {
		*ctr = &st->vlan;
		return XDP_PASS;
	}
	if (status != SL_PARSE_OK) {
		*ctr = status == SL_PARSE_NOT_IP ? &st->control : &st->unparsed;
		return XDP_PASS;
	}
	if (!sl_mc_is_data(p)) {
		*ctr = &st->control;
		return XDP_PASS;
	}
	*grp = sl_mc_registered(p);
	if (!*grp) {
		*ctr = &st->unregistered;
		return XDP_PASS;
	}
	*ctr = &st->redirected;
	return XDP_REDIRECT;
}

/* The group's own port set, if one was built for its generation and the
 * bridge's port generation as they are now; else NULL (being rebuilt,
 * never built, or no room for it): the bridge's set is used. */
static __always_inline void *sl_mc_gset(const struct sl_pkt *p, const struct sl_mc_group *g,
					const struct sl_mc_config *cfg)
{
	__u32 bridge = sl_mc_bridge;
	const struct sl_mc_gen *gen = bpf_map_lookup_elem(&SL_MC_GEN_MAP, &bridge);
	struct sl_mc_gset_key k = { .bridge = bridge, .family = p->family };

	if (!gen)
		return NULL;
	__builtin_memcpy(k.group, p->daddr, sizeof(k.group));
	k.gen = g->gen;
	k.ports = gen->learned + cfg->ports_gen;
	return bpf_map_lookup_elem(&SL_MC_GSET_MAP, &k);
}

/* The accounting of one redirected frame: by which set, per group; and
 * the port it came in on (the broadcast leaves it out: see fast_in). */
static __always_inline void sl_mc_fast_count(const struct sl_pkt *p, __u32 ifindex, bool own)
{
	struct sl_mc_group_key gk = { .bridge = sl_mc_bridge, .family = p->family };
	struct sl_mc_port_key pk = { .bridge = sl_mc_bridge, .ifindex = ifindex };
	const struct sl_mc_group_stats zero = {};
	struct sl_mc_group_stats *gs;
	struct sl_mc_port_stats *ps;

	__builtin_memcpy(gk.group, p->daddr, sizeof(gk.group));
	gs = sl_pcpu_slot(&SL_MC_GSTAT_MAP, &gk, &zero);
	if (gs) {
		if (own)
			gs->redirected++;
		else
			gs->fallback++;
	}
	ps = sl_mc_stats(&pk);
	if (ps)
		ps->fast_in++;
}

SEC("xdp")
int sl_mc_xdp(struct xdp_md *ctx)
{
	__u32 bridge = sl_mc_bridge;
	struct sl_mc_fast_stats *st = bpf_map_lookup_elem(&SL_MC_FAST_MAP, &bridge);
	const struct sl_mc_group *g = NULL;
	const struct sl_mc_config *cfg;
	struct sl_pkt p;
	__u64 *ctr;
	void *ports;
	int status, verdict;
	bool own;

	cfg = sl_mc_config();
	if (!st || !cfg)
		return XDP_PASS;
	status = sl_mc_xdp_parse(ctx, &p);
	verdict = sl_mc_fast_decide(&p, status, &ctr, st, &g);
	if (verdict == XDP_REDIRECT && g) {
		ports = sl_mc_gset(&p, g, cfg);
		own = ports != NULL;
		if (!own)
			ports = bpf_map_lookup_elem(&SL_MC_DEV_MAP, &bridge);
		verdict = ports ? bpf_redirect_map(ports, 0, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS) : XDP_PASS;
		if (verdict == XDP_REDIRECT) {
			sl_mc_fast_count(&p, ctx->ingress_ifindex, own);
		} else {
			ctr = &st->failed;
			verdict = XDP_PASS; /* the bridge still gets it */
		}
	}
	(*ctr)++;
	return verdict;
}

/* Run for each port the frame is broadcast to: the port's copy goes out
 * only if sl_mc_egress would let it (counted in the port's stats as there). */
SEC("xdp/devmap")
int sl_mc_xdp_port(struct xdp_md *ctx)
{
	struct sl_pkt p;

	if (sl_mc_xdp_parse(ctx, &p) != SL_PARSE_OK)
		return XDP_PASS; /* sl_mc_xdp redirected it parsed: not reached */
	return sl_mc_pass(ctx->egress_ifindex, &p, true) ? XDP_PASS : XDP_DROP;
}
