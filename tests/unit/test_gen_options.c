/* sluice-gen command line: defaults, every rejection path (message names
 * the option and the value), address classification, value parsers. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "../../tools/sluice-gen/gen.h"

static struct gen_opts o;
static char err[GEN_ERRLEN];

/* argv built from string literals; the parser never writes to them */
#define PARSE(...) ({                                                   \
	char *argv_[] = { "sluice-gen", __VA_ARGS__, NULL };           \
	gen_parse_args((int)(sizeof(argv_) / sizeof(argv_[0])) - 1,    \
		       argv_, &o, err, sizeof(err));                    \
})

#define SEND(...) PARSE("send", "--dst", "192.0.2.1", "--port", "9", __VA_ARGS__)

#define REJECT(expect, ...) do {                                        \
	cr_assert_eq(PARSE(__VA_ARGS__), -1, "accepted");               \
	cr_assert_str_eq(err, expect);                                  \
} while (0)

/* --- defaults and accepted values ------------------------------------- */

Test(gen_options, sink_batch_and_gro)
{
	cr_assert_eq(PARSE("sink", "--port", "9", "--batch", "1", "--no-gro"), 0, "%s", err);
	cr_assert_eq(o.batch, 1);
	cr_assert(o.no_gro);
	cr_assert_eq(PARSE("sink", "--port", "9"), 0, "%s", err);
	cr_assert_eq(o.batch, 64);
	cr_assert_not(o.no_gro);
	REJECT("sluice-gen: --batch: 65 is out of range 1..64 for a sink", "sink", "--port", "9", "--batch", "65");
}

Test(gen_options, send_dst_list)
{
	char text[80];

	cr_assert_eq(PARSE("send", "--dst", "10.0.0.1,10.0.0.2,10.0.0.3", "--port", "53"), 0, "%s", err);
	cr_assert_eq(o.ndst, 3);
	gen_addr_format(&o.dsts[2], text, sizeof(text));
	cr_assert_str_eq(text, "10.0.0.3:53");
	gen_addr_format(&o.dst, text, sizeof(text));
	cr_assert_str_eq(text, "10.0.0.1:53");
	REJECT("sluice-gen: --dst: ::1 is not of the first one's family", "send", "--dst", "10.0.0.1,::1", "--port", "9");
	REJECT("sluice-gen: --dst: 10.0.0.x is not an IPv4 or IPv6 address", "send", "--dst", "10.0.0.1,10.0.0.x", "--port", "9");
	REJECT("sluice-gen: --dst: , has no address", "send", "--dst", ",", "--port", "9");
	REJECT("sluice-gen: --dst: more than 16 destinations", "send", "--dst",
	       "1.0.0.1,1.0.0.2,1.0.0.3,1.0.0.4,1.0.0.5,1.0.0.6,1.0.0.7,1.0.0.8,1.0.0.9,1.0.0.10,1.0.0.11,1.0.0.12,"
	       "1.0.0.13,1.0.0.14,1.0.0.15,1.0.0.16,1.0.0.17", "--port", "9");
}

Test(gen_options, send_defaults)
{
	cr_assert_eq(PARSE("send", "--dst", "127.0.0.1", "--port", "9999"), 0,
		     "%s", err);
	cr_assert_eq(o.mode, GEN_MODE_SEND);
	cr_assert_eq(o.action, GEN_ACT_RUN);
	cr_assert_eq(o.port, 9999);
	cr_assert_eq(o.size, 64);
	cr_assert_eq(o.batch, 64);
	cr_assert_eq(o.gso, 0);
	cr_assert_eq(o.rate, 0);
	cr_assert_eq(o.count, 0);
	cr_assert_eq(o.duration_ns, 0);
	cr_assert_eq(o.sport_lo, 0);
	cr_assert_eq(o.sport_hi, 0);
	cr_assert_eq(o.cpu, -1);
	cr_assert_not(o.json);
	cr_assert_not(o.has_src);
	cr_assert_eq(o.dst.family, AF_INET);
	const struct sockaddr_in *in4 = (const void *)&o.dst.ss;
	cr_assert_eq(ntohs(in4->sin_port), 9999, "port copied into --dst");
	cr_assert_eq(ntohl(in4->sin_addr.s_addr), 0x7f000001);
}

Test(gen_options, send_all_options)
{
	cr_assert_eq(PARSE("send", "--dst", "::1", "--port", "5000",
			   "--size", "1400", "--batch", "1", "--gso", "700",
			   "--rate", "200000", "--count", "42", "--src", "::1",
			   "--sport-range", "4000-4009", "--cpu", "1", "--json"),
		     0, "%s", err);
	cr_assert_eq(o.size, 1400);
	cr_assert_eq(o.batch, 1);
	cr_assert_eq(o.gso, 700);
	cr_assert_eq(o.rate, 200000);
	cr_assert_eq(o.count, 42);
	cr_assert(o.has_src);
	cr_assert_eq(o.src.family, AF_INET6);
	cr_assert_eq(o.sport_lo, 4000);
	cr_assert_eq(o.sport_hi, 4009);
	cr_assert_eq(o.cpu, 1);
	cr_assert(o.json);
}

Test(gen_options, equals_form_and_limits)
{
	cr_assert_eq(SEND("--port=65535", "--size=65507", "--batch=1024",
			  "--rate=0", "--duration=0.5"), 0, "%s", err);
	cr_assert_eq(o.port, 65535);
	cr_assert_eq(o.size, 65507);
	cr_assert_eq(o.batch, 1024);
	cr_assert_eq(o.duration_ns, 500000000ull);
}

Test(gen_options, sink_defaults)
{
	cr_assert_eq(PARSE("sink", "--port", "9999"), 0, "%s", err);
	cr_assert_eq(o.mode, GEN_MODE_SINK);
	cr_assert_eq(o.port, 9999);
	cr_assert_not(o.has_dst, "no --bind: sink picks ::");
	cr_assert_eq(o.count, 0);
	cr_assert_eq(o.duration_ns, 0);
}

Test(gen_options, sink_count_and_duration_together)
{
	cr_assert_eq(PARSE("sink", "--port", "1", "--bind", "239.1.2.3",
			   "--count", "10", "--duration", "2.25", "--json"),
		     0, "%s", err);
	cr_assert(o.has_dst);
	cr_assert(o.dst.multicast);
	cr_assert_eq(o.count, 10);
	cr_assert_eq(o.duration_ns, 2250000000ull);
	cr_assert(o.json);
}

Test(gen_options, sink_rcvbuf_and_hold_defaults)
{
	cr_assert_eq(PARSE("sink", "--port", "9"), 0, "%s", err);
	cr_assert_not(o.hold);
	cr_assert_eq(o.rcvbuf, 4u << 20, "plain sink: 4 MiB");
	cr_assert_null(o.ready_file);

	cr_assert_eq(PARSE("sink", "--port", "9", "--hold"), 0, "%s", err);
	cr_assert(o.hold);
	cr_assert_eq(o.rcvbuf, 4096, "holding sink: small buffer");
	cr_assert_null(o.ready_file);
	cr_assert_eq(o.duration_ns, 0, "until SIGINT/SIGTERM");
}

Test(gen_options, sink_hold_rcvbuf_ready_file)
{
	cr_assert_eq(PARSE("sink", "--port", "9", "--hold", "--rcvbuf", "1",
			   "--ready-file", "/tmp/x y", "--duration", "3",
			   "--bind", "127.0.0.1"), 0, "%s", err);
	cr_assert(o.hold);
	cr_assert_eq(o.rcvbuf, 1);
	cr_assert_str_eq(o.ready_file, "/tmp/x y");
	cr_assert_eq(o.duration_ns, 3000000000ull);

	cr_assert_eq(PARSE("sink", "--port", "9", "--rcvbuf=2147483647",
			   "--ready-file=r", "--count", "5"), 0, "%s", err);
	cr_assert_not(o.hold);
	cr_assert_eq(o.rcvbuf, 2147483647u, "--rcvbuf without --hold");
	cr_assert_str_eq(o.ready_file, "r");
	cr_assert_eq(o.count, 5);
}

Test(gen_options, sink_hold_rejections)
{
	REJECT("sluice-gen: --rcvbuf: 0 is out of range 1..2147483647",
	       "sink", "--port", "9", "--hold", "--rcvbuf", "0");
	REJECT("sluice-gen: --rcvbuf: 2147483648 is out of range 1..2147483647",
	       "sink", "--port", "9", "--rcvbuf", "2147483648");
	REJECT("sluice-gen: --rcvbuf: 4k is not a number",
	       "sink", "--port", "9", "--rcvbuf", "4k");
	REJECT("sluice-gen: --rcvbuf: missing value", "sink", "--port", "9", "--rcvbuf");
	REJECT("sluice-gen: --ready-file: missing value",
	       "sink", "--port", "9", "--ready-file=");
	REJECT("sluice-gen: --hold: takes no value", "sink", "--port", "9", "--hold=1");
	REJECT("sluice-gen: --count: cannot be combined with --hold "
	       "(a holding sink receives nothing)",
	       "sink", "--port", "9", "--hold", "--count", "10");
	REJECT("sluice-gen: --port: missing (required)", "sink", "--hold");
}

Test(gen_options, sink_only_options_rejected_by_send)
{
	REJECT("sluice-gen: --hold: unknown option", "send", "--dst", "::1",
	       "--port", "9", "--hold");
	REJECT("sluice-gen: --rcvbuf: unknown option", "send", "--dst", "::1",
	       "--port", "9", "--rcvbuf", "4096");
	REJECT("sluice-gen: --ready-file: unknown option", "send", "--dst", "::1",
	       "--port", "9", "--ready-file", "/tmp/r");
}

Test(gen_options, help_and_version)
{
	cr_assert_eq(PARSE("--help"), 0);
	cr_assert_eq(o.action, GEN_ACT_HELP);
	cr_assert_eq(o.mode, GEN_MODE_NONE);
	cr_assert_eq(PARSE("--version"), 0);
	cr_assert_eq(o.action, GEN_ACT_VERSION);
	cr_assert_eq(PARSE("send", "--help"), 0);
	cr_assert_eq(o.action, GEN_ACT_HELP);
	cr_assert_eq(o.mode, GEN_MODE_SEND);
	cr_assert_eq(PARSE("sink", "--help"), 0);
	cr_assert_eq(o.action, GEN_ACT_HELP);
	cr_assert_eq(o.mode, GEN_MODE_SINK);
}

Test(gen_options, repeated_parses_reset_state)
{
	cr_assert_eq(SEND("--size", "100"), 0, "%s", err);
	cr_assert_eq(SEND("--batch", "8"), 0, "%s", err);
	cr_assert_eq(o.size, 64, "defaults restored on each parse");
	cr_assert_eq(o.batch, 8);
}

/* --- rejections: exact one-line messages ------------------------------ */

Test(gen_options, port_out_of_range)
{
	REJECT("sluice-gen: --port: 70000 is out of range 1..65535",
	       "send", "--dst", "127.0.0.1", "--port", "70000");
	REJECT("sluice-gen: --port: 0 is out of range 1..65535",
	       "sink", "--port", "0");
	REJECT("sluice-gen: --port: 99999999999999999999999 is out of range 1..65535",
	       "sink", "--port", "99999999999999999999999");
}

Test(gen_options, port_not_a_number)
{
	REJECT("sluice-gen: --port: 9x is not a number", "sink", "--port", "9x");
	REJECT("sluice-gen: --port: -1 is not a number", "sink", "--port", "-1");
	REJECT("sluice-gen: --port: 0x10 is not a number", "sink", "--port", "0x10");
	REJECT("sluice-gen: --port: missing value", "sink", "--port=");
	REJECT("sluice-gen: --port: missing value", "sink", "--port");
}

Test(gen_options, size_limits)
{
	REJECT("sluice-gen: --size: 0 is out of range 1..65507",
	       "send", "--dst", "::1", "--port", "9", "--size", "0");
	REJECT("sluice-gen: --size: 70000 is out of range 1..65507",
	       "send", "--dst", "::1", "--port", "9", "--size", "70000");
	REJECT("sluice-gen: --size: 65508 is out of range 1..65507",
	       "send", "--dst", "::1", "--port", "9", "--size", "65508");
}

Test(gen_options, batch_limits)
{
	REJECT("sluice-gen: --batch: 0 is out of range 1..1024",
	       "send", "--dst", "::1", "--port", "9", "--batch", "0");
	REJECT("sluice-gen: --batch: 2000 is out of range 1..1024",
	       "send", "--dst", "::1", "--port", "9", "--batch", "2000");
}

Test(gen_options, other_numeric_limits)
{
	REJECT("sluice-gen: --gso: 0 is out of range 1..65507",
	       "send", "--dst", "::1", "--port", "9", "--gso", "0");
	REJECT("sluice-gen: --rate: 1000000001 is out of range 0..1000000000",
	       "send", "--dst", "::1", "--port", "9", "--rate", "1000000001");
	REJECT("sluice-gen: --count: 0 is out of range 1..18446744073709551615",
	       "send", "--dst", "::1", "--port", "9", "--count", "0");
	REJECT("sluice-gen: --cpu: 1024 is out of range 0..1023",
	       "send", "--dst", "::1", "--port", "9", "--cpu", "1024");
}

Test(gen_options, sport_range_errors)
{
	REJECT("sluice-gen: --sport-range: 5-3 is out of range: need 1 <= A <= B <= 65535",
	       "send", "--dst", "::1", "--port", "9", "--sport-range", "5-3");
	REJECT("sluice-gen: --sport-range: 0-3 is out of range: need 1 <= A <= B <= 65535",
	       "send", "--dst", "::1", "--port", "9", "--sport-range", "0-3");
	REJECT("sluice-gen: --sport-range: 1000 is not a port range A-B",
	       "send", "--dst", "::1", "--port", "9", "--sport-range", "1000");
	REJECT("sluice-gen: --sport-range: 1000-2024 has more than 1024 ports "
	       "(one socket per port, at most 1024 sockets)",
	       "send", "--dst", "::1", "--port", "9", "--sport-range", "1000-2024");
}

Test(gen_options, bad_addresses)
{
	REJECT("sluice-gen: --dst: not-an-ip is not an IPv4 or IPv6 address",
	       "send", "--dst", "not-an-ip", "--port", "9");
	REJECT("sluice-gen: --dst: 127.1 is not an IPv4 or IPv6 address",
	       "send", "--dst", "127.1", "--port", "9");
	REJECT("sluice-gen: --dst: 1.2.3.256 is not an IPv4 or IPv6 address",
	       "send", "--dst", "1.2.3.256", "--port", "9");
	REJECT("sluice-gen: --src: example.com is not an IPv4 or IPv6 address",
	       "send", "--dst", "::1", "--port", "9", "--src", "example.com");
	REJECT("sluice-gen: --bind: ::g is not an IPv4 or IPv6 address",
	       "sink", "--port", "9", "--bind", "::g");
	REJECT("sluice-gen: --dst: fe80::1%no-such-if0 is not an IPv4 or IPv6 address",
	       "send", "--dst", "fe80::1%no-such-if0", "--port", "9");
}

Test(gen_options, cross_option_rules)
{
	REJECT("sluice-gen: --count: cannot be combined with --duration",
	       "send", "--dst", "::1", "--port", "9", "--count", "5",
	       "--duration", "1");
	REJECT("sluice-gen: --src: address family does not match --dst",
	       "send", "--dst", "::1", "--port", "9", "--src", "127.0.0.1");
	REJECT("sluice-gen: --src: must be a unicast address, not a multicast group",
	       "send", "--dst", "239.1.1.1", "--port", "9", "--src", "239.1.1.2");
	REJECT("sluice-gen: --dst: an unspecified address is not a destination",
	       "send", "--dst", "0.0.0.0", "--port", "9");
	REJECT("sluice-gen: --dst: missing (required)", "send", "--port", "9");
	REJECT("sluice-gen: --port: missing (required)", "send", "--dst", "::1");
	REJECT("sluice-gen: --port: missing (required)", "sink", "--json");
}

Test(gen_options, unknown_options_and_words)
{
	REJECT("sluice-gen: --bogus: unknown option", "sink", "--port", "9", "--bogus");
	REJECT("sluice-gen: --dst: unknown option", "sink", "--port", "9", "--dst", "::1");
	REJECT("sluice-gen: --bind: unknown option", "send", "--bind", "::1");
	REJECT("sluice-gen: -x: unknown option", "sink", "-x");
	REJECT("sluice-gen: --json: takes no value", "sink", "--port", "9", "--json=yes");
	REJECT("sluice-gen: extra: unexpected argument", "sink", "--port", "9", "extra");
	REJECT("sluice-gen: blast: unknown command (send, sink or xdp); try --help", "blast");
}

Test(gen_options, missing_command)
{
	char *argv[] = { "sluice-gen", NULL };

	cr_assert_eq(gen_parse_args(1, argv, &o, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "sluice-gen: missing command (send, sink or xdp); try --help");
}

/* --- address classification ------------------------------------------ */

Test(gen_addr, classification)
{
	struct gen_addr a;

	cr_assert_eq(gen_addr_parse("10.1.2.3", &a), 0);
	cr_assert_eq(a.family, AF_INET);
	cr_assert_eq(a.len, sizeof(struct sockaddr_in));
	cr_assert_not(a.multicast);
	cr_assert_not(a.any);

	cr_assert_eq(gen_addr_parse("224.0.0.1", &a), 0);
	cr_assert(a.multicast);
	cr_assert_eq(gen_addr_parse("239.255.255.255", &a), 0);
	cr_assert(a.multicast);
	cr_assert_eq(gen_addr_parse("240.0.0.1", &a), 0);
	cr_assert_not(a.multicast, "class E is not multicast");
	cr_assert_eq(gen_addr_parse("223.255.255.255", &a), 0);
	cr_assert_not(a.multicast);
	cr_assert_eq(gen_addr_parse("0.0.0.0", &a), 0);
	cr_assert(a.any);

	cr_assert_eq(gen_addr_parse("2001:db8::1", &a), 0);
	cr_assert_eq(a.family, AF_INET6);
	cr_assert_eq(a.len, sizeof(struct sockaddr_in6));
	cr_assert_not(a.multicast);
	cr_assert_eq(gen_addr_parse("ff02::1", &a), 0);
	cr_assert(a.multicast);
	cr_assert_eq(gen_addr_parse("ff3e::8000:1", &a), 0);
	cr_assert(a.multicast);
	cr_assert_eq(gen_addr_parse("::", &a), 0);
	cr_assert(a.any);
	cr_assert_not(a.multicast);
	cr_assert_eq(gen_addr_parse("::ffff:192.0.2.1", &a), 0);
	cr_assert_eq(a.family, AF_INET6, "v4-mapped stays IPv6");
}

Test(gen_addr, scope_and_port)
{
	struct gen_addr a;
	char buf[80];

	cr_assert_eq(gen_addr_parse("fe80::1%7", &a), 0);
	cr_assert_eq(gen_addr_scope(&a), 7);
	cr_assert_eq(gen_addr_parse("fe80::1%lo", &a), 0);
	cr_assert_neq(gen_addr_scope(&a), 0, "lo resolves to its ifindex");
	cr_assert_eq(gen_addr_parse("fe80::1%", &a), -1);

	cr_assert_eq(gen_addr_parse("2001:db8::1", &a), 0);
	gen_addr_set_port(&a, 4789);
	gen_addr_format(&a, buf, sizeof(buf));
	cr_assert_str_eq(buf, "[2001:db8::1]:4789");
	cr_assert_eq(gen_addr_parse("192.0.2.9", &a), 0);
	gen_addr_set_port(&a, 53);
	gen_addr_format(&a, buf, sizeof(buf));
	cr_assert_str_eq(buf, "192.0.2.9:53");
}

/* --- value parsers ----------------------------------------------------- */

Test(gen_parse, durations)
{
	uint64_t ns = 0;

	cr_assert_eq(gen_parse_duration("0.5", &ns), 0);
	cr_assert_eq(ns, 500000000ull);
	cr_assert_eq(gen_parse_duration("2", &ns), 0);
	cr_assert_eq(ns, 2000000000ull);
	cr_assert_eq(gen_parse_duration(".25", &ns), 0);
	cr_assert_eq(ns, 250000000ull);
	cr_assert_eq(gen_parse_duration("1.000000001", &ns), 0);
	cr_assert_eq(ns, 1000000001ull);
	cr_assert_eq(gen_parse_duration("0.1", &ns), 0);
	cr_assert_eq(ns, 100000000ull, "exact, no float rounding");
	cr_assert_eq(gen_parse_duration("3.", &ns), 0);
	cr_assert_eq(ns, 3000000000ull);
	cr_assert_eq(gen_parse_duration("31536000", &ns), 0);

	cr_assert_eq(gen_parse_duration("0", &ns), GEN_ERANGE);
	cr_assert_eq(gen_parse_duration("0.0000000001", &ns), GEN_ERANGE,
		     "below one nanosecond rounds to zero");
	cr_assert_eq(gen_parse_duration("31536000.5", &ns), GEN_ERANGE);
	cr_assert_eq(gen_parse_duration("99999999999999999999", &ns), GEN_ERANGE);
	cr_assert_eq(gen_parse_duration("", &ns), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_duration(".", &ns), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_duration("-1", &ns), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_duration("1e3", &ns), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_duration("1.2.3", &ns), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_duration("5s", &ns), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_duration("inf", &ns), GEN_ESYNTAX);
}

Test(gen_parse, duration_messages)
{
	REJECT("sluice-gen: --duration: abc is not a number of seconds",
	       "sink", "--port", "9", "--duration", "abc");
	REJECT("sluice-gen: --duration: 0 is out of range (0, 31536000] seconds",
	       "sink", "--port", "9", "--duration", "0");
}

Test(gen_parse, port_ranges)
{
	uint16_t lo = 0, hi = 0;

	cr_assert_eq(gen_parse_port_range("1-1", &lo, &hi), 0);
	cr_assert_eq(lo, 1);
	cr_assert_eq(hi, 1);
	cr_assert_eq(gen_parse_port_range("10000-11023", &lo, &hi), 0,
		     "exactly 1024 ports");
	cr_assert_eq(lo, 10000);
	cr_assert_eq(hi, 11023);
	cr_assert_eq(gen_parse_port_range("65535-65535", &lo, &hi), 0);

	cr_assert_eq(gen_parse_port_range("10000-11024", &lo, &hi), GEN_EMANY);
	cr_assert_eq(gen_parse_port_range("5-3", &lo, &hi), GEN_ERANGE);
	cr_assert_eq(gen_parse_port_range("0-3", &lo, &hi), GEN_ERANGE);
	cr_assert_eq(gen_parse_port_range("1-65536", &lo, &hi), GEN_ERANGE);
	cr_assert_eq(gen_parse_port_range("-3", &lo, &hi), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_port_range("3-", &lo, &hi), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_port_range("a-b", &lo, &hi), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_port_range("1-2-3", &lo, &hi), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_port_range("", &lo, &hi), GEN_ESYNTAX);
}

Test(gen_parse, u64)
{
	uint64_t v = 0;

	cr_assert_eq(gen_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	cr_assert_eq(v, UINT64_MAX);
	cr_assert_eq(gen_parse_u64("18446744073709551616", 0, UINT64_MAX, &v),
		     GEN_ERANGE);
	cr_assert_eq(gen_parse_u64("007", 0, 10, &v), 0);
	cr_assert_eq(v, 7);
	cr_assert_eq(gen_parse_u64("11", 0, 10, &v), GEN_ERANGE);
	cr_assert_eq(gen_parse_u64("+1", 0, 10, &v), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_u64(" 1", 0, 10, &v), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_u64("", 0, 10, &v), GEN_ESYNTAX);
}
