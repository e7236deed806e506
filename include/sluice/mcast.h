/* Bridge multicast flooding policy: what bpf/mcast.bpf.c and the daemon's
 * mcast module (src/features/mcast/) share.
 *
 * Two tc programs (tcx links) on every port of an enabled bridge:
 *   ingress  snoops IGMPv1/v2/v3 and MLDv1/v2 reports, leaves and dones
 *            into the membership maps, and marks a port that hears a
 *            general query (IGMP or MLD) or a PIM hello a learned router
 *            port for a while;
 *   egress   lets IPv4/IPv6 multicast data out of a port only if the port
 *            is a member of the group or a router port (registered group),
 *            or a router port (unregistered group); a port with `flood on`
 *            gets everything. Link-local control groups (224.0.0.0/24,
 *            ff02::/16), IGMP/MLD themselves and non-IP frames are never
 *            touched.
 * With the fast path on (`mcast bridge … fast-path on`), two XDP programs
 * as well:
 *   sl_mc_xdp       on every port: a multicast data frame of a registered
 *                   group is redirected by devmap broadcast to the ports
 *                   of the group's own port set (its members and router
 *                   ports, sl_mcgset_v1) when the set is current, else to
 *                   every other port of the bridge (this bridge's inner
 *                   map of sl_mcdev_v1); it never reaches the bridge;
 *                   everything else passes to the bridge as without it;
 *   sl_mc_xdp_port  the devmap program of every entry of both: the egress
 *                   decision per port, the same code as sl_mc_egress.
 * A group's port set is current when it was built for the group's
 * generation (sl_mc_group.gen, moved by a port's membership becoming live)
 * and the bridge's port generation (sl_mc_gen.learned, moved when a port
 * becomes a learned router port, + sl_mc_config.ports_gen, moved when the
 * daemon changes a port):
 * both are in its key, so a set built before a change is never found.
 * One program object is loaded per bridge with that bridge's id in
 * read-only data (sl_mc_bridge); ports are told apart by ifindex, which is
 * unique inside the bridge's namespace. */
#ifndef SLUICE_MCAST_H
#define SLUICE_MCAST_H

#include "sluice/types.h"

#define SL_MC_BRIDGES      16      /* bridges with the policy at once */
#define SL_MC_PORTS        1024    /* (bridge, port) records */
#define SL_MC_MEMBERS      65536   /* (bridge, group, port) memberships */
#define SL_MC_GROUPS       16384   /* (bridge, group) */

#define SL_MC_CONFIG_MAP   sl_mccfg_v1   /* ARRAY[SL_MC_BRIDGES] of struct sl_mc_config */
#define SL_MC_PORT_MAP     sl_mcport_v1  /* HASH sl_mc_port_key -> struct sl_mc_port */
#define SL_MC_MEMBER_MAP   sl_mcmemb_v1  /* HASH sl_mc_member_key -> struct sl_mc_member */
#define SL_MC_GROUP_MAP    sl_mcgrp_v2   /* HASH sl_mc_group_key -> struct sl_mc_group */
#define SL_MC_STATS_MAP    sl_mcstat_v2  /* PERCPU_HASH sl_mc_port_key -> struct sl_mc_port_stats */
#define SL_MC_BRIDGE_MAP   sl_mcbr_v1    /* ARRAY[SL_MC_BRIDGES] of struct sl_mc_bridge_meta */
#define SL_MC_DEV_MAP      sl_mcdev_v1   /* ARRAY_OF_MAPS[SL_MC_BRIDGES]: each bridge's ports,
					  * a DEVMAP_HASH ifindex -> bpf_devmap_val
					  * (the port, sl_mc_xdp_port) */
#define SL_MC_FAST_MAP     sl_mcfast_v1  /* PERCPU_ARRAY[SL_MC_BRIDGES] of struct sl_mc_fast_stats */
#define SL_MC_DEV_PORTS    128           /* entries of one bridge's (or group's) devmap */
#define SL_MC_GEN_MAP      sl_mcgen_v1   /* ARRAY[SL_MC_BRIDGES] of struct sl_mc_gen */
#define SL_MC_GSET_MAP     sl_mcgset_v1  /* HASH_OF_MAPS sl_mc_gset_key -> a DEVMAP_HASH as in
					  * sl_mcdev_v1, of the group's members and router ports */
#define SL_MC_GSTAT_MAP    sl_mcgstat_v1 /* PERCPU_HASH sl_mc_group_key -> struct sl_mc_group_stats */
#define SL_MC_GSETS        1024          /* group port sets at once (all bridges); when
					  * full, groups without one use the bridge's */

/* Per bridge, written by the daemon (timers in ns). */
struct sl_mc_config {
	__u64 membership_ns;   /* group membership interval: robustness x query
				* interval + query response interval (RFC 3376 8.4) */
	__u64 leave_ns;        /* after a leave/done: last member query time */
	__u64 router_ns;       /* a port that heard a querier or PIM hello stays
				* a learned router port this long */
	__u32 enabled;
	__u32 ports_gen;       /* moved when the daemon attaches, detaches or sets
				* a port (or changes the programs): with
				* sl_mc_gen.learned, the port sets' generation */
};

/* Which bridge an index is (userspace only: for bpftool and a restarted
 * daemon). Port links are pinned as links/sl_mc_<index>_<ifindex>_{in,eg}. */
struct sl_mc_bridge_meta {
	struct sl_dev_place bridge;
	__u32 used;
};

struct sl_mc_port_key {
	__u32 bridge;          /* index into sl_mccfg_v1 */
	__u32 ifindex;         /* the port, in the bridge's namespace */
};

enum sl_mc_router {
	SL_MC_ROUTER_AUTO = 0, /* learned from queries and PIM hellos */
	SL_MC_ROUTER_ON = 1,   /* always a router port (static) */
	SL_MC_ROUTER_OFF = 2,  /* never, whatever it hears */
};

/* Per port: the operator's settings (daemon) and what was learned (BPF). */
struct sl_mc_port {
	__u64 router_until_ns; /* learned router port until then (auto) */
	__u8 router;           /* enum sl_mc_router */
	__u8 flood;            /* 1: every multicast frame goes out here */
	__u8 pad[6];
};

/* One membership: group on a port. A group address is 16 bytes; IPv4 is
 * in the first four, the rest zero. */
struct sl_mc_member_key {
	__u32 bridge;
	__u32 ifindex;
	__u8 family;           /* enum sl_family */
	__u8 pad[3];
	__u8 group[16];
};

struct sl_mc_member {
	__u64 expires_ns;      /* bpf_ktime_get_ns() */
	__u8 version;          /* what last reported it: 1..3 IGMP, 1..2 MLD (+ 0x10 for MLD) */
	__u8 pad[7];
};

/* Whether a group has any member on the bridge: the newest expiry of its
 * memberships (a registered group is one with a live entry here). */
struct sl_mc_group_key {
	__u32 bridge;
	__u8 family;           /* enum sl_family */
	__u8 pad[3];
	__u8 group[16];
};

struct sl_mc_group {
	__u64 expires_ns;
	__u32 gen;             /* moved (atomically) each time a port's membership
				* becomes live, after that membership is written */
	__u32 pad;
};

/* Per bridge, written by BPF only (atomic adds): what moves the port
 * sets' generation, and a count the daemon watches to rebuild them. */
struct sl_mc_gen {
	__u32 learned;         /* a port became a learned router port */
	__u32 changes;         /* any group's gen or `learned` moved */
};

/* A group's port set, found only under the generations it was built for. */
struct sl_mc_gset_key {
	__u32 bridge;
	__u8 family;           /* enum sl_family */
	__u8 pad[3];
	__u8 group[16];
	__u32 gen;             /* sl_mc_group.gen */
	__u32 ports;           /* sl_mc_gen.learned + sl_mc_config.ports_gen */
};

/* Per group, per CPU: how the fast path sent its frames. */
struct sl_mc_group_stats {
	__u64 redirected;      /* by the group's own port set */
	__u64 fallback;        /* by the bridge's (the set missing or stale) */
};

SL_STATIC_ASSERT(sizeof(struct sl_mc_config) == 32, "sl_mc_config layout");
SL_STATIC_ASSERT(sizeof(struct sl_mc_bridge_meta) == 56, "sl_mc_bridge_meta layout");
SL_STATIC_ASSERT(sizeof(struct sl_mc_port_key) == 8, "sl_mc_port_key layout");
SL_STATIC_ASSERT(sizeof(struct sl_mc_port) == 16, "sl_mc_port layout");
SL_STATIC_ASSERT(sizeof(struct sl_mc_member_key) == 28, "sl_mc_member_key layout");
SL_STATIC_ASSERT(sizeof(struct sl_mc_member) == 16, "sl_mc_member layout");
SL_STATIC_ASSERT(sizeof(struct sl_mc_group_key) == 24, "sl_mc_group_key layout");
SL_STATIC_ASSERT(sizeof(struct sl_mc_group) == 16, "sl_mc_group layout");
SL_STATIC_ASSERT(sizeof(struct sl_mc_gen) == 8, "sl_mc_gen layout");
SL_STATIC_ASSERT(sizeof(struct sl_mc_gset_key) == 32, "sl_mc_gset_key layout");
SL_STATIC_ASSERT(sizeof(struct sl_mc_group_stats) == 16, "sl_mc_group_stats layout");

/* Per port, per CPU. */
struct sl_mc_port_stats {
	__u64 passed;          /* multicast data let out of this port */
	__u64 suppressed;      /* multicast data held back from this port */
	__u64 reports;         /* joins seen on this port (records, all versions) */
	__u64 leaves;          /* leaves/dones seen (incl. v3 TO_IN{}) */
	__u64 queries;         /* general queries and PIM hellos heard */
	__u64 malformed;       /* IGMP/MLD messages that did not parse */
	/* the fast path (devmap broadcast, past tc egress): a port is spared
	 * the bridge's redirected frames less those that came in on it and
	 * those offered to it (counted in passed/suppressed as they are) */
	__u64 fast_in;         /* redirected frames that came in on this port */
	__u64 fast_offered;    /* copies its devmap entry's program decided on */
};
SL_STATIC_ASSERT(sizeof(struct sl_mc_port_stats) == 64, "sl_mc_port_stats layout");

/* The fast path, per bridge, per CPU: what sl_mc_xdp did with each frame
 * (every frame counts once; passed frames go to the bridge as without it). */
struct sl_mc_fast_stats {
	__u64 redirected;      /* a registered group's data: to the ports by devmap broadcast
				* (its own port set or the bridge's: sl_mcgstat_v1) */
	__u64 not_multicast;   /* unicast or broadcast MAC */
	__u64 control;         /* link-local control groups, IGMP/MLD, non-IP multicast */
	__u64 unregistered;    /* no live membership: the bridge and tc egress decide */
	__u64 vlan;            /* VLAN-tagged: the bridge's VLAN rules apply */
	__u64 unparsed;        /* truncated or malformed headers */
	__u64 failed;          /* no port set for the bridge, or the redirect was refused */
};
SL_STATIC_ASSERT(sizeof(struct sl_mc_fast_stats) == 56, "sl_mc_fast_stats layout");

#endif
