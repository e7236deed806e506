/* xdp mode's device facts (xdp_dev.c) */
#ifndef SLUICE_GEN_XDP_DEV_H
#define SLUICE_GEN_XDP_DEV_H

#include "gen.h"

struct gen_xdp_dev {
	int ifindex;
	uint8_t mac[6];
	uint32_t mtu;
};

int gen_xdp_dev_open(const char *name, struct gen_xdp_dev *d, char *err, size_t n);
/* the link-layer address the neighbour table holds for dst on ifindex */
int gen_xdp_neigh_mac(int ifindex, const struct gen_addr *dst, uint8_t mac[6]);
/* its ethtool counters of XDP frames passed on ("*_xdp_xmit": veth's
 * tx_queue_N_xdp_xmit, frames its peer's ring took) and refused
 * ("*_xdp_xmit_errors"), summed; has_sent: the driver has the former.
 * -1 when unreadable. */
struct gen_xdp_xmit {
	uint64_t sent, errors;
	bool has_sent;
};
int gen_xdp_xmit_stats(const char *dev, struct gen_xdp_xmit *x);

#endif
