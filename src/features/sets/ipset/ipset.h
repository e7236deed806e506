/* The ipset language, in userspace only: set types, create options,
 * element syntax, and the text `ipset save` prints for them. sluicectl
 * `set create/add/del/test/save/restore` speaks it; nothing here touches
 * BPF or the daemon.
 *
 * What sluice prints, checked against the kernel's ipset (v7.17, kernel
 * 6.18) by tests/netns/test_sets_ipset_oracle.sh:
 *
 *   create NAME TYPE [family inet|inet6] hashsize H maxelem M
 *          [netmask N | bitmask ADDR] (hash:ip: only a mask that clears bits)
 *          [timeout T] [counters] [comment] [bucketsize B] [initval 0xXXXXXXXX]
 *          [netmask N | bitmask ADDR] (hash:ip,port: last, as the kernel's)
 *   create NAME bitmap:port range FROM-TO [timeout T] [counters] [comment]
 *          [skbinfo]   (forceadd is taken but, as by ipset, not printed)
 *   add NAME ELEM [timeout T] [nomatch] [packets P bytes B] [comment "TEXT"]
 *          [skbmark 0xM[/0xK]] [skbprio MAJ:MIN] [skbqueue Q]
 *
 * `family` is printed for every type that has one (hash:mac and bitmap:port
 * have none), hashsize and maxelem always (defaults 1024 and 65536; the
 * hashsize normalised as the kernel does: a power of two, at least 64).
 * The kernel also prints `bucketsize 12 initval 0x<random>`: they tune its
 * hash tables, which sluice's BPF maps do not have, and the initval is
 * random per set. sluice keeps each of them only when a create line gives
 * it (so the output of `ipset save` restores and saves back unchanged) and
 * prints it then, bucketsize normalised like the kernel's (even, 2..12).
 * A set created without them prints neither: its create line is ipset's
 * minus those words.
 *
 * Elements print as ipset prints them: the address without /32 or /128,
 * networks with their host bits cleared, `proto:port` with the protocol
 * name from /etc/protocols (so ICMPv6 is `ipv6-icmp:`), ICMP as ipset's
 * name for the type/code (`icmp:echo-request`) or `TYPE/CODE`, MAC
 * addresses in upper case, bitmap:port as the bare number. In a set with
 * timeout every element prints one (the set's default when the element has
 * none: the kernel prints the seconds left, right after adding that is
 * the given value); with counters every element prints packets and bytes.
 *
 * Deliberate differences from ipset's parser: addresses are numeric only
 * (no host names, no inet_aton forms such as 010.1.1.1 or 1.2.3), numbers
 * take no sign, and one element expands to at most `max` entries (see
 * sl_set_expand_init; ipset lets the kernel add 10.0.0.0/8 host by host).
 * Service names are looked up for the canonical protocol name, so
 * `TCP:http` works where ipset fails. The third address of hash:ip,port,ip
 * may carry /32 (/128), which the kernel refuses from ipset. `comment ""`
 * means no comment, as `ipset add` has it (`ipset restore` refuses the
 * line). Lines are split by sl_tokenize(), whose double quotes take \"
 * and \\ escapes where ipset has none: a comment ipset saved with two
 * backslashes in a row, or one at its end, does not read back as it was.
 *
 * This kernel lacks hash:mac (CONFIG_IP_SET_HASH_MAC): its create line
 * follows ipset's source, and the oracle checks MAC spelling through
 * bitmap:ip,mac instead. */
#ifndef SLUICE_FEATURES_SETS_LANG_H
#define SLUICE_FEATURES_SETS_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/grammar.h"
#include "common/set_name.h"  /* sl_set_name_check(), SL_SET_NAME_MAX */
#include "sluice/sets.h"  /* enum sl_set_type, enum sl_set_spec_flags: pinned numbers */

#define SL_SET_COMMENT_MAX  (SL_SET_COMMENT_SIZE - 1) /* IPSET_MAX_COMMENT_SIZE */
#define SL_SET_TIMEOUT_MAX  2147483u  /* seconds; ipset's limit (ms fit in an int) */
#define SL_SET_EXPAND_MAX   65536 /* default cap on entries from one element */
#define SL_SET_LINE_MAX     (SL_MAX_LINE + 64) /* enough for any printed line */
#define SL_SET_LIST_DEFAULT_SIZE 8 /* list:set's size, as ipset's */
#define SL_SET_LIST_MIN_SIZE 4     /* the kernel's least (a smaller one is made 4) */

/* What one comma-separated part of an element is. */
enum sl_set_part {
	SL_PART_NONE,
	SL_PART_IP,         /* address; IPv4 also FROM-TO or a CIDR, expanded to hosts */
	SL_PART_NET,        /* address/CIDR; IPv4 also FROM-TO, expanded to CIDR blocks */
	SL_PART_IP_ONE,     /* exactly one address (third part of hash:ip,port,ip) */
	SL_PART_PROTO_PORT, /* [PROTO:]PORT[-PORT] or icmp:TYPE, icmpv6:TYPE */
	SL_PART_PORT,       /* [tcp:|udp:]PORT[-PORT], printed as the bare number */
	SL_PART_MAC,
	SL_PART_IFACE,      /* [physdev:]NAME, at most 15 characters (hash:net,iface) */
	SL_PART_MARK,       /* a 32-bit number, ANDed with the set's markmask (hash:ip,mark) */
};

/* Where a type takes netmask/bitmask, and where its create line prints them
 * (the kernel's order: hash:ip's after maxelem, hash:ip,port's last). */
enum sl_set_mask_place { SL_MASK_NONE, SL_MASK_AFTER_MAXELEM, SL_MASK_LAST };

/* The one table of set types (sl_set_types[type]), indexed by enum
 * sl_set_type, whose numbers live in sluice/sets.h since pins store them. */
struct sl_set_type_info {
	const char *name;           /* "hash:ip,port" */
	const char *alias;          /* ipset's old name ("ipporthash"), or NULL */
	int dims;                   /* parts in an element, 1..3 */
	enum sl_set_part part[3];
	const char *metavar;        /* "IP,PORT", for messages */
	bool family;                /* has `family inet|inet6` */
	bool inet;                  /* family inet, fixed: no family option (bitmap:ip) */
	bool bitmap;                /* `range` instead of hashsize/maxelem */
	bool nomatch;               /* elements may carry `nomatch` (hash:net*) */
	bool null_addr;             /* the first address may be 0.0.0.0 / :: */
	enum sl_set_mask_place mask; /* netmask/bitmask */
	bool netmask_only;          /* netmask but no bitmask (bitmap:ip) */
	bool last_optional;         /* the last part may be left out (bitmap:ip,mac: IP[,MAC]) */
	bool plain_ip;              /* the address is one address: no range, no CIDR (bitmap:ip,mac) */
	bool zero_cidr;             /* takes /0 (hash:net,iface) */
	bool test_zero_cidr;        /* its test takes /0 and finds nothing (hash:net,net) */
	bool iface;                 /* elements name an interface; add takes `wildcard` */
	bool markmask;              /* create takes `markmask`, printed after the family (hash:ip,mark) */
	bool list;                  /* list:set: elements are set names, `size` its one number */
};

extern const struct sl_set_type_info sl_set_types[SL_SET_TYPE_COUNT];

/* ipset 7.17's words for netmask/bitmask (`%s`) on hash:net,net, whose
 * revision 4 has them, against Debian 12's 6.1 kernel (revision 3),
 * which sluice answers as: the option is refused */
#define SL_SET_NETNET_MASK_REFUSED                                                                           \
	"Argument `%s' is supported in the kernel module of the set type hash:net,net starting from the "   \
	"revision 4 and you have installed revision 3 only. Your kernel is behind your ipset utility."

/* By name or alias; NULL if unknown. */
const struct sl_set_type_info *sl_set_type_find(const char *name, enum sl_set_type *type);

/* --- create ------------------------------------------------------------ */

struct sl_set_spec {
	char name[SL_SET_NAME_MAX + 1];
	enum sl_set_type type;
	enum sl_family family;      /* 0 for types without a family */
	unsigned flags;             /* enum sl_set_spec_flags */
	uint32_t hashsize;          /* hash types, as the kernel keeps it */
	uint32_t maxelem;           /* bitmap:ip: the entries its range holds; list:set: its size */
	uint32_t timeout;           /* default for elements, with SL_SET_F_TIMEOUT */
	uint32_t range_from;        /* bitmap:port: ports; bitmap:ip: IPv4 addresses in host
				     * order, widened to whole netmask blocks as the kernel keeps them */
	uint32_t range_to;
	uint8_t bucketsize;
	uint32_t initval;
	uint8_t netmask;            /* with SL_SET_F_NETMASK: 1..31 (v4), 1..127 (v6) */
	uint8_t bitmask[16];        /* with SL_SET_F_BITMASK: neither zero nor all ones */
	uint32_t markmask;          /* hash:ip,mark: never 0, default 0xffffffff */
};

/* A spec with ipset's defaults for `type` (family inet where it has one). */
void sl_set_spec_init(struct sl_set_spec *spec, const char *name, enum sl_set_type type);

/* `NAME TYPE [options...]`: the words after `create`. cols: the 1-based
 * column of each word for errors; NULL counts words joined by single
 * blanks from column 1. */
int sl_set_spec_parse(int argc, char *const argv[], const int *cols, struct sl_set_spec *spec,
		      struct sl_error *err);

/* The mask a set's addresses are ANDed with (netmask or bitmask, as the
 * kernel turns a netmask into a bitmask): true and *mask filled when the
 * set has one. A netmask of the whole address or a bitmask of all ones is
 * no mask, as in the kernel (and neither prints). */
bool sl_set_spec_mask(const struct sl_set_spec *spec, uint8_t mask[16]);

/* The create line as `ipset save` prints it (see the top of this file).
 * Returns the length, or -1 if it does not fit. */
int sl_set_spec_format(const struct sl_set_spec *spec, char *out, size_t size);

/* bitmap:ip's range (bitmap_ip.c): `FROM-TO` or `IP/CIDR` into
 * spec->range_from/to; then, once the netmask is known, widened to whole
 * blocks and checked against the kernel's limits (a netmask must split a
 * CIDR block; at most 65536 entries), spec->maxelem set to its entries. */
int sl_set_ip_range(const char *value, int col, struct sl_set_spec *spec, struct sl_error *err);
int sl_set_ip_range_finish(struct sl_set_spec *spec, int col, struct sl_error *err);
/* "10.0.0.0-10.0.0.255"; returns snprintf's length */
int sl_set_ip_range_format(const struct sl_set_spec *spec, char *out, size_t size);

/* --- elements ---------------------------------------------------------- */

enum sl_set_elem_flags {
	SL_ELEM_F_ADDR_RANGE = 1 << 0, /* addr..addr_to (IPv4), before expansion */
	SL_ELEM_F_PORT_RANGE = 1 << 1, /* port..port_to, before expansion */
	SL_ELEM_F_TIMEOUT    = 1 << 2,
	SL_ELEM_F_PACKETS    = 1 << 3,
	SL_ELEM_F_BYTES      = 1 << 4,
	SL_ELEM_F_COMMENT    = 1 << 5, /* never with an empty comment: ipset drops those */
	SL_ELEM_F_NOMATCH    = 1 << 6,
	SL_ELEM_F_EXIST      = 1 << 7, /* -exist */
	SL_ELEM_F_ADDR_CIDR  = 1 << 8, /* the range was written as a CIDR (hash:ip IPv4) */
	SL_ELEM_F_MAC        = 1 << 9, /* bitmap:ip,mac: a MAC was given */
	SL_ELEM_F_WILDCARD   = 1 << 10, /* hash:net,iface: iface is a prefix of the names it matches */
	SL_ELEM_F_PHYSDEV    = 1 << 11, /* hash:net,iface: `physdev:NAME` */
	SL_ELEM_F_ADDR2_RANGE = 1 << 12, /* addr2..addr2_to (hash:net,net IPv4), before expansion */
};

/* One element, or a pattern with ranges that sl_set_expand_*() turns into
 * entries. Addresses are in network byte order (IPv4 in the first four
 * bytes, the rest zero), ports in host order. */
struct sl_set_elem {
	uint8_t family;             /* enum sl_family; 0 for hash:mac and bitmap:port */
	uint8_t cidr;               /* prefix length of addr: 32/128 for a host */
	uint8_t cidr2;              /* of addr2: a host but in hash:net,net */
	uint8_t proto;              /* IPPROTO_*; 0 where the type has no protocol */
	uint16_t port;              /* ICMP/ICMPv6: type << 8 | code, as ipset keeps it */
	uint16_t port_to;
	uint8_t addr[16];
	uint8_t addr_to[16];
	uint8_t addr2[16];
	uint8_t addr2_to[16];
	uint8_t mac[6];
	char iface[SL_IFACE_LEN + 1]; /* hash:net,iface, NUL-terminated */
	uint32_t mark;              /* hash:ip,mark: as given (a key holds it ANDed with the markmask) */
	unsigned flags;             /* enum sl_set_elem_flags */
	uint32_t timeout;
	uint64_t packets, bytes;
	char comment[SL_SET_COMMENT_MAX + 1];
	struct sl_set_skbinfo skb;  /* skbmark/skbprio/skbqueue; zero: not given */
	/* list:set: the member set, and `before|after REF` (before: 1 before,
	 * -1 after, 0 none) */
	char setname[SL_SET_NAME_MAX + 1];
	char refname[SL_SET_NAME_MAX + 1];
	int8_t before;
};

/* Which command an element comes with: it decides the options allowed
 * (add: timeout packets bytes comment nomatch; test: nomatch; all: -exist). */
enum sl_set_cmd {
	SL_SETCMD_NONE,             /* blank or comment line */
	SL_SETCMD_CREATE,
	SL_SETCMD_ADD,
	SL_SETCMD_DEL,
	SL_SETCMD_TEST,
	SL_SETCMD_FLUSH,
	SL_SETCMD_DESTROY,
	SL_SETCMD_RENAME,
	SL_SETCMD_SWAP,
	SL_SETCMD_COMMIT,
};

/* `ELEM [options...]` for a set of `spec`, command `cmd` (ADD, DEL, TEST).
 * cols as for sl_set_spec_parse(). */
int sl_set_elem_parse(const struct sl_set_spec *spec, enum sl_set_cmd cmd, int argc, char *const argv[],
		      const int *cols, struct sl_set_elem *elem, struct sl_error *err);

/* Whether an element's addresses (a pattern's first and last) lie in a
 * bitmap:ip set's range; true for every other type. */
bool sl_set_ip_in_range(const struct sl_set_spec *spec, const struct sl_set_elem *e);

/* The element alone ("10.0.0.1,tcp:80"); a pattern prints its ranges
 * ("10.0.0.1-10.0.0.5", "tcp:80-90") so that it parses back to itself. */
int sl_set_elem_format(const struct sl_set_spec *spec, const struct sl_set_elem *elem, char *out, size_t size);

/* `add NAME ELEM [options]` exactly as `ipset save` prints the entry. */
int sl_set_add_format(const struct sl_set_spec *spec, const struct sl_set_elem *elem, char *out, size_t size);

/* skbinfo values as ipset prints them: "0xM" (mask all ones) or
 * "0xM/0xK"; "MAJ:MIN" in hex */
const char *sl_set_skbmark_format(const struct sl_set_skbinfo *skb, char *out, size_t size);
const char *sl_set_skbprio_format(const struct sl_set_skbinfo *skb, char *out, size_t size);

/* --- expansion ----------------------------------------------------------- */

/* Walks the entries of a pattern the way the kernel stores them: IPv4
 * ranges and CIDRs of ip types become hosts, IPv4 ranges of net types
 * CIDR blocks, port ranges single ports (addresses outer, ports inner;
 * hash:net,net: the first net's blocks outer, the second's inner). */
struct sl_set_iter {
	struct sl_set_elem next;    /* template; addr/addr2/port advance */
	uint32_t addr, addr_last;   /* IPv4, host order */
	uint32_t addr2, addr2_first, addr2_last; /* hash:net,net's second range */
	bool addr2_steps;
	uint32_t addr_step;         /* hash:ip with netmask: one entry per block */
	uint32_t port, port_first, port_last;
	bool addr_steps, net_blocks, done;
	uint64_t count;
};

/* Count the entries of `pat` and start the walk; fails if there are more
 * than `max` (0: SL_SET_EXPAND_MAX). */
int sl_set_expand_init(struct sl_set_iter *it, const struct sl_set_spec *spec, const struct sl_set_elem *pat,
		       uint64_t max, struct sl_error *err);
/* The next entry into *elem: 1, or 0 when done. */
int sl_set_expand_next(struct sl_set_iter *it, struct sl_set_elem *elem);

/* --- ipset save / restore lines ------------------------------------------ */

struct sl_set_line {
	enum sl_set_cmd cmd;
	bool exist;                 /* -exist anywhere on the line */
	char name[SL_SET_NAME_MAX + 1];  /* empty: flush/destroy of every set */
	char name2[SL_SET_NAME_MAX + 1]; /* rename/swap */
	struct sl_set_spec spec;    /* create */
	struct sl_set_elem elem;    /* add/del/test, unexpanded */
};

/* The spec of the set `name` for add/del/test (e.g. from earlier create
 * lines of the same file); NULL if there is none. */
typedef const struct sl_set_spec *(*sl_set_lookup_fn)(const char *name, void *ctx);

/* One line of `ipset save` output / `ipset restore` input: create, add,
 * del, test, flush, destroy, rename, swap (and ipset's one-letter and -X
 * aliases), COMMIT, blank and # comment lines. Returns 1 for a command,
 * 0 for a blank or comment line, -1 with err set (col: 1-based). */
int sl_set_line_parse(const char *line, sl_set_lookup_fn lookup, void *ctx, struct sl_set_line *out,
		      struct sl_error *err);

/* The same for a command whose word is known (sluicectl `set add ...`):
 * argv are the words after it, cols as for sl_set_spec_parse(), end_col the
 * column just past the last word (for "missing ..." errors). */
int sl_set_args_parse(enum sl_set_cmd cmd, int argc, char *const argv[], const int *cols, int end_col,
		      sl_set_lookup_fn lookup, void *ctx, struct sl_set_line *out, struct sl_error *err);

/* --- shared by the sets_*.c files ------------------------------------------ */

/* An unsigned number as ipset reads it (strtoull base 0: 0x.. hex, 0..
 * octal), no sign or blanks: 0, -1 if it is not a number, -2 if above max. */
int sl_set_number(const char *text, unsigned long long max, unsigned long long *out);
/* Set err for a word that must be a number of `what` in 0..max. */
int sl_set_number_or_fail(const char *what, const char *text, int col, unsigned long long max,
			  unsigned long long *out, struct sl_error *err);
/* Column of word i: cols[i], or the words before it joined by single blanks. */
int sl_set_word_col(char *const argv[], const int *cols, int i);
/* PORT or FROM-TO (numbers or services of `proto`, "[name]" escapes a name
 * with a dash); a reversed range is swapped, as ipset does. */
int sl_set_port_range(const char *text, const char *proto, int col, uint16_t *from, uint16_t *to,
		      bool *range, struct sl_error *err);
/* An option word as ipset takes it: `--maxelem` is `maxelem` (ipset's old
 * spelling, still in scripts and restore files); other words unchanged. */
const char *sl_set_opt_word(const char *word);
/* Clear the bits of addr past the first cidr */
void sl_set_mask_cidr(uint8_t addr[16], int cidr);
/* An IPv4 address (the first four bytes, network order) as a number */
uint32_t sl_set_addr_v4(const uint8_t addr[16]);
const char *sl_set_family_name(enum sl_family family);
/* snprintf at out + *len, advancing *len; once out of room *len is -1 and
 * every later call does nothing (so a chain of them needs one check). */
bool sl_set_append(char *out, size_t size, int *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Protocols, services and ICMP names (ipset/proto.c). */
enum sl_port_kind {
	SL_PORTS_NUMBERED,          /* tcp, udp, sctp, udplite: ports and ranges */
	SL_PORTS_ICMP,              /* icmp: type/code (family inet) */
	SL_PORTS_ICMPV6,            /* ipv6-icmp (family inet6) */
	SL_PORTS_NONE,              /* anything else: pseudo port 0 only */
};
/* Protocol by name or number as ipset takes it; 0 if unknown. */
int sl_set_proto_parse(const char *text, uint8_t *proto);
/* "tcp", "ipv6-icmp", ...; the number when /etc/protocols lacks it. */
const char *sl_set_proto_name(uint8_t proto, char *buf, size_t size);
enum sl_port_kind sl_set_proto_ports(uint8_t proto);
/* A port number or service name of `proto` ("tcp"); 0 if found. */
int sl_set_service_port(const char *name, const char *proto, uint16_t *port);
/* ICMP / ICMPv6: an ipset name (case-insensitive prefix, first match in
 * ipset's order) or TYPE/CODE; 0 if parsed. */
int sl_set_icmp_parse(bool v6, const char *text, uint16_t *typecode);
/* ipset's name for the type/code, or "TYPE/CODE" into buf. */
const char *sl_set_icmp_name(bool v6, uint16_t typecode, char *buf, size_t size);

#endif
