/* One rtnetlink dump (libmnl), for the daemon and sluice-gen alike. */
#ifndef SLUICE_LIB_RTNL_H
#define SLUICE_LIB_RTNL_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

/* Dump `type` (RTM_GETLINK, RTM_GETNEIGH, ...) of the current network
 * namespace: the request carries the family header `hdr` of `hdr_len`
 * bytes; cb(nlh, data) sees each message. 0 once the dump ended whole;
 * -1 with errno when it could not be asked or was cut short (a callback's
 * MNL_CB_ERROR included), so a partial answer is never taken for all. */
int sl_rtnl_dump(uint16_t type, const void *hdr, size_t hdr_len, mnl_cb_t cb, void *data);

#endif
