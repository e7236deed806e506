/* sl-probe: ask the daemon's real hook programs about set elements.
 *
 *   sl-probe run TYPE FAMILY DIMS LINK < elements    one "ELEM match|nomatch" per line
 *   sl-probe key TYPE FAMILY < entries                one normalized key per line
 *
 * `run` opens a pinned rule hook link (or a link id), finds its program and
 * runs each element as a frame through bpf_prog_test_run_opts: XDP_DROP or
 * TC_ACT_SHOT is a match (the test's rules drop on a match), XDP_PASS,
 * TC_ACT_OK or TCX_NEXT none. TYPE and FAMILY are ipset's ("hash:ip,port",
 * "inet6"); DIMS are the rule's ("src,dst"). The frame is built from the
 * element's text here, with the test packet builder, never with the daemon's
 * key builder (sl_set_key_build), so a key layout bug shared by the daemon
 * and the BPF program still shows. The header fields no dimension names get
 * fillers that no test set holds. hash:mac and bitmap:port see both
 * families: line by line the frames go IPv4 TCP, IPv4 UDP, IPv6 TCP, IPv6
 * UDP. Net types take host addresses (a packet has no prefix).
 *
 * `key` reads entries as `ipset save` prints them (without "add NAME") and
 * prints each as the fields a key of its type holds, in the form the test
 * makes of `bpftool map dump`: "cidr addr port proto addr2 mac nomatch timed",
 * addresses and MACs as decimal bytes joined by dots, the port as the number
 * its two bytes make in network order (ICMP: type << 8 | code), "-" where
 * the type has no such field. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>

#include "../bpf/pkt.h"

enum kind { K_IP, K_NET, K_IPPORT, K_NETPORT, K_IPPORTIP, K_MAC, K_PORT };

static const struct {
	const char *name;
	enum kind kind;
	int dims;
} types[] = {
	{ "hash:ip", K_IP, 1 },           { "hash:net", K_NET, 1 },
	{ "hash:ip,port", K_IPPORT, 2 },  { "hash:net,port", K_NETPORT, 2 },
	{ "hash:ip,port,ip", K_IPPORTIP, 3 }, { "hash:mac", K_MAC, 1 },
	{ "bitmap:port", K_PORT, 1 },
};

struct elem {
	int af;                  /* AF_INET or AF_INET6 */
	unsigned char addr[16], addr2[16], mac[6];
	int cidr;                /* net types; the full length when not given */
	int proto;               /* IPPROTO_*; -1 when the type has none */
	unsigned port;           /* ICMP: type << 8 | code */
};

/* fillers: no test set holds these */
#define FILL4 "192.0.2.254"
#define FILL6 "3fff::fe"
#define FILL_PORT 65000
static const unsigned char fill_mac[6] = { 0x02, 0xff, 0xff, 0xff, 0xff, 0xfe };

static bool parse_addr(const char *s, int af, unsigned char *out, int *cidr)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out, 0, 16);
	if (inet_pton(af, buf, out) != 1)
		return false;
	*cidr = af == AF_INET ? 32 : 128;
	if (slash) {
		char *end;
		long c = strtol(slash + 1, &end, 10);

		if (*end || c < 1 || c > *cidr)
			return false;
		*cidr = (int)c;
	}
	return true;
}

static bool parse_num(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return false;
	v = strtoul(s, &end, 10);
	if (*end || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

/* "tcp:80", "udp:53", "sctp:9", "icmp:8/0", "icmpv6:128/0", "80" (TCP); ICMP
 * types by number only (the test draws types ipset has no name for) */
static bool parse_port(const char *s, struct elem *e)
{
	static const struct {
		const char *name;
		int proto;
	} protos[] = { { "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP }, { "sctp", IPPROTO_SCTP },
		       { "udplite", IPPROTO_UDPLITE }, { "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
		       { "ipv6-icmp", IPPROTO_ICMPV6 } /* as ipset save prints it */ };
	const char *colon = strchr(s, ':');

	e->proto = IPPROTO_TCP;
	if (colon) {
		size_t n = (size_t)(colon - s), i;

		for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
			if (strlen(protos[i].name) == n && !strncmp(s, protos[i].name, n))
				break;
		if (i == sizeof(protos) / sizeof(protos[0]))
			return false;
		e->proto = protos[i].proto;
		s = colon + 1;
	}
	if (e->proto == IPPROTO_ICMP || e->proto == IPPROTO_ICMPV6) {
		unsigned type, code;
		char t[8];
		const char *slash = strchr(s, '/');

		if (!slash || (size_t)(slash - s) >= sizeof(t))
			return false;
		memcpy(t, s, (size_t)(slash - s));
		t[slash - s] = '\0';
		if (!parse_num(t, 255, &type) || !parse_num(slash + 1, 255, &code))
			return false;
		e->port = type << 8 | code;
		return true;
	}
	return parse_num(s, 65535, &e->port);
}

static bool parse_mac(const char *s, unsigned char mac[6])
{
	unsigned b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)b[i];
	return true;
}

/* Split `text` (modified) at commas into the element of `kind`. */
static bool parse_elem(enum kind kind, int af, char *text, struct elem *e)
{
	char *part[3] = { text, NULL, NULL };
	int n = 1, cidr2;

	memset(e, 0, sizeof(*e));
	e->af = af;
	e->proto = -1;
	for (char *c = text; *c; c++)
		if (*c == ',') {
			if (n == 3)
				return false;
			*c = '\0';
			part[n++] = c + 1;
		}
	switch (kind) {
	case K_IP:
	case K_NET:
		return n == 1 && parse_addr(part[0], af, e->addr, &e->cidr);
	case K_IPPORT:
	case K_NETPORT:
		return n == 2 && parse_addr(part[0], af, e->addr, &e->cidr) && parse_port(part[1], e);
	case K_IPPORTIP:
		return n == 3 && parse_addr(part[0], af, e->addr, &e->cidr) && parse_port(part[1], e) &&
		       parse_addr(part[2], af, e->addr2, &cidr2);
	case K_MAC: /* the last part: bitmap:ip,mac entries stand in for hash:mac */
		return parse_mac(part[n - 1], e->mac);
	case K_PORT:
		return n == 1 && parse_num(part[0], 65535, &e->port);
	}
	return false;
}

/* --- run: frames through the program --------------------------------------- */

struct frame_fields {
	int af;
	unsigned char saddr[16], daddr[16], smac[6], dmac[6];
	int proto;
	unsigned sport, dport;
};

/* Put each dimension of `e` on the side DIMS names; false on a conflict. */
static bool place(enum kind kind, const struct elem *e, const bool src[3], int line, struct frame_fields *f)
{
	memset(f, 0, sizeof(*f));
	f->af = e->af;
	if (kind == K_MAC || kind == K_PORT)
		f->af = line & 2 ? AF_INET6 : AF_INET;
	inet_pton(f->af, f->af == AF_INET ? FILL4 : FILL6, f->saddr);
	memcpy(f->daddr, f->saddr, 16);
	memcpy(f->smac, fill_mac, 6);
	memcpy(f->dmac, fill_mac, 6);
	f->proto = kind == K_PORT ? (line & 1 ? IPPROTO_UDP : IPPROTO_TCP) : IPPROTO_UDP;
	f->sport = f->dport = FILL_PORT;
	switch (kind) {
	case K_MAC:
		memcpy(src[0] ? f->smac : f->dmac, e->mac, 6);
		return true;
	case K_PORT:
		*(src[0] ? &f->sport : &f->dport) = e->port;
		return true;
	default:
		break;
	}
	memcpy(src[0] ? f->saddr : f->daddr, e->addr, 16);
	if (kind == K_IPPORTIP) {
		if (src[2] == src[0])
			return false; /* both addresses on one side */
		memcpy(src[2] ? f->saddr : f->daddr, e->addr2, 16);
	}
	if (e->proto >= 0) {
		f->proto = e->proto;
		if (e->proto == IPPROTO_ICMP || e->proto == IPPROTO_ICMPV6)
			f->sport = f->dport = e->port; /* type and code: no direction */
		else
			*(src[1] ? &f->sport : &f->dport) = e->port;
	}
	return true;
}

static size_t build(const struct frame_fields *f, uint8_t *buf, size_t cap)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	struct pkt p;

	inet_ntop(f->af, f->saddr, s, sizeof(s));
	inet_ntop(f->af, f->daddr, d, sizeof(d));
	pkt_init(&p, buf, cap);
	pkt_eth(&p, f->dmac, f->smac);
	if (f->af == AF_INET)
		pkt_ip4(&p, &(struct pkt_ip4){ .src = s, .dst = d, .proto = (uint8_t)f->proto });
	else
		pkt_ip6(&p, &(struct pkt_ip6){ .src = s, .dst = d, .nexthdr = (uint8_t)f->proto });
	switch (f->proto) {
	case IPPROTO_TCP:
		pkt_tcp(&p, (uint16_t)f->sport, (uint16_t)f->dport, 0x02);
		break;
	case IPPROTO_UDP:
		pkt_udp(&p, (uint16_t)f->sport, (uint16_t)f->dport);
		break;
	case IPPROTO_ICMP: /* type and code are both "ports" */
		pkt_icmp(&p, (uint8_t)(f->dport >> 8), (uint8_t)f->dport);
		break;
	case IPPROTO_ICMPV6:
		pkt_icmp6(&p, (uint8_t)(f->dport >> 8), (uint8_t)f->dport);
		break;
	default: { /* SCTP, UDP-Lite: ports lead the header (the IP header names the protocol) */
		uint8_t h[12] = { f->sport >> 8, f->sport & 0xff, f->dport >> 8, f->dport & 0xff };

		pkt_bytes(&p, h, sizeof(h));
		break;
	}
	}
	pkt_fill(&p, 0xab, 16);
	pkt_finish(&p);
	return pkt_ok(&p) ? p.len : 0;
}

/* the program behind a pinned link path, a link id, or prog:ID (a legacy
 * tc filter's program, which no link holds) */
static int open_prog(const char *link, __u32 *type)
{
	struct bpf_link_info li = { 0 };
	struct bpf_prog_info pi = { 0 };
	__u32 len = sizeof(li);
	char *end;
	unsigned long id = strtoul(link, &end, 10);
	int lfd, pfd;

	if (!strncmp(link, "prog:", 5)) {
		li.prog_id = (__u32)strtoul(link + 5, NULL, 10);
	} else {
		lfd = *end || end == link ? bpf_obj_get(link) : bpf_link_get_fd_by_id((__u32)id);
		if (lfd < 0 || bpf_obj_get_info_by_fd(lfd, &li, &len)) {
			fprintf(stderr, "sl-probe: link %s: %s\n", link, strerror(errno));
			return -1;
		}
		close(lfd);
	}
	pfd = bpf_prog_get_fd_by_id(li.prog_id);
	len = sizeof(pi);
	if (pfd < 0 || bpf_obj_get_info_by_fd(pfd, &pi, &len)) {
		fprintf(stderr, "sl-probe: program %u of link %s: %s\n", li.prog_id, link, strerror(errno));
		return -1;
	}
	*type = pi.type;
	return pfd;
}

/* "match", "nomatch", or NULL for a verdict no rule of the test gives */
static const char *verdict(__u32 type, __u32 ret)
{
	if (type == BPF_PROG_TYPE_XDP)
		return ret == XDP_DROP ? "match" : ret == XDP_PASS ? "nomatch" : NULL;
	if (ret == TC_ACT_SHOT)
		return "match";
	/* -1: TCX_NEXT, which this libc's linux/bpf.h may not have */
	return ret == TC_ACT_OK || ret == (__u32)-1 ? "nomatch" : NULL;
}

static bool parse_dims(const char *s, int n, bool src[3])
{
	int i = 0;

	for (; i < 3 && *s; i++) {
		size_t len = strcspn(s, ",");

		if (len == 3 && !strncmp(s, "src", 3))
			src[i] = true;
		else if (len == 3 && !strncmp(s, "dst", 3))
			src[i] = false;
		else
			return false;
		s += len + (s[len] == ',');
	}
	return i == n && !*s;
}

static int run(const char *link, enum kind kind, int ndims, int af, const char *dims)
{
	char line[512];
	bool src[3] = { false };
	__u32 type;
	int pfd, n = 0, rc = 0;

	if (!parse_dims(dims, ndims, src)) {
		fprintf(stderr, "sl-probe: '%s' is not %d of src/dst\n", dims, ndims);
		return 2;
	}
	if ((pfd = open_prog(link, &type)) < 0)
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		uint8_t frame[PKT_MAX];
		char text[512];
		struct frame_fields f;
		struct elem e;
		size_t len;
		const char *v;

		line[strcspn(line, "\r\n")] = '\0';
		if (!*line)
			continue;
		snprintf(text, sizeof(text), "%s", line);
		if (!parse_elem(kind, af, text, &e) || (kind == K_NET || kind == K_NETPORT ?
							 e.cidr != (af == AF_INET ? 32 : 128) : false)) {
			printf("%s error: not an element of this type (net types take hosts)\n", line);
			rc = 1;
			continue;
		}
		if (!place(kind, &e, src, n++, &f) || !(len = build(&f, frame, sizeof(frame)))) {
			printf("%s error: no frame for it\n", line);
			rc = 1;
			continue;
		}
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (__u32)len, .repeat = 1);
		if (bpf_prog_test_run_opts(pfd, &o)) {
			printf("%s error: test run: %s\n", line, strerror(errno));
			rc = 1;
		} else if (!(v = verdict(type, o.retval))) {
			printf("%s error: verdict %d\n", line, (int)o.retval);
			rc = 1;
		} else {
			printf("%s %s\n", line, v);
		}
	}
	close(pfd);
	return rc;
}

/* --- key: ipset's entries as the fields of a key ----------------------------- */

static void bytes(const unsigned char *b, int n)
{
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "." : "", b[i]);
	putchar(' ');
}

static int key(enum kind kind, int af)
{
	char line[512];
	int rc = 0;

	while (fgets(line, sizeof(line), stdin)) {
		char *opts = line + strcspn(line, " \r\n"), *t;
		bool nomatch = false, timed = false;
		int alen = af == AF_INET ? 4 : 16;
		struct elem e;

		if (*opts == ' ')
			for (*opts++ = '\0'; (t = strtok(opts, " \r\n")); opts = NULL) {
				nomatch |= !strcmp(t, "nomatch");
				if (!strcmp(t, "timeout") && (t = strtok(NULL, " \r\n")))
					timed = atol(t) > 0;
			}
		else
			*opts = '\0';
		if (!*line)
			continue;
		if (!parse_elem(kind, af, line, &e)) {
			printf("error: '%s' is not an element of this type\n", line);
			rc = 1;
			continue;
		}
		if (kind == K_NET || kind == K_NETPORT)
			printf("%d ", e.cidr);
		else
			printf("- ");
		if (kind == K_MAC || kind == K_PORT)
			printf("- ");
		else
			bytes(e.addr, alen);
		if (e.proto >= 0 || kind == K_PORT)
			printf("%u ", e.port);
		else
			printf("- ");
		if (e.proto >= 0)
			printf("%d ", e.proto);
		else
			printf("- ");
		if (kind == K_IPPORTIP)
			bytes(e.addr2, alen);
		else
			printf("- ");
		if (kind == K_MAC)
			bytes(e.mac, 6);
		else
			printf("- ");
		printf("%d %d\n", nomatch, timed);
	}
	return rc;
}

int main(int argc, char **argv)
{
	int t, af, n = (int)(sizeof(types) / sizeof(types[0]));

	if (argc < 4)
		goto usage;
	for (t = 0; t < n && strcmp(types[t].name, argv[2]); t++)
		;
	af = !strcmp(argv[3], "inet6") ? AF_INET6 : AF_INET;
	if (t == n || (strcmp(argv[3], "inet") && strcmp(argv[3], "inet6") && strcmp(argv[3], "-")))
		goto usage;
	if (!strcmp(argv[1], "key") && argc == 4)
		return key(types[t].kind, af);
	if (!strcmp(argv[1], "run") && argc == 6)
		return run(argv[5], types[t].kind, types[t].dims, af, argv[4]);
usage:
	fprintf(stderr, "usage: sl-probe run TYPE inet|inet6|- DIMS LINK < elements\n"
			"       sl-probe key TYPE inet|inet6|- < entries\n");
	return 2;
}
