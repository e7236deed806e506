/* A set's entries as bytes: an element's key (the one builder the programs
 * use too, sl_set_key_build), the value a new entry gets and its bytes in
 * the set's layout, and back from a key and value to the element ipset
 * prints. No kernel here.
 *
 * Userspace always handles a value as struct sl_set_value. In a map it is
 * that (sets with timeout, counters or comment), struct sl_set_nvalue
 * (plain hash:net* sets: nomatch and prefix), or nothing (plain bucket
 * tables: an entry is there or not). */
#include <stdio.h>
#include <string.h>

#include "features/sets/sets.h"

int sets_key_size(const struct sets_set *s)
{
	struct sl_set_tuple t = { 0 };
	uint8_t key[SL_SET_KEY_MAX];

	return sl_set_key_build(s->cls, &t, key);
}

int sets_elem_key(const struct sets_set *s, const struct sl_set_elem *e, void *key)
{
	struct sl_set_tuple t = { 0 };

	memcpy(t.addr, e->addr, sizeof(t.addr));
	memcpy(t.addr2, e->addr2, sizeof(t.addr2));
	memcpy(t.mac, e->mac, sizeof(t.mac));
	if (s->spec.type == SL_SET_HASH_NET_IFACE) { /* the name shares addr2's bytes */
		memset(t.addr2, 0, sizeof(t.addr2));
		memcpy(t.iface, e->iface, strnlen(e->iface, SL_IFACE_LEN));
		t.iflags = (uint8_t)((e->flags & SL_ELEM_F_PHYSDEV ? SL_IFACE_PHYSDEV : 0) |
				     (e->flags & SL_ELEM_F_WILDCARD ? SL_IFACE_WILDCARD : 0));
	}
	t.proto = e->proto;
	t.port = e->port;
	t.cidr = e->cidr;
	if (s->spec.type == SL_SET_HASH_IP_MARK) /* the mark shares addr2's bytes */
		t.mark = e->mark & s->spec.markmask;
	if (s->spec.type == SL_SET_HASH_NET_NET) /* shares proto's byte */
		t.cidr2 = e->cidr2;
	return sl_set_key_build(s->cls, &t, key);
}

void sets_entry_value(const struct sets_set *s, const struct sl_set_elem *e, struct sl_set_value *v)
{
	uint32_t timeout = e->flags & SL_ELEM_F_TIMEOUT ? e->timeout : s->spec.timeout;

	memset(v, 0, sizeof(*v));
	if ((s->spec.flags & SL_SET_F_TIMEOUT) && timeout)
		v->expires_ns = sets_now_ns() + (uint64_t)timeout * 1000000000ull;
	if (s->spec.flags & SL_SET_F_COUNTERS) {
		v->flags |= SL_SETV_COUNTERS;
		v->packets = e->flags & SL_ELEM_F_PACKETS ? e->packets : 0;
		v->bytes = e->flags & SL_ELEM_F_BYTES ? e->bytes : 0;
	}
	if (e->flags & SL_ELEM_F_NOMATCH)
		v->flags |= SL_SETV_NOMATCH;
	/* the LPM prefix the entry stands for: hash:net,net's second net's */
	v->cidr = s->spec.type == SL_SET_HASH_NET_NET ? e->cidr2 : e->cidr;
	if (e->flags & SL_ELEM_F_MAC) {
		v->flags |= SL_SETV_MAC;
		memcpy(v->mac, e->mac, sizeof(v->mac));
	} else if (s->cls == SL_CLASS_IPMAC4 && v->expires_ns) {
		/* no MAC yet: the timeout starts when a packet fills it in */
		v->flags |= SL_SETV_PENDING;
		v->expires_ns = (uint64_t)timeout * 1000000000ull;
	}
}

uint32_t sets_value_size(uint8_t cls)
{
	if (sl_set_class_is_ptab(cls))
		return 0;
	return sl_set_class_plain(cls) ? sizeof(struct sl_set_nvalue) : sizeof(struct sl_set_value);
}

void sets_value_encode(uint8_t cls, const struct sl_set_value *v, void *raw)
{
	if (sl_set_class_is_ptab(cls))
		return;
	if (sl_set_class_plain(cls)) {
		struct sl_set_nvalue n = { .flags = v->flags & SL_SETV_NOMATCH, .cidr = v->cidr };

		memcpy(raw, &n, sizeof(n));
		return;
	}
	memcpy(raw, v, sizeof(*v));
}

void sets_value_decode(uint8_t cls, const void *raw, struct sl_set_value *v)
{
	memset(v, 0, sizeof(*v));
	if (sl_set_class_is_ptab(cls))
		return;
	if (sl_set_class_plain(cls)) {
		struct sl_set_nvalue n;

		memcpy(&n, raw, sizeof(n));
		v->flags = n.flags & SL_SETV_NOMATCH;
		v->cidr = n.cidr;
		return;
	}
	memcpy(v, raw, sizeof(*v));
}

static uint16_t get_port(const uint8_t b[2])
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

void sets_entry_elem(const struct sets_set *s, const void *key, const struct sl_set_value *v,
		     struct sl_set_elem *e)
{
	const uint8_t *k = key;
	bool v6 = s->spec.family == SL_FAMILY_IPV6;
	int alen = v6 ? 16 : 4;
	struct sl_set_comment side;

	memset(e, 0, sizeof(*e));
	e->family = (uint8_t)s->spec.family;
	e->cidr = e->cidr2 = (uint8_t)(alen * 8);
	if (s->list) /* the key is the member (sets_list_walk) */
		sets_list_elem(key, e);
	switch (sl_set_key_class(s->cls)) {
	case SL_CLASS_IP4: case SL_CLASS_IP6:
		memcpy(e->addr, k, (size_t)alen);
		break;
	case SL_CLASS_NET4: case SL_CLASS_NET6:
		memcpy(e->addr, k + 4, (size_t)alen);
		e->cidr = v->cidr;
		break;
	case SL_CLASS_IPPORT4: case SL_CLASS_IPPORT6:
		memcpy(e->addr, k, (size_t)alen);
		e->port = get_port(k + alen);
		e->proto = k[alen + 2];
		break;
	case SL_CLASS_NETPORT4: case SL_CLASS_NETPORT6:
		e->proto = k[4];
		e->port = get_port(k + 5);
		memcpy(e->addr, k + 7, (size_t)alen);
		e->cidr = v->cidr;
		break;
	case SL_CLASS_IPPORTIP4: case SL_CLASS_IPPORTIP6:
		memcpy(e->addr, k, (size_t)alen);
		memcpy(e->addr2, k + alen, (size_t)alen);
		e->port = get_port(k + 2 * alen);
		e->proto = k[2 * alen + 2];
		break;
	case SL_CLASS_MAC:
		memcpy(e->mac, k, 6);
		break;
	case SL_CLASS_PORT:
		e->port = get_port(k);
		break;
	case SL_CLASS_NETIFACE4: case SL_CLASS_NETIFACE6:
		memcpy(e->addr, k + 4 + 1 + SL_IFACE_LEN, (size_t)alen);
		memcpy(e->iface, k + 5, SL_IFACE_LEN);
		e->iface[SL_IFACE_LEN] = '\0';
		e->flags |= (k[4] & SL_IFACE_PHYSDEV ? SL_ELEM_F_PHYSDEV : 0) |
			    (k[4] & SL_IFACE_WILDCARD ? SL_ELEM_F_WILDCARD : 0);
		e->cidr = v->cidr;
		break;
	case SL_CLASS_IPMARK4: case SL_CLASS_IPMARK6:
		memcpy(e->addr, k, (size_t)alen);
		memcpy(&e->mark, k + alen, sizeof(e->mark));
		break;
	case SL_CLASS_NETNET4: case SL_CLASS_NETNET6:
		e->cidr = k[4];
		memcpy(e->addr, k + 5, (size_t)alen);
		memcpy(e->addr2, k + 5 + alen, (size_t)alen);
		e->cidr2 = v->cidr;
		break;
	case SL_CLASS_IPMAC4:
		memcpy(e->addr, k, 4);
		if (v->flags & SL_SETV_MAC) {
			memcpy(e->mac, v->mac, sizeof(e->mac));
			e->flags |= SL_ELEM_F_MAC;
		}
		break;
	}
	if (v->flags & SL_SETV_NOMATCH)
		e->flags |= SL_ELEM_F_NOMATCH;
	if (s->spec.flags & SL_SET_F_TIMEOUT) {
		uint64_t now = sets_now_ns();

		e->flags |= SL_ELEM_F_TIMEOUT;
		/* seconds left, rounded up: right after an add that is the timeout given */
		e->timeout = v->expires_ns > now ? (uint32_t)((v->expires_ns - now + 999999999ull) / 1000000000ull) : 0;
		if (v->flags & SL_SETV_PENDING) /* not started: its length, as the kernel lists it */
			e->timeout = (uint32_t)(v->expires_ns / 1000000000ull);
	}
	if (s->spec.flags & SL_SET_F_COUNTERS) {
		e->flags |= SL_ELEM_F_PACKETS | SL_ELEM_F_BYTES;
		e->packets = v->packets;
		e->bytes = v->bytes;
	}
	/* a MAC filled in by a packet dropped the comment and skbinfo (the
	 * kernel's fill re-adds the entry with the packet's extensions) */
	if (!s->list && !(v->flags & SL_SETV_FILLED) && !sets_comment_get(s, key, &side)) {
		snprintf(e->comment, sizeof(e->comment), "%s", side.text);
		if (e->comment[0])
			e->flags |= SL_ELEM_F_COMMENT;
		e->skb = side.skb;
	}
}
