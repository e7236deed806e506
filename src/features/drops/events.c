/* The daemon's window of recent sampled drop events, fed from the ring
 * buffer whenever the event loop sees it readable. */
#include "features/drops/drops.h"

#include <stdio.h>

#include "core/log.h"

#include "lib/addr.h"
#include "lib/netns.h"

void drops_recent_push(struct drops_recent *r, const struct sl_drop_event *e)
{
	r->ev[r->received % DROPS_RECENT] = *e;
	r->received++;
}

int drops_on_event(void *ctx, void *data, size_t size)
{
	struct drops_priv *p = ctx;

	if (size >= sizeof(struct sl_drop_event))
		drops_recent_push(&p->recent, data);
	return 0;
}

void drops_events_drain(struct drops_priv *p)
{
	if (p->rb && ring_buffer__consume(p->rb) < 0)
		sl_debug("drops: reading the event ring buffer failed");
}

void drops_on_ring(void *arg, int fd, uint32_t events)
{
	(void)fd, (void)events;
	drops_events_drain(arg);
}

static json_object *event_json(const struct sl_drop_event *e, const struct sl_enum_names *reasons)
{
	json_object *o = json_object_new_object();
	char buf[64];

	json_object_object_add(o, "time_ns", json_object_new_uint64(e->ts_ns));
	sl_netns_name(e->netns, buf, sizeof(buf));
	json_object_object_add(o, "netns", json_object_new_string(buf));
	json_object_object_add(o, "reason",
			       json_object_new_string(drops_reason_name(reasons, e->reason, buf, sizeof(buf))));
	json_object_object_add(o, "family", json_object_new_string(drops_family_name(e->family)));
	sl_addr_str(e->family, e->saddr, buf, sizeof(buf));
	json_object_object_add(o, "saddr", json_object_new_string(buf));
	json_object_object_add(o, "sport", json_object_new_int(e->sport));
	sl_addr_str(e->family, e->daddr, buf, sizeof(buf));
	json_object_object_add(o, "daddr", json_object_new_string(buf));
	json_object_object_add(o, "dport", json_object_new_int(e->dport));
	json_object_object_add(o, "ifindex", json_object_new_int64(e->ifindex));
	json_object_object_add(o, "len", json_object_new_int64(e->len));
	json_object_object_add(o, "cpu", json_object_new_int(e->cpu));
	return o;
}

json_object *drops_recent_json(const struct drops_recent *r, uint32_t netns, unsigned max,
			       const struct sl_enum_names *reasons)
{
	uint64_t first = r->received > DROPS_RECENT ? r->received - DROPS_RECENT : 0;
	json_object *arr = json_object_new_array();
	uint64_t start = r->received;
	unsigned found = 0;

	/* walk back to find where the newest `max` matching events start */
	while (start > first && found < max) {
		start--;
		if (!netns || r->ev[start % DROPS_RECENT].netns == netns)
			found++;
	}
	for (uint64_t i = start; i < r->received; i++) {
		const struct sl_drop_event *e = &r->ev[i % DROPS_RECENT];

		if (!netns || e->netns == netns)
			json_object_array_add(arr, event_json(e, reasons));
	}
	return arr;
}
