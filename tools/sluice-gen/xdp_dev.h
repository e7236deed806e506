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
/* its "*xdp_xmit_errors" ethtool counters, summed: -1 when unreadable */
int gen_xdp_xmit_errors(const char *dev, uint64_t *sum);

#endif
