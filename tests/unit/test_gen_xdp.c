/* sluice-gen xdp without a kernel: its command line (ranges, CPU lists,
 * MACs, what it requires and refuses), the template frame's checksums and
 * the program's config, and its summary. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <string.h>

#include "../../tools/sluice-gen/gen.h"
#include "sluice/gen_xdp.h"

static struct gen_opts o;
static char err[GEN_ERRLEN];

#define XDP_ARGS(...) ({                                                               \
	char *argv_[] = { "sluice-gen", "xdp", __VA_ARGS__, NULL };                    \
	gen_parse_args((int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_, &o, err, sizeof(err)); \
})
#define OK(...) XDP_ARGS("--dev", "veth0", "--port", "5000", __VA_ARGS__)

static void refused(int rc, const char *want)
{
	cr_assert_eq(rc, -1, "accepted, wanted: %s", want);
	cr_assert(strstr(err, want), "message '%s' lacks '%s'", err, want);
}

Test(gen_xdp, ranges)
{
	struct gen_addr a;
	uint32_t n;

	cr_assert_eq(gen_parse_addr_range("10.0.0.1", &a, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(gen_parse_addr_range("10.0.0.1-10.0.1.0", &a, &n), 0);
	cr_assert_eq(n, 256);
	cr_assert_eq(gen_addr_low32(&a), 0x0a000001);
	cr_assert_eq(gen_parse_addr_range("100.64.0.0+1000000", &a, &n), 0);
	cr_assert_eq(n, 1000000);
	cr_assert_eq(gen_parse_addr_range("fd00::1:ff00+300", &a, &n), 0);
	cr_assert_eq(a.family, AF_INET6);
	cr_assert_eq(gen_addr_low32(&a), 0x0001ff00);
	cr_assert_eq(gen_parse_addr_range("fd00::1-fd00::ffff:ffff", &a, &n), 0);
	cr_assert_eq(n, 0xffffffffu);
	cr_assert_eq(gen_parse_addr_range("255.255.255.255+1", &a, &n), 0);
	/* ranges that are not */
	cr_assert_eq(gen_parse_addr_range("10.0.0.2-10.0.0.1", &a, &n), GEN_ERANGE);
	cr_assert_eq(gen_parse_addr_range("fd00::1-fd01::2", &a, &n), GEN_ERANGE, "high 96 bits differ");
	cr_assert_eq(gen_parse_addr_range("10.0.0.1-fd00::2", &a, &n), GEN_ERANGE);
	cr_assert_eq(gen_parse_addr_range("0.0.0.0-255.255.255.255", &a, &n), GEN_ERANGE, "2^32 addresses");
	cr_assert_eq(gen_parse_addr_range("255.255.255.255+2", &a, &n), GEN_ERANGE);
	cr_assert_eq(gen_parse_addr_range("10.0.0.1+0", &a, &n), GEN_ERANGE);
	cr_assert_eq(gen_parse_addr_range("10.0.0.1+", &a, &n), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_addr_range("10.0.0.1-", &a, &n), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_addr_range("host+3", &a, &n), GEN_ESYNTAX);
}

Test(gen_xdp, cpu_lists_and_macs)
{
	uint16_t cpus[4];
	uint32_t n;
	uint8_t mac[6];

	cr_assert_eq(gen_parse_cpu_list("0,2-3", cpus, 4, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert(cpus[0] == 0 && cpus[1] == 2 && cpus[2] == 3);
	cr_assert_eq(gen_parse_cpu_list("3-1", cpus, 4, &n), GEN_ERANGE);
	cr_assert_eq(gen_parse_cpu_list("1,0-2", cpus, 4, &n), GEN_ERANGE, "CPU 1 twice");
	cr_assert_eq(gen_parse_cpu_list("0-4", cpus, 4, &n), GEN_EMANY);
	cr_assert_eq(gen_parse_cpu_list("1024", cpus, 4, &n), GEN_ERANGE);
	cr_assert_eq(gen_parse_cpu_list(",", cpus, 4, &n), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_cpu_list("a", cpus, 4, &n), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_mac("02:aB:00:00:00:ff", mac), 0);
	cr_assert(mac[0] == 2 && mac[1] == 0xab && mac[5] == 0xff);
	cr_assert_eq(gen_parse_mac("02:ab:00:00:00", mac), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_mac("02:ab:00:00:00:ff:", mac), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_mac("02-ab-00-00-00-ff", mac), GEN_ESYNTAX);
	cr_assert_eq(gen_parse_mac("2:ab:00:00:00:ff", mac), GEN_ESYNTAX);
}

Test(gen_xdp, options)
{
	cr_assert_eq(OK("--src", "10.0.0.1+1000000", "--dst", "10.1.0.1-10.1.0.4"), 0, "%s", err);
	cr_assert_eq(o.mode, GEN_MODE_XDP);
	cr_assert_str_eq(o.xdp.dev, "veth0");
	cr_assert_eq(o.xdp.src_n, 1000000);
	cr_assert_eq(o.xdp.dst_n, 4);
	cr_assert(o.xdp.dport_lo == 5000 && o.xdp.dport_hi == 5000);
	cr_assert(o.sport_lo == 5000 && o.sport_hi == 5000, "source port: the destination's by default");
	cr_assert_eq(o.batch, 64);
	cr_assert(!o.xdp.has_dst_mac && !o.xdp.ncpus && !o.xdp.threads);

	cr_assert_eq(XDP_ARGS("--dev", "v", "--src", "fd00::1", "--dst", "fd00::2", "--port", "1-65535",
			      "--sport-range", "1-40000", "--cpu", "0-1", "--threads", "2", "--batch", "256",
			      "--dst-mac", "02:00:00:00:00:01", "--size", "1452", "--count", "5", "--json"), 0, "%s", err);
	cr_assert(o.xdp.dport_lo == 1 && o.xdp.dport_hi == 65535);
	cr_assert(o.sport_lo == 1 && o.sport_hi == 40000, "xdp takes more ports than send's 1024 sockets");
	cr_assert_eq(o.xdp.ncpus, 2);
	cr_assert(o.xdp.has_dst_mac && o.xdp.dst_mac[5] == 1);

	refused(XDP_ARGS("--src", "10.0.0.1", "--dst", "10.0.0.2", "--port", "1"), "--dev: missing");
	refused(OK("--dst", "10.0.0.2"), "--src: missing");
	refused(OK("--src", "10.0.0.1"), "--dst: missing");
	refused(OK("--src", "fd00::1", "--dst", "10.0.0.2"), "--src: address family does not match");
	refused(OK("--src", "10.0.0.9-10.0.0.1", "--dst", "10.0.0.2"), "--src: 10.0.0.9-10.0.0.1 is not a range");
	refused(OK("--src", "10.0.0.1", "--dst", "nowhere"), "--dst: nowhere is not an address, A-B or A+N");
	refused(OK("--src", "224.0.0.1", "--dst", "10.0.0.2"), "--src: must be a unicast address");
	refused(OK("--src", "0.0.0.0", "--dst", "10.0.0.2"), "--src: must be unicast addresses");
	refused(OK("--src", "10.0.0.1", "--dst", "10.0.0.2", "--port", "9-8"), "--port: 9-8 is not a port");
	refused(OK("--src", "10.0.0.1", "--dst", "10.0.0.2", "--batch", "257"), "--batch: 257 is out of range 1..256");
	refused(OK("--src", "10.0.0.1", "--dst", "10.0.0.2", "--size", "1473"), "--size: 1473 is out of range 1..1472");
	refused(OK("--src", "fd00::1", "--dst", "fd00::2", "--size", "1453"), "--size: 1453 does not fit");
	refused(OK("--src", "10.0.0.1", "--dst", "10.0.0.2", "--cpu", "0,0"), "--cpu: 0,0: each CPU");
	refused(OK("--src", "10.0.0.1", "--dst", "10.0.0.2", "--cpu", "0", "--threads", "2"),
		"--threads: 2 does not match the 1 CPUs");
	refused(OK("--src", "10.0.0.1", "--dst", "10.0.0.2", "--threads", "65"), "--threads: 65 is out of range 1..64");
	refused(OK("--src", "10.0.0.1", "--dst", "10.0.0.2", "--dst-mac", "zz:00:00:00:00:00"), "--dst-mac: zz");
	refused(OK("--src", "10.0.0.1", "--dst", "10.0.0.2", "--gso", "100"), "--gso: unknown option");
	refused(OK("--src", "10.0.0.1", "--dst", "10.0.0.2", "--count", "1", "--duration", "1"),
		"--count: cannot be combined with --duration");
}

/* one's complement sum of a region: 0xffff over a region whose checksum is right */
static uint16_t folded(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

Test(gen_xdp, template_frames)
{
	static const uint8_t src_mac[6] = { 2, 0, 0, 0, 0, 0xaa };
	struct sl_gen_xdp_cfg cfg;
	uint8_t buf[2048];
	size_t n;

	cr_assert_eq(OK("--src", "10.0.0.1+5", "--dst", "10.1.0.1", "--sport-range", "7-9", "--size", "19",
			"--dst-mac", "02:00:00:00:00:bb"), 0, "%s", err);
	n = gen_xdp_frame(&o, src_mac, buf, sizeof(buf), &cfg);
	cr_assert_eq(n, 14 + 20 + 8 + 19);
	cr_assert(buf[5] == 0xbb && buf[11] == 0xaa && buf[12] == 0x08 && buf[13] == 0x00);
	cr_assert_eq(folded(0, buf + 14, 20), 0xffff, "IPv4 header checksum");
	cr_assert(buf[14 + 20 + 6] == 0 && buf[14 + 20 + 7] == 0, "no UDP checksum over IPv4");
	cr_assert(cfg.family == 4 && cfg.src_n == 5 && cfg.dst_n == 1 && cfg.src_lo == 0x0a000001);
	cr_assert(cfg.sport_lo == 7 && cfg.sport_n == 3 && cfg.dport_lo == 5000 && cfg.dport_n == 1);
	cr_assert(!memcmp(&cfg.ip_csum, buf + 14 + 10, 2), "the program starts from the header's checksum");
	cr_assert_eq(gen_xdp_frame(&o, src_mac, buf, 40, &cfg), 0, "a buffer too small");

	cr_assert_eq(OK("--src", "fd00::1", "--dst", "fd00::2-fd00::3", "--size", "1",
			"--dst-mac", "02:00:00:00:00:bb"), 0, "%s", err);
	n = gen_xdp_frame(&o, src_mac, buf, sizeof(buf), &cfg);
	cr_assert_eq(n, 14 + 40 + 8 + 1);
	/* pseudo header: addresses, UDP length, next header; then UDP and payload */
	uint32_t pseudo = folded(0, buf + 14 + 8, 32) + 9 + 17;
	cr_assert_eq(folded(pseudo, buf + 54, 9), 0xffff, "UDP checksum over IPv6");
	cr_assert(cfg.family == 6 && cfg.dst_n == 2 && cfg.dst_lo == 2 && cfg.src_lo == 1);
	cr_assert(!memcmp(&cfg.udp_csum, buf + 54 + 6, 2));
}

Test(gen_xdp, summary)
{
	struct gen_result r = { .mode = GEN_MODE_XDP, .packets = 1000, .bytes = 64000, .seconds = 0.5,
				.errors = 3, .batch = 64, .size = 64, .threads = 2 };
	char line[512];
	struct json_object *j = gen_result_json(&r), *v;

	cr_assert(gen_result_line(&r, line, sizeof(line)) > 0);
	cr_assert(!strncmp(line, "xdp: packets=1000 ", 18), "%s", line);
	cr_assert(strstr(line, " errors=3 batch=64 size=64 threads=2"), "%s", line);
	cr_assert(json_object_object_get_ex(j, "mode", &v) && !strcmp(json_object_get_string(v), "xdp"));
	cr_assert(json_object_object_get_ex(j, "threads", &v) && json_object_get_int(v) == 2);
	cr_assert(json_object_object_get_ex(j, "pps", &v) && json_object_get_double(v) == 2000.0);
	cr_assert(!json_object_object_get_ex(j, "sockets", &v), "send's keys only in send");
	json_object_put(j);
}
