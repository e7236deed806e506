#include "lib/attach.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <string.h>

/* the kernel's, newer than libbpf 1.1's headers */
#define SL_BPF_TCX_INGRESS 46
#define SL_BPF_TCX_EGRESS 47
#define SL_XDP_FLAGS_SKB_MODE (1U << 1)
#define SL_XDP_FLAGS_DRV_MODE (1U << 2)

int sl_attach_xdp(int prog_fd, int ifindex, const char *dev, uint8_t *mode, struct sl_error *err)
{
	LIBBPF_OPTS(bpf_link_create_opts, o, .flags = SL_XDP_FLAGS_DRV_MODE);
	int link;

	*mode = SL_ATTACH_XDP_NATIVE;
	link = bpf_link_create(prog_fd, ifindex, BPF_XDP, &o);
	if (link < 0 && (errno == EOPNOTSUPP || errno == EINVAL)) {
		/* the driver has no XDP of its own: the generic hook, and say so */
		o.flags = SL_XDP_FLAGS_SKB_MODE;
		*mode = SL_ATTACH_XDP_GENERIC;
		link = bpf_link_create(prog_fd, ifindex, BPF_XDP, &o);
	}
	if (link < 0)
		sl_fail(err, SL_E_KERNEL, 0, "dev %s: cannot attach the XDP program: %s", dev, strerror(errno));
	return link;
}

int sl_attach_tcx(int prog_fd, int ifindex, bool egress, const char *dev, struct sl_error *err)
{
	int link = bpf_link_create(prog_fd, ifindex,
				   (enum bpf_attach_type)(egress ? SL_BPF_TCX_EGRESS : SL_BPF_TCX_INGRESS), NULL);

	if (link < 0)
		sl_fail(err, SL_E_KERNEL, 0, "dev %s: cannot attach the tcx %s program: %s", dev,
			egress ? "egress" : "ingress", strerror(errno));
	return link;
}

const char *sl_attach_mode_name(uint8_t mode)
{
	switch (mode) {
	case SL_ATTACH_XDP_NATIVE: return "xdp";
	case SL_ATTACH_XDP_GENERIC: return "xdp-generic";
	case SL_ATTACH_TCX: return "tcx";
	default: return "none";
	}
}
