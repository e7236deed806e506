/* Per-message policy on sends: what bpf/send.bpf.c, bpf/lib/send_policy.h
 * and the daemon's send module (src/features/send/) share.
 *
 * cgroup sock_addr programs see every message a UDP socket sends to an
 * address of its own choosing (sendmsg4/6: each message of a sendmmsg
 * batch on its own, unconnected sockets), every connect() (connect4/6) and
 * every message received with its source address asked for (recvmsg4/6).
 * A rule names one network namespace (by cookie), optionally a cgroup v2,
 * and a destination prefix with an optional port; its action allows the
 * message, denies it (the call fails with EPERM), counts it and goes on to
 * the next rule, or rewrites its destination (and, on recvmsg, makes
 * replies from the new destination appear to come from the original).
 *
 * As for tcp (include/sluice/tcp.h): the programs are loaded once per
 * cgroup they attach to (its level and ancestors in rodata); the deepest
 * decides and marks the message so that the programs above let it be;
 * the rules live in two banks, switched with one update of the config
 * map; counters are per rule id, per CPU. */
#ifndef SLUICE_SEND_H
#define SLUICE_SEND_H

#include "sluice/types.h"
#include "sluice/sets.h"

#define SL_SEND_RULES      128

#define SL_SEND_RULES_MAP  sl_sendrules_v1 /* ARRAY[2 * SL_SEND_RULES] of struct sl_send_rule */
#define SL_SEND_CONFIG_MAP sl_sendcfg_v1   /* ARRAY[1] of struct sl_send_config */
#define SL_SEND_STATS_MAP  sl_sendstat_v1  /* PERCPU_ARRAY[SL_SEND_RULES] of struct sl_send_stat */
#define SL_SEND_MARK_MAP   sl_sendmark_v1  /* LRU_HASH struct sl_send_mark_key -> __u32 level that decided */
#define SL_SEND_ORIG_MAP   sl_sendorig_v1  /* LRU_HASH struct sl_send_orig_key -> struct sl_send_orig */
#define SL_SEND_MEMO_MAP   sl_sendmemo_v1  /* LRU_HASH struct sl_send_memo_key -> struct sl_send_memo */
#define SL_SEND_SCRATCH_MAP sl_sendscr_v1  /* PERCPU_ARRAY[1] of struct sl_send_scratch */
#define SL_SEND_LAST_MAP   sl_sendlast_v1  /* SK_STORAGE struct sl_send_scratch: a socket's last memo, per load */

/* the links of one cgroup's programs: links/<this><hook>_<cgroup id>,
 * e.g. sl_send_cg_sendmsg4_1 (the root's id is 1) */
#define SL_SEND_LINK_PREFIX "sl_send_cg_"
#define SL_SEND_CG_LEVELS  16
#define SL_SEND_MARKS      8192
/* rewritten destinations remembered, per socket, for the replies */
#define SL_SEND_ORIGS      65536
/* Decisions remembered (the memo): with many rules, a destination's walk
 * is done once per bank generation, then looked up. Banks of fewer rules,
 * or with set rules (a set changes without the bank), are walked each
 * time. */
#define SL_SEND_MEMOS      16384
#define SL_SEND_MEMO_MIN   16   /* rules in a bank before the memo pays */
#define SL_SEND_MEMO_COUNTS 4   /* count rules a remembered walk may pass */

enum sl_send_action {
	SL_SEND_ALLOW = 1,        /* let it go; stop */
	SL_SEND_DENY = 2,         /* fail the call with EPERM; stop */
	SL_SEND_COUNT = 3,        /* count it; go on to the next rule */
	SL_SEND_REWRITE = 4,      /* send it to to_addr (to_port); stop */
};

enum sl_send_match {
	SL_SEND_MATCH_PREFIX = 1, /* addr/mask of `family`, port (0: any) */
	SL_SEND_MATCH_SET = 2,    /* a hash:ip or hash:net set (found by name) holds
				   * the address (`match-set SET dst`) */
	SL_SEND_MATCH_SET_PORT = 3, /* a hash:ip,port or hash:net,port set holds the
				     * address and UDP port (`match-set SET dst,dst`) */
};

/* which hook a decision is for (the mark map's key, the fixtures' input) */
enum sl_send_hook {
	SL_SEND_HOOK_SENDMSG = 0,
	SL_SEND_HOOK_CONNECT = 1,
	SL_SEND_HOOK_RECVMSG = 2,
	SL_SEND_HOOK_PEERNAME = 3, /* getpeername(): restored as a reply is, not counted */
};

struct sl_send_rule {
	__u64 netns_cookie;       /* the namespace's cookie (SO_NETNS_COOKIE) */
	__u64 cgroup_id;          /* 0: any; else the cgroup (its inode number) ... */
	__u32 cgroup_level;       /* ... at this level below the root (root: 0) */
	__u32 id;                 /* its counters' row in SL_SEND_STATS_MAP */
	__u8 action;              /* enum sl_send_action */
	__u8 match;               /* enum sl_send_match */
	__u8 family;              /* SL_FAMILY_*; set matches: the rewrite's, or 0 (any) */
	__u8 prefix_len;
	__be16 port;              /* destination port; 0: any */
	__be16 to_port;           /* rewrite: the new port; 0: keep it */
	union {
		struct {
			__u32 addr[4];    /* the prefix, network order, masked */
			__u32 mask[4];    /* its mask, network order (IPv4: word 0) */
		};
		struct sl_set_name set;
	};
	__u32 to_addr[4];         /* rewrite: the new destination (IPv4: word 0) */
};
SL_STATIC_ASSERT(sizeof(struct sl_send_rule) == 80, "sl_send_rule layout");

struct sl_send_config {
	__u32 bank;               /* 0 or 1: the bank the programs read */
	__u32 nrules[2];          /* rules in each bank */
	__u32 nested;             /* programs on a cgroup and on one of its
				   * ancestors: the marks are read */
	__u32 gen;                /* bumped by every bank written: older memos are stale */
	__u32 memo;               /* 1: decisions are remembered (SL_SEND_MEMO_MIN) */
};
SL_STATIC_ASSERT(sizeof(struct sl_send_config) == 24, "sl_send_config layout");

/* a walk's input: what a decision depends on besides the bank */
struct sl_send_memo_key {
	__u64 netns_cookie;
	__u64 cgroup;             /* the deciding load's cgroup id */
	__u32 ip[4];
	__be16 port;
	__u8 family;
	__u8 hook;
	__u32 pad;
};
SL_STATIC_ASSERT(sizeof(struct sl_send_memo_key) == 40, "sl_send_memo_key layout");

/* its outcome: the bank positions of the count rules passed and of the
 * rule that decided */
struct sl_send_memo {
	__u32 gen;                /* the config's when it was walked */
	__u32 pos;                /* the deciding rule; SL_SEND_NO_RULE: none */
	__u32 ncount;
	__u32 count_pos[SL_SEND_MEMO_COUNTS];
};
SL_STATIC_ASSERT(sizeof(struct sl_send_memo) == 28, "sl_send_memo layout");

/* a decision's memo key and memo, per CPU: off the programs' stack (512 B
 * for the whole call chain down to a set's lookup); and, per socket, the
 * last one it sent with */
struct sl_send_scratch {
	struct sl_send_memo_key key;
	struct sl_send_memo memo;
	__u32 pad;
};
SL_STATIC_ASSERT(sizeof(struct sl_send_scratch) == 72, "sl_send_scratch layout");

/* one decision, of one hook of one socket: the deepest program's level */
struct sl_send_mark_key {
	__u64 cookie;             /* the socket's (bpf_get_socket_cookie) */
	__u32 hook;               /* enum sl_send_hook */
	__u32 pad;
};
SL_STATIC_ASSERT(sizeof(struct sl_send_mark_key) == 16, "sl_send_mark_key layout");

/* A rewritten destination, by socket and new address: recvmsg finds the
 * original here when a reply comes from the new one. Two originals that
 * one socket rewrites to the same address share an entry (the last sent
 * wins). */
struct sl_send_orig_key {
	__u64 cookie;             /* the socket's */
	__u32 addr[4];            /* the new destination (IPv4: word 0) */
	__be16 port;              /* its port */
	__u8 family;
	__u8 pad[5];
};
SL_STATIC_ASSERT(sizeof(struct sl_send_orig_key) == 32, "sl_send_orig_key layout");

struct sl_send_orig {
	__u32 addr[4];            /* what the application sent to */
	__be16 port;
	__u8 family;
	__u8 pad;
	__u32 rule;               /* the rule id that rewrote it */
};
SL_STATIC_ASSERT(sizeof(struct sl_send_orig) == 24, "sl_send_orig layout");

/* what a rule did, per CPU */
struct sl_send_stat {
	__u64 messages;           /* sendmsg: messages it matched */
	__u64 connects;           /* connect() calls it matched */
	__u64 replies;            /* rewrite: replies given back their original source */
};
SL_STATIC_ASSERT(sizeof(struct sl_send_stat) == 24, "sl_send_stat layout");

/* One decision's input and output: the programs fill it from their
 * context and write it back; the fixtures (tests/bpf/send_fx.bpf.c) hand
 * it in through BPF_PROG_TEST_RUN, which cannot run sock_addr programs. */
struct sl_send_msg {
	__u64 sock_cookie;        /* in: the socket's cookie */
	__u64 netns_cookie;       /* in: its namespace's */
	__u32 ip[4];              /* in/out: destination (recvmsg: source), IPv4 in word 0 */
	__be16 port;              /* in/out: its port */
	__u8 family;              /* in: SL_FAMILY_* */
	__u8 hook;                /* in: enum sl_send_hook */
	__u32 verdict;            /* out: 1 let it be, 0 refuse (EPERM) */
	__u32 rule;               /* out: the id of the rule that decided; SL_SEND_NO_RULE */
	__u32 changed;            /* out: 1 when ip/port were rewritten or restored */
};
SL_STATIC_ASSERT(sizeof(struct sl_send_msg) == 48, "sl_send_msg layout");
#define SL_SEND_NO_RULE 0xffffffffu

/* Does destination ip:port (network order; IPv4 in word 0) of `family`
 * match rule `r`? Shared by the programs and the daemon's unit tests. */
static __always_inline bool sl_send_rule_match(const struct sl_send_rule *r, __u8 family, const __u32 ip[4],
					       __be16 port)
{
	if (r->match != SL_SEND_MATCH_PREFIX || r->family != family || (r->port && r->port != port))
		return false;
	return sl_prefix_has(ip, r->addr, r->mask);
}

#endif
