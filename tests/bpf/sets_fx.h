/* Fixtures for the set-matching programs (bpf/sets.bpf.c): a test names
 * its rules, its sets (elements in ipset's syntax) and rows of frames with
 * the verdict and every counter each must produce; sfx_run() loads the
 * programs with those rules, builds the sets, and runs every row through
 * both the XDP and the tc program.
 *
 * Frames are spelled as space-separated words, in header order:
 *   q  a                 802.1Q tag (VLAN 100), 802.1AD tag (VLAN 200)
 *   smac=MAC dmac=MAC    Ethernet addresses (default 02:00:00:00:00:01 -> :02)
 *   arp                  an ARP request instead of IP
 *   4  6                 IPv4 / IPv6 header, then optionally SRC>DST
 *   mf off=N ihl=0xNN    IPv4: more-fragments, fragment offset (8-byte units),
 *                        the version/IHL byte
 *   ver=N                IPv6: the version field
 *   ext=LETTERS          IPv6 extension headers, pkt_push_letter() letters
 *   udp tcp sctp udplite then SP>DP          ports (default 5353>53)
 *   icmp icmp6           then T/C            type/code (default 8/0, 128/0)
 *   proto=N              an L4 protocol with a plain payload (e.g. 47, GRE)
 *   cut=N                truncate the finished frame to N bytes
 *   mark=N               tc: the skb's mark (default 7); XDP has none
 *
 * Elements are "ELEMENT [flags]": the element as ipset writes it for the
 * class (10.0.0.1 | 10.0.0.0/8 | 10.0.0.1,udp:53 | 10.0.0.0/24,tcp:80 |
 * 10.0.0.1,udp:53,10.0.0.2 | 02:00:00:00:00:aa | 80; ports as
 * [proto:]port with tcp udp sctp udplite icmp icmpv6 gre or pN, icmp
 * ports as type/code), then flags:
 *   #x        label x; labelled entries have counters, and every row says
 *             how often each label must have counted the frame
 *   nomatch   a nomatch exception
 *   expired   expires_ns in the past
 *   live      expires_ns an hour from now (a timeout that has not run out)
 *   wildcard  hash:net,iface: the name is a prefix of the names it matches
 *   pending   bitmap:ip,mac without a MAC: a timeout of an hour, started by
 *             the packet that fills the MAC in
 * bitmap:ip,mac elements are IP[,MAC] (SL_CLASS_IPMAC4): the MAC goes into
 * the value, as the daemon puts it there. hash:net,iface elements are
 * NET,[physdev:]NAME; a rule names its interface in .iface/.has_iface.
 */
#ifndef SLUICE_TEST_SETS_FX_H
#define SLUICE_TEST_SETS_FX_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "sluice/sets.h"

struct sets_ptab;

struct sfx_set {
	__u8 cls;                   /* enum sl_set_class */
	__u16 slot;
	__u32 max_entries;          /* 0: 256 */
	const char *const *elems;   /* NULL-terminated */
};

enum sfx_hook { SFX_IP = 0, SFX_UNPARSED, SFX_NOT_IP };

struct sfx_row {
	const char *desc;
	const char *frame;          /* words, see above */
	bool drop;
	const char *rules;          /* ids of the rules that count the frame ("10 30") */
	const char *hits;           /* labels of the entries that count it, repeated
				     * when hit more than once ("a a b") */
	__u8 hook;                  /* enum sfx_hook: the hook counter besides packets */
};

struct sfx_spec {
	const struct sl_rule *rules;
	size_t nrules;
	const struct sfx_set *sets;
	size_t nsets;
	const struct sfx_row *rows;
	size_t nrows;
	__u32 hook_id;              /* 0 is fine */
};

/* Load, build the sets, run every row through XDP and tc: the number of
 * failing row runs (each reported through Criterion). Skips the test
 * without the privileges to load BPF programs. */
size_t sfx_run(const struct sfx_spec *s);

/* The same spec with its sets plain (include/sluice/sets.h: the compact
 * layout, SL_CLASS_KEYS up) and its set rules on them: element labels
 * dropped and rows' entry hits none (plain entries have no counters),
 * verdicts and rule counters the same. Elements may not expire. */
size_t sfx_run_plain(const struct sfx_spec *s);
struct sfx_spec *sfx_plain(const struct sfx_spec *s);
void sfx_plain_free(struct sfx_spec *p);

/* The same in steps, for tests that look at the loaded programs too. */
struct sfx;
struct sfx *sfx_load(const struct sfx_spec *s); /* fails the test on error */
size_t sfx_run_rows(struct sfx *f);               /* XDP and tc */
size_t sfx_run_rows_on(struct sfx *f, bool xdp);   /* one of them */
int sfx_prog_fd(const struct sfx *f, bool xdp);
double sfx_load_ms(const struct sfx *f);        /* open to loaded, sets excluded */
int sfx_set_fd(const struct sfx *f, size_t set);  /* the map of spec->sets[set] */
/* a plain set's bucket table (src/features/sets/ptab.c), NULL for others */
struct sets_ptab *sfx_set_table(struct sfx *f, size_t set);
void sfx_free(struct sfx *f);

/* A frame from its words (see above) into buf: its length, 0 when the words
 * are wrong or it does not fit. For benchmarks that run a row's frame
 * themselves. */
size_t sfx_frame(const char *words, __u8 *buf, size_t cap);

/* The key of an element spelled as in a set's elems (no flags). */
bool sfx_elem_key(__u8 cls, const char *elem, __u8 key[SL_SET_KEY_MAX]);

/* One rule, as the daemon compiles it. */
#define SFX_RULE(id_, cls_, slot_, family_, dims_, invert_, action_)                             \
	{ .id = (id_), .slot = (slot_), .cls = (cls_), .family = (family_), .src_dims = (dims_), \
	  .invert = (invert_), .action = (action_) }

#define SFX_N(a) (sizeof(a) / sizeof((a)[0]))

#endif
