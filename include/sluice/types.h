/* Fixed-width types for headers shared by BPF and userspace. BPF programs
 * get them from vmlinux.h, userspace from the uapi headers. */
#ifndef SLUICE_TYPES_H
#define SLUICE_TYPES_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#include <stdbool.h>
#endif

/* inline helpers in shared headers (BPF's headers define it already) */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Map names are identifiers in BPF code and strings in userspace. */
#define SL_STR_(x) #x
#define SL_STR(x)  SL_STR_(x)

#define SL_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

/* ip (4 network-order words, IPv4 in the first) is in the prefix addr/mask
 * (masked words, as rules hold them) */
static __always_inline bool sl_prefix_has(const __u32 ip[4], const __u32 addr[4], const __u32 mask[4])
{
	return (ip[0] & mask[0]) == addr[0] && (ip[1] & mask[1]) == addr[1] && (ip[2] & mask[2]) == addr[2] &&
	       (ip[3] & mask[3]) == addr[3];
}

/* Address family as every sluice struct stores it */
enum sl_family {
	SL_FAMILY_IPV4 = 4,
	SL_FAMILY_IPV6 = 6,
};

/* A device in a network namespace, as pinned records name what the daemon
 * attached to, so that a restart finds it again. */
struct sl_dev_place {
	char netns[32];     /* a name from `ip netns`; "" = the daemon's own */
	char dev[16];
	__u32 ifindex;      /* in that namespace */
};
SL_STATIC_ASSERT(sizeof(struct sl_dev_place) == 52, "sl_dev_place layout");

#endif
