/* A plain set's bucket table (include/sluice/sets.h: struct
 * sl_set_pbucket_*), as userspace keeps it: place, find and remove keys,
 * walk and count them, make room by moving keys to their other bucket.
 *
 * The table is its ARRAY map, read and written a bucket at a time while
 * the dataplane may read it: a key is written before its used bit is set
 * and cleared from its bit before anything else lands in its slot, and a
 * key that moves is in its new bucket before it leaves the old, so a
 * lookup never misses a key that stays in the set. A table nothing reads
 * yet (a set a restore builds) may instead be held in memory and written
 * whole at the end (sets_ptab_hold, sets_ptab_sync). With fd -1 and held,
 * the table lives in memory only (unit tests). */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "features/sets/sets.h"

#define IO_CHUNK 1024            /* buckets per batch syscall */
#define MOVE_NODES 512           /* buckets a search for room looks at */

static uint32_t key_words(uint8_t cls)
{
	struct sl_set_tuple t = { 0 };
	uint8_t key[SL_SET_KEY_MAX];

	return (uint32_t)sl_set_key_build(cls, &t, key) / 4;
}

uint32_t sets_ptab_bucket_size(uint8_t cls)
{
	return 4 * (SL_SET_PB_HDR_WORDS + sl_set_pb_slots(cls) * key_words(cls));
}

uint32_t sets_ptab_buckets_for(uint8_t cls, uint32_t entries)
{
	uint64_t slots = sl_set_pb_slots(cls), nb;

	if (!slots)
		return 0;
	/* full at three quarters: two buckets per key and moves find room
	 * long before that (cuckoo tables of 6+ slots fill past 95%) */
	nb = ((uint64_t)entries * 4 + 3 * slots - 1) / (3 * slots);
	return nb < 2 ? 2 : nb > UINT32_MAX ? UINT32_MAX : (uint32_t)nb;
}

int sets_ptab_init(struct sets_ptab *t, uint8_t cls, uint32_t nbuckets)
{
	sets_ptab_release(t);
	memset(t, 0, sizeof(*t));
	t->cls = cls;
	t->slots = sl_set_pb_slots(cls);
	t->words = key_words(cls);
	t->bsize = sets_ptab_bucket_size(cls);
	t->nbuckets = nbuckets;
	t->count = -1;
	if (!t->slots || nbuckets < 2) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* a held table: zeroed, in huge pages where the kernel has them (a table
 * of a million keys is thousands of pages, each a TLB miss without) */
static uint8_t *table_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, size, MADV_HUGEPAGE);
	return p;
}

static size_t table_size(const struct sets_ptab *t)
{
	return (size_t)t->nbuckets * t->bsize;
}

void sets_ptab_release(struct sets_ptab *t)
{
	if (t->mem)
		munmap(t->mem, table_size(t));
	free(t->dirty);
	t->mem = NULL;
	t->dirty = NULL;
}

/* --- one bucket ---------------------------------------------------------------- */

static int get_bucket(const struct sets_ptab *t, int fd, uint32_t i, uint32_t *b)
{
	if (t->mem) {
		memcpy(b, t->mem + (size_t)i * t->bsize, t->bsize);
		return 0;
	}
	return bpf_map_lookup_elem(fd, &i, b);
}

static int put_bucket(struct sets_ptab *t, int fd, uint32_t i, const uint32_t *b)
{
	if (t->mem) {
		memcpy(t->mem + (size_t)i * t->bsize, b, t->bsize);
		t->dirty[i] = 1;
		return 0;
	}
	return bpf_map_update_elem(fd, &i, b, BPF_ANY);
}

static uint32_t *slot_key(const struct sets_ptab *t, uint32_t *b, uint32_t s)
{
	return b + SL_SET_PB_HDR_WORDS + s * t->words;
}

static int free_slot(const struct sets_ptab *t, const uint32_t *b)
{
	for (uint32_t s = 0; s < t->slots; s++)
		if (!(b[0] >> s & 1))
			return (int)s;
	return -1;
}

static int popcount(uint32_t x)
{
	return __builtin_popcount(x);
}

/* key into free slot s of bucket i (b: its words, updated): the bytes,
 * then the bit, each a write of its own where the dataplane may look */
static int place(struct sets_ptab *t, int fd, uint32_t i, uint32_t *b, uint32_t s, const void *key)
{
	memcpy(slot_key(t, b, s), key, 4 * t->words);
	if (!t->mem && put_bucket(t, fd, i, b))
		return -1;
	b[0] |= 1u << s;
	return put_bucket(t, fd, i, b);
}

static void buckets_of(const struct sets_ptab *t, const void *key, uint32_t *b1, uint32_t *b2)
{
	sl_set_ptab_buckets(sl_set_ptab_hash(key, t->words), t->nbuckets, b1, b2);
}

/* where key is: 1 with bucket index and slot, 0 absent, -1 error */
static int locate(const struct sets_ptab *t, int fd, const void *key, uint32_t *idx, uint32_t *slot, uint32_t *b)
{
	uint32_t at[2];

	buckets_of(t, key, &at[0], &at[1]);
	for (int k = 0; k < 2; k++) {
		int s;

		if (get_bucket(t, fd, at[k], b))
			return -1;
		s = sl_set_pb_find(b, key, t->words, t->slots);
		if (s >= 0) {
			*idx = at[k];
			*slot = (uint32_t)s;
			return 1;
		}
	}
	return 0;
}

/* --- whole-table reads and writes ------------------------------------------------------ */

/* key and value buffers for one batch syscall of IO_CHUNK buckets */
static int io_buffers(const struct sets_ptab *t, uint32_t **keys, void **vals)
{
	*keys = malloc(IO_CHUNK * sizeof(**keys));
	*vals = malloc((size_t)IO_CHUNK * t->bsize);
	if (*keys && *vals)
		return 0;
	free(*keys);
	free(*vals);
	errno = ENOMEM;
	return -1;
}

/* fn on each bucket in index order (from memory, or batches from the map) */
static int each_bucket(const struct sets_ptab *t, int fd, int (*fn)(uint32_t i, uint32_t *b, void *ctx), void *ctx)
{
	uint32_t *keys, *vals, cursor = 0, i = 0;
	bool first = true;
	int rc = 0;

	if (t->mem) {
		uint32_t *b = malloc(t->bsize);

		if (!b)
			return -1;
		for (i = 0; i < t->nbuckets && !rc; i++) {
			memcpy(b, t->mem + (size_t)i * t->bsize, t->bsize);
			rc = fn(i, b, ctx);
		}
		free(b);
		return rc;
	}
	if (io_buffers(t, &keys, (void **)&vals))
		return -1;
	while (!rc && i < t->nbuckets) {
		LIBBPF_OPTS(bpf_map_batch_opts, o);
		__u32 n = IO_CHUNK;
		int r = bpf_map_lookup_batch(fd, first ? NULL : &cursor, &cursor, keys, vals, &n, &o);

		if (r && errno != ENOENT) {
			rc = -1;
			break;
		}
		first = false;
		for (uint32_t k = 0; k < n && !rc; k++, i++)
			rc = fn(keys[k], (uint32_t *)((uint8_t *)vals + (size_t)k * t->bsize), ctx);
		if (r || !n)
			break; /* ENOENT: that was the last batch */
	}
	free(keys);
	free(vals);
	return rc;
}

static int count_bucket(uint32_t i, uint32_t *b, void *ctx)
{
	(void)i;
	*(long *)ctx += popcount(b[0]);
	return 0;
}

long sets_ptab_count(const struct sets_ptab *t, int fd)
{
	long n = 0;

	if (t->count >= 0)
		return t->count;
	return each_bucket(t, fd, count_bucket, &n) ? -1 : n;
}

struct walk {
	const struct sets_ptab *t;
	int (*fn)(const void *key, void *ctx);
	void *ctx;
};

static int walk_bucket(uint32_t i, uint32_t *b, void *ctx)
{
	struct walk *w = ctx;

	(void)i;
	for (uint32_t s = 0; s < w->t->slots; s++) {
		int rc;

		if (!(b[0] >> s & 1))
			continue;
		rc = w->fn(slot_key(w->t, b, s), w->ctx);
		if (rc)
			return rc;
	}
	return 0;
}

int sets_ptab_walk(const struct sets_ptab *t, int fd, int (*fn)(const void *key, void *ctx), void *ctx)
{
	struct walk w = { t, fn, ctx };

	return each_bucket(t, fd, walk_bucket, &w);
}

/* a table's first bucket: empty, with the table's size */
static void header(const struct sets_ptab *t, uint32_t *b)
{
	memset(b, 0, t->bsize);
	b[1] = t->nbuckets;
}

int sets_ptab_format(const struct sets_ptab *t, int fd)
{
	uint32_t *b = calloc(1, t->bsize), zero = 0;
	int rc;

	if (!b)
		return -1;
	header(t, b);
	rc = bpf_map_update_elem(fd, &zero, b, BPF_ANY);
	free(b);
	return rc;
}

static int hold_bucket(uint32_t i, uint32_t *b, void *ctx)
{
	struct sets_ptab *t = ctx;

	if (i >= t->nbuckets)
		return 0;
	memcpy(t->mem + (size_t)i * t->bsize, b, t->bsize);
	return 0;
}

int sets_ptab_hold(struct sets_ptab *t, int fd, bool empty)
{
	uint8_t *mem, *dirty;

	if (t->mem)
		return 0;
	mem = table_alloc(table_size(t));
	dirty = calloc(t->nbuckets, 1);
	if (!mem || !dirty) {
		if (mem)
			munmap(mem, table_size(t));
		free(dirty);
		errno = ENOMEM;
		return -1;
	}
	if (!empty) {
		struct sets_ptab view = *t; /* read through the map, into mem */

		view.mem = NULL;
		t->mem = mem;
		if (each_bucket(&view, fd, hold_bucket, t)) {
			t->mem = NULL;
			munmap(mem, table_size(t));
			free(dirty);
			return -1;
		}
	} else {
		t->mem = mem;
		header(t, (uint32_t *)mem);
		t->count = 0;
	}
	t->dirty = dirty;
	return 0;
}

void sets_ptab_emptied(struct sets_ptab *t)
{
	t->count = 0;
	if (!t->mem)
		return;
	memset(t->mem, 0, (size_t)t->nbuckets * t->bsize);
	memset(t->dirty, 0, t->nbuckets);
	header(t, (uint32_t *)t->mem); /* the new map was formatted when made */
}

int sets_ptab_sync(struct sets_ptab *t, int fd)
{
	uint32_t *keys, n = 0;
	uint8_t *vals;
	int rc = 0;

	if (!t->mem || fd < 0)
		return 0;
	if (io_buffers(t, &keys, (void **)&vals))
		return -1;
	for (uint32_t i = 0; i <= t->nbuckets && !rc; i++) {
		if (i < t->nbuckets && t->dirty[i]) {
			keys[n] = i;
			memcpy(vals + (size_t)n * t->bsize, t->mem + (size_t)i * t->bsize, t->bsize);
			n++;
		}
		if (n && (n == IO_CHUNK || i == t->nbuckets)) {
			LIBBPF_OPTS(bpf_map_batch_opts, o);
			__u32 count = n;

			rc = bpf_map_update_batch(fd, keys, vals, &count, &o);
			n = 0;
		}
	}
	if (!rc)
		memset(t->dirty, 0, t->nbuckets);
	free(keys);
	free(vals);
	return rc;
}

/* --- entries ---------------------------------------------------------------------------- */

int sets_ptab_find(const struct sets_ptab *t, int fd, const void *key)
{
	uint32_t b[SL_SET_PB_HDR_WORDS + SL_SET_PB_SLOTS_MAX * SL_SET_KEY_MAX / 4], idx, slot;

	return locate(t, fd, key, &idx, &slot, b);
}

int sets_ptab_delete(struct sets_ptab *t, int fd, const void *key)
{
	uint32_t b[SL_SET_PB_HDR_WORDS + SL_SET_PB_SLOTS_MAX * SL_SET_KEY_MAX / 4], idx, slot;
	int rc = locate(t, fd, key, &idx, &slot, b);

	if (rc <= 0)
		return rc;
	b[0] &= ~(1u << slot); /* the bit only: the bytes stay until the slot is reused */
	if (put_bucket(t, fd, idx, b))
		return -1;
	if (t->count > 0)
		t->count--;
	return 1;
}

/* A search for room (breadth first): bucket `at`, reached from node
 * `from` by moving the key in slot `slot` of from's bucket here. */
struct node {
	uint32_t at;
	int from;
	uint32_t slot;
};

static bool seen(const struct node *q, int n, uint32_t at)
{
	for (int i = 0; i < n; i++)
		if (q[i].at == at)
			return true;
	return false;
}

/* Move keys along the path ending at node `last` (whose bucket has a free
 * slot), the farthest first, so every key is always in one of its buckets;
 * then `key` takes the slot freed in the first bucket. */
static int move_along(struct sets_ptab *t, int fd, const struct node *q, int last, const void *key, uint32_t *b)
{
	uint8_t moving[SL_SET_KEY_MAX];
	int n = last;

	while (q[n].from >= 0) {
		const struct node *src = &q[q[n].from];
		int f;

		/* the key in the parent's slot, into a free slot here */
		if (get_bucket(t, fd, src->at, b))
			return -1;
		memcpy(moving, slot_key(t, b, q[n].slot), 4 * t->words);
		if (get_bucket(t, fd, q[n].at, b))
			return -1;
		f = free_slot(t, b);
		if (f < 0 || place(t, fd, q[n].at, b, (uint32_t)f, moving))
			return -1;
		/* then out of the parent's bucket */
		if (get_bucket(t, fd, src->at, b))
			return -1;
		b[0] &= ~(1u << q[n].slot);
		if (put_bucket(t, fd, src->at, b))
			return -1;
		n = q[n].from;
	}
	if (get_bucket(t, fd, q[n].at, b))
		return -1;
	return place(t, fd, q[n].at, b, (uint32_t)free_slot(t, b), key);
}

static int make_room(struct sets_ptab *t, int fd, const void *key, uint32_t b1, uint32_t b2, uint32_t *b)
{
	struct node *q = malloc(MOVE_NODES * sizeof(*q));
	int head = 0, n = 0, rc = -1;

	if (!q)
		return -1;
	q[n++] = (struct node){ b1, -1, 0 };
	q[n++] = (struct node){ b2, -1, 0 };
	errno = ENOSPC;
	while (head < n) {
		int cur = head++;

		if (get_bucket(t, fd, q[cur].at, b))
			break;
		for (uint32_t s = 0; s < t->slots && n < MOVE_NODES; s++) {
			uint32_t o1, o2, alt, *alt_b = b + t->bsize / 4; /* b holds two buckets */

			buckets_of(t, slot_key(t, b, s), &o1, &o2);
			alt = o1 == q[cur].at ? o2 : o1;
			if (seen(q, n, alt))
				continue;
			q[n++] = (struct node){ alt, cur, s };
			if (get_bucket(t, fd, alt, alt_b))
				goto out;
			if (free_slot(t, alt_b) >= 0) {
				rc = move_along(t, fd, q, n - 1, key, b);
				goto out;
			}
		}
	}
out:
	free(q);
	return rc;
}

int sets_ptab_insert(struct sets_ptab *t, int fd, const void *key, uint32_t maxelem)
{
	/* room for two buckets (make_room reads a second beside the first) */
	uint32_t b[2 * (SL_SET_PB_HDR_WORDS + SL_SET_PB_SLOTS_MAX * SL_SET_KEY_MAX / 4)], at[2];
	uint32_t *other = b + t->bsize / 4;
	int s, rc;

	buckets_of(t, key, &at[0], &at[1]);
	if (get_bucket(t, fd, at[0], b) || get_bucket(t, fd, at[1], other))
		return -1;
	if (sl_set_pb_find(b, key, t->words, t->slots) >= 0 || sl_set_pb_find(other, key, t->words, t->slots) >= 0)
		return 0; /* there already: nothing to write, a plain entry has no value */
	if (t->count < 0 && (t->count = sets_ptab_count(t, fd)) < 0)
		return -1;
	if ((uint64_t)t->count >= maxelem) {
		errno = E2BIG;
		return -1;
	}
	/* the emptier of its two buckets */
	if (popcount(other[0]) < popcount(b[0])) {
		memcpy(b, other, t->bsize);
		at[0] = at[1];
	}
	s = free_slot(t, b);
	rc = s >= 0 ? place(t, fd, at[0], b, (uint32_t)s, key) : make_room(t, fd, key, at[0], at[1], b);
	if (!rc)
		t->count++;
	return rc;
}

int sets_ptab_insert_many(struct sets_ptab *t, int fd, const uint8_t *keys, uint32_t n, uint32_t maxelem,
			  uint32_t *done)
{
	enum { AHEAD = 32 }; /* keys whose buckets are fetched while one is placed */
	size_t ks = 4 * (size_t)t->words;

	for (*done = 0; *done < n; ++*done) {
		if (t->mem && *done + AHEAD < n) {
			/* a held table is bigger than the caches: every bucket is a miss */
			uint32_t b1, b2;

			buckets_of(t, keys + (*done + AHEAD) * ks, &b1, &b2);
			for (uint32_t off = 0; off < t->bsize; off += 64) {
				__builtin_prefetch(t->mem + (size_t)b1 * t->bsize + off);
				__builtin_prefetch(t->mem + (size_t)b2 * t->bsize + off);
			}
		}
		if (sets_ptab_insert(t, fd, keys + *done * ks, maxelem))
			return -1;
	}
	return 0;
}

struct copy {
	struct sets_ptab *to;
	int fd;
	uint32_t maxelem;
};

static int copy_key(const void *key, void *ctx)
{
	struct copy *c = ctx;

	return sets_ptab_insert(c->to, c->fd, key, c->maxelem);
}

int sets_ptab_copy_into(const struct sets_ptab *from, int ffd, struct sets_ptab *to, int tfd, uint32_t maxelem)
{
	struct copy c = { to, tfd, maxelem };

	return sets_ptab_walk(from, ffd, copy_key, &c);
}
