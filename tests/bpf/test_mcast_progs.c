/* The bridge multicast programs (bpf/mcast.bpf.c) on fixture frames.
 *
 * Snooping (ingress): IGMPv1/v2 reports and leaves, IGMPv3 reports with
 * every record type, MLDv1 reports and dones, MLDv2 reports, general
 * queries and PIM hellos making learned router ports under each router
 * mode, link-local and non-multicast groups, truncated and malformed
 * messages. Enforcement (egress): registered and unregistered groups to
 * member, non-member, router and flood ports, expiry of memberships,
 * groups and learned router ports, and the frames the policy never
 * touches. The fast path (XDP): which frames it redirects by devmap
 * broadcast and which it passes to the bridge, by reason. Each row states the maps before, the whole of the maps after and
 * every counter (see mcast_fx.h for the notation); rows run on ports 7 and
 * 9, veth devices in a private network namespace. */
#include <criterion/criterion.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <errno.h>
#include <unistd.h>

#include "sluice/mcast.h" /* before the skeleton, which uses its structs */
#include "fixture.h"
#include "mcast.skel.h"
#include "mcast_fx.h"

#define P7 MFX_P7
#define P9 MFX_P9

/* rows: ingress (state after, counters) and egress (verdict, counters) */
#define SNOOP(d, port_, f, before_, after_, stats_)                                             \
	{ .desc = (d), .port = (port_), .frame = (f), .before = (before_), .after = (after_), \
	  .stats = (stats_) }
#define PASS(d, port_, f, before_, stats_) \
	{ .desc = (d), .port = (port_), .frame = (f), .before = (before_), .stats = (stats_) }
#define DROP(d, port_, f, before_, stats_) \
	{ .desc = (d), .port = (port_), .frame = (f), .before = (before_), .stats = (stats_), .drop = true }

#define RUN(egress, rows)                                                                 \
	do {                                                                              \
		struct mfx *f_ = mfx_load();                                              \
		size_t failed_ = mfx_run(f_, (egress), (rows), MFX_N(rows));              \
		mfx_free(f_);                                                             \
		cr_assert_eq(failed_, 0, "failing rows above");                         \
	} while (0)

/* frames */
#define V2_REPORT(g) "4 192.0.2.10>" g " ra igmp=0x16/" g
#define V1_REPORT(g) "4 192.0.2.10>" g " igmp=0x12/" g
#define V2_LEAVE(g) "4 192.0.2.10>224.0.0.2 ra igmp=0x17/" g
#define V3 "4 192.0.2.10>224.0.0.22 ra v3"
#define QUERY "4 192.0.2.1>224.0.0.1 ra igmp=0x11/0.0.0.0"
#define MLD1_REPORT(g) "6 fe80::10>" g " ra mld=131/" g
#define MLD1_DONE(g) "6 fe80::10>ff02::2 ra mld=132/" g
#define MLD2 "6 fe80::10>ff02::16 ra mld2"
#define MLD_QUERY "6 fe80::1>ff02::1 ra mld=130/::"
#define DATA4(g) "4 192.0.2.1>" g " udp"
#define DATA6(g) "6 2001:db8::1>" g " udp"

TestSuite(mcast_progs);

/* ---- snooping: IGMPv1/v2 ------------------------------------------------------- */

Test(mcast_progs, igmp_v1_v2)
{
	static const struct mfx_row rows[] = {
		SNOOP("v1 report joins, version 1", P7, V1_REPORT("239.1.1.1"), "",
		      "m7 239.1.1.1 join v1, g 239.1.1.1 join", "7 reports=1"),
		SNOOP("v2 report with router alert joins on its own port (9)", P9, V2_REPORT("239.1.1.1"), "",
		      "m9 239.1.1.1 join v2, g 239.1.1.1 join", "9 reports=1"),
		SNOOP("v2 report refreshes a membership and its group", P7, V2_REPORT("239.1.1.1"),
		      "m7 239.1.1.1 soon v1, g 239.1.1.1 soon", "m7 239.1.1.1 join v2, g 239.1.1.1 join",
		      "7 reports=1"),
		SNOOP("a group registered for longer keeps its expiry", P7, V2_REPORT("239.1.1.1"),
		      "g 239.1.1.1 live, m9 239.1.1.1 live", "g 239.1.1.1 live, m9 239.1.1.1 live, m7 239.1.1.1 join v2",
		      "7 reports=1"),
		SNOOP("other bridges' entries for the port and group stay", P7, V2_REPORT("239.1.1.1"),
		      "m7@0 239.1.1.1 soon, g@0 239.1.1.1 soon",
		      "m7@0 239.1.1.1 soon, g@0 239.1.1.1 soon, m7 239.1.1.1 join v2, g 239.1.1.1 join", "7 reports=1"),
		SNOOP("v2 leave: the membership ends in leave_ns, the group stays", P7, V2_LEAVE("239.1.1.1"),
		      "m7 239.1.1.1 live v2, g 239.1.1.1 live", "m7 239.1.1.1 leave v2, g 239.1.1.1 live",
		      "7 leaves=1"),
		SNOOP("v2 leave of a membership ending sooner anyway: unchanged", P7, V2_LEAVE("239.1.1.1"),
		      "m7 239.1.1.1 soon v3, g 239.1.1.1 soon", NULL, "7 leaves=1"),
		SNOOP("v2 leave without a membership: counted, nothing created", P7, V2_LEAVE("239.1.1.1"), "",
		      NULL, "7 leaves=1"),
		SNOOP("v2 leave on 7 leaves port 9's membership alone", P7, V2_LEAVE("239.1.1.1"),
		      "m9 239.1.1.1 live, g 239.1.1.1 live", NULL, "7 leaves=1"),
		SNOOP("v2 report padded to the Ethernet minimum", P7, V2_REPORT("239.1.1.1") " pad=14", "",
		      "m7 239.1.1.1 join v2, g 239.1.1.1 join", "7 reports=1"),
		SNOOP("v2 report behind an 802.1Q tag", P7, "q " V2_REPORT("239.1.1.1"), "",
		      "m7 239.1.1.1 join v2, g 239.1.1.1 join", "7 reports=1"),
		SNOOP("v2 report for 224.0.0.251 (link-local control): ignored", P7, V2_REPORT("224.0.0.251"), "",
		      NULL, ""),
		SNOOP("v2 leave for 224.0.0.251: ignored", P7, V2_LEAVE("224.0.0.251"), "m7 224.0.0.251 live", NULL,
		      ""),
		/* its MAC follows its address: a unicast frame, never looked at */
		SNOOP("v2 report for 10.1.1.1 (unicast): not looked at", P7, V2_REPORT("10.1.1.1"), "", NULL, ""),
		SNOOP("v2 report for 10.1.1.1 under a multicast MAC: malformed", P7,
		      "dmac=01:00:5e:01:01:01 " V2_REPORT("10.1.1.1"), "", NULL, "7 malformed=1"),
		SNOOP("v2 report for 240.0.0.1 (class E) under a multicast MAC: malformed", P7,
		      "dmac=01:00:5e:01:01:01 " V2_REPORT("240.0.0.1"), "", NULL, "7 malformed=1"),
		SNOOP("IGMP type 0x13 (DVMRP): not ours, nothing counted", P7,
		      "4 192.0.2.10>224.0.0.4 igmp=0x13/239.1.1.1", "", NULL, ""),
		SNOOP("UDP to a group: not a report", P7, DATA4("239.1.1.1"), "", NULL, ""),
		SNOOP("v2 report in a first fragment: malformed", P7, V2_REPORT("239.1.1.1") " mf", "", NULL,
		      "7 malformed=1"),
		SNOOP("IGMP in a later fragment: malformed", P7, V2_REPORT("239.1.1.1") " off=1", "", NULL,
		      "7 malformed=1"),
	};

	RUN(false, rows);
}

/* ---- snooping: IGMPv3 --------------------------------------------------------- */

Test(mcast_progs, igmp_v3)
{
	static const struct mfx_row rows[] = {
		SNOOP("every record type, sources and aux data", P7,
		      V3 " rec=4/239.1.1.1 rec=2/239.1.1.2/2 rec=5/239.1.1.3/1 rec=6/239.1.1.4/1 rec=3/239.1.1.5"
		      " rec=1/239.1.1.6 rec=3/239.1.1.7/1 rec=1/239.1.1.8/2 rec=7/239.1.1.9 rec=0/239.1.1.10"
		      " rec=4/224.0.0.251 rec=2/239.1.1.11/0/2",
		      "m7 239.1.1.5 live v2, g 239.1.1.5 live, m7 239.1.1.6 live v3, g 239.1.1.6 live",
		      /* TO_EX{}, IS_EX{2}, ALLOW{1}, BLOCK{1}: joins; TO_IN{}, IS_IN{}: leaves;
		       * TO_IN{1}, IS_IN{2}: joins; types 7 and 0: skipped; 224.0.0.251:
		       * ignored; IS_EX{} with 2 aux words: a join */
		      "m7 239.1.1.1 join v3, g 239.1.1.1 join, m7 239.1.1.2 join v3, g 239.1.1.2 join,"
		      "m7 239.1.1.3 join v3, g 239.1.1.3 join, m7 239.1.1.4 join v3, g 239.1.1.4 join,"
		      "m7 239.1.1.5 leave v2, g 239.1.1.5 live, m7 239.1.1.6 leave v3, g 239.1.1.6 live,"
		      "m7 239.1.1.7 join v3, g 239.1.1.7 join, m7 239.1.1.8 join v3, g 239.1.1.8 join,"
		      "m7 239.1.1.11 join v3, g 239.1.1.11 join",
		      "7 reports=7 leaves=2"),
		SNOOP("one record: TO_EX{} joins", P9, V3 " rec=4/239.2.2.2", "",
		      "m9 239.2.2.2 join v3, g 239.2.2.2 join", "9 reports=1"),
		SNOOP("BLOCK with sources joins (the host still wants the others)", P7, V3 " rec=6/239.1.1.1/3", "",
		      "m7 239.1.1.1 join v3, g 239.1.1.1 join", "7 reports=1"),
		SNOOP("TO_IN{} without a membership: a leave, nothing created", P7, V3 " rec=3/239.1.1.1", "", NULL,
		      "7 leaves=1"),
		SNOOP("no records: nothing", P7, V3, "", NULL, ""),
		SNOOP("only record types 7 and 8: nothing", P7, V3 " rec=7/239.1.1.1 rec=8/239.1.1.2", "", NULL, ""),
		SNOOP("a non-multicast group in a record: malformed, the others apply", P7,
		      V3 " rec=4/10.1.1.1 rec=4/239.1.1.1", "", "m7 239.1.1.1 join v3, g 239.1.1.1 join",
		      "7 reports=1 malformed=1"),
		SNOOP("claims fewer records than it holds: the rest are not read", P7,
		      V3 " rec=4/239.1.1.1 rec=4/239.1.1.2 rec=4/239.1.1.3 nrec=2", "",
		      "m7 239.1.1.1 join v3, g 239.1.1.1 join, m7 239.1.1.2 join v3, g 239.1.1.2 join",
		      "7 reports=2"),
		SNOOP("claims more records than it holds: those there apply, malformed", P7,
		      V3 " rec=4/239.1.1.1 rec=4/239.1.1.2 nrec=3", "",
		      "m7 239.1.1.1 join v3, g 239.1.1.1 join, m7 239.1.1.2 join v3, g 239.1.1.2 join",
		      "7 reports=2 malformed=1"),
		SNOOP("claims 65535 records, holds one", P7, V3 " rec=4/239.1.1.1 nrec=65535", "",
		      "m7 239.1.1.1 join v3, g 239.1.1.1 join", "7 reports=1 malformed=1"),
		SNOOP("the Ethernet trailer is not a record", P7, V3 " rec=4/239.1.1.1 nrec=2 pad=16", "",
		      "m7 239.1.1.1 join v3, g 239.1.1.1 join", "7 reports=1 malformed=1"),
		SNOOP("behind an 802.1Q tag, with a leave", P7, "q " V3 " rec=4/239.1.1.1 rec=3/239.1.1.2",
		      "m7 239.1.1.2 live, g 239.1.1.2 live",
		      "m7 239.1.1.1 join v3, g 239.1.1.1 join, m7 239.1.1.2 leave v2, g 239.1.1.2 live",
		      "7 reports=1 leaves=1"),
	};

	RUN(false, rows);
}

/* Records cut short. The report: header (frame bytes 38..45), TO_EX{}
 * 239.1.1.1 (46..53), IS_EX{2 sources} 239.1.1.2 (54..69), ALLOW{1 source,
 * 1 aux word} 239.1.1.3 (70..85). trim= ends the datagram (IP length too)
 * inside a record; cut= cuts the frame under an IP length that claims all. */
#define V3_THREE V3 " rec=4/239.1.1.1 rec=2/239.1.1.2/2 rec=5/239.1.1.3/1/1"
#define JOINED_1 "m7 239.1.1.1 join v3, g 239.1.1.1 join"
#define JOINED_2 JOINED_1 ", m7 239.1.1.2 join v3, g 239.1.1.2 join"

Test(mcast_progs, igmp_truncated)
{
	static const struct mfx_row rows[] = {
		SNOOP("v3: whole (86 bytes)", P7, V3_THREE, "", JOINED_2 ", m7 239.1.1.3 join v3, g 239.1.1.3 join",
		      "7 reports=3"),
		SNOOP("v3: the last record's aux data cut (82)", P7, V3_THREE " trim=82", "", JOINED_2,
		      "7 reports=2 malformed=1"),
		SNOOP("v3: the last record's source cut (78)", P7, V3_THREE " trim=78", "", JOINED_2,
		      "7 reports=2 malformed=1"),
		SNOOP("v3: the last record's header cut (74)", P7, V3_THREE " trim=74", "", JOINED_2,
		      "7 reports=2 malformed=1"),
		SNOOP("v3: ends where the last record would start (70)", P7, V3_THREE " trim=70", "", JOINED_2,
		      "7 reports=2 malformed=1"),
		SNOOP("v3: the second record's sources cut (66)", P7, V3_THREE " trim=66", "", JOINED_1,
		      "7 reports=1 malformed=1"),
		SNOOP("v3: the first record's header cut (50)", P7, V3_THREE " trim=50", "", NULL, "7 malformed=1"),
		SNOOP("v3: only the report header (46)", P7, V3_THREE " trim=46", "", NULL, "7 malformed=1"),
		SNOOP("v3: the report header cut (44)", P7, V3_THREE " trim=44", "", NULL, "7 malformed=1"),
		SNOOP("v3: nsrc far beyond the end", P7, V3 " rec=4/239.1.1.1 rec=2/239.1.1.2/400 trim=100", "",
		      JOINED_1, "7 reports=1 malformed=1"),
		SNOOP("v3: aux length beyond the end", P7, V3 " rec=4/239.1.1.1 rec=2/239.1.1.2/0/200 trim=80", "",
		      JOINED_1, "7 reports=1 malformed=1"),
		SNOOP("v3: frame cut under a longer IP length (70 of 86): nothing applies", P7, V3_THREE " cut=70", "",
		      NULL, "7 malformed=1"),
		SNOOP("v2 report: whole (46 bytes)", P7, V2_REPORT("239.1.1.1"), "",
		      "m7 239.1.1.1 join v2, g 239.1.1.1 join", "7 reports=1"),
		SNOOP("v2 report: frame cut at 45", P7, V2_REPORT("239.1.1.1") " cut=45", "", NULL, "7 malformed=1"),
		SNOOP("v2 report: frame cut at 42", P7, V2_REPORT("239.1.1.1") " cut=42", "", NULL, "7 malformed=1"),
		SNOOP("v2 report: frame cut at the IGMP header (38)", P7, V2_REPORT("239.1.1.1") " cut=38", "", NULL,
		      "7 malformed=1"),
		SNOOP("v2 report: a 4-byte message (IP length agrees)", P7, V2_REPORT("239.1.1.1") " trim=42", "",
		      NULL, "7 malformed=1"),
		/* tc's test_run refuses an IP ethertype without a whole IP header
		 * (EINVAL); behind a VLAN tag the skb's protocol is the tag's */
		SNOOP("v2 report: frame cut inside the IP header: not known to be IGMP", P7,
		      "q " V2_REPORT("239.1.1.1") " cut=34", "", NULL, ""),
		SNOOP("v2 leave: frame cut at 44", P7, V2_LEAVE("239.1.1.1") " cut=44", "m7 239.1.1.1 live", NULL,
		      "7 malformed=1"),
	};

	RUN(false, rows);
}

/* ---- snooping: MLD ------------------------------------------------------------ */

#define MLD2_THREE MLD2 " rec=4/ff0e::1:1 rec=2/ff0e::1:2/2 rec=5/ff0e::1:3/1/1"

Test(mcast_progs, mld)
{
	static const struct mfx_row rows[] = {
		SNOOP("MLDv1 report with a hop-by-hop router alert joins", P7, MLD1_REPORT("ff0e::1:3"), "",
		      "m7 ff0e::1:3 join m1, g ff0e::1:3 join", "7 reports=1"),
		SNOOP("MLDv1 report without the hop-by-hop header joins too", P7,
		      "6 fe80::10>ff0e::1:3 mld=131/ff0e::1:3", "", "m7 ff0e::1:3 join m1, g ff0e::1:3 join",
		      "7 reports=1"),
		SNOOP("MLDv1 report after hop-by-hop and destination options", P9,
		      "6 fe80::10>ff0e::1:3 ra ext=D mld=131/ff0e::1:3", "", "m9 ff0e::1:3 join m1, g ff0e::1:3 join",
		      "9 reports=1"),
		SNOOP("MLDv1 report for ff05::1:3 (site-local)", P7, MLD1_REPORT("ff05::1:3"), "",
		      "m7 ff05::1:3 join m1, g ff05::1:3 join", "7 reports=1"),
		SNOOP("MLDv1 done: the membership ends in leave_ns", P7, MLD1_DONE("ff0e::1:3"),
		      "m7 ff0e::1:3 live m2, g ff0e::1:3 live", "m7 ff0e::1:3 leave m2, g ff0e::1:3 live",
		      "7 leaves=1"),
		SNOOP("MLDv1 report for ff02::fb (link-local): ignored", P7, MLD1_REPORT("ff02::fb"), "", NULL, ""),
		SNOOP("MLDv1 report for ff02::1:ff00:1 (solicited-node): ignored", P7, MLD1_REPORT("ff02::1:ff00:1"),
		      "", NULL, ""),
		SNOOP("MLDv1 report for 2001:db8::1 (not multicast): malformed", P7,
		      "6 fe80::10>ff0e::1:3 ra mld=131/2001:db8::1", "", NULL, "7 malformed=1"),
		SNOOP("MLDv1 report of 20 bytes: malformed", P7, MLD1_REPORT("ff0e::1:3") " trim=82", "", NULL,
		      "7 malformed=1"),
		SNOOP("MLDv1 report, frame cut under its IP length: malformed", P7, MLD1_REPORT("ff0e::1:3") " cut=70",
		      "", NULL, "7 malformed=1"),
		SNOOP("MLDv1 report padded past its IPv6 payload length", P7, MLD1_REPORT("ff0e::1:3") " pad=20", "",
		      "m7 ff0e::1:3 join m1, g ff0e::1:3 join", "7 reports=1"),
		SNOOP("MLDv2: every record type", P7,
		      MLD2 " rec=4/ff0e::1 rec=2/ff0e::2/2 rec=5/ff0e::3/1 rec=6/ff0e::4/1 rec=3/ff0e::5 rec=1/ff0e::6"
		      " rec=3/ff0e::7/1 rec=1/ff0e::8/2 rec=9/ff0e::9 rec=4/ff02::fb rec=2/ff0e::b/0/3",
		      "m7 ff0e::5 live m1, g ff0e::5 live, m7 ff0e::6 live m2, g ff0e::6 live",
		      "m7 ff0e::1 join m2, g ff0e::1 join, m7 ff0e::2 join m2, g ff0e::2 join,"
		      "m7 ff0e::3 join m2, g ff0e::3 join, m7 ff0e::4 join m2, g ff0e::4 join,"
		      "m7 ff0e::5 leave m1, g ff0e::5 live, m7 ff0e::6 leave m2, g ff0e::6 live,"
		      "m7 ff0e::7 join m2, g ff0e::7 join, m7 ff0e::8 join m2, g ff0e::8 join,"
		      "m7 ff0e::b join m2, g ff0e::b join",
		      "7 reports=7 leaves=2"),
		SNOOP("MLDv2: whole", P7, MLD2_THREE, "",
		      "m7 ff0e::1:1 join m2, g ff0e::1:1 join, m7 ff0e::1:2 join m2, g ff0e::1:2 join,"
		      "m7 ff0e::1:3 join m2, g ff0e::1:3 join", "7 reports=3"),
		SNOOP("MLDv2: the last record's aux data cut", P7, MLD2_THREE " trim=178", "",
		      "m7 ff0e::1:1 join m2, g ff0e::1:1 join, m7 ff0e::1:2 join m2, g ff0e::1:2 join",
		      "7 reports=2 malformed=1"),
		SNOOP("MLDv2: the second record's sources cut", P7, MLD2_THREE " trim=120", "",
		      "m7 ff0e::1:1 join m2, g ff0e::1:1 join", "7 reports=1 malformed=1"),
		SNOOP("MLDv2: the first record's header cut", P7, MLD2_THREE " trim=80", "", NULL, "7 malformed=1"),
		SNOOP("MLDv2: nsrc far beyond the end", P7, MLD2 " rec=4/ff0e::1:1 rec=2/ff0e::1:2/100 trim=200", "",
		      "m7 ff0e::1:1 join m2, g ff0e::1:1 join", "7 reports=1 malformed=1"),
		SNOOP("MLDv2: claims more records than it holds", P7, MLD2 " rec=4/ff0e::1:1 nrec=2", "",
		      "m7 ff0e::1:1 join m2, g ff0e::1:1 join", "7 reports=1 malformed=1"),
		SNOOP("MLDv2: header cut (4 bytes)", P7, MLD2 " rec=4/ff0e::1:1 trim=66", "", NULL, "7 malformed=1"),
		SNOOP("MLDv2: a non-multicast group in a record", P7, MLD2 " rec=4/2001:db8::5 rec=4/ff0e::1:1", "",
		      "m7 ff0e::1:1 join m2, g ff0e::1:1 join", "7 reports=1 malformed=1"),
		SNOOP("ICMPv6 echo to a group: not MLD", P7, "6 fe80::10>ff0e::1:3 proto=58", "", NULL, ""),
	};

	RUN(false, rows);
}

/* ---- snooping: learned router ports -------------------------------------------- */

Test(mcast_progs, router_ports)
{
	static const struct mfx_row rows[] = {
		SNOOP("IGMP general query: a learned router port", P7, QUERY, "p7 auto", "p7 auto router",
		      "7 queries=1"),
		SNOOP("IGMPv3 general query (12 bytes)", P7, QUERY " tail=4", "p7 auto", "p7 auto router",
		      "7 queries=1"),
		SNOOP("IGMPv2 general query padded to the Ethernet minimum", P7, QUERY " pad=14", "p7 auto",
		      "p7 auto router", "7 queries=1"),
		SNOOP("a query refreshes a learned router port", P7, QUERY, "p7 auto soon", "p7 auto router",
		      "7 queries=1"),
		SNOOP("a query keeps the port's flood setting", P7, QUERY, "p7 auto flood", "p7 auto router flood",
		      "7 queries=1"),
		SNOOP("a query on 7 leaves port 9 and bridge 0's port 7 alone", P7, QUERY,
		      "p7 auto, p9 auto, p7@0 auto", "p7 auto router, p9 auto, p7@0 auto", "7 queries=1"),
		SNOOP("router on: a query changes nothing (counted)", P7, QUERY, "p7 on", NULL, "7 queries=1"),
		SNOOP("router off: a query changes nothing (counted)", P7, QUERY, "p7 off", NULL, "7 queries=1"),
		SNOOP("router off keeps a stale learned time", P7, QUERY, "p7 off soon", NULL, "7 queries=1"),
		SNOOP("no port record: nothing created (counted)", P7, QUERY, "", NULL, "7 queries=1"),
		SNOOP("a general query not to 224.0.0.1: malformed", P7, "4 192.0.2.1>239.1.1.1 ra igmp=0x11/0.0.0.0",
		      "p7 auto", NULL, "7 malformed=1"),
		SNOOP("a 10-byte query: malformed", P7, QUERY " tail=2", "p7 auto", NULL, "7 malformed=1"),
		SNOOP("a group-specific query: nothing", P7, "4 192.0.2.1>239.1.1.1 ra igmp=0x11/239.1.1.1",
		      "p7 auto", NULL, ""),
		SNOOP("an IGMPv3 group-specific query: nothing", P7,
		      "4 192.0.2.1>239.1.1.1 ra igmp=0x11/239.1.1.1 tail=4", "p7 auto", NULL, ""),
		SNOOP("MLD general query from fe80::1 to ff02::1", P9, MLD_QUERY, "p9 auto", "p9 auto router",
		      "9 queries=1"),
		SNOOP("MLDv2 general query (28 bytes)", P9, MLD_QUERY " tail=4", "p9 auto", "p9 auto router",
		      "9 queries=1"),
		SNOOP("MLD general query, router on", P9, MLD_QUERY, "p9 on", NULL, "9 queries=1"),
		SNOOP("MLD query from a global address: malformed", P9, "6 2001:db8::1>ff02::1 ra mld=130/::", "p9 auto",
		      NULL, "9 malformed=1"),
		SNOOP("MLD general query not to ff02::1: malformed", P9, "6 fe80::1>ff02::2 ra mld=130/::", "p9 auto",
		      NULL, "9 malformed=1"),
		SNOOP("a 26-byte MLD query: malformed", P9, MLD_QUERY " tail=2", "p9 auto", NULL, "9 malformed=1"),
		SNOOP("MLD group-specific query: nothing", P9, "6 fe80::1>ff0e::1:3 ra mld=130/ff0e::1:3", "p9 auto",
		      NULL, ""),
		SNOOP("PIM hello to 224.0.0.13", P7, "4 192.0.2.1>224.0.0.13 pim=0x20", "p7 auto", "p7 auto router",
		      "7 queries=1"),
		SNOOP("PIM hello to ff02::d", P9, "6 fe80::1>ff02::d pim=0x20", "p9 auto", "p9 auto router",
		      "9 queries=1"),
		SNOOP("PIM hello, router off", P7, "4 192.0.2.1>224.0.0.13 pim=0x20", "p7 off", NULL, "7 queries=1"),
		SNOOP("PIM register (type 1): nothing", P7, "4 192.0.2.1>224.0.0.13 pim=0x21", "p7 auto", NULL, ""),
		SNOOP("PIM version 1: nothing", P7, "4 192.0.2.1>224.0.0.13 pim=0x10", "p7 auto", NULL, ""),
		SNOOP("PIM hello to 224.0.0.2: nothing", P7, "4 192.0.2.1>224.0.0.2 pim=0x20", "p7 auto", NULL, ""),
		SNOOP("PIM hello to ff02::2: nothing", P7, "6 fe80::1>ff02::2 pim=0x20", "p7 auto", NULL, ""),
		SNOOP("PIM hello cut to 2 bytes: nothing", P7, "4 192.0.2.1>224.0.0.13 pim=0x20 trim=36", "p7 auto",
		      NULL, ""),
	};

	RUN(false, rows);
}

/* ---- enforcement ------------------------------------------------------------------ */

/* 239.1.1.1 registered with port 7 a member; ports 7 and 9 have records */
#define REG "g 239.1.1.1 live, m7 239.1.1.1 live"
#define REG6 "g ff0e::1:3 live, m7 ff0e::1:3 live"

Test(mcast_progs, egress_registered)
{
	static const struct mfx_row rows[] = {
		PASS("registered: member port", P7, DATA4("239.1.1.1"), REG ", p7 auto", "7 passed=1"),
		DROP("registered: non-member port", P9, DATA4("239.1.1.1"), REG ", p9 auto", "9 suppressed=1"),
		PASS("registered: static router port", P9, DATA4("239.1.1.1"), REG ", p9 on", "9 passed=1"),
		PASS("registered: learned router port", P9, DATA4("239.1.1.1"), REG ", p9 auto live", "9 passed=1"),
		DROP("registered: learned router port expired", P9, DATA4("239.1.1.1"), REG ", p9 auto expired",
		     "9 suppressed=1"),
		DROP("registered: router off, whatever it learned", P9, DATA4("239.1.1.1"), REG ", p9 off live",
		     "9 suppressed=1"),
		PASS("registered: flood port", P9, DATA4("239.1.1.1"), REG ", p9 off flood", "9 passed=1"),
		PASS("registered: member port with router off", P7, DATA4("239.1.1.1"), REG ", p7 off", "7 passed=1"),
		PASS("registered: a membership ending in 0.5 s", P7, DATA4("239.1.1.1"),
		     "g 239.1.1.1 live, m7 239.1.1.1 soon, p7 auto", "7 passed=1"),
		DROP("registered: expired membership", P7, DATA4("239.1.1.1"),
		     "g 239.1.1.1 live, m7 239.1.1.1 expired, p7 auto", "7 suppressed=1"),
		DROP("registered: member of bridge 0, not this bridge", P7, DATA4("239.1.1.1"),
		     "g 239.1.1.1 live, m7@0 239.1.1.1 live, m9 239.1.1.1 live, p7 auto", "7 suppressed=1"),
		DROP("registered: member of another group", P7, DATA4("239.1.1.1"),
		     "g 239.1.1.1 live, m7 239.1.1.2 live, m7 ff0e::1:3 live, p7 auto", "7 suppressed=1"),
		PASS("registered, IPv6: member port", P7, DATA6("ff0e::1:3"), REG6 ", p7 auto", "7 passed=1"),
		DROP("registered, IPv6: non-member port", P9, DATA6("ff0e::1:3"), REG6 ", p9 auto", "9 suppressed=1"),
		PASS("registered, IPv6: router port", P9, DATA6("ff0e::1:3"), REG6 ", p9 on", "9 passed=1"),
		DROP("registered, IPv6 with extension headers: non-member port", P9,
		     "6 2001:db8::1>ff0e::1:3 ext=HD udp", REG6 ", p9 auto", "9 suppressed=1"),
		DROP("registered, IPv4 group with IPv6 member bytes: no", P7, DATA4("239.1.1.1"),
		     "g 239.1.1.1 live, m7 ef01:101:: live, p7 auto", "7 suppressed=1"),
		PASS("registered, 802.1Q tagged: member port", P7, "q " DATA4("239.1.1.1"), REG ", p7 auto",
		     "7 passed=1"),
		DROP("registered, 802.1Q tagged: non-member port", P9, "q " DATA4("239.1.1.1"), REG ", p9 auto",
		     "9 suppressed=1"),
		DROP("registered: a later fragment is data too", P9, DATA4("239.1.1.1") " off=100", REG ", p9 auto",
		     "9 suppressed=1"),
		DROP("registered: ICMPv6 (not MLD) to a group is data", P9, "6 2001:db8::1>ff0e::1:3 proto=58",
		     REG6 ", p9 auto", "9 suppressed=1"),
	};

	RUN(true, rows);
}

Test(mcast_progs, egress_unregistered)
{
	static const struct mfx_row rows[] = {
		PASS("unregistered: static router port", P9, DATA4("239.1.1.2"), REG ", p9 on", "9 passed=1"),
		PASS("unregistered: learned router port", P9, DATA4("239.1.1.2"), REG ", p9 auto live", "9 passed=1"),
		DROP("unregistered: learned router port expired", P9, DATA4("239.1.1.2"), REG ", p9 auto expired",
		     "9 suppressed=1"),
		DROP("unregistered: non-router port", P9, DATA4("239.1.1.2"), REG ", p9 auto", "9 suppressed=1"),
		DROP("unregistered: router off", P9, DATA4("239.1.1.2"), REG ", p9 off", "9 suppressed=1"),
		PASS("unregistered: flood port", P9, DATA4("239.1.1.2"), REG ", p9 auto flood", "9 passed=1"),
		DROP("unregistered: a live membership without a group entry goes to routers only", P7,
		     DATA4("239.1.1.2"), "m7 239.1.1.2 live, p7 auto", "7 suppressed=1"),
		DROP("unregistered: the group expired (membership still live)", P7, DATA4("239.1.1.1"),
		     "g 239.1.1.1 expired, m7 239.1.1.1 live, p7 auto", "7 suppressed=1"),
		DROP("unregistered: registered on bridge 0 only", P7, DATA4("239.1.1.1"),
		     "g@0 239.1.1.1 live, m7 239.1.1.1 live, p7 auto", "7 suppressed=1"),
		PASS("unregistered, IPv6: router port", P9, DATA6("ff0e::1:4"), REG6 ", p9 on", "9 passed=1"),
		DROP("unregistered, IPv6: non-router port", P9, DATA6("ff0e::1:4"), REG6 ", p9 auto", "9 suppressed=1"),
		DROP("unregistered, IPv6 ff05::1:3 (site-local is not link-local)", P9, DATA6("ff05::1:3"),
		     "p9 auto", "9 suppressed=1"),
		PASS("no port record: passes, counts nothing", P7, DATA4("239.1.1.2"), REG ", p9 auto", ""),
		PASS("only bridge 0 has a record for the port: passes", P7, DATA4("239.1.1.2"), "p7@0 auto", ""),
	};

	RUN(true, rows);
}

/* Reports and leaves go to router ports only, as the kernel's bridge sends
 * them: hosts must not hear each other's (report suppression). Counted as
 * neither data passed nor data suppressed. */
Test(mcast_progs, egress_reports_to_routers)
{
	static const struct mfx_row rows[] = {
		DROP("IGMPv2 report to a non-router port", P9, V2_REPORT("239.1.1.2"), "p9 auto", ""),
		DROP("IGMPv2 leave to a non-router port", P9, V2_LEAVE("239.1.1.2"), "p9 auto", ""),
		DROP("IGMPv3 report to a non-router port", P9, V3 " rec=4/239.1.1.2", "p9 auto", ""),
		DROP("MLDv1 report to a non-router port", P9, MLD1_REPORT("ff0e::1:4"), "p9 auto", ""),
		DROP("MLDv1 report without hop-by-hop", P9, "6 fe80::10>ff0e::1:4 mld=131/ff0e::1:4", "p9 auto", ""),
		DROP("MLDv2 report to a non-router port", P9, MLD2 " rec=4/ff0e::1:4", "p9 auto", ""),
		DROP("a member port is no router", P9, V2_REPORT("239.1.1.2"), REG ", p9 auto", ""),
		PASS("IGMPv2 report to a static router port", P9, V2_REPORT("239.1.1.2"), "p9 on", ""),
		PASS("IGMPv3 report to a flood port", P9, V3 " rec=4/239.1.1.2", "p9 auto flood", ""),
		PASS("MLDv2 report to a learned router port", P9, MLD2 " rec=4/ff0e::1:4", "p9 auto live", ""),
		PASS("report to a port without a record", P7, V2_REPORT("239.1.1.2"), "p9 auto", ""),
	};

	RUN(true, rows);
}

Test(mcast_progs, egress_untouched)
{
	static const struct mfx_row rows[] = {
		PASS("link-local 224.0.0.251 to a non-router port", P9, DATA4("224.0.0.251"), "p9 auto", ""),
		PASS("link-local 224.0.0.1", P9, DATA4("224.0.0.1"), "p9 auto", ""),
		PASS("link-local ff02::fb to a non-router port", P9, DATA6("ff02::fb"), "p9 auto", ""),
		PASS("link-local ff02::1:ff00:1", P9, DATA6("ff02::1:ff00:1"), "p9 auto", ""),
		PASS("broadcast", P9, "dmac=ff:ff:ff:ff:ff:ff " DATA4("255.255.255.255"), "p9 auto", ""),
		PASS("ARP", P9, "arp", "p9 auto", ""),
		PASS("unicast", P9, DATA4("198.51.100.2"), "p9 auto", ""),
		PASS("a multicast group under a unicast MAC", P9, "dmac=02:00:00:00:00:02 " DATA4("239.1.1.2"),
		     "p9 auto", ""),
		PASS("IGMP group-specific query to its group", P9, "4 192.0.2.1>239.1.1.2 ra igmp=0x11/239.1.1.2",
		     "p9 auto", ""),
		PASS("MLD group-specific query to its group", P9, "6 fe80::1>ff0e::1:4 ra mld=130/ff0e::1:4", "p9 auto",
		     ""),
		PASS("truncated: cut inside the UDP header", P9, DATA4("239.1.1.2") " cut=38", "p9 auto", ""),
		PASS("truncated: IPv6 cut inside the UDP header", P9, DATA6("ff0e::1:4") " cut=60", "p9 auto", ""),
		/* tc's test_run refuses an IP ethertype without a whole IP header
		 * (EINVAL); behind a VLAN tag the skb's protocol is the tag's */
		PASS("truncated: cut inside the IPv4 header (802.1Q)", P9, "q " DATA4("239.1.1.2") " cut=34", "p9 auto",
		     ""),
		PASS("truncated: cut inside the IPv6 header (802.1Q)", P9, "q " DATA6("ff0e::1:4") " cut=44", "p9 auto",
		     ""),
		PASS("truncated: cut inside the 802.1Q tag", P9, "q " DATA4("239.1.1.2") " cut=16", "p9 auto", ""),
	};

	RUN(true, rows);
}

/* ---- the config row ------------------------------------------------------------ */

Test(mcast_progs, disabled_bridge)
{
	static const struct mfx_row snoop[] = {
		SNOOP("disabled: a report joins nothing", P7, V2_REPORT("239.1.1.1"), "", NULL, ""),
		SNOOP("disabled: a query learns nothing", P7, QUERY, "p7 auto", NULL, ""),
		SNOOP("disabled: a malformed report counts nothing", P7, V2_REPORT("239.1.1.1") " cut=40", "", NULL, ""),
	};
	static const struct mfx_row enforce[] = {
		PASS("disabled: registered group to a non-member", P9, DATA4("239.1.1.1"), REG ", p9 auto", ""),
		PASS("disabled: unregistered group to a non-router", P9, DATA4("239.1.1.2"), "p9 auto", ""),
	};
	static const struct mfx_row enabled_again[] = {
		DROP("enabled again: unregistered group to a non-router", P9, DATA4("239.1.1.2"), "p9 auto",
		     "9 suppressed=1"),
	};
	struct mfx *f = mfx_load();
	size_t failed;

	mfx_enable(f, false);
	failed = mfx_run(f, false, snoop, MFX_N(snoop)) + mfx_run(f, true, enforce, MFX_N(enforce));
	mfx_enable(f, true);
	failed += mfx_run(f, true, enabled_again, MFX_N(enabled_again));
	mfx_free(f);
	cr_assert_eq(failed, 0, "failing rows above");
}

/* ---- the programs themselves ------------------------------------------------------- */

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The maps as include/sluice/mcast.h promises them, by name, type and size,
 * each with BTF for its key and value (bpftool prints them by field). */
Test(mcast_progs, maps_follow_the_contract)
{
	struct mcast_bpf *s;
	const struct {
		struct bpf_map *map;
		const char *name;
		enum bpf_map_type type;
		__u32 key, value, max;
	} want[] = {
		{ NULL, SL_STR(SL_MC_CONFIG_MAP), BPF_MAP_TYPE_ARRAY, 4, sizeof(struct sl_mc_config), SL_MC_BRIDGES },
		{ NULL, SL_STR(SL_MC_PORT_MAP), BPF_MAP_TYPE_HASH, sizeof(struct sl_mc_port_key),
		  sizeof(struct sl_mc_port), SL_MC_PORTS },
		{ NULL, SL_STR(SL_MC_MEMBER_MAP), BPF_MAP_TYPE_HASH, sizeof(struct sl_mc_member_key),
		  sizeof(struct sl_mc_member), SL_MC_MEMBERS },
		{ NULL, SL_STR(SL_MC_GROUP_MAP), BPF_MAP_TYPE_HASH, sizeof(struct sl_mc_group_key),
		  sizeof(struct sl_mc_group), SL_MC_GROUPS },
		{ NULL, SL_STR(SL_MC_STATS_MAP), BPF_MAP_TYPE_PERCPU_HASH, sizeof(struct sl_mc_port_key),
		  sizeof(struct sl_mc_port_stats), SL_MC_PORTS },
		{ NULL, SL_STR(SL_MC_BRIDGE_MAP), BPF_MAP_TYPE_ARRAY, 4, sizeof(struct sl_mc_bridge_meta),
		  SL_MC_BRIDGES },
	};

	s = mcast_bpf__open();
	cr_assert(s);
	for (size_t i = 0; i < MFX_N(want); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(s->obj, want[i].name);

		cr_assert(m, "no map %s", want[i].name);
		cr_expect_eq(bpf_map__type(m), want[i].type, "%s: type %d", want[i].name, bpf_map__type(m));
		cr_expect_eq(bpf_map__key_size(m), want[i].key, "%s: key size", want[i].name);
		cr_expect_eq(bpf_map__value_size(m), want[i].value, "%s: value size", want[i].name);
		cr_expect_eq(bpf_map__max_entries(m), want[i].max, "%s: max entries", want[i].name);
		cr_expect(bpf_map__btf_key_type_id(m) && bpf_map__btf_value_type_id(m), "%s: no BTF", want[i].name);
	}
	cr_expect_eq(bpf_program__type(s->progs.sl_mc_ingress), BPF_PROG_TYPE_SCHED_CLS);
	cr_expect_eq(bpf_program__type(s->progs.sl_mc_egress), BPF_PROG_TYPE_SCHED_CLS);
	cr_expect_eq(s->rodata->sl_mc_bridge, 0);
	mcast_bpf__destroy(s);
}

Test(mcast_progs, verifier_cost)
{
	struct bpf_program *progs[2];
	struct timespec t0;
	struct mcast_bpf *s;
	double ms;
	int err;

	fx_require_bpf();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	s = mcast_bpf__open();
	cr_assert(s);
	err = mcast_bpf__load(s);
	if (err) {
		fx_skip_on_eperm(err);
		cr_assert_fail("loading mcast: %s", strerror(-err));
	}
	ms = ms_since(&t0);
	progs[0] = s->progs.sl_mc_ingress;
	progs[1] = s->progs.sl_mc_egress;
	for (int i = 0; i < 2; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		cr_assert_eq(bpf_obj_get_info_by_fd(bpf_program__fd(progs[i]), &info, &len), 0);
		printf("mcast-prog %s: %u instructions verified, %u xlated, loaded in %.1f ms (both programs)\n",
		       bpf_program__name(progs[i]), info.verified_insns, info.xlated_prog_len / 8, ms);
		/* the verifier's work, not its time: far from its 1M limit */
		cr_expect_lt(info.verified_insns, 500000, "%s: %u verified instructions", bpf_program__name(progs[i]),
			     info.verified_insns);
	}
	mcast_bpf__destroy(s);
}

/* ---- fast path (sl_mc_xdp) ------------------------------------------------- */

enum fast_ctr { F_REDIRECTED, F_NOT_MC, F_CONTROL, F_UNREG, F_VLAN, F_UNPARSED, F_FAILED };

struct fast_row {
	const char *desc;
	const char *frame;
	int verdict;            /* XDP_REDIRECT or XDP_PASS */
	enum fast_ctr counted;  /* the one counter it bumps */
};

/* 239.1.1.1 and ff0e::1:1 registered on MFX_BRIDGE, 239.3.3.3 expired;
 * nothing else */
static const struct fast_row fast_rows[] = {
	{ "registered IPv4 group: to the ports", DATA4("239.1.1.1"), XDP_REDIRECT, F_REDIRECTED },
	{ "registered IPv6 group: to the ports", DATA6("ff0e::1:1"), XDP_REDIRECT, F_REDIRECTED },
	{ "unregistered group: the bridge", DATA4("239.2.2.2"), XDP_PASS, F_UNREG },
	{ "unregistered IPv6 group: the bridge", DATA6("ff0e::2:2"), XDP_PASS, F_UNREG },
	{ "registration expired: the bridge", DATA4("239.3.3.3"), XDP_PASS, F_UNREG },
	{ "link-local 224.0.0.251: the bridge", DATA4("224.0.0.251"), XDP_PASS, F_CONTROL },
	{ "link-local ff02::fb: the bridge", DATA6("ff02::fb"), XDP_PASS, F_CONTROL },
	{ "IGMPv2 report to a registered group: the bridge (snooping)", V2_REPORT("239.1.1.1"), XDP_PASS, F_CONTROL },
	{ "MLDv1 report to a registered group: the bridge", MLD1_REPORT("ff0e::1:1"), XDP_PASS, F_CONTROL },
	{ "IGMP query: the bridge", QUERY, XDP_PASS, F_CONTROL },
	{ "unicast MAC, registered group IP: the bridge", "dmac=02:00:00:00:00:02 " DATA4("239.1.1.1"), XDP_PASS,
	  F_NOT_MC },
	{ "unicast: the bridge", DATA4("192.0.2.2"), XDP_PASS, F_NOT_MC },
	{ "ARP broadcast: the bridge", "arp", XDP_PASS, F_NOT_MC },
	{ "VLAN-tagged registered group: the bridge (its VLAN rules)", "q " DATA4("239.1.1.1"), XDP_PASS, F_VLAN },
	{ "truncated IPv4 header: the bridge", DATA4("239.1.1.1") " cut=20", XDP_PASS, F_UNPARSED },
	{ "truncated UDP header: the bridge", DATA4("239.1.1.1") " cut=38", XDP_PASS, F_UNPARSED },
};

static void fast_group(int fd, __u8 family, const char *addr, __u64 expires_ns)
{
	struct sl_mc_group_key k = { .bridge = MFX_BRIDGE, .family = family };
	struct sl_mc_group g = { .expires_ns = expires_ns };

	cr_assert_eq(inet_pton(family == SL_FAMILY_IPV4 ? AF_INET : AF_INET6, addr, k.group), 1);
	cr_assert(!bpf_map_update_elem(fd, &k, &g, BPF_ANY), "group %s: %s", addr, strerror(errno));
}

static __u64 fast_ctr(int fd, int ncpu, enum fast_ctr c)
{
	struct sl_mc_fast_stats v[ncpu];
	__u32 key = MFX_BRIDGE;
	__u64 sum = 0;

	memset(v, 0, sizeof(v));
	bpf_map_lookup_elem(fd, &key, v);
	for (int i = 0; i < ncpu; i++)
		sum += ((const __u64 *)&v[i])[c];
	return sum;
}

Test(mcast_progs, fast_path_redirects_registered_data_only)
{
	struct mfx *f = mfx_load();
	struct mcast_bpf *skel = mfx_skel(f);
	int prog = bpf_program__fd(skel->progs.sl_mc_xdp);
	int stats = bpf_map__fd(skel->maps.SL_MC_FAST_MAP), ncpu = libbpf_num_possible_cpus();
	int ports = bpf_map_create(BPF_MAP_TYPE_DEVMAP_HASH, "fx_mcdev", 4, sizeof(struct bpf_devmap_val),
				   SL_MC_DEV_PORTS, NULL);
	__u32 bridge = MFX_BRIDGE;
	size_t failed = 0;

	cr_assert(ports >= 0, "devmap: %s", strerror(errno));
	cr_assert(!bpf_map_update_elem(bpf_map__fd(skel->maps.SL_MC_DEV_MAP), &bridge, &ports, BPF_ANY));
	fast_group(bpf_map__fd(skel->maps.SL_MC_GROUP_MAP), SL_FAMILY_IPV4, "239.1.1.1", ~0ull >> 1);
	fast_group(bpf_map__fd(skel->maps.SL_MC_GROUP_MAP), SL_FAMILY_IPV6, "ff0e::1:1", ~0ull >> 1);
	fast_group(bpf_map__fd(skel->maps.SL_MC_GROUP_MAP), SL_FAMILY_IPV4, "239.3.3.3", 1);
	for (size_t i = 0; i < MFX_N(fast_rows); i++) {
		const struct fast_row *r = &fast_rows[i];
		__u8 buf[512];
		size_t len = mfx_frame(r->frame, buf, sizeof(buf));
		__u64 before[F_FAILED + 1];
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (__u32)len);

		cr_assert(len, "%s: frame words", r->desc);
		for (int c = 0; c <= F_FAILED; c++)
			before[c] = fast_ctr(stats, ncpu, c);
		cr_assert(!bpf_prog_test_run_opts(prog, &o), "%s: run: %s", r->desc, strerror(errno));
		if (o.retval != (__u32)r->verdict) {
			cr_log_error("%s: verdict %u, expected %d", r->desc, o.retval, r->verdict);
			failed++;
		}
		for (int c = 0; c <= F_FAILED; c++) {
			__u64 want = before[c] + (c == (int)r->counted), got = fast_ctr(stats, ncpu, c);

			if (got != want) {
				cr_log_error("%s: counter %d is %llu, expected %llu", r->desc, c,
					     (unsigned long long)got, (unsigned long long)want);
				failed++;
			}
		}
	}
	/* no port set for the bridge: the bridge still gets the frame */
	bpf_map_delete_elem(bpf_map__fd(skel->maps.SL_MC_DEV_MAP), &bridge);
	{
		__u8 buf[512];
		size_t len = mfx_frame(DATA4("239.1.1.1"), buf, sizeof(buf));
		__u64 was = fast_ctr(stats, ncpu, F_FAILED);
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (__u32)len);

		cr_assert(!bpf_prog_test_run_opts(prog, &o));
		cr_expect_eq(o.retval, XDP_PASS, "no devmap: passed, got %u", o.retval);
		cr_expect_eq(fast_ctr(stats, ncpu, F_FAILED), was + 1, "no devmap: counted as failed");
	}
	/* the policy off on the bridge: everything to the bridge, uncounted */
	mfx_enable(f, false);
	{
		__u8 buf[512];
		size_t len = mfx_frame(DATA4("239.1.1.1"), buf, sizeof(buf));
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (__u32)len);

		cr_assert(!bpf_map_update_elem(bpf_map__fd(skel->maps.SL_MC_DEV_MAP), &bridge, &ports, BPF_ANY));
		cr_assert(!bpf_prog_test_run_opts(prog, &o));
		cr_expect_eq(o.retval, XDP_PASS, "policy off: passed, got %u", o.retval);
	}
	close(ports);
	mfx_free(f);
	cr_assert_eq(failed, 0, "failing fast path rows above");
}

/* ---- the port sets' generations (snooping) -------------------------------------- */

/* A group's generation moves when one of its memberships becomes live
 * (a set built before lacks that port), the bridge's `learned` when a
 * port becomes a learned router port; `changes` counts both for the
 * daemon. What only refreshes or ends a membership moves nothing: the
 * devmap program still decides on each port a set holds. */
Test(mcast_progs, generations)
{
	static const struct mfx_row rows[] = {
		SNOOP("a join making a new group: generation 1, the bridge told", P7, V2_REPORT("239.1.1.1"), "",
		      "m7 239.1.1.1 join v2, g 239.1.1.1 join gen1, b 0 1", "7 reports=1"),
		SNOOP("a second port's join moves the group's generation", P9, V2_REPORT("239.1.1.1"),
		      "m7 239.1.1.1 live, g 239.1.1.1 live gen4, b 3 7",
		      "m7 239.1.1.1 live, m9 239.1.1.1 join v2, g 239.1.1.1 live gen5, b 3 8", "9 reports=1"),
		SNOOP("a live membership refreshed: nothing moves", P7, V2_REPORT("239.1.1.1"),
		      "m7 239.1.1.1 soon, g 239.1.1.1 soon gen4", "m7 239.1.1.1 join v2, g 239.1.1.1 join gen4, b 0 0",
		      "7 reports=1"),
		SNOOP("an expired membership joined again moves it", P7, V2_REPORT("239.1.1.1"),
		      "m7 239.1.1.1 expired, g 239.1.1.1 live gen4",
		      "m7 239.1.1.1 join v2, g 239.1.1.1 live gen5, b 0 1", "7 reports=1"),
		SNOOP("an expired group joined again moves it", P7, V2_REPORT("239.1.1.1"),
		      "m7 239.1.1.1 expired, g 239.1.1.1 expired gen4",
		      "m7 239.1.1.1 join v2, g 239.1.1.1 join gen5, b 0 1", "7 reports=1"),
		SNOOP("a leave moves nothing", P7, V2_LEAVE("239.1.1.1"), "m7 239.1.1.1 live v2, g 239.1.1.1 live gen4",
		      "m7 239.1.1.1 leave v2, g 239.1.1.1 live gen4, b 0 0", "7 leaves=1"),
		SNOOP("MLDv2 joins of two groups: each its own generation", P7,
		      MLD2 " rec=4/ff0e::1:1 rec=4/ff0e::2:2", "g ff0e::1:1 live gen2",
		      "m7 ff0e::1:1 join m2, m7 ff0e::2:2 join m2, g ff0e::1:1 live gen3, g ff0e::2:2 join gen1, b 0 2",
		      "7 reports=2"),
		SNOOP("a link-local group's report: nothing", P7, V2_REPORT("224.0.0.251"), "", "b 0 0", NULL),
		SNOOP("a general query makes a learned router port: learned moves", P9, QUERY, "p9 auto",
		      "p9 auto router, b 1 1", "9 queries=1"),
		SNOOP("a learned router port hears another: nothing moves", P9, QUERY, "p9 auto soon, b 2 5",
		      "p9 auto router, b 2 5", "9 queries=1"),
		SNOOP("a learned router port that had expired: learned moves", P9, QUERY, "p9 auto expired, b 2 5",
		      "p9 auto router, b 3 6", "9 queries=1"),
		SNOOP("router on: nothing moves", P9, QUERY, "p9 on", "p9 on, b 0 0", "9 queries=1"),
		SNOOP("router off: nothing moves", P9, QUERY, "p9 off", "p9 off, b 0 0", "9 queries=1"),
	};

	RUN(false, rows);
}

/* ---- the fast path's per-group port sets (sl_mc_xdp) ------------------------------ */

#define GS_GEN 5        /* 239.1.1.1's generation */
#define GS_LEARNED 3    /* the bridge's learned router generation */
#define GS_CONFIG 2     /* the daemon's port generation: sets current at 3 + 2 */

enum gs_set { GS_NONE, GS_CURRENT, GS_OLD_GROUP, GS_OLD_PORTS };

struct gs_row {
	const char *desc;
	const char *frame;
	enum gs_set set;        /* the group's set: none, current, or of a generation before */
	bool bridge_set;        /* the bridge's devmap there */
	int verdict;
	enum fast_ctr counted;  /* the bridge's counter it bumps */
	int own, fallback;      /* the group's counters it bumps */
};

static const struct gs_row gs_rows[] = {
	{ "a current set: the group's own", DATA4("239.1.1.1"), GS_CURRENT, true, XDP_REDIRECT, F_REDIRECTED, 1, 0 },
	{ "a current set without the bridge's: still its own", DATA4("239.1.1.1"), GS_CURRENT, false,
	  XDP_REDIRECT, F_REDIRECTED, 1, 0 },
	{ "a set of the group's generation before: the bridge's", DATA4("239.1.1.1"), GS_OLD_GROUP, true,
	  XDP_REDIRECT, F_REDIRECTED, 0, 1 },
	{ "a set of the ports' generation before: the bridge's", DATA4("239.1.1.1"), GS_OLD_PORTS, true,
	  XDP_REDIRECT, F_REDIRECTED, 0, 1 },
	{ "no set (being built, or no room): the bridge's", DATA4("239.1.1.1"), GS_NONE, true, XDP_REDIRECT,
	  F_REDIRECTED, 0, 1 },
	{ "no set and no bridge's: to the bridge", DATA4("239.1.1.1"), GS_NONE, false, XDP_PASS, F_FAILED, 0, 0 },
	{ "a stale set and no bridge's: to the bridge", DATA4("239.1.1.1"), GS_OLD_GROUP, false, XDP_PASS, F_FAILED,
	  0, 0 },
	{ "truncated IPv4 header, set current: to the bridge", DATA4("239.1.1.1") " cut=20", GS_CURRENT, true,
	  XDP_PASS, F_UNPARSED, 0, 0 },
	{ "truncated UDP header, set current: to the bridge", DATA4("239.1.1.1") " cut=38", GS_CURRENT, true,
	  XDP_PASS, F_UNPARSED, 0, 0 },
	{ "another group's frame, set current: unregistered", DATA4("239.2.2.2"), GS_CURRENT, true, XDP_PASS,
	  F_UNREG, 0, 0 },
	{ "IPv6, a current set: its own", DATA6("ff0e::1:1"), GS_CURRENT, true, XDP_REDIRECT, F_REDIRECTED, 1, 0 },
};

/* group `g`'s counters: redirected by its own set, by the bridge's */
static void gs_counts(int fd, int ncpu, const struct sl_mc_group_key *g, __u64 out[2])
{
	struct sl_mc_group_stats v[ncpu];

	out[0] = out[1] = 0;
	if (bpf_map_lookup_elem(fd, g, v))
		return;
	for (int i = 0; i < ncpu; i++) {
		out[0] += v[i].redirected;
		out[1] += v[i].fallback;
	}
}

static __u64 fast_in(int fd, int ncpu, __u32 port)
{
	struct sl_mc_port_key k = { .bridge = MFX_BRIDGE, .ifindex = port };
	struct sl_mc_port_stats v[ncpu];
	__u64 sum = 0;

	if (bpf_map_lookup_elem(fd, &k, v))
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += v[i].fast_in;
	return sum;
}

static int gs_devmap(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_DEVMAP_HASH, "fx_mcgs", 4, sizeof(struct bpf_devmap_val),
				SL_MC_DEV_PORTS, NULL);

	cr_assert(fd >= 0, "devmap: %s", strerror(errno));
	return fd;
}

Test(mcast_progs, fast_path_group_sets)
{
	struct mfx *f = mfx_load();
	struct mcast_bpf *skel = mfx_skel(f);
	int prog = bpf_program__fd(skel->progs.sl_mc_xdp), ncpu = libbpf_num_possible_cpus();
	int fast = bpf_map__fd(skel->maps.SL_MC_FAST_MAP), gstat = bpf_map__fd(skel->maps.SL_MC_GSTAT_MAP);
	int gsets = bpf_map__fd(skel->maps.SL_MC_GSET_MAP), devs = bpf_map__fd(skel->maps.SL_MC_DEV_MAP);
	int stats = bpf_map__fd(skel->maps.SL_MC_STATS_MAP);
	int bridge_set = gs_devmap(), group_set = gs_devmap();
	__u32 bridge = MFX_BRIDGE;
	struct sl_mc_config cfg = { .membership_ns = MFX_MEMBERSHIP_NS, .leave_ns = MFX_LEAVE_NS,
				    .router_ns = MFX_ROUTER_NS, .enabled = 1, .ports_gen = GS_CONFIG };
	struct sl_mc_gen gen = { .learned = GS_LEARNED };
	size_t failed = 0;

	cr_assert(!bpf_map_update_elem(bpf_map__fd(skel->maps.SL_MC_CONFIG_MAP), &bridge, &cfg, BPF_ANY));
	cr_assert(!bpf_map_update_elem(bpf_map__fd(skel->maps.SL_MC_GEN_MAP), &bridge, &gen, BPF_ANY));
	for (size_t i = 0; i < MFX_N(gs_rows); i++) {
		const struct gs_row *r = &gs_rows[i];
		bool v6 = strstr(r->frame, "ff0e::") != NULL;
		struct sl_mc_group_key g = { .bridge = MFX_BRIDGE, .family = v6 ? SL_FAMILY_IPV6 : SL_FAMILY_IPV4 };
		struct sl_mc_group gv = { .expires_ns = ~0ull >> 1, .gen = GS_GEN };
		struct sl_mc_gset_key k = { .bridge = MFX_BRIDGE, .family = g.family, .gen = GS_GEN,
					    .ports = GS_LEARNED + GS_CONFIG };
		struct sl_mc_gset_key x;
		struct xdp_md md = { .ingress_ifindex = P7 };
		__u64 before[F_FAILED + 1], gbefore[2], gafter[2], in_before;
		__u8 buf[512];
		size_t len = mfx_frame(r->frame, buf, sizeof(buf));
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (__u32)len, .ctx_in = &md,
			    .ctx_size_in = sizeof(md));

		cr_assert(len, "%s: frame words", r->desc);
		md.data_end = (__u32)len; /* the kernel wants the frame's end, no metadata before it */
		cr_assert_eq(inet_pton(v6 ? AF_INET6 : AF_INET, v6 ? "ff0e::1:1" : "239.1.1.1", g.group), 1);
		memcpy(k.group, g.group, sizeof(k.group));
		cr_assert(!bpf_map_update_elem(bpf_map__fd(skel->maps.SL_MC_GROUP_MAP), &g, &gv, BPF_ANY));
		/* the sets as the row says, nothing else */
		while (!bpf_map_get_next_key(gsets, NULL, &x))
			cr_assert(!bpf_map_delete_elem(gsets, &x));
		if (r->set == GS_OLD_GROUP)
			k.gen--;
		if (r->set == GS_OLD_PORTS)
			k.ports--;
		if (r->set != GS_NONE)
			cr_assert(!bpf_map_update_elem(gsets, &k, &group_set, BPF_ANY), "set: %s", strerror(errno));
		if (r->bridge_set)
			cr_assert(!bpf_map_update_elem(devs, &bridge, &bridge_set, BPF_ANY));
		else
			bpf_map_delete_elem(devs, &bridge);
		for (int c = 0; c <= F_FAILED; c++)
			before[c] = fast_ctr(fast, ncpu, c);
		gs_counts(gstat, ncpu, &g, gbefore);
		in_before = fast_in(stats, ncpu, P7);
		cr_assert(!bpf_prog_test_run_opts(prog, &o), "%s: run: %s", r->desc, strerror(errno));
		if (o.retval != (__u32)r->verdict) {
			cr_log_error("%s: verdict %u, expected %d", r->desc, o.retval, r->verdict);
			failed++;
		}
		for (int c = 0; c <= F_FAILED; c++)
			if (fast_ctr(fast, ncpu, c) != before[c] + (c == (int)r->counted)) {
				cr_log_error("%s: bridge counter %d moved by %lld", r->desc, c,
					     (long long)(fast_ctr(fast, ncpu, c) - before[c]));
				failed++;
			}
		gs_counts(gstat, ncpu, &g, gafter);
		if (gafter[0] - gbefore[0] != (__u64)r->own || gafter[1] - gbefore[1] != (__u64)r->fallback) {
			cr_log_error("%s: the group's own set +%llu, the bridge's +%llu; expected +%d +%d", r->desc,
				     (unsigned long long)(gafter[0] - gbefore[0]),
				     (unsigned long long)(gafter[1] - gbefore[1]), r->own, r->fallback);
			failed++;
		}
		/* a redirected frame counts on its ingress port: the broadcast leaves it out */
		if (fast_in(stats, ncpu, P7) - in_before != (__u64)(r->verdict == XDP_REDIRECT)) {
			cr_log_error("%s: port 7's fast_in moved by %llu", r->desc,
				     (unsigned long long)(fast_in(stats, ncpu, P7) - in_before));
			failed++;
		}
	}
	close(group_set);
	close(bridge_set);
	mfx_free(f);
	cr_assert_eq(failed, 0, "failing group set rows above");
}
