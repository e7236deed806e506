/* Patterns to entries, the way the kernel's ipset stores them. */
#include "features/sets/ipset/ipset.h"

#include <string.h>

static void put_v4(uint8_t addr[16], uint32_t a)
{
	addr[0] = (uint8_t)(a >> 24);
	addr[1] = (uint8_t)(a >> 16);
	addr[2] = (uint8_t)(a >> 8);
	addr[3] = (uint8_t)a;
}

/* The largest CIDR block that starts at `from` and ends by `to` (the
 * kernel's ip_set_range_to_cidr(): never /0). Returns its last address. */
static uint32_t block(uint32_t from, uint32_t to, uint8_t *cidr)
{
	for (int i = 1; i < 32; i++) {
		uint32_t host = (uint32_t)(0xffffffffull >> i), last = from | host;

		if ((from & host) == 0 && last <= to) {
			*cidr = (uint8_t)i;
			return last;
		}
	}
	*cidr = 32;
	return from;
}

static uint64_t count_blocks(uint32_t from, uint32_t to)
{
	uint64_t n = 0;
	uint8_t cidr;

	for (uint64_t a = from; a <= to; n++)
		a = (uint64_t)block((uint32_t)a, to, &cidr) + 1;
	return n;
}

/* A set with netmask or bitmask, as the kernel's hash_ip4_uadt and
 * hash_ipport4_uadt (bitmap_ip_uadt: below) walk it: the first address is masked; a CIDR is then
 * taken around it, a range runs from it to the (unmasked) last address;
 * hash:ip's walk steps by the netmask's block, or by one under a bitmask,
 * and hash:ip,port's by one: later addresses the kernel stores unmasked
 * (entries no packet's masked address can equal). */
static void mask_pattern(struct sl_set_iter *it, const struct sl_set_spec *spec, const struct sl_set_elem *pat)
{
	uint8_t mask[16];

	if (!sl_set_types[spec->type].mask || !sl_set_spec_mask(spec, mask))
		return;
	sl_set_mask_addr(it->next.addr, mask);
	if (!it->addr_steps)
		return;
	if (spec->type == SL_SET_BITMAP_IP) {
		/* bitmap_ip_uadt steps a block at a time from the first address
		 * as given (not masked) while it is not past the last: the block
		 * of the last address may be left out (10.0.2.5-10.0.3.4 under
		 * netmask 24 is 10.0.2.0 alone) */
		it->addr_step = (uint32_t)(0x100000000ull >> spec->netmask);
		it->addr_last = sl_set_addr_v4(it->next.addr) +
				(it->addr_last - sl_set_addr_v4(pat->addr)) / it->addr_step * it->addr_step;
		it->addr = sl_set_addr_v4(it->next.addr);
		return;
	}
	if (pat->flags & SL_ELEM_F_ADDR_CIDR) {
		uint32_t host = sl_set_addr_v4(pat->addr_to) - sl_set_addr_v4(pat->addr);

		it->addr = sl_set_addr_v4(it->next.addr) & ~host;
		it->addr_last = it->addr | host;
	} else {
		it->addr = sl_set_addr_v4(it->next.addr);
	}
	if ((spec->flags & SL_SET_F_NETMASK) && spec->type == SL_SET_HASH_IP)
		it->addr_step = (uint32_t)(0x100000000ull >> spec->netmask);
}

int sl_set_expand_init(struct sl_set_iter *it, const struct sl_set_spec *spec, const struct sl_set_elem *pat,
		       uint64_t max, struct sl_error *err)
{
	uint64_t addrs = 1;
	char text[SL_SET_LINE_MAX];

	memset(it, 0, sizeof(*it));
	it->next = *pat;
	it->next.flags &= ~(unsigned)(SL_ELEM_F_ADDR_RANGE | SL_ELEM_F_ADDR_CIDR | SL_ELEM_F_PORT_RANGE |
				      SL_ELEM_F_ADDR2_RANGE);
	if (pat->flags & SL_ELEM_F_ADDR_RANGE) {
		it->addr_steps = true;
		it->net_blocks = sl_set_types[spec->type].part[0] == SL_PART_NET;
		it->addr = sl_set_addr_v4(pat->addr);
		it->addr_last = sl_set_addr_v4(pat->addr_to);
	}
	it->addr_step = 1;
	mask_pattern(it, spec, pat);
	if (it->addr_steps)
		addrs = it->net_blocks ? count_blocks(it->addr, it->addr_last)
				       : ((uint64_t)it->addr_last - it->addr) / it->addr_step + 1;
	if (pat->flags & SL_ELEM_F_ADDR2_RANGE) { /* hash_netnet4_uadt: each first block with each second */
		it->addr2_steps = true;
		it->addr2 = it->addr2_first = sl_set_addr_v4(pat->addr2);
		it->addr2_last = sl_set_addr_v4(pat->addr2_to);
		addrs *= count_blocks(it->addr2_first, it->addr2_last);
	}
	it->port_first = pat->port;
	it->port_last = pat->flags & SL_ELEM_F_PORT_RANGE ? pat->port_to : pat->port;
	it->port = it->port_first;
	it->count = addrs * (it->port_last - it->port_first + 1);
	if (!max)
		max = SL_SET_EXPAND_MAX;
	if (it->count > max) {
		if (sl_set_elem_format(spec, pat, text, sizeof(text)) < 0)
			text[0] = '\0';
		return sl_fail(err, SL_E_USAGE, 0, "'%s' expands to %llu entries, more than %llu", text,
			       (unsigned long long)it->count, (unsigned long long)max);
	}
	return 0;
}

/* past the current address or block; done after the last */
static void next_addr(struct sl_set_iter *it)
{
	uint8_t cidr;
	/* a netmask's blocks are aligned: addr + step - 1 stays within 32 bits */
	uint32_t last = it->net_blocks ? block(it->addr, it->addr_last, &cidr) : it->addr + (it->addr_step - 1);

	if (!it->addr_steps || last >= it->addr_last)
		it->done = true;
	else
		it->addr = last + 1;
}

int sl_set_expand_next(struct sl_set_iter *it, struct sl_set_elem *elem)
{
	if (it->done)
		return 0;
	*elem = it->next;
	if (it->addr_steps) {
		put_v4(elem->addr, it->addr);
		if (it->net_blocks)
			block(it->addr, it->addr_last, &elem->cidr);
		else
			elem->cidr = 32;
	}
	if (it->addr2_steps) {
		uint32_t last = block(it->addr2, it->addr2_last, &elem->cidr2);

		put_v4(elem->addr2, it->addr2);
		if (last < it->addr2_last) {
			it->addr2 = last + 1;
			return 1;
		}
		it->addr2 = it->addr2_first;
	}
	elem->port = (uint16_t)it->port;
	if (it->port < it->port_last) {
		it->port++;
	} else {
		it->port = it->port_first;
		next_addr(it);
	}
	return 1;
}
