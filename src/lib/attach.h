/* Programs attached to a device, as features hold them (struct sl_att):
 * a pinned bpf_link (XDP native, else generic; tcx on kernels that have
 * it, 6.6+), or, on a kernel without tcx, a cls_bpf filter in
 * direct-action mode on the device's clsact qdisc (lib/tc.c), recorded in
 * the pin root where the link would be pinned. Every operation below works
 * on either, so a feature never asks which it has. */
#ifndef SLUICE_ATTACH_H
#define SLUICE_ATTACH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/grammar.h"
#include "sluice/attach.h"

struct sl_att {
	uint8_t mode;                   /* enum sl_attach_mode; SL_ATTACH_NONE: nothing held */
	int link_fd;                    /* xdp, tcx: the link; else -1 */
	struct sl_tc_filter tc;         /* tc: where the filter is and what it runs */
	const char *pin_root;           /* the daemon's, outliving this */
	char name[SL_ATT_NAME_MAX];     /* links/<name>, or the filter's record */
};

void sl_att_init(struct sl_att *a);
static inline bool sl_att_held(const struct sl_att *a)
{
	return a->mode != SL_ATTACH_NONE;
}

/* XDP in the driver; where the driver has none, the generic hook (the
 * mode says which). On `ifindex` of the caller's network namespace, pinned
 * as links/<name>. -1 with err naming `dev`. */
int sl_att_xdp(struct sl_att *a, const char *pin_root, const char *name, int prog_fd, int ifindex,
	       const char *dev, struct sl_error *err);
/* A tc program on ingress or egress of `ifindex` in the caller's network
 * namespace, whose name (from /run/netns, "" for the daemon's own) is
 * `netns`: a tcx link pinned as links/<name>, or without tcx a filter at
 * SL_TC_PRIORITY and the owner's handle, recorded under <name>. */
int sl_att_tc(struct sl_att *a, const char *pin_root, const char *name, const char *netns, int ifindex,
	      bool egress, enum sl_tc_owner owner, int prog_fd, const char *dev, struct sl_error *err);
/* Run `prog_fd` instead, atomically (bpf_link_update; a filter replaced in
 * place). -1 with errno; ENOLINK: the device or the attachment is gone. */
int sl_att_replace(struct sl_att *a, int prog_fd);
/* What an earlier daemon left under <name>: 0 with `a` held, else -1 (no
 * pin nor record, or a filter gone or no longer running the recorded
 * program, whose record then goes). */
int sl_att_adopt(struct sl_att *a, const char *pin_root, const char *name);
/* Off the device; its pin or record goes. */
void sl_att_detach(struct sl_att *a);
/* Off the device, its pin or record kept (for sl_att_detach after, when
 * whoever reads the pins must not see them gone first). */
void sl_att_off(const struct sl_att *a);
/* Let go of it and leave it attached (the daemon stops). */
void sl_att_release(struct sl_att *a);
/* Pin or record it again under its name (an undo putting back one that
 * another took the name of). */
int sl_att_repin(struct sl_att *a);
/* Names with `prefix` that hold a pinned link or a filter record, each
 * once; at most `max`. */
int sl_att_names(const char *pin_root, const char *prefix, struct sl_tc_name *out, int max);

/* fd of the program it runs now (needs CAP_SYS_ADMIN); -1 */
int sl_att_prog_fd(const struct sl_att *a);
/* the device it is on; 0 once the device (or the filter) went away */
uint32_t sl_att_ifindex(const struct sl_att *a);
/* the link's id; 0 for a filter */
uint32_t sl_att_link_id(const struct sl_att *a);
const char *sl_attach_mode_name(uint8_t mode);

/* --cleanup: detach every filter recorded under pin_root that still runs
 * its recorded program (entering its network namespace), and drop the
 * records; before the pins go. */
int sl_tc_cleanup(const char *pin_root, struct sl_error *err);

#endif
