/* UDP drop tracing: everything the drops BPF programs and userspace share.
 * Map names carry a layout version: a changed layout gets a new name, so a
 * new daemon never reads an old pin with the wrong sizes. */
#ifndef SLUICE_DROPS_H
#define SLUICE_DROPS_H

#include "sluice/types.h"

#define SL_DROPS_COUNTERS_MAP  sl_drops_v1     /* per-CPU hash: drop_key -> drop_count */
#define SL_DROPS_OTHER_MAP     sl_dothr_v1      /* per-CPU hash: drop_key (OTHER) -> drop_count */
#define SL_DROPS_QFAIL_MAP     sl_udpq_v1       /* per-CPU hash: qfail_key -> drop_count */
#define SL_DROPS_STATS_MAP     sl_dstat_v1     /* per-CPU array: enum sl_drops_stat -> u64 */
#define SL_DROPS_CONFIG_MAP    sl_dcfg_v2       /* array[1]: struct sl_drops_config */
#define SL_DROPS_EVENTS_MAP    sl_devt_v2       /* ring buffer of struct sl_drop_event */
#define SL_DROPS_LAST_MAP      sl_dlast_v1      /* per-CPU array[NLINKS]: struct sl_drop_last */
#define SL_DROPS_LIMIT_MAP     sl_dlim_v1       /* per-CPU array[1]: struct sl_rate_window */

#define SL_DROPS_NLINKS        2        /* kfree_skb, udp_fail_queue_rcv_skb */
#define SL_DROPS_MAX_KEYS      16384
#define SL_DROPS_MAX_OTHER     1024     /* (netns, reason, family) rows once the above is full */
#define SL_DROPS_MAX_QFAIL     4096
#define SL_DROPS_EVENTS_BYTES  (256 * 1024)
/* bytes of the network header copied out of a dropped skb for parsing */
#define SL_DROPS_HDR_COPY      128

/* Counter key: one row per (netns, reason, family, local address, port).
 * When that map is full, a new (address, port) is counted in the "other"
 * map under its (netns, reason, family) with SL_DROP_KEY_OTHER set and
 * port/address zero, so totals stay exact even under a port scan. */
#define SL_DROP_KEY_OTHER 1

struct sl_drop_key {
	__u32 netns;       /* network namespace inode number */
	__u32 reason;      /* kernel enum skb_drop_reason value */
	__u8  family;      /* enum sl_family */
	__u8  flags;       /* SL_DROP_KEY_* */
	__u16 port;        /* local (destination) UDP port, host order */
	__u8  addr[16];    /* local (destination) address; IPv4 in the first 4 bytes */
};
SL_STATIC_ASSERT(sizeof(struct sl_drop_key) == 28, "sl_drop_key layout");

struct sl_drop_count {
	__u64 packets;
	__u64 bytes;
};
SL_STATIC_ASSERT(sizeof(struct sl_drop_count) == 16, "sl_drop_count layout");

/* udp_fail_queue_rcv_skb view: the receiving socket and the enqueue error. */
struct sl_qfail_key {
	__u32 netns;
	__s32 err;         /* negative errno returned by the socket enqueue */
	__u8  family;
	__u8  pad0;
	__u16 port;        /* the socket's bound port, host order */
};
SL_STATIC_ASSERT(sizeof(struct sl_qfail_key) == 12, "sl_qfail_key layout");

/* Program-wide counters (per-CPU array indexes). Numbers are never reused. */
enum sl_drops_stat {
	SL_DSTAT_SEEN = 0,        /* UDP drops seen by kfree_skb */
	SL_DSTAT_KEYS_FULL = 1,   /* drops not counted: counter map full */
	SL_DSTAT_UNPARSED = 2,    /* IP drops whose header copy could not be read or parsed */
	SL_DSTAT_EV_SENT = 3,     /* events written to the ring buffer */
	SL_DSTAT_EV_LOST = 4,     /* events lost: ring buffer full */
	/* 5: unused. Every seen drop is sent, lost or rate-limited, so the
	 * rate-limited count is derived in userspace: seen - sent - lost. */
	SL_DSTAT_QFAIL_FULL = 6,  /* queue failures not counted: map full */
	SL_DSTAT_PAST_MISSES = 7, /* written by userspace: recursion misses of
				   * programs already replaced */
	SL_DSTAT_MAX = 8,
};

/* Runtime configuration, one array entry. A program only acts when its own
 * generation (rodata) equals `active_gen`: on reload the new program is
 * attached first, then this word flips, then the old link is destroyed, so
 * the tracepoint is never left uncovered. */
struct sl_drops_config {
	__u32 active_gen;
	__u32 events_per_window;  /* events per window per CPU; 0 = no events */
	__u64 window_ns;          /* the event budget's window */
	/* userspace only: which build's programs are active, and through which
	 * links, so a restart adopts only links of the active generation */
	__u64 object_id;
	__u32 link_id[SL_DROPS_NLINKS];
};
SL_STATIC_ASSERT(sizeof(struct sl_drops_config) == 32, "sl_drops_config layout");

/* The event the programs on this CPU saw last, one slot per tracepoint.
 * While a swap has two generations attached, the older runs first for
 * every event; if active_gen flips between the two runs, both would count
 * the same drop. Every program writes this record, active or not, so the
 * next one can tell "the generation just before me counted this very skb"
 * and skip it. */
struct sl_drop_last {
	__u64 skb;        /* the skb's address, as an identity within one event */
	__u32 gen;        /* the generation that wrote this */
	__u32 counted;    /* someone counted this event */
};
SL_STATIC_ASSERT(sizeof(struct sl_drop_last) == 16, "sl_drop_last layout");

/* Per-CPU event budget: at most `events_per_window` events per window on
 * each CPU, so a drop storm cannot flood the ring buffer. */
struct sl_rate_window {
	__u64 start_ns;   /* when the window's first event was sent */
	__u32 used;       /* events sent in this window */
	__u32 over;       /* calls over budget since the clock was last read */
};
SL_STATIC_ASSERT(sizeof(struct sl_rate_window) == 16, "sl_rate_window layout");

/* One sampled drop, as written to the ring buffer. */
struct sl_drop_event {
	__u64 ts_ns;              /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 netns;
	__u32 reason;
	__u32 ifindex;
	__u32 len;                /* skb->len where it was dropped (which headers that
				   * includes depends on the layer that dropped it) */
	__u8  family;
	__u8  pad0;
	__u16 cpu;
	__u16 sport;              /* host order */
	__u16 dport;              /* host order */
	__u8  saddr[16];
	__u8  daddr[16];
};
SL_STATIC_ASSERT(sizeof(struct sl_drop_event) == 64, "sl_drop_event layout");

#endif
