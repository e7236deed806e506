/* The sender's sockets: one per --sport-range port (or a single one),
 * never connected, so every message carries its destination and an ICMP
 * error cannot latch onto the socket and stop the traffic.
 */
#include "gen.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <unistd.h>

static int opt_int(int fd, int level, int name, int val, const char *what,
		   char *err, size_t errlen)
{
	if (setsockopt(fd, level, name, &val, sizeof(val)) == 0)
		return 0;
	snprintf(err, errlen, "%s: setsockopt(%s): %s", GEN_NAME, what,
		 strerror(errno));
	return -1;
}

/* IPv6 picks the multicast interface by index, not by address: find the
 * interface that owns --src. */
static unsigned v6_ifindex_of(const struct gen_addr *src)
{
	const struct sockaddr_in6 *want = (const void *)&src->ss;
	struct ifaddrs *ifs, *i;
	unsigned idx = 0;

	if (want->sin6_scope_id)
		return want->sin6_scope_id;
	if (getifaddrs(&ifs) < 0)
		return 0;
	for (i = ifs; i && !idx; i = i->ifa_next) {
		const struct sockaddr_in6 *a = (const void *)i->ifa_addr;

		if (a && a->sin6_family == AF_INET6 &&
		    !memcmp(&a->sin6_addr, &want->sin6_addr, sizeof(a->sin6_addr)))
			idx = if_nametoindex(i->ifa_name);
	}
	freeifaddrs(ifs);
	return idx;
}

static int multicast(int fd, const struct gen_opts *o, char *err, size_t n)
{
	if (o->dst.family == AF_INET) {
		if (opt_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 1,
			    "IP_MULTICAST_LOOP", err, n) < 0 ||
		    opt_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, 1,
			    "IP_MULTICAST_TTL", err, n) < 0)
			return -1;
		if (!o->has_src)
			return 0;
		const struct sockaddr_in *s = (const void *)&o->src.ss;
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &s->sin_addr,
			       sizeof(s->sin_addr)) == 0)
			return 0;
		snprintf(err, n, "%s: setsockopt(IP_MULTICAST_IF): %s",
			 GEN_NAME, strerror(errno));
		return -1;
	}

	if (opt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1,
		    "IPV6_MULTICAST_LOOP", err, n) < 0 ||
	    opt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 1,
		    "IPV6_MULTICAST_HOPS", err, n) < 0)
		return -1;
	unsigned idx = gen_addr_scope(&o->dst);
	if (!idx && o->has_src && !o->src.any) {
		idx = v6_ifindex_of(&o->src);
		if (!idx) {
			snprintf(err, n, "%s: --src: no interface has this "
				 "IPv6 address", GEN_NAME);
			return -1;
		}
	}
	if (!idx)
		return 0;
	return opt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int)idx,
		       "IPV6_MULTICAST_IF", err, n);
}

static int bind_src(int fd, const struct gen_opts *o, uint16_t port,
		    char *err, size_t n)
{
	struct gen_addr a;
	char where[80];

	if (o->has_src) {
		a = o->src;
	} else {
		/* a wildcard of the destination's family, port only */
		memset(&a, 0, sizeof(a));
		a.family = o->dst.family;
		a.ss.ss_family = (sa_family_t)a.family;
		a.len = a.family == AF_INET ? sizeof(struct sockaddr_in)
					    : sizeof(struct sockaddr_in6);
	}
	gen_addr_set_port(&a, port);
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) == 0)
		return 0;
	gen_addr_format(&a, where, sizeof(where));
	snprintf(err, n, "%s: bind %s: %s", GEN_NAME, where, strerror(errno));
	return -1;
}

static int setup(int fd, const struct gen_opts *o, uint16_t port,
		 char *err, size_t n)
{
	/* lets a broadcast --dst work instead of failing with EACCES */
	if (o->dst.family == AF_INET &&
	    opt_int(fd, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST", err, n) < 0)
		return -1;
	if (o->dst.multicast && multicast(fd, o, err, n) < 0)
		return -1;
	if (o->gso && opt_int(fd, SOL_UDP, UDP_SEGMENT, (int)o->gso,
			      "UDP_SEGMENT", err, n) < 0)
		return -1;
	if ((o->has_src || port) && bind_src(fd, o, port, err, n) < 0)
		return -1;
	return 0;
}

int gen_tx_open(const struct gen_opts *o, int *fds, uint32_t nfds,
		char *err, size_t errlen)
{
	uint32_t i;

	for (i = 0; i < nfds; i++)
		fds[i] = -1;
	for (i = 0; i < nfds; i++) {
		uint16_t port = o->sport_lo ? (uint16_t)(o->sport_lo + i) : 0;

		fds[i] = socket(o->dst.family, SOCK_DGRAM | SOCK_CLOEXEC,
				IPPROTO_UDP);
		if (fds[i] < 0) {
			snprintf(err, errlen, "%s: socket: %s", GEN_NAME,
				 strerror(errno));
			break;
		}
		if (setup(fds[i], o, port, err, errlen) < 0)
			break;
	}
	if (i == nfds)
		return 0;
	for (uint32_t j = 0; j <= i && j < nfds; j++)
		if (fds[j] >= 0)
			close(fds[j]);
	return -1;
}
