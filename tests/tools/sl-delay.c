/* sl-delay: a delay line for benchmarks, on netfilter's queue (NFQUEUE).
 *
 *   sl-delay QUEUE MS
 *
 * Binds netfilter queue QUEUE in the current network namespace and accepts
 * every packet an iptables `-j NFQUEUE --queue-num QUEUE` rule gives it MS
 * milliseconds after it came, in the order they came: a fixed one-way delay
 * where no qdisc can add one (this kernel has no netem). Delaying one
 * direction of a connection gives it a round trip of MS, so its flights
 * separate in time in a capture. Prints "ready" once bound (the rule drops
 * what it queues before that), and "packets=N" at SIGTERM or SIGINT, after
 * accepting what it still holds. Exit 1 when netlink refuses it. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define HELD_MAX 8192 /* the kernel's queue is made as long: it never overflows ours */

struct held {
	uint32_t id;
	int64_t due_ns;
};

static struct held held[HELD_MAX];
static unsigned head, tail; /* held[head % HELD_MAX] is the oldest */
static unsigned long long packets;
static int64_t delay_ns;
static volatile sig_atomic_t stop;

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* a nfnetlink queue message for QUEUE: the header both kinds we send share */
static struct nlmsghdr *queue_msg(char *buf, uint16_t type, uint16_t queue, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(queue);
	return nlh;
}

/* bind the queue, metadata only (no payload is copied), GSO packets whole */
static int bind_queue(struct mnl_socket *nl, uint16_t queue)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = queue_msg(buf, NFQNL_MSG_CONFIG, queue, NLM_F_ACK);
	struct nfqnl_msg_config_cmd cmd = {.command = NFQNL_CFG_CMD_BIND};
	struct nfqnl_msg_config_params params = {.copy_range = 0, .copy_mode = NFQNL_COPY_META};
	unsigned port = mnl_socket_get_portid(nl);
	ssize_t n;

	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
	mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
	mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(HELD_MAX));
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_GSO));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_GSO));
	nlh->nlmsg_seq = 1;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	return n < 0 ? -1 : mnl_cb_run(buf, (size_t)n, 1, port, NULL, NULL) < 0 ? -1 : 0;
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, NFQA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* one queued packet: hold its id until it is due */
static int packet_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFQA_MAX + 1] = {0};
	const struct nfqnl_msg_packet_hdr *ph;

	(void)data;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb) < 0 || !tb[NFQA_PACKET_HDR])
		return MNL_CB_ERROR;
	ph = mnl_attr_get_payload(tb[NFQA_PACKET_HDR]);
	held[tail % HELD_MAX] = (struct held){.id = ntohl(ph->packet_id), .due_ns = now_ns() + delay_ns};
	tail++;
	packets++;
	return MNL_CB_OK;
}

/* accept every held packet due by `until` with one batch verdict: the
 * kernel numbers a queue's packets in order, and we hold them in order */
static int release(struct mnl_socket *nl, uint16_t queue, int64_t until)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nfqnl_msg_verdict_hdr vh = {.verdict = htonl(NF_ACCEPT)};
	unsigned last = head;

	while (last != tail && held[last % HELD_MAX].due_ns <= until)
		last++;
	if (last == head)
		return 0;
	vh.id = htonl(held[(last - 1) % HELD_MAX].id);
	nlh = queue_msg(buf, NFQNL_MSG_VERDICT_BATCH, queue, 0);
	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(vh), &vh);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	head = last;
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	char *end1, *end2;
	long queue = argc == 3 ? strtol(argv[1], &end1, 10) : -1;
	long ms = argc == 3 ? strtol(argv[2], &end2, 10) : -1;
	struct mnl_socket *nl;

	if (argc != 3 || *end1 || *end2 || queue < 0 || queue > 65535 || ms < 0 || ms > 10000) {
		fprintf(stderr, "usage: sl-delay QUEUE(0-65535) MS(0-10000)\n");
		return 2;
	}
	delay_ns = ms * 1000000;
	/* the signals arrive only inside ppoll: none is lost between a check of stop and the wait */
	sigset_t block, during_wait;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &during_wait);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 || bind_queue(nl, (uint16_t)queue) < 0) {
		fprintf(stderr, "sl-delay: bind queue %ld: %s\n", queue, strerror(errno));
		return 1;
	}
	/* room for every packet the kernel may queue: a message the socket
	 * cannot take would leave its packet without a verdict (recv then
	 * fails with ENOBUFS, and so do we) */
	int room = HELD_MAX * 512;
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &room, sizeof(room)) < 0)
		fprintf(stderr, "sl-delay: SO_RCVBUFFORCE: %s (the default buffer is used)\n", strerror(errno));
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		struct pollfd p = {.fd = mnl_socket_get_fd(nl), .events = POLLIN};
		int64_t wait_ns = head == tail ? 0 : held[head % HELD_MAX].due_ns - now_ns();
		struct timespec ts = {.tv_sec = wait_ns > 0 ? wait_ns / 1000000000 : 0,
				      .tv_nsec = wait_ns > 0 ? wait_ns % 1000000000 : 0};

		if (ppoll(&p, 1, head == tail ? NULL : &ts, &during_wait) < 0 && errno != EINTR)
			break;
		if (p.revents & POLLIN) {
			ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

			if (n < 0 || mnl_cb_run(buf, (size_t)n, 0, 0, packet_cb, NULL) < 0) {
				fprintf(stderr, "sl-delay: receive: %s\n", strerror(errno));
				break;
			}
		}
		if (release(nl, (uint16_t)queue, now_ns()) < 0) {
			fprintf(stderr, "sl-delay: verdict: %s\n", strerror(errno));
			break;
		}
	}
	release(nl, (uint16_t)queue, INT64_MAX);
	mnl_socket_close(nl);
	printf("packets=%llu\n", packets);
	return stop ? 0 : 1;
}
