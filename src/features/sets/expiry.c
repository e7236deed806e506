/* Expired entries: absent to the dataplane at once (it compares their
 * expiry with the clock), freed here, in the background a few keys per
 * tick, or all at once when an add finds the set full. */
#include <bpf/bpf.h>
#include <string.h>

#include "features/sets/sets.h"

bool sets_value_expired(const struct sl_set_value *v, uint64_t now)
{
	/* a pending bitmap:ip,mac timeout has not started */
	return v->expires_ns && !(v->flags & SL_SETV_PENDING) && v->expires_ns <= now;
}

static void delete_entry(struct sets_set *s, const void *key)
{
	bpf_map_delete_elem(s->map_fd, key);
	if (s->cmt_fd >= 0)
		bpf_map_delete_elem(s->cmt_fd, key);
}

long sets_map_collect(struct sets_set *s, void *cursor, bool *cursor_valid, long budget)
{
	uint8_t next[SL_SET_KEY_MAX], doomed[SL_SET_KEY_MAX];
	uint64_t now = sets_now_ns();
	bool pending = false;
	struct sl_set_value v;
	long n = 0;

	/* a key is deleted only once the walk has moved past it: the next key
	 * of a deleted one would restart the walk from the first. So the last
	 * key of one call is deleted by the next. */
	if (*cursor_valid && !bpf_map_lookup_elem(s->map_fd, cursor, &v) && sets_value_expired(&v, now)) {
		memcpy(doomed, cursor, sizeof(doomed));
		pending = true;
	}
	while (n < budget) {
		if (bpf_map_get_next_key(s->map_fd, *cursor_valid ? cursor : NULL, next)) {
			*cursor_valid = false;
			break;
		}
		if (pending)
			delete_entry(s, doomed);
		pending = false;
		memcpy(cursor, next, sizeof(next));
		*cursor_valid = true;
		n++;
		if (!bpf_map_lookup_elem(s->map_fd, next, &v) && sets_value_expired(&v, now)) {
			memcpy(doomed, next, sizeof(next));
			pending = true;
		}
	}
	if (pending && !*cursor_valid)
		delete_entry(s, doomed); /* the walk is over: nothing comes after it */
	return n;
}

void sets_collect_all(struct sets_set *s)
{
	uint8_t cursor[SL_SET_KEY_MAX];
	bool valid = false;

	do
		sets_map_collect(s, cursor, &valid, 1 << 20);
	while (valid);
}
