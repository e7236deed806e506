/* A bridge's ports over rtnetlink (libmnl): a dump of the links whose
 * master is the bridge, and a socket that hears links come and go. All in
 * the caller's current network namespace. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "features/mcast.h"

/* one RTM_NEWLINK/DELLINK message into l */
static void link_of(const struct nlmsghdr *nlh, struct mcast_link *l)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	memset(l, 0, sizeof(*l));
	l->ifindex = (uint32_t)ifm->ifi_index;
	mnl_attr_for_each(a, nlh, sizeof(*ifm)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_MASTER:
			l->master = mnl_attr_get_u32(a);
			break;
		case IFLA_LINKINFO: {
			const struct nlattr *i;

			mnl_attr_for_each_nested(i, a)
				if (mnl_attr_get_type(i) == IFLA_INFO_KIND && !strcmp(mnl_attr_get_str(i), "bridge"))
					l->is_bridge = true;
			break;
		}
		}
	}
}

struct dump {
	uint32_t want_master;            /* 0: the bridge itself, by name */
	const char *bridge;
	struct mcast_link *out;
	int max, n;
	struct mcast_link self;
	bool found;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct mcast_link l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	link_of(nlh, &l);
	if (!strcmp(l.name, d->bridge)) {
		d->self = l;
		d->found = true;
	}
	if (d->want_master && l.master == d->want_master && d->n < d->max)
		d->out[d->n++] = l;
	return MNL_CB_OK;
}

/* all links of the namespace through cb */
static int dump_links(struct dump *d, struct sl_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	unsigned seq = (unsigned)time(NULL), port;
	int rc = -1;
	ssize_t n;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		sl_fail(err, SL_E_KERNEL, 0, "rtnetlink: %s", strerror(errno));
		goto out;
	}
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	port = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		sl_fail(err, SL_E_KERNEL, 0, "rtnetlink: %s", strerror(errno));
		goto out;
	}
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		int r = mnl_cb_run(buf, (size_t)n, seq, port, dump_cb, d);

		if (r == MNL_CB_ERROR) {
			sl_fail(err, SL_E_KERNEL, 0, "rtnetlink: %s", strerror(errno));
			goto out;
		}
		if (r == MNL_CB_STOP)
			break;
	}
	rc = 0;
out:
	if (nl)
		mnl_socket_close(nl);
	return rc;
}

int mcast_list_ports(const char *bridge, uint32_t *ifindex, struct mcast_link *ports, int max, int *n,
		     struct sl_error *err)
{
	struct dump d = { .bridge = bridge };

	if (dump_links(&d, err))
		return -1;
	if (!d.found)
		return sl_fail(err, SL_E_USAGE, 0, "no device '%s'", bridge);
	if (!d.self.is_bridge)
		return sl_fail(err, SL_E_USAGE, 0, "'%s' is not a bridge", bridge);
	*ifindex = d.self.ifindex;
	d.want_master = d.self.ifindex;
	d.out = ports;
	d.max = max;
	if (dump_links(&d, err))
		return -1;
	if (d.n == max)
		return sl_fail(err, SL_E_USAGE, 0, "bridge %s: more than %d ports", bridge, max - 1);
	*n = d.n;
	return 0;
}

int mcast_watch_open(struct sl_error *err)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int fd;

	if (!nl || mnl_socket_bind(nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		if (nl)
			mnl_socket_close(nl);
		return sl_fail(err, SL_E_KERNEL, 0, "rtnetlink link events: %s", strerror(errno));
	}
	/* the fd is all we keep: mnl_socket is a thin wrapper around it */
	fd = dup(mnl_socket_get_fd(nl));
	mnl_socket_close(nl);
	if (fd < 0)
		return sl_fail(err, SL_E_KERNEL, 0, "rtnetlink link events: %s", strerror(errno));
	return fd;
}

struct watch {
	void (*fn)(const struct mcast_link *l, bool gone, void *ctx);
	void *ctx;
};

static int watch_cb(const struct nlmsghdr *nlh, void *data)
{
	struct watch *w = data;
	struct mcast_link l;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	link_of(nlh, &l);
	w->fn(&l, nlh->nlmsg_type == RTM_DELLINK, w->ctx);
	return MNL_CB_OK;
}

int mcast_watch_drain(int fd, void (*fn)(const struct mcast_link *l, bool gone, void *ctx), void *ctx)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct watch w = { fn, ctx };
	int events = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		mnl_cb_run(buf, (size_t)n, 0, 0, watch_cb, &w);
		events++;
	}
	/* events were lost (the socket overflowed): the caller lists again */
	return n < 0 && errno == ENOBUFS ? -1 : events;
}
