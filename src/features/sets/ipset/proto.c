/* Protocol names, service names and ICMP type names as ipset reads and
 * prints them. The protocols sluice matches on are built in (the names
 * Debian's /etc/protocols gives them); others, and all service names, come
 * from the system databases through the reentrant NSS calls, as ipset's
 * getprotobyname()/getservbyname() get them. */
#include "features/sets/ipset/ipset.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	uint8_t num;
	const char *name, *alias;
	enum sl_port_kind ports;
} protos[] = {
	{ IPPROTO_TCP, "tcp", "TCP", SL_PORTS_NUMBERED },
	{ IPPROTO_UDP, "udp", "UDP", SL_PORTS_NUMBERED },
	{ IPPROTO_SCTP, "sctp", "SCTP", SL_PORTS_NUMBERED },
	{ IPPROTO_UDPLITE, "udplite", "UDPLite", SL_PORTS_NUMBERED },
	{ IPPROTO_ICMP, "icmp", "ICMP", SL_PORTS_ICMP },
	{ IPPROTO_ICMPV6, "ipv6-icmp", "IPv6-ICMP", SL_PORTS_ICMPV6 },
};

/* ipset's tables (lib/icmp.c, lib/icmpv6.c), in its order: parsing takes
 * the first name the input is a prefix of, printing the first entry. */
struct icmp_name {
	const char *name;
	uint8_t type, code;
};

static const struct icmp_name icmp_names[] = {
	{ "echo-reply", 0, 0 }, { "pong", 0, 0 },
	{ "network-unreachable", 3, 0 }, { "host-unreachable", 3, 1 },
	{ "protocol-unreachable", 3, 2 }, { "port-unreachable", 3, 3 },
	{ "fragmentation-needed", 3, 4 }, { "source-route-failed", 3, 5 },
	{ "network-unknown", 3, 6 }, { "host-unknown", 3, 7 },
	{ "network-prohibited", 3, 9 }, { "host-prohibited", 3, 10 },
	{ "TOS-network-unreachable", 3, 11 }, { "TOS-host-unreachable", 3, 12 },
	{ "communication-prohibited", 3, 13 }, { "host-precedence-violation", 3, 14 },
	{ "precedence-cutoff", 3, 15 }, { "source-quench", 4, 0 },
	{ "network-redirect", 5, 0 }, { "host-redirect", 5, 1 },
	{ "TOS-network-redirect", 5, 2 }, { "TOS-host-redirect", 5, 3 },
	{ "echo-request", 8, 0 }, { "ping", 8, 0 },
	{ "router-advertisement", 9, 0 }, { "router-solicitation", 10, 0 },
	{ "ttl-zero-during-transit", 11, 0 }, { "ttl-zero-during-reassembly", 11, 1 },
	{ "ip-header-bad", 12, 0 }, { "required-option-missing", 12, 1 },
	{ "timestamp-request", 13, 0 }, { "timestamp-reply", 14, 0 },
	{ "address-mask-request", 17, 0 }, { "address-mask-reply", 18, 0 },
};

static const struct icmp_name icmpv6_names[] = {
	{ "no-route", 1, 0 }, { "communication-prohibited", 1, 1 },
	{ "address-unreachable", 1, 3 }, { "port-unreachable", 1, 4 },
	{ "packet-too-big", 2, 0 }, { "ttl-zero-during-transit", 3, 0 },
	{ "ttl-zero-during-reassembly", 3, 1 }, { "bad-header", 4, 0 },
	{ "unknown-header-type", 4, 1 }, { "unknown-option", 4, 2 },
	{ "echo-request", 128, 0 }, { "ping", 128, 0 },
	{ "echo-reply", 129, 0 }, { "pong", 129, 0 },
	{ "router-solicitation", 133, 0 }, { "router-advertisement", 134, 0 },
	{ "neighbour-solicitation", 135, 0 }, { "neigbour-solicitation", 135, 0 },
	{ "neighbour-advertisement", 136, 0 }, { "neigbour-advertisement", 136, 0 },
	{ "redirect", 137, 0 },
};

int sl_set_proto_parse(const char *text, uint8_t *proto)
{
	char buf[1024];
	struct protoent pe, *res = NULL;
	unsigned long long num;

	if (!strcasecmp(text, "icmpv6")) /* ipset's own spelling */
		text = "ipv6-icmp";
	for (size_t i = 0; i < N(protos); i++) {
		if (!strcmp(text, protos[i].name) || !strcmp(text, protos[i].alias)) {
			*proto = protos[i].num;
			return 0;
		}
	}
	if (getprotobyname_r(text, &pe, buf, sizeof(buf), &res) == 0 && res) {
		*proto = (uint8_t)res->p_proto;
		return res->p_proto > 0 && res->p_proto < 256 ? 0 : -1;
	}
	/* any number 1..255, named or not (ipset 7.17 takes 200 and lists it
	 * as 200; 0 is the kernel's refusal, the caller's to report) */
	if (sl_set_number(text, 255, &num) || num == 0)
		return -1;
	*proto = (uint8_t)num;
	return 0;
}

const char *sl_set_proto_name(uint8_t proto, char *buf, size_t size)
{
	char tmp[1024];
	struct protoent pe, *res = NULL;

	for (size_t i = 0; i < N(protos); i++)
		if (protos[i].num == proto)
			return protos[i].name;
	if (getprotobynumber_r(proto, &pe, tmp, sizeof(tmp), &res) == 0 && res)
		snprintf(buf, size, "%s", res->p_name);
	else
		snprintf(buf, size, "%u", proto);
	return buf;
}

enum sl_port_kind sl_set_proto_ports(uint8_t proto)
{
	for (size_t i = 0; i < N(protos); i++)
		if (protos[i].num == proto)
			return protos[i].ports;
	return SL_PORTS_NONE;
}

int sl_set_service_port(const char *name, const char *proto, uint16_t *port)
{
	char buf[1024];
	struct servent se, *res = NULL;
	unsigned long long num;
	int rc = sl_set_number(name, 65535, &num);

	if (rc == 0) {
		*port = (uint16_t)num;
		return 0;
	}
	if (rc == -2) /* a number, but too big: no service lookup */
		return -2;
	if (getservbyname_r(name, proto, &se, buf, sizeof(buf), &res) || !res)
		return -1;
	*port = ntohs((uint16_t)res->s_port);
	return 0;
}

static const struct icmp_name *icmp_table(bool v6, size_t *n)
{
	*n = v6 ? N(icmpv6_names) : N(icmp_names);
	return v6 ? icmpv6_names : icmp_names;
}

/* TYPE/CODE, both 0..255 */
static int icmp_numeric(const char *text, uint16_t *typecode)
{
	char type[32];
	const char *slash = strchr(text, '/');
	unsigned long long t, c;

	if (!slash || slash == text || (size_t)(slash - text) >= sizeof(type))
		return -1;
	memcpy(type, text, (size_t)(slash - text));
	type[slash - text] = '\0';
	if (sl_set_number(type, 255, &t) || sl_set_number(slash + 1, 255, &c))
		return -1;
	*typecode = (uint16_t)(t << 8 | c);
	return 0;
}

int sl_set_icmp_parse(bool v6, const char *text, uint16_t *typecode)
{
	size_t n, len = strlen(text);
	const struct icmp_name *t = icmp_table(v6, &n);

	if (len) {
		for (size_t i = 0; i < n; i++) {
			if (!strncasecmp(t[i].name, text, len)) {
				*typecode = (uint16_t)(t[i].type << 8 | t[i].code);
				return 0;
			}
		}
	}
	return icmp_numeric(text, typecode);
}

const char *sl_set_icmp_name(bool v6, uint16_t typecode, char *buf, size_t size)
{
	size_t n;
	const struct icmp_name *t = icmp_table(v6, &n);

	for (size_t i = 0; i < n; i++)
		if (t[i].type == typecode >> 8 && t[i].code == (typecode & 0xff))
			return t[i].name;
	snprintf(buf, size, "%u/%u", typecode >> 8, typecode & 0xff);
	return buf;
}
