/* What xdp mode needs to know of its device: index, MAC address, MTU, and
 * the MAC of --dst from the neighbour table (rtnetlink, libmnl) when no
 * --dst-mac is given; what it transmitted (ethtool statistics). All in the
 * current network namespace.
 */
#include "gen.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "xdp_dev.h"

#ifndef MNL_SOCKET_DUMP_SIZE
#define MNL_SOCKET_DUMP_SIZE 32768
#endif

int gen_xdp_dev_open(const char *name, struct gen_xdp_dev *d, char *err, size_t n)
{
	struct ifreq ifr = { 0 };
	int fd, rc = -1;

	memset(d, 0, sizeof(*d));
	d->ifindex = (int)if_nametoindex(name);
	if (!d->ifindex) {
		snprintf(err, n, "%s: --dev: %s: no such device in this network namespace", GEN_NAME, name);
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		snprintf(err, n, "%s: --dev %s: its MAC address: %s", GEN_NAME, name, strerror(errno));
		goto out;
	}
	memcpy(d->mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0) {
		snprintf(err, n, "%s: --dev %s: its MTU: %s", GEN_NAME, name, strerror(errno));
		goto out;
	}
	d->mtu = (uint32_t)ifr.ifr_mtu;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

struct neigh_want {
	int ifindex, family;
	const void *addr;
	size_t alen;
	uint8_t *mac;
	bool found;
};

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	struct neigh_want *w = data;
	const void *dst = NULL, *ll = NULL;
	const struct nlattr *a;

	if (nd->ndm_ifindex != w->ifindex || nd->ndm_family != w->family ||
	    (nd->ndm_state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP)))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*nd)) {
		if (mnl_attr_get_type(a) == NDA_DST && mnl_attr_get_payload_len(a) == w->alen)
			dst = mnl_attr_get_payload(a);
		else if (mnl_attr_get_type(a) == NDA_LLADDR && mnl_attr_get_payload_len(a) == 6)
			ll = mnl_attr_get_payload(a);
	}
	if (dst && ll && !memcmp(dst, w->addr, w->alen)) {
		memcpy(w->mac, ll, 6);
		w->found = true;
	}
	return MNL_CB_OK;
}

int gen_xdp_neigh_mac(int ifindex, const struct gen_addr *dst, uint8_t mac[6])
{
	char *buf = malloc(MNL_SOCKET_DUMP_SIZE);
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct neigh_want w = { .ifindex = ifindex, .family = dst->family, .mac = mac };
	unsigned seq = (unsigned)time(NULL), port;
	struct nlmsghdr *nlh;
	struct ndmsg *nd;
	int r = MNL_CB_OK;
	ssize_t len;

	if (dst->family == AF_INET) {
		w.addr = &((const struct sockaddr_in *)&dst->ss)->sin_addr;
		w.alen = 4;
	} else {
		w.addr = &((const struct sockaddr_in6 *)&dst->ss)->sin6_addr;
		w.alen = 16;
	}
	if (!buf || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = (uint8_t)dst->family;
	port = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	while (r > MNL_CB_STOP && (len = mnl_socket_recvfrom(nl, buf, MNL_SOCKET_DUMP_SIZE)) > 0)
		r = mnl_cb_run(buf, (size_t)len, seq, port, neigh_cb, &w);
out:
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	return w.found ? 0 : -1;
}

/* sum the statistic names ending in "_xdp_xmit" and "_xdp_xmit_errors" */
static void xmit_sums(const struct ethtool_gstrings *names, const struct ethtool_stats *vals,
		      struct gen_xdp_xmit *x)
{
	for (uint32_t i = 0; i < names->len; i++) {
		char name[ETH_GSTRING_LEN + 1] = "";
		size_t l;

		memcpy(name, names->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		l = strlen(name);
		if (l >= 9 && !strcmp(name + l - 9, "_xdp_xmit")) {
			x->sent += vals->data[i];
			x->has_sent = true;
		} else if (l >= 16 && !strcmp(name + l - 16, "_xdp_xmit_errors")) {
			x->errors += vals->data[i];
		}
	}
}

int gen_xdp_xmit_stats(const char *dev, struct gen_xdp_xmit *x)
{
	struct { struct ethtool_sset_info hdr; uint32_t len; } info = {
		.hdr = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ull << ETH_SS_STATS } };
	struct ethtool_gstrings *names = NULL;
	struct ethtool_stats *vals = NULL;
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;
	uint32_t n;

	memset(x, 0, sizeof(*x));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_data = (void *)&info;
	if (fd < 0 || ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		goto out;
	n = info.hdr.sset_mask ? info.len : 0;
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	vals = calloc(1, sizeof(*vals) + (size_t)n * sizeof(uint64_t));
	if (!names || !vals)
		goto out;
	*names = (struct ethtool_gstrings){ .cmd = ETHTOOL_GSTRINGS, .string_set = ETH_SS_STATS, .len = n };
	*vals = (struct ethtool_stats){ .cmd = ETHTOOL_GSTATS, .n_stats = n };
	ifr.ifr_data = (void *)names;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		goto out;
	ifr.ifr_data = (void *)vals;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		goto out;
	xmit_sums(names, vals, x);
	rc = 0;
out:
	free(names);
	free(vals);
	if (fd >= 0)
		close(fd);
	return rc;
}
