/* A bridge's ports over rtnetlink (libmnl): one dump of the namespace's
 * links, and a socket that hears links come and go. All in the caller's
 * current network namespace. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "features/mcast/mcast.h"
#include "lib/rtnl.h"

#define MC_DUMP_LINKS 4096

/* one RTM_NEWLINK message into l */
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
	struct mcast_link *all;
	int n;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;

	if (nlh->nlmsg_type == RTM_NEWLINK && d->n < MC_DUMP_LINKS)
		link_of(nlh, &d->all[d->n++]);
	return MNL_CB_OK;
}

/* every link of the namespace; a dump cut short is an error, never a list */
static int dump_links(struct dump *d, struct sl_error *err)
{
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC };

	if (sl_rtnl_dump(RTM_GETLINK, &ifm, sizeof(ifm), dump_cb, d))
		return sl_fail(err, SL_E_KERNEL, 0, "rtnetlink link dump: %s", strerror(errno));
	if (d->n == MC_DUMP_LINKS)
		return sl_fail(err, SL_E_KERNEL, 0, "more than %d links in the namespace", MC_DUMP_LINKS - 1);
	return 0;
}

int mcast_list_ports(const char *bridge, uint32_t *ifindex, struct mcast_link *ports, int max, int *n,
		     struct sl_error *err)
{
	struct dump d = { .all = calloc(MC_DUMP_LINKS, sizeof(struct mcast_link)) };
	const struct mcast_link *self = NULL;
	int rc = -1;

	if (!d.all)
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	if (dump_links(&d, err))
		goto out;
	for (int i = 0; i < d.n && !self; i++)
		if (!strcmp(d.all[i].name, bridge))
			self = &d.all[i];
	if (!self) {
		sl_fail(err, SL_E_USAGE, 0, "no device '%s'", bridge);
		goto out;
	}
	if (!self->is_bridge) {
		sl_fail(err, SL_E_USAGE, 0, "'%s' is not a bridge", bridge);
		goto out;
	}
	*ifindex = self->ifindex;
	*n = 0;
	for (int i = 0; i < d.n; i++) {
		if (d.all[i].master != self->ifindex)
			continue;
		if (*n == max) {
			sl_fail(err, SL_E_USAGE, 0, "more than %d ports", max);
			goto out;
		}
		ports[(*n)++] = d.all[i];
	}
	rc = 0;
out:
	free(d.all);
	return rc;
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

int mcast_watch_drain(int fd)
{
	char buf[8192];
	int events = 0;
	ssize_t n;

	/* what changed does not matter: any event means "list the ports again" */
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		events++;
	/* events were lost (the socket overflowed): list again all the same */
	return n < 0 && errno == ENOBUFS ? 1 : events;
}
