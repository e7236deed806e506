/* TCP initial windows as policy: what bpf/tcp.bpf.c and the daemon's tcp
 * module (src/features/tcp/) share.
 *
 * A sockops program sets a new connection's initial receive window (in
 * reply to BPF_SOCK_OPS_RWND_INIT, as a route's `initrwnd` does) and its
 * initial congestion window (bpf_setsockopt TCP_BPF_IW at the established
 * callbacks, as a route's `initcwnd` does) when a rule matches it. A rule
 * names one network namespace (by its cookie: a socket of another
 * namespace never matches), optionally a cgroup v2 and the remote
 * address's prefix or a set (of the sets feature) that holds it.
 *
 * The program is attached (a cgroup link each) to every cgroup that rules
 * name, and to the root for rules without one; each load knows the cgroup
 * it is attached to and that cgroup's ancestors (read-only data). The
 * kernel runs the programs of a socket's cgroup first, then its
 * ancestors'; the first to run has the whole view (its own rules and its
 * ancestors') and decides: it leaves a mark (SL_TCP_MARK_MAP) so that the
 * ones above it let the connection be.
 *
 * The rules live in two banks of SL_TCP_RULES, in match order (prio, then
 * the order added); the daemon writes the bank not in use and then flips
 * `bank` in the config map with one update, so every connection sees the
 * old rules or the new ones, never a mix. Counters are per rule id (the
 * rule keeps its id across banks), per CPU. */
#ifndef SLUICE_TCP_H
#define SLUICE_TCP_H

#include "sluice/types.h"
#include "sluice/sets.h"

#define SL_TCP_RULES      64

#define SL_TCP_RULES_MAP  sl_tcprules_v1 /* ARRAY[2 * SL_TCP_RULES] of struct sl_tcp_rule */
#define SL_TCP_CONFIG_MAP sl_tcpcfg_v1   /* ARRAY[1] of struct sl_tcp_config */
#define SL_TCP_STATS_MAP  sl_tcpstat_v1  /* PERCPU_ARRAY[SL_TCP_RULES] of struct sl_tcp_stat, by rule id */
#define SL_TCP_MARK_MAP   sl_tcpmark_v1  /* LRU_HASH struct sl_tcp_mark_key -> __u32 level that decided */

/* the link of the program on a cgroup: links/<this><cgroup id> (the root's
 * id is 1) */
#define SL_TCP_LINK_PREFIX "sl_tcp_cg_"
/* cgroup levels below the root a rule's cgroup may be at */
#define SL_TCP_CG_LEVELS  16
#define SL_TCP_MARKS      8192

/* Largest windows a rule takes, in segments. initrwnd: the kernel keeps
 * the initial receive window in 32 bits as initrwnd x MSS (MSS < 65536);
 * initcwnd: the send window a sender may have in flight before any ACK,
 * as the kernel's per-route metric allows it (u32), held to the same
 * bound so that neither can wrap. */
#define SL_TCP_WND_MAX    65535
/* a congestion control's name, as the kernel bounds it (TCP_CA_NAME_MAX) */
#define SL_TCP_CC_MAX     16
/* sluice's own, written in BPF (bpf/tcp_cc.bpf.c), registered through
 * struct_ops while a rule names it: links/<SL_TCP_CC_LINK> (kernels with
 * struct_ops links, 6.4), else the registered map maps/<SL_TCP_CC_MAP> */
#define SL_TCP_OWN_CC     "sluice_reno"
#define SL_TCP_CC_LINK    "sl_tcp_cc_sluice_reno"
#define SL_TCP_CC_MAP     "sl_tcpcc_v1_sluice_reno"

enum sl_tcp_match {
	SL_TCP_MATCH_ANY = 0,     /* any remote address */
	SL_TCP_MATCH_PREFIX = 1,  /* addr/prefix of `family` */
	SL_TCP_MATCH_SET = 2,     /* a hash:ip or hash:net set holds it (the sets'
				   * directory finds the set by name) */
};

struct sl_tcp_rule {
	__u64 netns_cookie;       /* the namespace's cookie (SO_NETNS_COOKIE) */
	__u64 cgroup_id;          /* 0: any; else the cgroup (its inode number) ... */
	__u32 cgroup_level;       /* ... at this level below the root (root: 0) */
	__u32 id;                 /* its counters' row in SL_TCP_STATS_MAP */
	__u32 initcwnd;           /* segments; 0: leave the kernel's */
	__u32 initrwnd;           /* segments; 0: leave the kernel's */
	__u8 match;               /* enum sl_tcp_match */
	__u8 family;              /* SL_FAMILY_*, for SL_TCP_MATCH_PREFIX */
	__u8 prefix_len;
	__u8 pad;
	union {
		struct {
			__u32 addr[4];    /* the remote prefix, network order, masked */
			__u32 mask[4];    /* its mask, network order (IPv4: word 0) */
		};
		struct sl_set_name set; /* SL_TCP_MATCH_SET: the set's name */
	};
	char cc[SL_TCP_CC_MAX];   /* congestion control to set; "": leave it */
};
SL_STATIC_ASSERT(sizeof(struct sl_tcp_rule) == 88, "sl_tcp_rule layout");

struct sl_tcp_config {
	__u32 bank;               /* 0 or 1: the bank the program reads */
	__u32 nrules[2];          /* rules in each bank */
	__u32 nested;             /* programs on a cgroup and on one of its
				   * ancestors: the marks are read */
};
SL_STATIC_ASSERT(sizeof(struct sl_tcp_config) == 16, "sl_tcp_config layout");

/* one decision, of one op of one socket */
struct sl_tcp_mark_key {
	__u64 cookie;             /* the socket's (bpf_get_socket_cookie) */
	__u32 op;
	__u32 pad;
};
SL_STATIC_ASSERT(sizeof(struct sl_tcp_mark_key) == 16, "sl_tcp_mark_key layout");

/* connections a rule set, per CPU: opened here (connect) and accepted */
struct sl_tcp_stat {
	__u64 active;
	__u64 passive;
	__u64 refused;            /* bpf_setsockopt (TCP_CONGESTION or TCP_BPF_IW) failed */
};
SL_STATIC_ASSERT(sizeof(struct sl_tcp_stat) == 24, "sl_tcp_stat layout");

/* Does remote address `ip` (network order; IPv4 in word 0) of `family`
 * match rule `r`? Shared by the program and the daemon's unit tests. */
static __always_inline bool sl_tcp_rule_addr_match(const struct sl_tcp_rule *r, __u8 family, const __u32 ip[4])
{
	if (r->match == SL_TCP_MATCH_ANY)
		return true;
	if (r->match != SL_TCP_MATCH_PREFIX || r->family != family)
		return false;
	return sl_prefix_has(ip, r->addr, r->mask);
}

#endif
