/* Drop counter rows: aggregation and JSON (pure; unit tested). */
#include "features/drops/drops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/netns.h"

const char *drops_family_name(uint8_t family)
{
	return family == SL_FAMILY_IPV6 ? "ipv6" : family == SL_FAMILY_IPV4 ? "ipv4" : "unknown";
}

const char *drops_reason_name(const struct sl_enum_names *reasons, uint32_t reason, char *buf, size_t size)
{
	const char *name = reasons ? sl_enum_name(reasons, reason) : NULL;

	if (name)
		return name;
	snprintf(buf, size, "REASON_%u", reason);
	return buf;
}

/* drop the fields `by` does not keep */
static void normalize(struct sl_drop_key *k, enum drops_by by)
{
	if (by == DROPS_BY_REASON) {
		k->port = 0;
		k->flags = 0;
	}
	if (by != DROPS_BY_ADDR)
		memset(k->addr, 0, sizeof(k->addr));
}

static int cmp_key(const void *a, const void *b)
{
	const struct sl_drop_key *x = &((const struct drops_row *)a)->key;
	const struct sl_drop_key *y = &((const struct drops_row *)b)->key;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	if (x->reason != y->reason)
		return x->reason < y->reason ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->flags != y->flags)
		return x->flags < y->flags ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

size_t drops_aggregate(struct drops_row *rows, size_t n, enum drops_by by)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++)
		normalize(&rows[i].key, by);
	qsort(rows, n, sizeof(*rows), cmp_key);
	for (size_t i = 0; i < n; i++) {
		if (out && !cmp_key(&rows[out - 1], &rows[i])) {
			rows[out - 1].packets += rows[i].packets;
			rows[out - 1].bytes += rows[i].bytes;
			continue;
		}
		rows[out++] = rows[i];
	}
	return out;
}

json_object *drops_rows_json(const struct drops_row *rows, size_t n, enum drops_by by,
			     const struct sl_enum_names *reasons)
{
	json_object *arr = json_object_new_array();
	char ns[64] = "", buf[64];
	uint32_t ns_inode = 0;

	for (size_t i = 0; i < n; i++) {
		const struct sl_drop_key *k = &rows[i].key;
		json_object *o = json_object_new_object();

		if (i == 0 || k->netns != ns_inode) { /* rows are sorted by netns */
			ns_inode = k->netns;
			sl_netns_name(ns_inode, ns, sizeof(ns));
		}
		json_object_object_add(o, "netns", json_object_new_string(ns));
		json_object_object_add(o, "reason",
				       json_object_new_string(drops_reason_name(reasons, k->reason, buf, sizeof(buf))));
		json_object_object_add(o, "family", json_object_new_string(drops_family_name(k->family)));
		if (by == DROPS_BY_ADDR) {
			sl_addr_str(k->family, k->addr, buf, sizeof(buf));
			json_object_object_add(o, "addr", json_object_new_string(buf));
		}
		if (by != DROPS_BY_REASON)
			json_object_object_add(o, "port", json_object_new_int(k->port));
		if (by != DROPS_BY_REASON && (k->flags & SL_DROP_KEY_OTHER)) /* counted once the map was full */
			json_object_object_add(o, "other", json_object_new_boolean(1));
		json_object_object_add(o, "packets", json_object_new_uint64(rows[i].packets));
		json_object_object_add(o, "bytes", json_object_new_uint64(rows[i].bytes));
		json_object_array_add(arr, o);
	}
	return arr;
}
