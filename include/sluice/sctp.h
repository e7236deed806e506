/* SCTP multihoming: what bpf/sctp.bpf.c, its chunk walker (bpf/lib/sctp.h)
 * and the daemon's sctp module share.
 *
 * An association is tracked by its verification tags. Every SCTP packet
 * carries the tag of its receiver (RFC 9260 8.5): packets to the
 * initiator A carry A's tag (the initiate tag of its INIT), packets to the
 * responder Z carry Z's (the initiate tag of its INIT-ACK). The record is
 * stored under A's side, {A's tag, A's port, Z's port}; Z's side,
 * {Z's tag, Z's port, A's port}, is an index entry pointing at it. A packet
 * from either direction looks up {its tag, its destination port, its
 * source port}: the record, or the index and then the record. ABORT and
 * SHUTDOWN-COMPLETE with the T bit carry the sender's own tag instead, and
 * look up {tag, source port, destination port}.
 *
 * Each endpoint's addresses are those its INIT (INIT-ACK) announces plus
 * the packet's source address (RFC 9260 5.1.2); the INIT's destination is
 * Z's first. At most SL_SCTP_ADDRS per endpoint are kept, the rest
 * counted. A path is an address pair, [A's address][Z's address], counted
 * in both directions.
 *
 * Records are per zone: one zone per network namespace the daemon tracks
 * devices in (each zone has its own program load, the zone in its
 * read-only data), so both ends of an association tracked on one host are
 * two records, not one counted twice. */
#ifndef SLUICE_SCTP_H
#define SLUICE_SCTP_H

#include "sluice/types.h"
#include "sluice/sets.h" /* struct sl_set_name: a policy's set */

#define SL_SCTP_ADDRS      8      /* addresses kept per endpoint */
#define SL_SCTP_ASSOCS     16384  /* associations at once, all zones */
#define SL_SCTP_ZONES      16     /* network namespaces tracked at once */
#define SL_SCTP_DEVS       64     /* devices tracked at once */
#define SL_SCTP_MAX_CHUNKS 32     /* chunks walked per packet; the rest unread, counted */
#define SL_SCTP_MAX_PARAMS 512    /* parameters walked per INIT/INIT-ACK/ASCONF chunk */

#define SL_SCTP_ASSOC_MAP  sl_sctp_assoc_v1 /* HASH struct sl_sctp_key (A's side) -> struct sl_sctp_assoc */
#define SL_SCTP_TAG_MAP    sl_sctp_tag_v1   /* HASH struct sl_sctp_key (Z's side) -> struct sl_sctp_key (A's) */
#define SL_SCTP_STATS_MAP  sl_sctp_stat_v1  /* PERCPU_ARRAY[SL_SCTP_ZONES * SL_SCTP_C_COUNT] of __u64 */
#define SL_SCTP_DEV_MAP    sl_sctp_dev_v1   /* ARRAY[SL_SCTP_DEVS] of struct sl_sctp_dev */
#define SL_SCTP_SCRATCH_MAP sl_sctp_scr_v1  /* PERCPU_ARRAY[2] of struct sl_sctp_assoc: a new record, zeroes */
#define SL_SCTP_POLICY_MAP sl_sctp_pol_v1   /* HASH struct sl_sctp_pol_key -> struct sl_set_name */

/* a device's two programs: links/<this><slot>i (XDP) and ...e (tc egress) */
#define SL_SCTP_LINK_PREFIX "sl_sctp_d"

/* chunk types (RFC 9260 3.2, RFC 5061, RFC 8260) */
enum sl_sctp_chunk {
	SL_SCTP_DATA = 0,
	SL_SCTP_INIT = 1,
	SL_SCTP_INIT_ACK = 2,
	SL_SCTP_SACK = 3,
	SL_SCTP_HEARTBEAT = 4,
	SL_SCTP_HEARTBEAT_ACK = 5,
	SL_SCTP_ABORT = 6,
	SL_SCTP_SHUTDOWN = 7,
	SL_SCTP_SHUTDOWN_ACK = 8,
	SL_SCTP_ERROR = 9,
	SL_SCTP_COOKIE_ECHO = 10,
	SL_SCTP_COOKIE_ACK = 11,
	SL_SCTP_SHUTDOWN_COMPLETE = 14,
	SL_SCTP_I_DATA = 64,
	SL_SCTP_ASCONF_ACK = 128,
	SL_SCTP_ASCONF = 193,
};

/* parameter types */
#define SL_SCTP_P_IPV4       5
#define SL_SCTP_P_IPV6       6
#define SL_SCTP_P_ADD_IP     0xc001 /* ASCONF: add an address (RFC 5061 4.2.1) */
#define SL_SCTP_P_DEL_IP     0xc002 /* ASCONF: delete one */

/* struct sl_sctp_info.seen: chunk types 0..15 by their own bit, these above */
#define SL_SCTP_SEEN_I_DATA  (1u << 16)
#define SL_SCTP_SEEN_ASCONF  (1u << 17)
#define SL_SCTP_SEEN_OTHER   (1u << 18)
#define SL_SCTP_SEEN(t)      (1u << (t))

/* how a chunk walk ended */
enum sl_sctp_walk {
	SL_SCTP_W_OK = 0,          /* every chunk to the datagram's end */
	SL_SCTP_W_TRUNCATED = 1,   /* no whole common header */
	SL_SCTP_W_CHUNK_LEN = 2,   /* a chunk's length below 4 (0 among them): the walk stops there */
	SL_SCTP_W_PAST_END = 3,    /* a chunk runs past the datagram: the last one walked */
	SL_SCTP_W_TOO_MANY = 4,    /* SL_SCTP_MAX_CHUNKS walked, more follow unread */
	SL_SCTP_W_TRAILING = 5,    /* 1-3 bytes after the last chunk */
};

/* What one walk over a packet's chunks found (bpf/lib/sctp.h). Offsets are
 * from the start of the frame. */
struct sl_sctp_info {
	__u32 vtag;                /* the common header's, host order */
	__u32 seen;                /* SL_SCTP_SEEN_* of the chunks walked */
	__u16 nchunks;
	__u8  walk;                /* enum sl_sctp_walk */
	__u8  tbit;                /* an ABORT or SHUTDOWN-COMPLETE with the T bit */
	__u16 init_off, init_len;  /* the first INIT or INIT-ACK chunk (clipped to the datagram); len 0: none */
	__u32 init_tag;            /* its initiate tag */
	__u16 asconf_off, asconf_len; /* the first ASCONF chunk; len 0: none */
	__u16 end;                 /* the datagram's end: trailing frame bytes are padding */
	__u8  init_type;           /* SL_SCTP_INIT or SL_SCTP_INIT_ACK */
	__u8  pad;
};
SL_STATIC_ASSERT(sizeof(struct sl_sctp_info) == 28, "sl_sctp_info layout");

/* how a parameter walk ended */
enum sl_sctp_pwalk {
	SL_SCTP_PW_OK = 0,
	SL_SCTP_PW_LEN = 1,        /* a parameter's length below 4: the walk stops */
	SL_SCTP_PW_PAST_END = 2,   /* a parameter runs past its chunk: not read */
	SL_SCTP_PW_TOO_MANY = 3,   /* SL_SCTP_MAX_PARAMS walked, more follow unread */
	SL_SCTP_PW_BAD_ADDR = 4,   /* an address parameter of the wrong length: skipped */
};

/* one endpoint's addresses: IPv4 in the first 4 bytes of addr */
struct sl_sctp_addrs {
	__u8  n;                   /* kept, at most SL_SCTP_ADDRS */
	__u8  family[SL_SCTP_ADDRS]; /* enum sl_family */
	__u8  pad[3];
	__u32 dropped;             /* announced beyond SL_SCTP_ADDRS */
	__u8  addr[SL_SCTP_ADDRS][16];
};
SL_STATIC_ASSERT(sizeof(struct sl_sctp_addrs) == 16 + SL_SCTP_ADDRS * 16, "sl_sctp_addrs layout");

struct sl_sctp_path {
	__u64 packets, bytes;
	__u64 last_seen;           /* bpf_ktime_get_ns(); 0: never */
};

/* an association as the observer sees it */
enum sl_sctp_state {
	SL_SCTP_S_COOKIE_WAIT = 1, /* INIT seen */
	SL_SCTP_S_COOKIE_ECHOED = 2, /* INIT-ACK seen: the cookie goes back next */
	SL_SCTP_S_ESTABLISHED = 3, /* COOKIE-ACK seen */
	SL_SCTP_S_SHUTDOWN = 4,    /* SHUTDOWN or SHUTDOWN-ACK seen */
};

#define SL_SCTP_NO_PATH 0xff

struct sl_sctp_key {
	__u32 zone;
	__u32 tag;                 /* the receiver's verification tag, host order */
	__u16 rport, sport;        /* the receiver's port, the other's; host order */
};
SL_STATIC_ASSERT(sizeof(struct sl_sctp_key) == 12, "sl_sctp_key layout");

struct sl_sctp_assoc {
	__u32 tag[2];              /* [0] A's (the initiator's), [1] Z's; 0 until seen */
	__u16 port[2];             /* host order */
	__u8  state;               /* enum sl_sctp_state */
	__u8  last_data;           /* the path (a * SL_SCTP_ADDRS + z) of the last DATA; SL_SCTP_NO_PATH */
	__u8  pad[2];
	__u64 created, last_seen;  /* bpf_ktime_get_ns() */
	__u64 stray_packets;       /* on an address pair neither list has */
	struct sl_sctp_addrs ep[2]; /* [0] A's, [1] Z's */
	struct sl_sctp_path path[SL_SCTP_ADDRS][SL_SCTP_ADDRS]; /* [A's address][Z's address] */
};
SL_STATIC_ASSERT(sizeof(struct sl_sctp_assoc) ==
		 40 + 2 * sizeof(struct sl_sctp_addrs) + SL_SCTP_ADDRS * SL_SCTP_ADDRS * 24,
		 "sl_sctp_assoc layout");

/* Counters per zone, by reason: numbers are never reused. */
enum sl_sctp_counter {
	SL_SCTP_C_PACKETS = 0,        /* SCTP packets seen */
	SL_SCTP_C_TRACKED = 1,        /* of them, counted to an association */
	SL_SCTP_C_NEW = 2,            /* associations an INIT began */
	SL_SCTP_C_FULL = 3,           /* INITs refused: the table is full */
	SL_SCTP_C_UNKNOWN_TAG = 4,    /* no association has the packet's tag (COOKIE-ECHO with no INIT, a wrong tag) */
	SL_SCTP_C_INIT_BAD = 5,       /* INIT with a nonzero tag, initiate tag 0, or not alone in its packet */
	SL_SCTP_C_INIT_DUP = 6,       /* INIT for an association already tracked (a retransmission) */
	SL_SCTP_C_INIT_ACK_BAD = 7,   /* INIT-ACK: initiate tag 0, or another than the one tracked */
	SL_SCTP_C_TRUNCATED = 8,      /* no whole common header */
	SL_SCTP_C_CHUNK_LEN = 9,      /* a chunk length below 4 */
	SL_SCTP_C_CHUNK_PAST_END = 10, /* a chunk past the datagram's end */
	SL_SCTP_C_CHUNKS_LIMIT = 11,  /* more than SL_SCTP_MAX_CHUNKS chunks */
	SL_SCTP_C_TRAILING = 12,      /* bytes after the last chunk */
	SL_SCTP_C_PARAM_LEN = 13,     /* a parameter length below 4 */
	SL_SCTP_C_PARAM_PAST_END = 14, /* a parameter past its chunk */
	SL_SCTP_C_PARAMS_LIMIT = 15,  /* more than SL_SCTP_MAX_PARAMS parameters */
	SL_SCTP_C_ADDR_BAD = 16,      /* an address parameter of the wrong length */
	SL_SCTP_C_ADDRS_DROPPED = 17, /* addresses beyond SL_SCTP_ADDRS (one per address) */
	SL_SCTP_C_STRAY_PATH = 18,    /* an association's packet on addresses it never announced */
	SL_SCTP_C_END_SHUTDOWN = 19,  /* associations ended by SHUTDOWN-COMPLETE */
	SL_SCTP_C_END_ABORT = 20,     /* associations ended by ABORT */
	SL_SCTP_C_FRAGMENT = 21,      /* later IP fragments: no SCTP header to read */
	SL_SCTP_C_EXPIRED = 22,       /* associations idle past the timeout (the daemon) */
	SL_SCTP_C_ASCONF_ADD = 23,    /* addresses an ASCONF added */
	SL_SCTP_C_ASCONF_DEL = 24,    /* addresses an ASCONF deleted */
	/* on a device with a policy (sctp policy ... allow-set SET): dropped */
	SL_SCTP_C_DROP_INIT = 25,     /* an INIT whose source is not in the set */
	SL_SCTP_C_DROP_UNKNOWN = 26,  /* no association has its tag (a wrong tag, a COOKIE-ECHO with no INIT) */
	SL_SCTP_C_DROP_NOT_ADMITTED = 27, /* an association whose INIT's source is not in the set */
	SL_SCTP_C_DROP_STRAY = 28,    /* an admitted association's, on addresses it never announced */
	SL_SCTP_C_DROP_MALFORMED = 29, /* no common header, a bad INIT, a later fragment: nothing to admit it by */
	SL_SCTP_C_COUNT,
};

/* A policy on a device: SCTP packets pass only when they belong to an
 * association admitted by the set (the source of its INIT, A's first
 * address, is in it, looked up at each packet so the set's changes hold
 * at once) and travel between addresses it announced. */
struct sl_sctp_pol_key {
	__u32 zone;
	__u32 ifindex;         /* in the zone's namespace */
};

/* where a device slot's programs are, for a restarted daemon */
struct sl_sctp_dev {
	struct sl_dev_place dev;
	__u32 used;
	__u32 zone;
	__u32 pad;
};
SL_STATIC_ASSERT(sizeof(struct sl_sctp_dev) == 64, "sl_sctp_dev layout");

#endif
