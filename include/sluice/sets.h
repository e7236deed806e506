/* ipset-like sets and the rules that match them: every struct and limit the
 * set programs (bpf/sets.bpf.c) and the daemon (src/features/sets/) share.
 *
 * A set lives in one BPF map (its "slot"). The maps of one key layout sit in
 * one outer ARRAY_OF_MAPS per key class (sl_sc_<class>_v1, indexed by slot),
 * so a program reaches any set of that class without knowing it at build
 * time. Rules are compiled into each hook's program as read-only data: a
 * rule names (class, slot), and a rule change, `set swap` included, loads a
 * new program and swaps it in with bpf_link_update(), so a packet sees
 * either the old rules and sets or the new ones, never a mix.
 *
 * Key bytes are built by sl_set_key_build() below, from the packet in BPF
 * and from a parsed element in userspace: one builder, so both sides agree
 * on every byte.
 *
 * Two layouts. A set created with timeout, counters, comment or skbinfo
 * keeps a value per entry (struct sl_set_value: expiry, counters, nomatch)
 * in a BPF hash or LPM trie. A "plain" set (none of the four) needs no value:
 * its class is its key class + SL_CLASS_KEYS, with outer maps of its own
 * (an outer map fixes its inner maps' value size). Plain hash:net* sets
 * stay LPM tries with a 2-byte value (nomatch, prefix). The other plain
 * sets are bucket tables (struct sl_set_pbucket_*, below) in an ARRAY map:
 * no per-entry allocation, no per-entry header, about 6 bytes an entry
 * where a hash element costs ~100. */
#ifndef SLUICE_SETS_H
#define SLUICE_SETS_H

#include "sluice/types.h"

#define SL_SET_SLOTS      256    /* sets at once (every class together) */
#define SL_RULES_MAX      32     /* rules on one hook */
#define SL_RULE_IDS       1024   /* rule counter slots (sl_rstat_v1) */
#define SL_HOOKS_MAX      64     /* (netns, device, direction) attach points */

#define SL_RULES_TOTAL    256    /* rules over all hooks */

/* The catalog (sets and rules) is kept in two banks: generation G's in
 * bank G & 1, so a change writes the next one beside the committed one
 * (see struct sl_sets_config). Row of slot s in bank b: b * SL_SET_SLOTS + s;
 * rule row i of bank b: b * SL_RULES_TOTAL + i. */
#define SL_CATALOG_BANKS  2
#define SL_SET_META_MAP   sl_sets_v3   /* ARRAY[2 * SL_SET_SLOTS] of struct sl_set_meta (v3: netmask, bitmask) */
#define SL_RULE_META_MAP  sl_rules_v3  /* ARRAY[2 * SL_RULES_TOTAL] of struct sl_rule_meta */
#define SL_HOOK_META_MAP  sl_hooks_v1  /* ARRAY[SL_HOOKS_MAX] of struct sl_hook_meta */
#define SL_SET_CFG_MAP    sl_setcfg_v2 /* ARRAY[1] of struct sl_sets_config */
#define SL_RULE_STATS_MAP sl_rstat_v1  /* PERCPU_ARRAY[SL_RULE_IDS] of struct sl_rule_count */
#define SL_HOOK_STATS_MAP sl_hstat_v1  /* PERCPU_ARRAY[SL_HOOKS_MAX] of struct sl_hook_count */
/* One map per set and, for sets created with `comment`, one for its comments,
 * pinned as maps/<prefix><slot> (the kernel's map name is the same). */
#define SL_SET_SLOT_MAP_PREFIX "sl_set_v1_"  /* HASH or LPM_TRIE: sl_set_key_<class> -> sl_set_value */
#define SL_SET_CMT_MAP_PREFIX  "sl_setc_v2_" /* HASH: sl_set_key_<class> -> struct sl_set_comment */

/* One outer map per key class; the inner maps are HASH (or LPM_TRIE for the
 * net classes) with BPF_F_NO_PREALLOC, so memory follows the contents. */
enum sl_set_class {
	SL_CLASS_IP4 = 0,        /* hash:ip inet */
	SL_CLASS_IP6 = 1,        /* hash:ip inet6 */
	SL_CLASS_NET4 = 2,       /* hash:net inet (LPM) */
	SL_CLASS_NET6 = 3,       /* hash:net inet6 (LPM) */
	SL_CLASS_IPPORT4 = 4,    /* hash:ip,port inet */
	SL_CLASS_IPPORT6 = 5,
	SL_CLASS_NETPORT4 = 6,   /* hash:net,port inet (LPM over proto, port, addr) */
	SL_CLASS_NETPORT6 = 7,
	SL_CLASS_IPPORTIP4 = 8,  /* hash:ip,port,ip inet */
	SL_CLASS_IPPORTIP6 = 9,
	SL_CLASS_MAC = 10,       /* hash:mac */
	SL_CLASS_PORT = 11,      /* bitmap:port (a hash of ports in its range) */
	SL_CLASS_KEYS = 12,      /* not a class: the key classes are 0 .. 11 */
	/* plain sets (no timeout, counters or comment): key class + SL_CLASS_KEYS */
	SL_CLASS_IP4_P = 12,     /* bucket table */
	SL_CLASS_IP6_P = 13,
	SL_CLASS_NET4_P = 14,    /* LPM trie, struct sl_set_nvalue */
	SL_CLASS_NET6_P = 15,
	SL_CLASS_IPPORT4_P = 16, /* bucket tables, the rest */
	SL_CLASS_IPPORT6_P = 17,
	SL_CLASS_NETPORT4_P = 18, /* LPM trie, struct sl_set_nvalue */
	SL_CLASS_NETPORT6_P = 19,
	SL_CLASS_IPPORTIP4_P = 20,
	SL_CLASS_IPPORTIP6_P = 21,
	SL_CLASS_MAC_P = 22,
	SL_CLASS_PORT_P = 23,
	SL_CLASS_PLAIN_END = 24, /* not a class: one past the last plain class */
	/* key classes without a plain layout: their entries always keep a value */
	SL_CLASS_IPMAC4 = 24,    /* bitmap:ip,mac: IPv4 key, the MAC in the value */
	SL_CLASS_NETIFACE4 = 25, /* hash:net,iface inet (LPM over flags, iface, addr) */
	SL_CLASS_NETIFACE6 = 26,
	SL_CLASS_IPMARK4 = 27,   /* hash:ip,mark inet (address and masked mark) */
	SL_CLASS_IPMARK6 = 28,
	SL_CLASS_NETNET4 = 29,   /* hash:net,net inet (LPM over cidr, first net, second net) */
	SL_CLASS_NETNET6 = 30,
	SL_CLASS_COUNT
};

/* Per class: its outer map (pinned under <pin-root>/maps/) and its key
 * struct (below; userspace finds it by name in the object's BTF). */
#define SL_SET_CLASSES(X) \
	X(SL_CLASS_IP4, sl_sc_ip4_v1, sl_set_key_ip4) X(SL_CLASS_IP6, sl_sc_ip6_v1, sl_set_key_ip6) \
	X(SL_CLASS_NET4, sl_sc_net4_v1, sl_set_key_net4) X(SL_CLASS_NET6, sl_sc_net6_v1, sl_set_key_net6) \
	X(SL_CLASS_IPPORT4, sl_sc_ipp4_v1, sl_set_key_ipport4) X(SL_CLASS_IPPORT6, sl_sc_ipp6_v1, sl_set_key_ipport6) \
	X(SL_CLASS_NETPORT4, sl_sc_netp4_v1, sl_set_key_netport4) \
	X(SL_CLASS_NETPORT6, sl_sc_netp6_v1, sl_set_key_netport6) \
	X(SL_CLASS_IPPORTIP4, sl_sc_ippi4_v1, sl_set_key_ipportip4) \
	X(SL_CLASS_IPPORTIP6, sl_sc_ippi6_v1, sl_set_key_ipportip6) \
	X(SL_CLASS_MAC, sl_sc_mac_v1, sl_set_key_mac) X(SL_CLASS_PORT, sl_sc_port_v1, sl_set_key_port) \
	X(SL_CLASS_IPMAC4, sl_sc_ipmac4_v1, sl_set_key_ip4) \
	X(SL_CLASS_NETIFACE4, sl_sc_netif4_v1, sl_set_key_netiface4) \
	X(SL_CLASS_NETIFACE6, sl_sc_netif6_v1, sl_set_key_netiface6) \
	X(SL_CLASS_IPMARK4, sl_sc_ipmark4_v1, sl_set_key_ipmark4) \
	X(SL_CLASS_IPMARK6, sl_sc_ipmark6_v1, sl_set_key_ipmark6) \
	X(SL_CLASS_NETNET4, sl_sc_netnet4_v1, sl_set_key_netnet4) \
	X(SL_CLASS_NETNET6, sl_sc_netnet6_v1, sl_set_key_netnet6)

/* The plain classes: T(class, outer map, bucket struct) for bucket tables
 * (ARRAY maps, key __u32: the bucket), L(class, outer map, key struct) for
 * the LPM tries (value struct sl_set_nvalue). */
#define SL_SET_PLAIN_CLASSES(T, L) \
	T(SL_CLASS_IP4_P, sl_scp_ip4_v1, sl_set_pbucket_ip4) T(SL_CLASS_IP6_P, sl_scp_ip6_v1, sl_set_pbucket_ip6) \
	L(SL_CLASS_NET4_P, sl_scp_net4_v1, sl_set_key_net4) L(SL_CLASS_NET6_P, sl_scp_net6_v1, sl_set_key_net6) \
	T(SL_CLASS_IPPORT4_P, sl_scp_ipp4_v1, sl_set_pbucket_ipport4) \
	T(SL_CLASS_IPPORT6_P, sl_scp_ipp6_v1, sl_set_pbucket_ipport6) \
	L(SL_CLASS_NETPORT4_P, sl_scp_netp4_v1, sl_set_key_netport4) \
	L(SL_CLASS_NETPORT6_P, sl_scp_netp6_v1, sl_set_key_netport6) \
	T(SL_CLASS_IPPORTIP4_P, sl_scp_ippi4_v1, sl_set_pbucket_ipportip4) \
	T(SL_CLASS_IPPORTIP6_P, sl_scp_ippi6_v1, sl_set_pbucket_ipportip6) \
	T(SL_CLASS_MAC_P, sl_scp_mac_v1, sl_set_pbucket_mac) T(SL_CLASS_PORT_P, sl_scp_port_v1, sl_set_pbucket_port)

/* --- keys: one struct per class, no implicit padding ------------------------ */

struct sl_set_key_ip4 { __u8 addr[4]; };
struct sl_set_key_ip6 { __u8 addr[16]; };
/* LPM keys: prefixlen counts bits of the bytes after it */
struct sl_set_key_net4 { __u32 prefixlen; __u8 addr[4]; };
struct sl_set_key_net6 { __u32 prefixlen; __u8 addr[16]; };
struct sl_set_key_ipport4 { __u8 addr[4]; __u8 port[2]; __u8 proto; __u8 pad; };
struct sl_set_key_ipport6 { __u8 addr[16]; __u8 port[2]; __u8 proto; __u8 pad; };
/* proto and port lead so the prefix always covers them: prefixlen = 24 + cidr */
struct sl_set_key_netport4 { __u32 prefixlen; __u8 proto; __u8 port[2]; __u8 addr[4]; __u8 pad; };
struct sl_set_key_netport6 { __u32 prefixlen; __u8 proto; __u8 port[2]; __u8 addr[16]; __u8 pad; };
struct sl_set_key_ipportip4 { __u8 addr[4]; __u8 addr2[4]; __u8 port[2]; __u8 proto; __u8 pad; };
struct sl_set_key_ipportip6 { __u8 addr[16]; __u8 addr2[16]; __u8 port[2]; __u8 proto; __u8 pad; };
struct sl_set_key_mac { __u8 mac[6]; __u8 pad[2]; };
/* hash:net,iface: the entry's flags and interface name lead, so the prefix
 * always covers them: prefixlen = SL_NETIFACE_PREFIX + cidr. The name is
 * IFNAMSIZ - 1 bytes, NUL-padded (a name fills them at most). */
#define SL_IFACE_LEN 15
enum sl_set_iface_flags {
	SL_IFACE_PHYSDEV = 1 << 0,  /* `physdev:NAME`: a bridge port's name */
	SL_IFACE_WILDCARD = 1 << 1, /* `wildcard`: NAME is a prefix of the names it matches */
};
struct sl_set_key_netiface4 { __u32 prefixlen; __u8 iflags; char iface[SL_IFACE_LEN]; __u8 addr[4]; };
struct sl_set_key_netiface6 { __u32 prefixlen; __u8 iflags; char iface[SL_IFACE_LEN]; __u8 addr[16]; };
struct sl_set_key_port { __u8 port[2]; __u8 pad[2]; };
/* hash:ip,mark: the mark as the set keeps it (ANDed with its markmask), host order */
struct sl_set_key_ipmark4 { __u8 addr[4]; __u32 mark; };
struct sl_set_key_ipmark6 { __u8 addr[16]; __u32 mark; };
/* hash:net,net: the first net's prefix length and its address (both
 * matched whole: prefixlen = SL_NETNET_PREFIX(alen) + the second's), then
 * the second net. A packet is looked up once per first prefix
 * (sl_set_lookup_netnet), as the kernel tries its first nets' sizes. */
struct sl_set_key_netnet4 { __u32 prefixlen; __u8 cidr; __u8 addr[4]; __u8 addr2[4]; __u8 pad[3]; };
struct sl_set_key_netnet6 { __u32 prefixlen; __u8 cidr; __u8 addr[16]; __u8 addr2[16]; __u8 pad[3]; };

SL_STATIC_ASSERT(sizeof(struct sl_set_key_netport4) == 12, "netport4 key");
SL_STATIC_ASSERT(sizeof(struct sl_set_key_netport6) == 24, "netport6 key");
SL_STATIC_ASSERT(sizeof(struct sl_set_key_ipportip6) == 36, "ipportip6 key");
SL_STATIC_ASSERT(sizeof(struct sl_set_key_netiface4) == 24, "netiface4 key");
SL_STATIC_ASSERT(sizeof(struct sl_set_key_netiface6) == 36, "netiface6 key");
SL_STATIC_ASSERT(sizeof(struct sl_set_key_ipmark4) == 8, "ipmark4 key");
SL_STATIC_ASSERT(sizeof(struct sl_set_key_ipmark6) == 20, "ipmark6 key");
SL_STATIC_ASSERT(sizeof(struct sl_set_key_netnet4) == 16, "netnet4 key");
SL_STATIC_ASSERT(sizeof(struct sl_set_key_netnet6) == 40, "netnet6 key");

#define SL_SET_KEY_MAX 40   /* the largest key above */
#define SL_NETPORT_PREFIX 24 /* proto (8) + port (16) bits before the address */
#define SL_NETIFACE_PREFIX (8 * (1 + SL_IFACE_LEN)) /* flags and name before the address */
#define SL_NETNET_PREFIX(alen) (8 * (1 + (alen))) /* the first net's cidr and address before the second */

/* --- values ------------------------------------------------------------------ */

enum sl_set_value_flags {
	SL_SETV_NOMATCH = 1 << 0,  /* hash:net* exception: a hit here is a miss */
	SL_SETV_COUNTERS = 1 << 1, /* count packets/bytes on a hit */
	SL_SETV_MAC = 1 << 2,      /* bitmap:ip,mac: mac holds the entry's MAC */
	SL_SETV_PENDING = 1 << 3,  /* bitmap:ip,mac without a MAC yet: its timeout has not
				    * started, expires_ns holds its length (the kernel
				    * starts it when the first packet fills the MAC in) */
	SL_SETV_FILLED = 1 << 4,   /* the MAC came from a packet: the kernel's fill drops
				    * the entry's comment and skbinfo, so listings do */
};

struct sl_set_value {
	__u64 expires_ns;   /* bpf_ktime_get_ns() / CLOCK_MONOTONIC; 0 = never */
	__u64 packets;      /* with SL_SETV_COUNTERS, added atomically */
	__u64 bytes;        /* frame length from the Ethernet header */
	__u8 flags;         /* enum sl_set_value_flags */
	__u8 cidr;          /* net classes: the entry's prefix length, so an
			     * expired entry can be skipped for a shorter one */
	__u8 mac[6];        /* bitmap:ip,mac, with SL_SETV_MAC; flags, cidr and mac
			     * are one aligned 8-byte word: a packet fills the MAC
			     * in with one compare-and-swap */
};
SL_STATIC_ASSERT(sizeof(struct sl_set_value) == 32, "sl_set_value layout");

/* A plain hash:net* entry's value (LPM trie): no expiry, no counters. */
struct sl_set_nvalue {
	__u8 flags;         /* SL_SETV_NOMATCH or 0 */
	__u8 cidr;          /* the entry's prefix length (the trie answers a
			     * lookup's longest match, not which prefix it was) */
};
SL_STATIC_ASSERT(sizeof(struct sl_set_nvalue) == 2, "sl_set_nvalue layout");

/* A plain set's bucket table: an ARRAY of nbuckets buckets, each a bitmap
 * of its used slots and up to SL_SET_PB_SLOTS_MAX keys. An entry lives in
 * one of two buckets its key hashes to (sl_set_ptab_buckets), so a lookup
 * reads at most two buckets; userspace moves entries between their two
 * buckets (cuckoo) to make room. Bucket 0's nbuckets is the table's size,
 * the one thing the dataplane must read first; 0 in the other buckets.
 * Userspace writes a new key's bytes before its used bit and clears the
 * bit before the bytes change, so a reader never sees half a key. */
#define SL_SET_PB_HDR_WORDS 2
#define SL_SET_PB_SLOTS_MAX 30
#define SL_SET_PBUCKET(kname, nslots)                                                  \
	struct sl_set_pbucket_##kname {                                                \
		__u32 used;         /* bit s: slot s holds a key */                    \
		__u32 nbuckets;     /* bucket 0: the table's bucket count; else 0 */    \
		struct sl_set_key_##kname key[nslots];                                  \
	}
SL_SET_PBUCKET(ip4, 30);        /* 128 bytes */
SL_SET_PBUCKET(ip6, 7);         /* 120 */
SL_SET_PBUCKET(ipport4, 15);    /* 128 */
SL_SET_PBUCKET(ipport6, 6);     /* 128 */
SL_SET_PBUCKET(ipportip4, 10);  /* 128 */
SL_SET_PBUCKET(ipportip6, 7);   /* 260 */
SL_SET_PBUCKET(mac, 15);        /* 128 */
SL_SET_PBUCKET(port, 30);       /* 128 */
SL_STATIC_ASSERT(sizeof(struct sl_set_pbucket_ipportip6) == 260, "pbucket ipportip6");
SL_STATIC_ASSERT(sizeof(struct sl_set_pbucket_ip4) == 128, "pbucket ip4");

/* An entry's skbinfo (ipset's skbmark/skbprio/skbqueue): kept and listed
 * only; they are for iptables' SET target, which sluice's programs are not
 * (the programs never read them). Zero means not given, as in the kernel. */
struct sl_set_skbinfo {
	__u32 mark;
	__u32 mask;
	__u32 prio;         /* MAJOR << 16 | MINOR */
	__u16 queue;
	__u8 pad[2];
};
SL_STATIC_ASSERT(sizeof(struct sl_set_skbinfo) == 16, "sl_set_skbinfo layout");

/* A side map's value (sets with comment or skbinfo): what the dataplane
 * never reads, so it stays out of struct sl_set_value. v2 of the map: v1
 * held the text alone. */
#define SL_SET_COMMENT_SIZE 256  /* ipset's IPSET_MAX_COMMENT_SIZE + 1 */
struct sl_set_comment {
	char text[SL_SET_COMMENT_SIZE]; /* NUL-terminated; empty: none */
	struct sl_set_skbinfo skb;
};
SL_STATIC_ASSERT(sizeof(struct sl_set_comment) == 272, "sl_set_comment layout");

/* --- what userspace keeps per slot -------------------------------------------- */

/* The numbers below are stored in pinned maps (sl_set_meta): never reuse
 * or renumber one; a new value takes a new number. */

/* ipset's set types (their names are in src/features/sets/ipset/types.c). */
enum sl_set_type {
	SL_SET_HASH_IP = 0,
	SL_SET_HASH_NET = 1,
	SL_SET_HASH_IP_PORT = 2,
	SL_SET_HASH_NET_PORT = 3,
	SL_SET_HASH_IP_PORT_IP = 4,
	SL_SET_HASH_MAC = 5,
	SL_SET_BITMAP_PORT = 6,
	SL_SET_BITMAP_IP = 7,    /* kept in the IPv4 hash:ip classes, with its netmask */
	SL_SET_BITMAP_IP_MAC = 8, /* SL_CLASS_IPMAC4 */
	SL_SET_HASH_NET_IFACE = 9, /* SL_CLASS_NETIFACE4/6 */
	SL_SET_HASH_IP_MARK = 10, /* SL_CLASS_IPMARK4/6, its markmask in sl_set_meta */
	SL_SET_HASH_NET_NET = 11, /* SL_CLASS_NETNET4/6 */
	SL_SET_LIST_SET = 12,    /* a list of sets (SL_CLASS_LIST): no key class */
	SL_SET_TYPE_COUNT = 13,  /* not a type: one past the last (holes have no name) */
};

/* A set's create options. */
enum sl_set_spec_flags {
	SL_SET_F_TIMEOUT    = 1 << 0,
	SL_SET_F_COUNTERS   = 1 << 1,
	SL_SET_F_COMMENT    = 1 << 2,
	SL_SET_F_EXIST      = 1 << 3, /* -exist: an equal set may already be there (never stored) */
	SL_SET_F_BUCKETSIZE = 1 << 4, /* given, kept for printing */
	SL_SET_F_INITVAL    = 1 << 5,
	SL_SET_F_FORCEADD   = 1 << 6, /* a full set evicts an entry for a new one */
	SL_SET_F_SKBINFO    = 1 << 7, /* entries keep skbmark/skbprio/skbqueue */
	SL_SET_F_NETMASK    = 1 << 8, /* hash:ip: addresses kept and matched masked to /netmask */
	SL_SET_F_BITMASK    = 1 << 9, /* hash:ip: ... masked by bitmask (any bits) */
};

/* What a slot holds in one bank's generation. */
enum sl_set_slot_use {
	SL_SLOT_FREE = 0,
	SL_SLOT_USED = 1,        /* a set */
	/* 2 was "building" (sl_sets_v1): the generation now says what is live */
};

/* What userspace keeps per slot and generation, for bpftool and for a
 * restarted daemon. The dataplane never reads it. */
struct sl_set_meta {
	char name[32];
	__u8 used;          /* enum sl_set_slot_use */
	__u8 type;          /* enum sl_set_type */
	__u8 family;        /* enum sl_family; 0 for hash:mac, bitmap:port */
	__u8 cls;           /* enum sl_set_class: its layout too (plain classes) */
	__u32 flags;        /* enum sl_set_spec_flags */
	__u32 maxelem;
	__u32 timeout;      /* default seconds, with a timeout flag */
	__u32 hashsize;
	__u16 range_from, range_to; /* bitmap:port */
	__u32 map_id;       /* the slot's BPF map in this generation (a flush
			     * makes a new one: a restart re-pins the one named here) */
	__u32 initval;      /* kept for printing, when a create line gave it */
	__u8 bucketsize;    /* likewise */
	__u8 pad[3];
	__u32 cmt_map_id;   /* its comment map, 0 without comments */
	/* v3: with SL_SET_F_NETMASK the prefix length, with SL_SET_F_BITMASK
	 * the mask (IPv4 in its first four bytes), as the create line gave them;
	 * bitmap:ip, which has no bitmask, keeps its range there */
	union {
		__u8 bitmask[16];
		struct { __u32 from, to, pad[2]; } ip_range; /* bitmap:ip, bitmap:ip,mac: host order */
	};
	__u8 netmask;
	__u8 pad2[3];
	__u32 markmask;     /* hash:ip,mark's (the bytes were pad: 0 in older records) */
};
SL_STATIC_ASSERT(sizeof(struct sl_set_meta) == 96, "sl_set_meta layout");
SL_STATIC_ASSERT(__builtin_offsetof(struct sl_set_meta, markmask) == 92, "sl_set_meta markmask in the old pad");

/* --- list:set -------------------------------------------------------------------- */

/* A list:set holds no keys: its members are other sets, by name, in order.
 * It sits in no outer map (sl_set_meta.cls is SL_CLASS_LIST, outside enum
 * sl_set_class); a rule on it is compiled into one entry per member that
 * can match (struct sl_rule.more), so the dataplane never reads the list.
 * Its map (maps/SL_SET_SLOT_MAP_PREFIX<slot>) is an ARRAY of two struct
 * sl_set_list, one per catalog bank: generation G's members in entry G & 1,
 * written with the catalog, so a crash leaves a list as it was or as the
 * change made it, as the rules compiled from it. */
#define SL_CLASS_LIST   0xff
#define SL_SET_LIST_MAX 64     /* members of one list */

struct sl_set_lmember {
	char name[32];          /* the member set, NUL-padded */
	__u64 expires_ns;       /* CLOCK_MONOTONIC; 0 never */
	__u64 packets, bytes;   /* as given (the dataplane does not count through a list) */
	struct sl_set_skbinfo skb;
	char comment[SL_SET_COMMENT_SIZE];
};
SL_STATIC_ASSERT(sizeof(struct sl_set_lmember) == 328, "sl_set_lmember layout");

struct sl_set_list {
	__u32 n;                /* members, in order */
	__u32 pad;
	struct sl_set_lmember m[SL_SET_LIST_MAX];
};

/* --- rules ---------------------------------------------------------------------- */

/* Which way a hook sees frames (sl_rule_meta.dir, sl_hook_meta.dir; pinned:
 * numbers never reused). */
enum sl_hook_dir {
	SL_DIR_INGRESS = 0,  /* XDP */
	SL_DIR_EGRESS = 1,   /* tcx egress */
};

enum sl_rule_action {
	SL_ACT_DROP = 0,
	SL_ACT_PASS = 1,    /* stop evaluating, let the frame through */
	SL_ACT_COUNT = 2,   /* count and go on to the next rule */
};

/* What a rule matches. Numbers are stored in pinned maps: never reused. */
enum sl_rule_match {
	SL_MATCH_SET = 0,       /* `match-set SET DIR…`: a parsed frame in (or, with `!`, not in) a set */
	SL_MATCH_UNPARSED = 1,  /* `unparsed`: a frame the parser gave up on (truncated, malformed,
				 * more IPv6 extension headers than it walks); no other rule sees
				 * such a frame */
};

/* One compiled rule, as a hook's program keeps it in read-only data. */
struct sl_rule {
	__u16 id;           /* counter slot in sl_rstat_v1 */
	__u16 slot;         /* the set's slot in the outer map of cls */
	__u8 cls;           /* enum sl_set_class */
	__u8 family;        /* the set's family; 0 matches either */
	__u8 src_dims;      /* bit i: dimension i is matched on the source */
	__u8 invert;        /* `!`: the rule matches when the set does not */
	__u8 action;        /* enum sl_rule_action */
	__u8 match;         /* enum sl_rule_match; with SL_MATCH_UNPARSED only id and action count */
	__u8 masked;        /* a set with netmask/bitmask: its (first) address is ANDed with mask first */
	__u8 more;          /* a list:set rule's member: the next entry is another member of the
			     * same rule, and a match of any of them is the rule's match */
	union {
		__u8 mask[16];      /* IPv4 in the first four bytes */
		struct {            /* hash:net,iface: the interface the rule's iface direction
				     * names on this hook (ingress: src, egress: dst), or none */
			__u8 has_iface;
			char iface[SL_IFACE_LEN];
		};
		__u32 markmask;     /* hash:ip,mark: the set's, ANDed with the packet's mark */
	};
	__u8 list_invert;   /* the last entry of a list:set rule: `!` on the members' match */
	__u8 pad2[3];
	__u64 expires_ns;   /* a list member's timeout (bpf_ktime_get_ns()); 0 never */
};
SL_STATIC_ASSERT(sizeof(struct sl_rule) == 40, "sl_rule layout");

/* A rule as the operator wrote it (userspace only: for bpftool and for a
 * restarted daemon). */
struct sl_rule_meta {
	char netns[32];     /* "" = the daemon's own */
	char dev[16];
	char set[32];
	__u32 prio;
	__u16 id;           /* counter slot in sl_rstat_v1 */
	__u8 used;
	__u8 dir;           /* enum sl_hook_dir */
	__u8 ndirs;
	__u8 src_dims;
	__u8 invert;
	__u8 action;
	__u8 match;         /* enum sl_rule_match (v2); set is "" for SL_MATCH_UNPARSED */
	__u8 pad[3];
};
SL_STATIC_ASSERT(sizeof(struct sl_rule_meta) == 96, "sl_rule_meta layout");

/* An attach point with its pinned link <pin-root>/links/sl_hook_<index>
 * (userspace only). */
struct sl_hook_meta {
	struct sl_dev_place dev;
	__u32 link_id;
	__u8 used;
	__u8 dir;           /* enum sl_hook_dir */
	__u8 mode;          /* enum sl_attach_mode (sluice/attach.h) */
	__u8 pad[5];
};
SL_STATIC_ASSERT(sizeof(struct sl_hook_meta) == 64, "sl_hook_meta layout");

/* What a transaction was doing when it opened (sl_sets_config.open_op;
 * pinned: numbers never reused). */
enum sl_txn_op {
	SL_TXN_NONE = 0,
	SL_TXN_RELOAD = 1,   /* a config applied by a reload */
	SL_TXN_APPLY = 2,    /* a config applied at start */
	SL_TXN_RESTORE = 3,
	SL_TXN_SWAP = 4,
	SL_TXN_RULE = 5,     /* rule add / del */
	SL_TXN_FLUSH = 6,
	SL_TXN_DESTROY = 7,
	SL_TXN_CREATE = 8,
	SL_TXN_RENAME = 9,
	SL_TXN_LIST = 10,    /* add / del on a list:set: its rules' programs are rebuilt */
	SL_TXN_OP_COUNT
};

/* The commit record (userspace only). The committed state is generation
 * committed_gen: the catalog in bank committed_gen & 1, its maps, and the
 * config it came from. A change writes generation committed_gen + 1 into
 * the other bank, sets open_gen to it, switches the dataplane, and commits
 * by writing this record once with committed_gen = open_gen: one map
 * update, so a crash leaves either generation whole. A start that finds
 * open_gen != committed_gen puts the dataplane back on committed_gen. A
 * daemon restarted on the same config keeps the committed state, changes
 * made at run time included. */
struct sl_sets_config {
	__u64 config_digest; /* FNV-1a of the config's set and rule lines */
	__u64 applied;       /* 1 once a config was applied */
	__u64 committed_gen;
	__u64 open_gen;      /* == committed_gen unless a change is switching */
	__u32 open_op;       /* enum sl_txn_op of that change */
	__u32 pad;
};
SL_STATIC_ASSERT(sizeof(struct sl_sets_config) == 40, "sl_sets_config layout");

/* --- sets for other features (tcp, xps, ...) -------------------------------------------
 *
 * Another feature's rule names a set (`match-set SET dst`) and its program
 * finds the set by name in the directory, which the sets feature rewrites
 * with each committed change (a swap trades the slots of two names, a
 * restore or create fills a new slot). So such a rule follows its name
 * through swaps, as an iptables rule follows its set's index. A feature
 * whose rules name sets counts them in the use map under its own name; the
 * sets feature refuses to destroy or rename a set counted there, as the
 * kernel's ipset refuses it for a set an iptables rule holds. */
#define SL_SET_DIR_MAP sl_setdir_v1 /* HASH struct sl_set_name -> struct sl_set_dirent */
#define SL_SET_USE_MAP sl_setuse_v1 /* HASH struct sl_set_use_key -> __u32 rules */
#define SL_SET_USERS   32           /* (set, feature) pairs in use at once */

struct sl_set_name {
	char name[32];      /* NUL-padded */
};

struct sl_set_dirent {
	__u32 slot;         /* in the outer map of cls */
	__u8 cls;           /* enum sl_set_class */
	__u8 family;        /* enum sl_family; 0 for hash:mac, bitmap:port */
	__u8 type;          /* enum sl_set_type */
	__u8 masked;        /* netmask/bitmask: addresses are ANDed with mask first */
	__u8 mask[16];      /* IPv4 in the first four bytes */
};
SL_STATIC_ASSERT(sizeof(struct sl_set_dirent) == 24, "sl_set_dirent layout");

struct sl_set_use_key {
	char set[32];       /* NUL-padded */
	char user[16];      /* the feature whose rules name it */
};
SL_STATIC_ASSERT(sizeof(struct sl_set_use_key) == 48, "sl_set_use_key layout");

struct sl_rule_count {
	__u64 packets;
	__u64 bytes;
};

/* Per hook, summed over CPUs by userspace. */
struct sl_hook_count {
	__u64 packets;      /* every frame the program saw */
	__u64 unparsed;     /* truncated or malformed: passed, never matched */
	__u64 not_ip;       /* other ethertypes: passed */
	__u64 dropped;
};

/* --- the one key builder ------------------------------------------------------------ */

/* The fields a key is made of, in one place: from a packet (with the
 * rule's directions applied) or from a parsed element. Addresses in network
 * byte order (IPv4 in the first four bytes), port in host order (ICMP:
 * type << 8 | code, as ipset keeps it). */
struct sl_set_tuple {
	__u8 addr[16];
	union {
		__u8 addr2[16];
		struct {            /* hash:net,iface */
			__u8 iflags;  /* enum sl_set_iface_flags */
			char iface[SL_IFACE_LEN];
		};
		__u32 mark;         /* hash:ip,mark: the mark, ANDed with the set's markmask */
	};
	__u8 mac[6];
	union {
		__u8 proto;
		__u8 cidr2;   /* hash:net,net: prefix length of addr2 */
	};
	__u8 cidr;          /* net classes: prefix length of addr */
	__u16 port;
	__u16 pad;          /* zero (hash:net,iface's walk starts from it: sl_set_lookup_netiface) */
};
/* 6.1 rounds each frame's stack up to 32 bytes and the set programs sit
 * at its 512: the tuple must not grow (hash:ip,mark's mark shares addr2) */
SL_STATIC_ASSERT(sizeof(struct sl_set_tuple) == 44, "sl_set_tuple layout");

static __always_inline void sl_set_put_port(__u8 out[2], __u16 port)
{
	out[0] = port >> 8;
	out[1] = port & 0xff;
}

/* the key class of any class (a plain set's keys are its key class's) */
static __always_inline __u8 sl_set_key_class(__u8 cls)
{
	return cls >= SL_CLASS_KEYS && cls < SL_CLASS_PLAIN_END ? cls - SL_CLASS_KEYS : cls;
}

/* the dimensions of a class's keys, as ipset counts them (hash:ip,port,ip: 3) */
static __always_inline int sl_set_class_dims(__u8 cls)
{
	switch (sl_set_key_class(cls)) {
	case SL_CLASS_IPPORT4:
	case SL_CLASS_IPPORT6:
	case SL_CLASS_NETPORT4:
	case SL_CLASS_NETPORT6:
		return 2;
	case SL_CLASS_IPPORTIP4:
	case SL_CLASS_IPPORTIP6:
		return 3;
	case SL_CLASS_IPMAC4:
	case SL_CLASS_NETIFACE4:
	case SL_CLASS_NETIFACE6:
	case SL_CLASS_IPMARK4:
	case SL_CLASS_IPMARK6:
	case SL_CLASS_NETNET4:
	case SL_CLASS_NETNET6:
		return 2;
	}
	return 1;
}

/* Fill `key` (SL_SET_KEY_MAX bytes, zeroed here) for class `cls`; returns
 * the key size, 0 for an unknown class. */
static __always_inline int sl_set_key_build(__u8 cls, const struct sl_set_tuple *t, void *key)
{
	__builtin_memset(key, 0, SL_SET_KEY_MAX);
	switch (sl_set_key_class(cls)) {
	case SL_CLASS_IP4:
	case SL_CLASS_IPMAC4: { /* bitmap:ip,mac: one entry per address, its MAC in the value */
		struct sl_set_key_ip4 *k = key;

		__builtin_memcpy(k->addr, t->addr, 4);
		return sizeof(*k);
	}
	case SL_CLASS_IP6: {
		struct sl_set_key_ip6 *k = key;

		__builtin_memcpy(k->addr, t->addr, 16);
		return sizeof(*k);
	}
	case SL_CLASS_NET4: {
		struct sl_set_key_net4 *k = key;

		k->prefixlen = t->cidr;
		__builtin_memcpy(k->addr, t->addr, 4);
		return sizeof(*k);
	}
	case SL_CLASS_NET6: {
		struct sl_set_key_net6 *k = key;

		k->prefixlen = t->cidr;
		__builtin_memcpy(k->addr, t->addr, 16);
		return sizeof(*k);
	}
	case SL_CLASS_IPPORT4: {
		struct sl_set_key_ipport4 *k = key;

		__builtin_memcpy(k->addr, t->addr, 4);
		sl_set_put_port(k->port, t->port);
		k->proto = t->proto;
		return sizeof(*k);
	}
	case SL_CLASS_IPPORT6: {
		struct sl_set_key_ipport6 *k = key;

		__builtin_memcpy(k->addr, t->addr, 16);
		sl_set_put_port(k->port, t->port);
		k->proto = t->proto;
		return sizeof(*k);
	}
	case SL_CLASS_NETPORT4: {
		struct sl_set_key_netport4 *k = key;

		k->prefixlen = SL_NETPORT_PREFIX + t->cidr;
		k->proto = t->proto;
		sl_set_put_port(k->port, t->port);
		__builtin_memcpy(k->addr, t->addr, 4);
		return sizeof(*k);
	}
	case SL_CLASS_NETPORT6: {
		struct sl_set_key_netport6 *k = key;

		k->prefixlen = SL_NETPORT_PREFIX + t->cidr;
		k->proto = t->proto;
		sl_set_put_port(k->port, t->port);
		__builtin_memcpy(k->addr, t->addr, 16);
		return sizeof(*k);
	}
	case SL_CLASS_IPPORTIP4: {
		struct sl_set_key_ipportip4 *k = key;

		__builtin_memcpy(k->addr, t->addr, 4);
		__builtin_memcpy(k->addr2, t->addr2, 4);
		sl_set_put_port(k->port, t->port);
		k->proto = t->proto;
		return sizeof(*k);
	}
	case SL_CLASS_IPPORTIP6: {
		struct sl_set_key_ipportip6 *k = key;

		__builtin_memcpy(k->addr, t->addr, 16);
		__builtin_memcpy(k->addr2, t->addr2, 16);
		sl_set_put_port(k->port, t->port);
		k->proto = t->proto;
		return sizeof(*k);
	}
	case SL_CLASS_MAC: {
		struct sl_set_key_mac *k = key;

		__builtin_memcpy(k->mac, t->mac, 6);
		return sizeof(*k);
	}
	case SL_CLASS_PORT: {
		struct sl_set_key_port *k = key;

		sl_set_put_port(k->port, t->port);
		return sizeof(*k);
	}
	case SL_CLASS_NETIFACE4: {
		struct sl_set_key_netiface4 *k = key;

		k->prefixlen = SL_NETIFACE_PREFIX + t->cidr;
		k->iflags = t->iflags;
		__builtin_memcpy(k->iface, t->iface, SL_IFACE_LEN);
		__builtin_memcpy(k->addr, t->addr, 4);
		return sizeof(*k);
	}
	case SL_CLASS_NETIFACE6: {
		struct sl_set_key_netiface6 *k = key;

		k->prefixlen = SL_NETIFACE_PREFIX + t->cidr;
		k->iflags = t->iflags;
		__builtin_memcpy(k->iface, t->iface, SL_IFACE_LEN);
		__builtin_memcpy(k->addr, t->addr, 16);
		return sizeof(*k);
	}
	case SL_CLASS_IPMARK4: {
		struct sl_set_key_ipmark4 *k = key;

		__builtin_memcpy(k->addr, t->addr, 4);
		k->mark = t->mark;
		return sizeof(*k);
	}
	case SL_CLASS_IPMARK6: {
		struct sl_set_key_ipmark6 *k = key;

		__builtin_memcpy(k->addr, t->addr, 16);
		k->mark = t->mark;
		return sizeof(*k);
	}
	case SL_CLASS_NETNET4: {
		struct sl_set_key_netnet4 *k = key;

		k->prefixlen = SL_NETNET_PREFIX(4) + t->cidr2;
		k->cidr = t->cidr;
		__builtin_memcpy(k->addr, t->addr, 4);
		__builtin_memcpy(k->addr2, t->addr2, 4);
		return sizeof(*k);
	}
	case SL_CLASS_NETNET6: {
		struct sl_set_key_netnet6 *k = key;

		k->prefixlen = SL_NETNET_PREFIX(16) + t->cidr2;
		k->cidr = t->cidr;
		__builtin_memcpy(k->addr, t->addr, 16);
		__builtin_memcpy(k->addr2, t->addr2, 16);
		return sizeof(*k);
	}
	}
	return 0;
}

/* netmask/bitmask (hash:ip, hash:ip,port): the address a key is built from, ANDed with
 * the set's mask. One helper for the packet's address and an element's, so
 * both sides mask alike. */
static __always_inline void sl_set_mask_addr(__u8 addr[16], const __u8 mask[16])
{
	for (int i = 0; i < 16; i++)
		addr[i] &= mask[i];
}

/* the classes whose sets may have netmask/bitmask: hash:ip, hash:ip,port */
static __always_inline bool sl_set_class_maskable(__u8 cls)
{
	__u8 k = sl_set_key_class(cls);

	return k == SL_CLASS_IP4 || k == SL_CLASS_IP6 || k == SL_CLASS_IPPORT4 || k == SL_CLASS_IPPORT6;
}

/* The net classes are LPM tries whose key starts with a prefix length. */
static __always_inline bool sl_set_class_is_lpm(__u8 cls)
{
	__u8 k = sl_set_key_class(cls);

	return k == SL_CLASS_NET4 || k == SL_CLASS_NET6 || k == SL_CLASS_NETPORT4 || k == SL_CLASS_NETPORT6 ||
	       k == SL_CLASS_NETIFACE4 || k == SL_CLASS_NETIFACE6 || k == SL_CLASS_NETNET4 || k == SL_CLASS_NETNET6;
}

/* bits before the address in an LPM key: net,port's protocol and port,
 * net,iface's flags and name; net,net's first net (before its second) */
static __always_inline __u32 sl_set_lpm_base(__u8 cls)
{
	__u8 k = sl_set_key_class(cls);

	if (k == SL_CLASS_NETIFACE4 || k == SL_CLASS_NETIFACE6)
		return SL_NETIFACE_PREFIX;
	if (k == SL_CLASS_NETNET4 || k == SL_CLASS_NETNET6)
		return SL_NETNET_PREFIX(k == SL_CLASS_NETNET4 ? 4 : 16);
	return k == SL_CLASS_NETPORT4 || k == SL_CLASS_NETPORT6 ? SL_NETPORT_PREFIX : 0;
}


static __always_inline bool sl_set_class_plain(__u8 cls)
{
	return cls >= SL_CLASS_KEYS && cls < SL_CLASS_PLAIN_END;
}

/* a plain set kept as a bucket table (every plain class but the LPM ones) */
static __always_inline bool sl_set_class_is_ptab(__u8 cls)
{
	return sl_set_class_plain(cls) && !sl_set_class_is_lpm(cls);
}

/* --- bucket tables: the hash both sides place and find keys with ------------------ */

/* Slots in one bucket of a plain class's table (0: not a bucket table). */
static __always_inline __u32 sl_set_pb_slots(__u8 cls)
{
	if (!sl_set_class_is_ptab(cls))
		return 0;
	switch (sl_set_key_class(cls)) {
	case SL_CLASS_IP4: return 30;
	case SL_CLASS_IP6: return 7;
	case SL_CLASS_IPPORT4: return 15;
	case SL_CLASS_IPPORT6: return 6;
	case SL_CLASS_IPPORTIP4: return 10;
	case SL_CLASS_IPPORTIP6: return 7;
	case SL_CLASS_MAC: return 15;
	case SL_CLASS_PORT: return 30;
	}
	return 0;
}

#define SL_SET_PTAB_SEED 0x736c6963u /* fixed: a table's placement must survive restarts */

static __always_inline __u32 sl_set_ptab_mix(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* A key of `words` 32-bit words (every key size is a multiple of 4). */
static __always_inline __u32 sl_set_ptab_hash(const void *key, __u32 words)
{
	__u32 h = SL_SET_PTAB_SEED;

	for (__u32 i = 0; i < SL_SET_KEY_MAX / 4; i++) {
		__u32 w;

		if (i >= words)
			break;
		__builtin_memcpy(&w, (const __u8 *)key + 4 * i, 4);
		h = sl_set_ptab_mix(h ^ w) + i;
	}
	return h;
}

/* The two buckets of a key's hash among nb (>= 2): different, both < nb,
 * without a division. */
static __always_inline void sl_set_ptab_buckets(__u32 h, __u32 nb, __u32 *b1, __u32 *b2)
{
	__u32 h2 = sl_set_ptab_mix(h ^ 0x9e3779b9u), b;

	*b1 = (__u32)(((__u64)h * nb) >> 32);
	b = *b1 + 1 + (__u32)(((__u64)h2 * (nb - 1)) >> 32);
	*b2 = b >= nb ? b - nb : b;
}

/* The slot of bucket `b` (its words) holding `key`, or -1. Every slot's
 * words are compared without a branch; the used bit decides last. */
static __always_inline int sl_set_pb_find(const __u32 *b, const void *key, __u32 words, __u32 slots)
{
	__u32 used = b[0];

	for (__u32 s = 0; s < SL_SET_PB_SLOTS_MAX; s++) {
		__u32 diff = 0;

		if (s >= slots)
			break;
		for (__u32 i = 0; i < SL_SET_KEY_MAX / 4; i++) {
			__u32 w;

			if (i >= words)
				break;
			__builtin_memcpy(&w, (const __u8 *)key + 4 * i, 4);
			diff |= b[SL_SET_PB_HDR_WORDS + s * words + i] ^ w;
		}
		if (!diff && (used >> s & 1))
			return (int)s;
	}
	return -1;
}

#endif
