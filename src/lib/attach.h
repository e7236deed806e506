/* bpf_link attachments the daemon makes: XDP (native, else generic) and
 * tcx, by ifindex in the caller's current network namespace. */
#ifndef SLUICE_ATTACH_H
#define SLUICE_ATTACH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/grammar.h"
#include "sluice/attach.h"

/* XDP in the driver; where the driver has none, the generic hook (*mode
 * says which). Returns the link fd, or -1 with err naming `dev`. */
int sl_attach_xdp(int prog_fd, int ifindex, const char *dev, uint8_t *mode, struct sl_error *err);
/* A tcx link on ingress or egress (kernel 6.6+). */
int sl_attach_tcx(int prog_fd, int ifindex, bool egress, const char *dev, struct sl_error *err);
const char *sl_attach_mode_name(uint8_t mode);

#endif
