/* Numeric IPv4/IPv6 addresses only: a traffic tool should never stall on
 * DNS or pick a family behind the user's back. inet_pton is used instead of
 * getaddrinfo(AI_NUMERICHOST) because the latter accepts "127.1" and "1".
 */
#include "gen.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

/* "%eth0" or "%2" after an IPv6 address: link-local needs an interface. */
static int parse_scope(const char *s, uint32_t *scope)
{
	uint64_t v;

	if (gen_parse_u64(s, 1, UINT32_MAX, &v) == 0) {
		*scope = (uint32_t)v;
		return 0;
	}
	*scope = if_nametoindex(s);
	return *scope ? 0 : -1;
}

int gen_addr_parse(const char *s, struct gen_addr *a)
{
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	struct sockaddr_in *in4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	if (!s || strlen(s) >= sizeof(buf))
		return -1;
	if (inet_pton(AF_INET, s, &in4->sin_addr) == 1) {
		uint32_t h = ntohl(in4->sin_addr.s_addr);

		in4->sin_family = AF_INET;
		a->family = AF_INET;
		a->len = sizeof(*in4);
		a->multicast = IN_MULTICAST(h);
		a->any = h == INADDR_ANY;
		return 0;
	}

	strcpy(buf, s);
	char *pct = strchr(buf, '%');
	uint32_t scope = 0;
	if (pct) {
		*pct = '\0';
		if (parse_scope(pct + 1, &scope) < 0)
			return -1;
	}
	if (inet_pton(AF_INET6, buf, &in6->sin6_addr) != 1)
		return -1;
	in6->sin6_family = AF_INET6;
	in6->sin6_scope_id = scope;
	a->family = AF_INET6;
	a->len = sizeof(*in6);
	a->multicast = IN6_IS_ADDR_MULTICAST(&in6->sin6_addr);
	a->any = IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
	return 0;
}

void gen_addr_set_port(struct gen_addr *a, uint16_t port)
{
	if (a->family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
}

uint32_t gen_addr_scope(const struct gen_addr *a)
{
	if (a->family != AF_INET6)
		return 0;
	return ((const struct sockaddr_in6 *)&a->ss)->sin6_scope_id;
}

/* "1.2.3.4:53" or "[::1]:53", for error messages; with_port false: the
 * address alone. */
static void format(const struct gen_addr *a, bool with_port, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (a->family == AF_INET) {
		const struct sockaddr_in *in4 = (const void *)&a->ss;

		inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, with_port ? "%s:%u" : "%s", ip, ntohs(in4->sin_port));
	} else {
		const struct sockaddr_in6 *in6 = (const void *)&a->ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, with_port ? "[%s]:%u" : "%s", ip, ntohs(in6->sin6_port));
	}
}

void gen_addr_format(const struct gen_addr *a, char *buf, size_t len)
{
	format(a, true, buf, len);
}

void gen_addr_ip(const struct gen_addr *a, char *buf, size_t len)
{
	format(a, false, buf, len);
}
