/* The event budget: how `--sample-rate` becomes the per-CPU window the
 * programs enforce (struct sl_drops_config). Pure. */
#include <linux/bpf.h>

#include "features/drops/drops.h"

/* events the ring buffer holds: each record has a header before it */
#define RING_EVENTS (SL_DROPS_EVENTS_BYTES / (sizeof(struct sl_drop_event) + BPF_RINGBUF_HDR_SZ))

unsigned drops_ring_events(void)
{
	return (unsigned)RING_EVENTS;
}

/* `rate` events/s is spread over the CPUs. A CPU spends its budget for a
 * window as fast as drops come, so under a storm every window starts with
 * a burst of up to `rate` × window events, all CPUs together. Windows are
 * 1 s, or shorter at high rates, so that no burst exceeds a quarter of the
 * ring buffer: the ring then absorbs the daemon falling behind by three
 * more windows' worth before it loses an event. Below one event per CPU per
 * second, each CPU gets one event per ncpu/rate seconds. */
void drops_event_budget(unsigned rate, unsigned ncpu, struct sl_drops_config *cfg)
{
	unsigned burst = rate < RING_EVENTS / 4 ? rate : (unsigned)(RING_EVENTS / 4);

	if (ncpu < 1)
		ncpu = 1;
	cfg->events_per_window = 0;
	cfg->window_ns = 1000000000ULL;
	if (!rate)
		return;
	cfg->events_per_window = burst >= ncpu ? burst / ncpu : 1;
	/* the window in which all CPUs together may send `rate` per second */
	cfg->window_ns = 1000000000ULL * cfg->events_per_window * ncpu / rate;
}
