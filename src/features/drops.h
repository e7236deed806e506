/* Internals of the drops feature shared by its files. */
#ifndef SLUICE_FEATURES_DROPS_H
#define SLUICE_FEATURES_DROPS_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "sluice/drops.h"
#include "core/btf_enum.h"

enum drops_by { DROPS_BY_REASON, DROPS_BY_PORT, DROPS_BY_ADDR, DROPS_BY_SOCKET };

struct drops_row {
	struct sl_drop_key key;
	uint64_t packets, bytes;
};

/* Fold rows that agree on the fields `by` keeps (netns, reason, family,
 * plus port and/or address); sorts them. Returns the new row count. */
size_t drops_aggregate(struct drops_row *rows, size_t n, enum drops_by by);
/* JSON array of rows: netns, reason, family, [addr], [port], packets, bytes */
json_object *drops_rows_json(const struct drops_row *rows, size_t n, enum drops_by by,
			     const struct sl_enum_names *reasons);

/* "NO_SOCKET" from the kernel's BTF, or "REASON_<n>" when unnamed */
const char *drops_reason_name(const struct sl_enum_names *reasons, uint32_t reason, char *buf, size_t size);
const char *drops_family_name(uint8_t family);
/* text form of an address of `family` */
void drops_addr_str(uint8_t family, const uint8_t addr[16], char *out, size_t size);

/* The most recent sampled events, kept by the daemon. */
#define DROPS_RECENT 256
struct drops_recent {
	struct sl_drop_event ev[DROPS_RECENT];
	uint64_t received;  /* total taken from the ring buffer */
};

void drops_recent_push(struct drops_recent *r, const struct sl_drop_event *e);
/* up to `max` newest events of `netns` (0 = any), oldest first */
json_object *drops_recent_json(const struct drops_recent *r, uint32_t netns, unsigned max,
			       const struct sl_enum_names *reasons);

#endif
