/* sluice-gen: UDP traffic generator (send) and counter (sink).
 *
 * Everything except main() lives in libsluice-gen.a so the unit tests can
 * drive the option parser, the pacing math and the summary formatting
 * without sockets or privileges.
 */
#ifndef SLUICE_GEN_H
#define SLUICE_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

struct json_object;

#define GEN_NAME "sluice-gen"

#define GEN_EXIT_OK      0
#define GEN_EXIT_RUNTIME 1
#define GEN_EXIT_USAGE   2

#define GEN_DEF_SIZE     64
#define GEN_DEF_BATCH    64
#define GEN_MAX_SIZE     65507u  /* 65535 - IPv4 header - UDP header */
#define GEN_MAX_BATCH    1024u   /* UIO_MAXIOV: sendmmsg's vlen cap */
#define GEN_MAX_SOCKETS  1024u   /* one socket per --sport-range port */
#define GEN_MAX_RATE     1000000000ull
#define GEN_MAX_CPU      1023u   /* CPU_SETSIZE - 1 */
#define GEN_MAX_DURATION_NS (365ull * 86400 * 1000000000ull)
#define GEN_SINK_BATCH   64u
#define GEN_DEF_RCVBUF   (4u << 20)  /* sink: absorb bursts; capped by rmem_max */
#define GEN_HOLD_RCVBUF  4096u       /* sink --hold: overflow quickly */
#define GEN_MAX_RCVBUF   2147483647u /* SO_RCVBUF takes an int */
#define GEN_ERRLEN       256
#define GEN_MAX_DSTS     16u     /* send --dst A,B,...: round-robin in each batch */
#define GEN_MAX_PEERS    64u     /* sink: sources counted apart (the rest: "other") */

enum gen_mode { GEN_MODE_NONE, GEN_MODE_SEND, GEN_MODE_SINK, GEN_MODE_XDP };
enum gen_action { GEN_ACT_RUN, GEN_ACT_HELP, GEN_ACT_VERSION };

/* A numeric IP address (port added later) and what kind it is. */
struct gen_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;             /* AF_INET or AF_INET6 */
	bool multicast;
	bool any;               /* 0.0.0.0 or :: */
};

/* xdp mode (xdp*.c): ranges and threads; --src/--dst hold each range's first address */
#define GEN_XDP_MAX_THREADS 64u
#define GEN_XDP_MAX_BATCH   256u   /* the kernel's cap on a live-frames batch */
#define GEN_XDP_MAX_SIZE    1472u  /* UDP payload in a 1500-byte IPv4 frame */
#define GEN_XDP_MTU         1500u
struct gen_xdp_opts {
	const char *dev;        /* --dev: frames leave this device */
	uint8_t dst_mac[6];     /* --dst-mac, else the neighbour entry of --dst */
	bool has_dst_mac;
	uint32_t src_n, dst_n;  /* addresses in each range (1: one address) */
	uint16_t dport_lo, dport_hi;
	uint32_t threads;       /* --threads; 0 = one per --cpu, else 1 */
	uint32_t ncpus;         /* --cpu list */
	uint16_t cpus[GEN_XDP_MAX_THREADS];
};

struct gen_opts {
	enum gen_mode mode;
	enum gen_action action;
	struct gen_addr dst;    /* send: --dst; sink: --bind */
	bool has_dst;
	struct gen_addr src;    /* send: --src */
	bool has_src;
	uint16_t port;
	uint32_t size;          /* payload bytes per message */
	uint32_t batch;         /* messages per sendmmsg */
	uint32_t gso;           /* UDP_SEGMENT size, 0 = off */
	uint64_t rate;          /* packets per second, 0 = unpaced */
	uint64_t count;         /* packets, 0 = unlimited */
	uint64_t duration_ns;   /* 0 = unlimited */
	uint16_t sport_lo, sport_hi;    /* 0 = kernel-chosen source port */
	int cpu;                /* -1 = not pinned */
	bool json;
	/* sink only */
	bool hold;              /* bind, never read: every overflow is a drop */
	uint32_t rcvbuf;        /* SO_RCVBUF; resolved by the parser:
				 * --rcvbuf, else GEN_HOLD_RCVBUF with --hold,
				 * else GEN_DEF_RCVBUF */
	const char *ready_file; /* created once bound (and joined); NULL = none */
	bool no_gro;            /* sink: UDP_GRO off (the kernel hands over datagrams one by one) */
	/* send: every --dst of the list (dsts[0] is dst), message k of a
	 * batch to dsts[k % ndst] */
	struct gen_addr dsts[GEN_MAX_DSTS];
	uint32_t ndst;
	struct gen_xdp_opts xdp;
};

/* One peer's share of a run: a destination's (send) or a source's (sink,
 * address without port) */
struct gen_peer {
	struct gen_addr a;
	uint64_t packets;       /* sent to it / received from it */
	uint64_t failed;        /* send: refused by the kernel */
};

/* What a run measured; the summary is derived from it. */
struct gen_result {
	enum gen_mode mode;
	uint64_t packets;       /* datagrams on the wire (send) / received */
	uint64_t bytes;         /* UDP payload bytes */
	uint64_t errors;        /* send: packets refused by the kernel */
	double seconds;
	/* send only */
	uint32_t batch, gso, size;
	uint64_t rate;
	uint32_t sockets;
	double cpu_seconds;     /* the sending thread's CPU time over the run */
	uint32_t threads;       /* xdp only (with batch, size, rate) */
	/* sink only */
	uint64_t drops;         /* socket receive-queue drops (SO_MEMINFO) */
	double wall_seconds;    /* whole run, including idle time */
	/* send: per --dst (with a list); sink: per source */
	struct gen_peer peer[GEN_MAX_PEERS];
	uint32_t npeers;
};

/* parse.c: strict value parsers. 0 = ok, GEN_ESYNTAX, GEN_ERANGE, GEN_EMANY */
#define GEN_ESYNTAX (-1)
#define GEN_ERANGE  (-2)
#define GEN_EMANY   (-3)
int gen_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int gen_parse_duration(const char *s, uint64_t *ns);
int gen_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi);

/* addr.c */
int gen_addr_parse(const char *s, struct gen_addr *a);
void gen_addr_set_port(struct gen_addr *a, uint16_t port);
uint32_t gen_addr_scope(const struct gen_addr *a);
uint32_t gen_addr_low32(const struct gen_addr *a); /* xdp_parse.c: host order */
void gen_addr_format(const struct gen_addr *a, char *buf, size_t len);
void gen_addr_ip(const struct gen_addr *a, char *buf, size_t len); /* no port */

/* options.c: fills o; on error returns -1 with a one-line message in err */
int gen_parse_args(int argc, char **argv, struct gen_opts *o,
		   char *err, size_t errlen);
void gen_opts_defaults(struct gen_opts *o);

/* usage.c */
void gen_usage(enum gen_mode mode, FILE *out);
void gen_version(FILE *out);

/* pace.c: monotonic time and rate pacing */
uint64_t gen_now_ns(void);
uint64_t gen_thread_cpu_ns(void);
uint64_t gen_pace_offset_ns(uint64_t packets, uint64_t rate);
int gen_sleep_until_ns(uint64_t deadline_ns);
uint64_t gen_segments(uint64_t len, uint32_t gso);

/* stats.c: summary math and output */
const char *gen_mode_name(enum gen_mode m);
double gen_per_second(uint64_t n, double seconds);
double gen_result_pps(const struct gen_result *r);
double gen_result_bps(const struct gen_result *r);
struct json_object *gen_result_json(const struct gen_result *r);
int gen_result_line(const struct gen_result *r, char *buf, size_t len);
int gen_result_print(const struct gen_result *r, bool json, FILE *out);

/* signals.c: the only mutable global, a stop flag set by SIGINT/SIGTERM */
int gen_signals_install(void);
bool gen_stopping(void);

/* send.c / sink.c: 0 = ran (r filled), -1 = runtime failure (err filled) */
int gen_send_run(const struct gen_opts *o, struct gen_result *r,
		 char *err, size_t errlen);
/* sink.c: the peer of r with address a (port ignored), added when new;
 * NULL when the table is full */
struct gen_peer *gen_peer_of(struct gen_result *r, const struct sockaddr_storage *a);
int gen_sink_run(const struct gen_opts *o, struct gen_result *r,
		 char *err, size_t errlen);

/* txsock.c: the sender's sockets, one per source port */
int gen_tx_open(const struct gen_opts *o, int *fds, uint32_t nfds,
		char *err, size_t errlen);

/* xdp_parse.c: xdp mode's value parsers, same return codes as parse.c.
 * An address range is "A", "A-B" or "A+N" (N addresses from A); only the
 * low 32 bits may differ. */
int gen_parse_addr_range(const char *s, struct gen_addr *lo, uint32_t *n);
int gen_parse_cpu_list(const char *s, uint16_t *cpus, uint32_t max, uint32_t *n);
int gen_parse_mac(const char *s, uint8_t mac[6]);

/* xdp_frame.c: the template frame (Ethernet, IP, UDP, payload) with the
 * first address and port of each range; fills the program's config.
 * Returns the frame's length. */
struct sl_gen_xdp_cfg;
size_t gen_xdp_frame(const struct gen_opts *o, const uint8_t src_mac[6],
		     uint8_t *buf, size_t len, struct sl_gen_xdp_cfg *cfg);

/* xdp.c: 0 = ran, -1 = runtime failure, GEN_XDP_UNSUPPORTED = the kernel
 * lacks live frames (err says so; exit 2) */
#define GEN_XDP_UNSUPPORTED (-2)
int gen_xdp_run(const struct gen_opts *o, struct gen_result *r,
		char *err, size_t errlen);

/* run.c: parse-independent part of main(); returns the exit code */
int gen_run(const struct gen_opts *o);
int gen_main(int argc, char **argv);

#endif
