/* Fixtures for the bridge multicast programs (bpf/mcast.bpf.c): a row is a
 * frame arriving on (ingress) or leaving by (egress) a port, the membership
 * state before it, and the state, counters and verdict it must leave
 * behind. mfx_run() writes each row's state into fresh maps, runs the frame
 * through BPF_PROG_TEST_RUN and compares the whole of the member, group
 * and port maps and every port's counters with the row.
 *
 * Ports. test_run takes the skb's device from the context's ifindex: 0 or 1
 * is the loopback device, anything else must be a device in the caller's
 * network namespace (else ENODEV), and skb->ifindex is that device's index
 * (ingress_ifindex is free-form and is set to 11 to catch a program reading
 * it instead). mfx_load() therefore moves the test process into a private
 * network namespace and makes a veth pair there with ifindex 7 and 9: rows
 * run on port 7 or 9 (or 1, the loopback device). Criterion runs each test
 * in a process of its own, so the namespace goes away with it. Entries in
 * the maps may name any port; only the row's own port must exist.
 *
 * The program is loaded for bridge MFX_BRIDGE (not 0, so a program that
 * ignores sl_mc_bridge reads a disabled config row and fails its rows).
 *
 * Frames are space-separated words, in header order:
 *   q                   an 802.1Q tag (VLAN 100)
 *   dmac=MAC            Ethernet destination; default: the multicast MAC of a
 *                       multicast IP destination, else 02:00:00:00:00:02
 *   arp                 an ARP request to ff:ff:ff:ff:ff:ff instead of IP
 *   4 SRC>DST  6 SRC>DST  the IP header
 *   ra                  IPv4: a router alert option; IPv6: a hop-by-hop header
 *                       carrying a router alert (MLD)
 *   ext=LETTERS         IPv6 extension headers, pkt_push_letter() letters
 *   mf  off=N           IPv4 more-fragments, fragment offset (8-byte units)
 *   udp                 UDP 5000>5000 with 16 bytes of data
 *   igmp=T/GROUP        an 8-byte IGMP message of type T (0x16, 17, ...)
 *   mld=T/GROUP         a 24-byte MLD message of ICMPv6 type T (130 131 132)
 *   v3  mld2            an IGMPv3 / MLDv2 report header; records follow as
 *   rec=T/GROUP[/NSRC[/AUX]]  a group record of type T with NSRC sources and
 *                       AUX words of auxiliary data. Sources and aux data
 *                       read, 8 bytes at a time, as IGMPv3 joins of 233.9.9.9
 *                       (MLDv2: 20 bytes, joins of ff0e::99), so a program
 *                       that walks them wrongly joins a group no row expects.
 *   nrec=N              the record count the report claims (default: as many
 *                       as rec= words)
 *   pim=0xNN            a 4-byte PIM header with this first byte (0x20: hello)
 *   proto=N             IP protocol / next header N with 16 bytes of data
 *   tail=N              N more bytes of message inside the datagram
 *   pad=N               N bytes of Ethernet trailer after the datagram (not in
 *                       the IP length), reading as records the same way
 *   cut=N               cut the frame at N bytes; the IP length still claims
 *                       the whole datagram
 *   trim=N              end the datagram at frame byte N, its IP length too:
 *                       a message its sender cut short
 *
 * Map entries ("before" and "after"), separated by commas:
 *   mP GROUP TIME [VER]   membership of port P (bridge MFX_BRIDGE; mP@B for
 *                         bridge B); VER v1 v2 v3 (IGMP) m1 m2 (MLD, 0x11
 *                         0x12); before: default v2 / m1; after: unchecked
 *                         when absent
 *   g GROUP TIME [genN]   the group's registration (g@B for bridge B) and
 *                         generation (before: default 0; after: unchecked
 *                         when absent)
 *   b LEARNED CHANGES     MFX_BRIDGE's sl_mc_gen (before: default 0 0;
 *                         after: checked only when named)
 *   pP MODE [TIME] [flood] port P's record: MODE auto on off, TIME its
 *                         router_until_ns (default 0)
 * TIME: 0 | expired (1 ns after boot) | soon (in 0.5 s) | live (in an hour)
 * before and after (after: exactly the value written before); and after
 * only: join (now + membership_ns), leave (now + leave_ns), router
 * (now + router_ns), "now" being some time during the run.
 * `after` lists every entry the three maps must hold; NULL: as before.
 *
 * Counters: "P field=N ..., P field=N" for port P of MFX_BRIDGE, fields
 * passed suppressed reports leaves queries malformed; every counter not
 * named must be 0 (summed over CPUs, multiplied by SLUICE_FIXTURE_REPEAT). */
#ifndef SLUICE_TEST_MCAST_FX_H
#define SLUICE_TEST_MCAST_FX_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "sluice/mcast.h"

#define MFX_BRIDGE 3
#define MFX_P7 7   /* the veth ports of the private namespace */
#define MFX_P9 9

/* the config the fixture writes (distinct, so swapped timers show) */
#define MFX_MEMBERSHIP_NS (260ull * 1000000000ull)
#define MFX_LEAVE_NS (2ull * 1000000000ull)
#define MFX_ROUTER_NS (255ull * 1000000000ull)

struct mfx_row {
	const char *desc;
	__u32 port;                 /* the skb's ifindex: 7, 9 or 1 */
	const char *frame;          /* words, see above */
	const char *before;         /* map entries before the run */
	const char *after;          /* every map entry after; NULL: as before */
	const char *stats;          /* counters after; NULL or "": none */
	bool drop;                  /* egress: TCX_DROP (else TCX_NEXT) */
};

struct mfx;
/* Load the programs for MFX_BRIDGE with the policy enabled, in a private
 * network namespace with ports 7 and 9. Skips the test without the
 * privileges for either; any other failure fails it. */
struct mfx *mfx_load(void);
void mfx_free(struct mfx *f);
void mfx_enable(struct mfx *f, bool enabled);   /* the bridge's config row */
int mfx_prog_fd(const struct mfx *f, bool egress);
struct mcast_bpf;
struct mcast_bpf *mfx_skel(const struct mfx *f); /* its maps and programs, fast path's too */

/* Run every row through the ingress or egress program; the number that
 * failed (each reported through Criterion). */
size_t mfx_run(struct mfx *f, bool egress, const struct mfx_row *rows, size_t n);

/* A frame from its words (see above) into buf: its length, 0 when the words
 * are wrong or it does not fit. For benchmarks that run a row's frame
 * themselves, after mfx_run() has checked the row (which leaves the maps
 * in the state of its last row). */
size_t mfx_frame(const char *words, __u8 *buf, size_t cap);

#define MFX_N(a) (sizeof(a) / sizeof((a)[0]))

#endif
