/* rtnetlink dumps: see rtnl.h. */
#include "lib/rtnl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* libmnl 1.0.5+ has MNL_SOCKET_DUMP_SIZE: a dump message may exceed a page */
#ifndef MNL_SOCKET_DUMP_SIZE
#define MNL_SOCKET_DUMP_SIZE 32768
#endif

int sl_rtnl_dump(uint16_t type, const void *hdr, size_t hdr_len, mnl_cb_t cb, void *data)
{
	char *buf = malloc(MNL_SOCKET_DUMP_SIZE);
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	unsigned seq = (unsigned)time(NULL), port;
	struct nlmsghdr *nlh;
	int r = MNL_CB_OK, rc = -1;
	ssize_t n;

	if (!buf || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	memcpy(mnl_nlmsg_put_extra_header(nlh, hdr_len), hdr, hdr_len);
	port = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	errno = 0;
	while (r > MNL_CB_STOP && (n = mnl_socket_recvfrom(nl, buf, MNL_SOCKET_DUMP_SIZE)) > 0)
		r = mnl_cb_run(buf, (size_t)n, seq, port, cb, data);
	if (r != MNL_CB_STOP) {
		if (!errno)
			errno = EIO;
		goto out;
	}
	rc = 0;
out:
	if (nl) {
		int e = errno;

		mnl_socket_close(nl);
		errno = e;
	}
	free(buf);
	return rc;
}
