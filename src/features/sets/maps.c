/* One set's BPF maps, their lifecycle: create in a free slot, pin, reach
 * from the dataplane through the class's outer map, flush, adopt at start,
 * free. (Entries: entries.c; their bytes: elem_codec.c; expiry: expiry.c.) */
#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/bpf_info.h"
#include "core/log.h"
#include "core/pin.h"
#include "features/sets/sets.h"

_Static_assert(sizeof(((struct sl_set_comment *)0)->text) == SL_SET_COMMENT_MAX + 1, "a comment map value holds any comment");

static void sets_map_release(struct sets_priv *p, struct sets_set *s);

uint64_t sets_now_ns(void)
{
	return sl_ktime_ns();
}

static uint8_t key_class_of(const struct sl_set_spec *spec)
{
	bool v6 = spec->family == SL_FAMILY_IPV6;

	switch (spec->type) {
	case SL_SET_HASH_IP: return v6 ? SL_CLASS_IP6 : SL_CLASS_IP4;
	case SL_SET_BITMAP_IP: return SL_CLASS_IP4; /* its netmask applies as hash:ip's */
	case SL_SET_HASH_NET: return v6 ? SL_CLASS_NET6 : SL_CLASS_NET4;
	case SL_SET_HASH_IP_PORT: return v6 ? SL_CLASS_IPPORT6 : SL_CLASS_IPPORT4;
	case SL_SET_HASH_NET_PORT: return v6 ? SL_CLASS_NETPORT6 : SL_CLASS_NETPORT4;
	case SL_SET_HASH_IP_PORT_IP: return v6 ? SL_CLASS_IPPORTIP6 : SL_CLASS_IPPORTIP4;
	case SL_SET_HASH_MAC: return SL_CLASS_MAC;
	case SL_SET_BITMAP_IP_MAC: return SL_CLASS_IPMAC4;
	case SL_SET_HASH_NET_IFACE: return v6 ? SL_CLASS_NETIFACE6 : SL_CLASS_NETIFACE4;
	case SL_SET_HASH_IP_MARK: return v6 ? SL_CLASS_IPMARK6 : SL_CLASS_IPMARK4;
	case SL_SET_HASH_NET_NET: return v6 ? SL_CLASS_NETNET6 : SL_CLASS_NETNET4;
	case SL_SET_BITMAP_PORT:
	default: return SL_CLASS_PORT;
	}
}

uint8_t sets_class_of(const struct sl_set_spec *spec)
{
	if (sl_set_types[spec->type].list)
		return SL_CLASS_LIST;
	/* what an entry can carry is fixed at create: without these, nothing
	 * but the key (and a hash:net*'s nomatch, per entry) */
	bool plain = !(spec->flags & (SL_SET_F_TIMEOUT | SL_SET_F_COUNTERS | SL_SET_F_COMMENT | SL_SET_F_SKBINFO));

	/* bitmap:ip,mac keeps each entry's MAC in its value, hash:net,iface,
	 * hash:ip,mark and hash:net,net have no plain layout: never plain */
	if (key_class_of(spec) >= SL_CLASS_PLAIN_END)
		return key_class_of(spec);
	return (uint8_t)(key_class_of(spec) + (plain ? SL_CLASS_KEYS : 0));
}

const char *sets_layout_name(uint8_t cls)
{
	return sl_set_class_plain(cls) ? "plain" : "with entry values";
}

uint32_t sets_capacity(const struct sl_set_spec *spec)
{
	if (spec->type == SL_SET_BITMAP_PORT)
		return (uint32_t)spec->range_to - spec->range_from + 1;
	return spec->maxelem;
}

/* a set map's max_entries for `capacity` entries: a bucket table's buckets */
static uint32_t map_entries(uint8_t cls, uint32_t capacity)
{
	return sl_set_class_is_ptab(cls) ? sets_ptab_buckets_for(cls, capacity) : capacity;
}

/* the max_entries of the set's map now (a flush makes the same) */
static uint32_t set_map_entries(const struct sets_set *s)
{
	return sl_set_class_is_ptab(s->cls) ? s->pt.nbuckets : sets_capacity(&s->spec);
}

static int key_size(uint8_t cls)
{
	struct sl_set_tuple t = { 0 };
	uint8_t key[SL_SET_KEY_MAX];

	return sl_set_key_build(cls, &t, key);
}

/* a map name (BPF_OBJ_NAME_LEN, 16 with its NUL): the prefix and at most
 * three digits, which the cast shows the compiler */
_Static_assert(SL_SET_SLOTS <= 256 && sizeof(SL_SET_CMT_MAP_PREFIX) - 1 + 3 < 16, "slot map names fit 16 bytes");
void sets_slot_name(int slot, bool comments, char out[16])
{
	snprintf(out, 16, "%s%u", comments ? SL_SET_CMT_MAP_PREFIX : SL_SET_SLOT_MAP_PREFIX, (unsigned)(uint8_t)slot);
}

static void slot_pin(const struct sets_priv *p, int slot, bool comments, char *out, size_t size)
{
	char name[16];

	sets_slot_name(slot, comments, name);
	sl_pin_path(out, size, p->pin_root, SL_PIN_MAPS, name);
}

/* what a set's map (or its comment map) is: made so, and adopted only so */
static struct sl_map_layout slot_layout(uint8_t cls, uint32_t max_entries, bool comments)
{
	if (!comments && sl_set_class_is_ptab(cls))
		return (struct sl_map_layout){
			/* any size: the inner template's BPF_F_INNER_MAP lets it differ */
			.type = BPF_MAP_TYPE_ARRAY,
			.key_size = sizeof(__u32),
			.value_size = sets_ptab_bucket_size(cls),
			.max_entries = max_entries,
			.flags = BPF_F_INNER_MAP,
		};
	return (struct sl_map_layout){
		/* comments are looked up by whole key only */
		.type = !comments && sl_set_class_is_lpm(cls) ? BPF_MAP_TYPE_LPM_TRIE : BPF_MAP_TYPE_HASH,
		.key_size = (uint32_t)key_size(cls),
		.value_size = comments ? sizeof(struct sl_set_comment) : sets_value_size(cls),
		.max_entries = max_entries,
		.flags = BPF_F_NO_PREALLOC,
	};
}

/* A set's new, empty map (a bucket table's first bucket says its size
 * before anyone can read it) or comment map */
static int new_map(const struct sets_priv *p, uint8_t cls, uint32_t max_entries, int slot, bool comments)
{
	struct sl_map_layout l = slot_layout(cls, max_entries, comments);
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = l.flags);
	uint32_t value_type = comments ? p->comment_type_id : p->value_type_id[cls];
	struct sets_ptab t = { 0 };
	char name[16];
	int fd;

	sets_slot_name(slot, comments, name);
	if (p->btf_fd >= 0 && p->key_type_id[cls] && value_type) {
		o.btf_fd = (__u32)p->btf_fd;
		o.btf_key_type_id = p->key_type_id[cls];
		o.btf_value_type_id = value_type;
	}
	fd = bpf_map_create((enum bpf_map_type)l.type, name, l.key_size, l.value_size, l.max_entries, &o);
	if (fd >= 0 && !comments && sl_set_class_is_ptab(cls) &&
	    (sets_ptab_init(&t, cls, max_entries) || sets_ptab_format(&t, fd))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.id : 0;
}

void sets_meta_of(const struct sets_set *s, struct sl_set_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->used = SL_SLOT_USED;
	snprintf(m->name, sizeof(m->name), "%s", s->spec.name);
	m->type = (uint8_t)s->spec.type;
	m->family = (uint8_t)s->spec.family;
	m->cls = s->cls;
	m->flags = s->spec.flags & ~(unsigned)SL_SET_F_EXIST;
	m->maxelem = s->spec.maxelem;
	m->timeout = s->spec.timeout;
	m->hashsize = s->spec.hashsize;
	m->bucketsize = s->spec.bucketsize;
	m->initval = s->spec.initval;
	m->netmask = s->spec.netmask;
	m->markmask = s->spec.markmask;
	if (sl_set_types[s->spec.type].inet && sl_set_types[s->spec.type].bitmap) {
		m->ip_range.from = s->spec.range_from;
		m->ip_range.to = s->spec.range_to;
	} else {
		m->range_from = (uint16_t)s->spec.range_from;
		m->range_to = (uint16_t)s->spec.range_to;
		memcpy(m->bitmask, s->spec.bitmask, sizeof(m->bitmask));
	}
	m->map_id = map_id(s->map_fd);
	m->cmt_map_id = map_id(s->cmt_fd);
}

static int pin_fresh(int fd, const char *path, struct sl_error *err)
{
	unlink(path); /* a leftover of a daemon that died between pin and meta */
	if (bpf_obj_pin(fd, path))
		return sl_fail(err, SL_E_KERNEL, 0, "pin %s: %s", path, strerror(errno));
	return 0;
}

/* A list:set's map: an ARRAY of its members per catalog bank */
static int new_list_map(const struct sets_priv *p, int slot)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);
	char name[16];

	sets_slot_name(slot, false, name);
	if (p->btf_fd >= 0 && p->list_key_type_id && p->list_type_id) {
		o.btf_fd = (__u32)p->btf_fd;
		o.btf_key_type_id = p->list_key_type_id;
		o.btf_value_type_id = p->list_type_id;
	}
	return bpf_map_create(BPF_MAP_TYPE_ARRAY, name, sizeof(__u32), sizeof(struct sl_set_list), SL_CATALOG_BANKS, &o);
}

int sets_map_create(struct sets_priv *p, const struct sl_set_spec *spec, struct sets_set **out,
		    struct sl_error *err)
{
	struct sets_set *s;
	char path[512], cpath[512];
	uint32_t key;
	int slot;

	/* taken only once the set is in its outer map, below */
	slot = sl_slot_lowest_free(&p->slot_busy, SL_SET_SLOTS);
	if (slot < 0)
		return sl_fail(err, SL_E_KERNEL, 0, "no free set slot: sluice holds at most %d sets (%d while "
			       "a reload builds the new ones next to the old)", SL_SET_SLOTS, SL_SET_SLOTS / 2);
	s = calloc(1, sizeof(*s));
	if (!s)
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	s->spec = *spec;
	s->spec.flags &= ~(unsigned)SL_SET_F_EXIST;
	s->slot = slot;
	s->cls = sets_class_of(spec);
	s->cmt_fd = -1;
	if (s->cls == SL_CLASS_LIST && sets_list_alloc(s)) {
		sets_list_free(s);
		free(s);
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	}
	s->map_fd = s->cls == SL_CLASS_LIST ? new_list_map(p, slot)
					    : new_map(p, s->cls, map_entries(s->cls, sets_capacity(spec)), slot, false);
	if (s->map_fd < 0) {
		sets_list_free(s);
		sl_fail(err, SL_E_KERNEL, 0, "set %s: cannot create its map (%u entries): %s", spec->name,
			sets_capacity(spec), strerror(errno));
		free(s);
		return -1;
	}
	if (sl_set_class_is_ptab(s->cls)) {
		sets_ptab_init(&s->pt, s->cls, map_entries(s->cls, sets_capacity(spec)));
		s->pt.count = 0;
	}
	/* (a list keeps its members' comments and skbinfo with them) */
	if ((spec->flags & (SL_SET_F_COMMENT | SL_SET_F_SKBINFO)) && s->cls != SL_CLASS_LIST) {
		s->cmt_fd = new_map(p, s->cls, sets_capacity(spec), slot, true);
		if (s->cmt_fd < 0) {
			sl_fail(err, SL_E_KERNEL, 0, "set %s: cannot create its comment map: %s", spec->name,
				strerror(errno));
			goto fail;
		}
	}
	slot_pin(p, slot, false, path, sizeof(path));
	slot_pin(p, slot, true, cpath, sizeof(cpath));
	if (pin_fresh(s->map_fd, path, err) || (s->cmt_fd >= 0 && pin_fresh(s->cmt_fd, cpath, err)))
		goto fail_pins;
	key = (uint32_t)slot;
	if (s->cls != SL_CLASS_LIST && bpf_map_update_elem(p->outer_fd[s->cls], &key, &s->map_fd, BPF_ANY)) {
		sl_fail(err, SL_E_KERNEL, 0, "set %s: outer map slot %d: %s", spec->name, slot, strerror(errno));
		goto fail_pins;
	}
	sl_slot_set(&p->slot_busy, slot, true);
	/* no record yet: the transaction's commit writes the catalog */
	sets_txn_created(p, s);
	*out = s;
	sets_txn_point(p);
	return 0;
fail_pins:
	unlink(path);
	unlink(cpath);
fail:
	if (s->cmt_fd >= 0)
		close(s->cmt_fd);
	close(s->map_fd);
	sets_list_free(s);
	free(s);
	return -1;
}

/* A flush makes empty maps and stages their pins beside the set's
 * ("<pin>__new"); the outer map switching to them is what the dataplane
 * sees; the pins are committed (renamed over the old) after that. */
static int flush_prepare(struct sets_priv *p, struct sets_set *s, int *fd, int *cfd, struct sl_error *err)
{
	char path[512];

	*fd = new_map(p, s->cls, set_map_entries(s), s->slot, false);
	*cfd = -1;
	if (*fd < 0)
		return sl_fail(err, SL_E_KERNEL, 0, "set %s: cannot create an empty map: %s", s->spec.name,
			       strerror(errno));
	if (s->cmt_fd >= 0 && (*cfd = new_map(p, s->cls, sets_capacity(&s->spec), s->slot, true)) < 0) {
		sl_fail(err, SL_E_KERNEL, 0, "set %s: cannot create an empty comment map: %s", s->spec.name,
			strerror(errno));
		goto fail;
	}
	slot_pin(p, s->slot, false, path, sizeof(path));
	if (sl_pin_stage(*fd, path, err))
		goto fail;
	slot_pin(p, s->slot, true, path, sizeof(path));
	if (*cfd >= 0 && sl_pin_stage(*cfd, path, err))
		goto fail;
	return 0;
fail:
	slot_pin(p, s->slot, false, path, sizeof(path));
	sl_pin_unstage(path);
	slot_pin(p, s->slot, true, path, sizeof(path));
	sl_pin_unstage(path);
	if (*cfd >= 0)
		close(*cfd);
	close(*fd);
	return -1;
}

int sets_outer_put(struct sets_priv *p, const struct sets_set *s, int fd, struct sl_error *err)
{
	uint32_t key = (uint32_t)s->slot;

	if (s->cls == SL_CLASS_LIST) /* in no outer map: rules reach its members */
		return 0;
	if (bpf_map_update_elem(p->outer_fd[s->cls], &key, &fd, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "set %s: outer map slot %d: %s", s->spec.name, s->slot,
			       strerror(errno));
	return 0;
}

void sets_flush_pins_commit(struct sets_priv *p, const struct sets_set *s)
{
	struct sl_error err = { 0 };
	char path[512];

	slot_pin(p, s->slot, false, path, sizeof(path));
	if (sl_pin_commit(path, &err))
		sl_warn("set %s: %s", s->spec.name, err.msg);
	slot_pin(p, s->slot, true, path, sizeof(path));
	if (s->cmt_fd >= 0 && sl_pin_commit(path, &err))
		sl_warn("set %s: %s", s->spec.name, err.msg);
}

int sets_flush_stage(struct sets_priv *p, struct sets_set *s, struct sl_error *err)
{
	int fd, cfd;

	if (flush_prepare(p, s, &fd, &cfd, err))
		return -1;
	sets_txn_flushed(p, s, s->map_fd, s->cmt_fd);
	s->map_fd = fd;
	s->cmt_fd = cfd;
	sets_ptab_emptied(&s->pt);
	sets_txn_point(p);
	return 0;
}

/* the set's maps are `fd` and `cfd` from now on; its old ones are closed */
static void take_maps(struct sets_set *s, int fd, int cfd)
{
	close(s->map_fd);
	if (s->cmt_fd >= 0)
		close(s->cmt_fd);
	s->map_fd = fd;
	s->cmt_fd = cfd;
}

void sets_flush_unstage(struct sets_priv *p, struct sets_set *s, int fd, int cfd)
{
	struct sl_error err = { 0 };
	char path[512];

	if (sets_outer_put(p, s, fd, &err))
		sl_err("%s", err.msg);
	slot_pin(p, s->slot, false, path, sizeof(path));
	sl_pin_unstage(path);
	slot_pin(p, s->slot, true, path, sizeof(path));
	sl_pin_unstage(path);
	take_maps(s, fd, cfd);
	/* the committed maps again: their count is read when needed */
	sets_ptab_release(&s->pt);
	s->pt.count = -1;
}

int sets_map_flush(struct sets_priv *p, struct sets_set *s, struct sl_error *err)
{
	int fd, cfd;

	if (flush_prepare(p, s, &fd, &cfd, err))
		return -1;
	if (sets_outer_put(p, s, fd, err)) {
		int old = s->map_fd, oldc = s->cmt_fd;

		s->map_fd = fd; /* unstage closes the set's (new) maps and puts the old back */
		s->cmt_fd = cfd;
		sets_flush_unstage(p, s, old, oldc);
		return -1;
	}
	take_maps(s, fd, cfd);
	sets_ptab_emptied(&s->pt);
	sets_flush_pins_commit(p, s);
	return 0;
}

/* the slot empty again: out of the outer and meta maps, pins gone, fds closed */
static void sets_map_release(struct sets_priv *p, struct sets_set *s)
{
	uint32_t key = (uint32_t)s->slot;
	char path[512];

	if (s->cls < SL_CLASS_COUNT)
		bpf_map_delete_elem(p->outer_fd[s->cls], &key);
	slot_pin(p, s->slot, false, path, sizeof(path));
	unlink(path);
	slot_pin(p, s->slot, true, path, sizeof(path));
	unlink(path);
	if (s->cmt_fd >= 0)
		close(s->cmt_fd);
	if (s->map_fd >= 0)
		close(s->map_fd);
	sets_ptab_release(&s->pt);
	sl_slot_set(&p->slot_busy, s->slot, false);
}

void sets_map_free(struct sets_priv *p, struct sets_set *s)
{
	if (!s)
		return;
	sets_map_release(p, s);
	sets_list_free(s);
	free(s);
}

int sets_maps_check_versions(const char *pin_root, struct sl_error *err)
{
	return sl_pin_check_family(pin_root, SL_SET_SLOT_MAP_PREFIX, err) ||
	       sl_pin_check_family(pin_root, SL_SET_CMT_MAP_PREFIX, err) ? -1 : 0;
}

/* Before adopting anything: each recorded set's maps have the layout this
 * build reads (their max_entries is the set's own, so any). */
static int check_slot_pins(const struct sets_priv *p, int bank, struct sl_error *err)
{
	for (int slot = 0; slot < SL_SET_SLOTS; slot++) {
		struct sl_set_meta m;
		uint32_t key = (uint32_t)(bank * SL_SET_SLOTS + slot);

		if (bpf_map_lookup_elem(p->shared_fd[SM_META], &key, &m) || m.used != SL_SLOT_USED ||
		    m.cls >= SL_CLASS_COUNT)
			continue;
		for (int cmt = 0; cmt < 2; cmt++) {
			struct sl_map_layout want = slot_layout(m.cls, 0, cmt);
			char name[16];

			sets_slot_name(slot, cmt, name);
			if (sl_pin_check_layout(p->pin_root, name, &want, err))
				return -1;
		}
	}
	return 0;
}

/* The map a record names (by id): the pin, or the staged pin of a flush
 * that committed before its pin was renamed (then renamed now). -1 when
 * neither is it. */
static int adopt_map(const struct sets_priv *p, int slot, bool comments, uint32_t want, const char *set)
{
	struct sl_error err = { 0 };
	char path[512];
	int fd;

	slot_pin(p, slot, comments, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd >= 0 && (!want || map_id(fd) == want)) {
		sl_pin_unstage(path); /* an uncommitted flush's empty map */
		return fd;
	}
	if (fd >= 0)
		close(fd);
	if (sl_pin_commit(path, &err))
		return -1;
	fd = bpf_obj_get(path);
	if (fd >= 0 && map_id(fd) == want) {
		sl_info("set %s (slot %d): its committed flush finished now (the empty map pinned)", set, slot);
		return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* A bucket table's geometry from its map; bucket 0 must say the same size
 * (the dataplane reads it there), else it is written again */
static int adopt_table(struct sets_set *s)
{
	struct sl_map_layout l;
	uint32_t zero = 0, *b;

	if (sl_map_layout_of(s->map_fd, &l) || sets_ptab_init(&s->pt, s->cls, l.max_entries))
		return -1;
	b = calloc(1, s->pt.bsize);
	if (!b)
		return -1;
	if (!bpf_map_lookup_elem(s->map_fd, &zero, b) && b[1] != l.max_entries) {
		sl_warn("set %s: its table's first bucket says %u buckets, its map has %u; corrected", s->spec.name,
			b[1], l.max_entries);
		b[1] = l.max_entries;
		bpf_map_update_elem(s->map_fd, &zero, b, BPF_ANY);
	}
	free(b);
	return 0;
}

int sets_maps_adopt(struct sets_priv *p, struct sets_catalog *c, int bank, struct sl_error *err)
{
	if (check_slot_pins(p, bank, err))
		return -1;
	for (int slot = 0; slot < SL_SET_SLOTS; slot++) {
		struct sl_set_meta m;
		uint32_t key = (uint32_t)(bank * SL_SET_SLOTS + slot);
		struct sl_error e = { 0 };
		struct sets_set *s;

		if (bpf_map_lookup_elem(p->shared_fd[SM_META], &key, &m) || m.used != SL_SLOT_USED)
			continue;
		if (m.type >= SL_SET_TYPE_COUNT || !sl_set_types[m.type].name ||
		    (m.cls >= SL_CLASS_COUNT && !(m.cls == SL_CLASS_LIST && m.type == SL_SET_LIST_SET))) {
			sl_warn("slot %d: a set record this daemon does not know (type %u, class %u); left alone", slot,
				m.type, m.cls);
			sl_slot_set(&p->slot_busy, slot, true);
			continue;
		}
		s = calloc(1, sizeof(*s));
		if (!s)
			return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		m.name[sizeof(m.name) - 1] = '\0';
		sl_set_spec_init(&s->spec, m.name, (enum sl_set_type)m.type);
		s->spec.family = (enum sl_family)m.family;
		s->spec.flags = m.flags;
		s->spec.maxelem = m.maxelem;
		s->spec.timeout = m.timeout;
		s->spec.hashsize = m.hashsize;
		s->spec.bucketsize = m.bucketsize;
		s->spec.initval = m.initval;
		s->spec.netmask = m.netmask;
		if (m.type == SL_SET_HASH_IP_MARK)
			s->spec.markmask = m.markmask;
		if (m.type == SL_SET_BITMAP_IP || m.type == SL_SET_BITMAP_IP_MAC) {
			s->spec.range_from = m.ip_range.from;
			s->spec.range_to = m.ip_range.to;
		} else {
			s->spec.range_from = m.range_from;
			s->spec.range_to = m.range_to;
			memcpy(s->spec.bitmask, m.bitmask, sizeof(s->spec.bitmask));
		}
		s->slot = slot;
		s->cls = m.cls;
		if (s->cls == SL_CLASS_LIST && sets_list_alloc(s)) {
			sets_list_free(s);
			free(s);
			return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		}
		s->map_fd = adopt_map(p, slot, false, m.map_id, m.name);
		s->cmt_fd = m.flags & (SL_SET_F_COMMENT | SL_SET_F_SKBINFO) && s->cls != SL_CLASS_LIST ? adopt_map(p, slot, true, m.cmt_map_id, m.name) : -1;
		/* a list's members as the committed generation has them */
		if (s->map_fd >= 0 && ((s->list && sets_list_load(s, bank)) ||
				       (sl_set_class_is_ptab(s->cls) && adopt_table(s)))) {
			close(s->map_fd);
			s->map_fd = -1;
		}
		if (s->map_fd < 0 || c->nsets == SL_SET_SLOTS) {
			sl_warn("set %s (slot %d): pinned map missing; dropping its record", m.name, slot);
			if (s->map_fd >= 0)
				close(s->map_fd);
			if (s->cmt_fd >= 0)
				close(s->cmt_fd);
			sets_list_free(s);
			free(s);
			continue;
		}
		/* the dataplane reaches what the record names (a flush cut short
		 * may have switched the outer map to a map no record holds) */
		if (sets_outer_put(p, s, s->map_fd, &e))
			sl_warn("%s", e.msg);
		sl_slot_set(&p->slot_busy, slot, true);
		c->set[c->nsets++] = s;
	}
	return 0;
}

/* The slot a pin under maps/ belongs to ("sl_set_v1_7", "sl_setc_v1_7__new"),
 * or -1 for any other name. */
static int pin_slot(const char *name)
{
	static const char *const prefixes[] = { SL_SET_SLOT_MAP_PREFIX, SL_SET_CMT_MAP_PREFIX };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		unsigned slot;
		int end = 0;

		if (strncmp(name, prefixes[i], n) || sscanf(name + n, "%u%n", &slot, &end) != 1)
			continue;
		if ((name[n + end] == '\0' || !strcmp(name + n + end, "__new")) && slot < SL_SET_SLOTS)
			return (int)slot;
	}
	return -1;
}

/* Free slots that still hold something: a daemon died between a set's
 * pins and its record. A set's map is pinned before it enters its outer
 * map and leaves the outer map before its pins go, so a slot without pins
 * holds nothing, and only slots with pins are cleared. That matters: a
 * delete from (and on 6.1 even a lookup in) a map of maps waits for an RCU
 * grace period, and clearing all 256 slots of 24 outer maps took 165 s of
 * a start under emulation. */
int sets_maps_sweep(struct sets_priv *p)
{
	bool pinned[SL_SET_SLOTS] = { false };
	char dir[512];
	struct dirent *de;
	DIR *d;
	int freed = 0;

	sl_pin_path(dir, sizeof(dir), p->pin_root, SL_PIN_MAPS, "");
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		int slot = pin_slot(de->d_name);

		if (slot >= 0)
			pinned[slot] = true;
	}
	closedir(d);
	for (int slot = 0; slot < SL_SET_SLOTS; slot++) {
		uint32_t key = (uint32_t)slot;
		char path[512];

		if (!pinned[slot] || sl_slot_taken(&p->slot_busy, slot))
			continue;
		for (int c = 0; c < SL_CLASS_COUNT; c++)
			bpf_map_delete_elem(p->outer_fd[c], &key);
		for (int cmt = 0; cmt < 2; cmt++) {
			slot_pin(p, slot, cmt, path, sizeof(path));
			unlink(path);
			sl_pin_unstage(path);
		}
		freed++;
	}
	return freed;
}

static uint64_t fd_memlock(int fd)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;

	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

uint64_t sets_map_memory(const struct sets_set *s)
{
	return fd_memlock(s->map_fd) + fd_memlock(s->cmt_fd);
}
