/* bitmap:ip's range: `range FROM-TO|IP/CIDR` at create, widened to whole
 * netmask blocks and checked as the kernel's bitmap_ip_create() does, and
 * the range check of an element (bitmap_ip_uadt). bitmap:ip,mac's range
 * is read and checked alike (bitmap_ipmac_create: no netmask, the same
 * limit). Measured against the kernel's ipset in tests/netns/ipset_diff.cmds
 * (## bitmap:ip, ## bitmap:ip,mac). */
#include "features/sets/ipset/ipset.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define BITMAP_IP_MAX 65536 /* the kernel's IPSET_BITMAP_MAX_RANGE + 1 entries */

static int v4(const char *text, int col, uint32_t *out, struct sl_error *err)
{
	struct in_addr a;

	if (inet_pton(AF_INET, text, &a) != 1)
		return sl_fail(err, SL_E_USAGE, col, "'%s' is not an IPv4 address", text);
	*out = ntohl(a.s_addr);
	return 0;
}

int sl_set_ip_range(const char *value, int col, struct sl_set_spec *spec, struct sl_error *err)
{
	char buf[64], *sep = NULL, kind;
	unsigned long long cidr;
	int rc;

	if (strlen(value) < sizeof(buf)) {
		strcpy(buf, value);
		sep = strpbrk(buf, "-/");
	}
	/* ipset's words: a separator at either end is no range */
	if (!sep || sep == buf || !sep[1])
		return sl_fail(err, SL_E_USAGE, col, "range needs FROM-TO or IP/CIDR, got '%s'", value);
	kind = *sep;
	*sep = '\0';
	if (v4(buf, col, &spec->range_from, err))
		return -1;
	if (kind == '-') {
		if (v4(sep + 1, col + (int)(sep + 1 - buf), &spec->range_to, err))
			return -1;
		if (spec->range_from > spec->range_to) { /* swapped, as by the kernel */
			uint32_t t = spec->range_from;

			spec->range_from = spec->range_to;
			spec->range_to = t;
		}
		return 0;
	}
	rc = sl_set_number(sep + 1, 255, &cidr);
	if (rc == -1)
		return sl_fail(err, SL_E_USAGE, col, "CIDR '%s' is not a number", sep + 1);
	if (rc || cidr > 32)
		return sl_fail(err, SL_E_USAGE, col, "CIDR /%s out of range 1..32", sep + 1);
	if (cidr == 32) /* the kernel's refusal: a range of one address */
		return sl_fail(err, SL_E_USAGE, col, "range %s: a /32 is no range (the CIDR parameter is invalid)", value);
	spec->range_from &= (uint32_t)(0xffffffff00000000ull >> cidr);
	spec->range_to = spec->range_from | (uint32_t)(0xffffffffull >> cidr);
	return 0;
}

/* the kernel's range_to_mask(): the prefix length of the smallest CIDR
 * block whose last address is `to` and first `from`, or -1 if there is
 * none; 0 only for the whole space */
static int range_prefix(uint32_t from, uint32_t to)
{
	for (int bits = 31; bits > 0; bits--)
		if ((to & (uint32_t)(0xffffffff00000000ull >> bits)) == from)
			return bits;
	return from == 0 && to == 0xffffffff ? 0 : -1;
}

int sl_set_ip_range_finish(struct sl_set_spec *spec, int col, struct sl_error *err)
{
	int netmask = spec->flags & SL_SET_F_NETMASK ? spec->netmask : 32;
	uint32_t host = (uint32_t)(0xffffffffull >> netmask);
	uint64_t entries;

	spec->range_from &= ~host;
	spec->range_to |= host;
	if (netmask == 32) {
		entries = (uint64_t)spec->range_to - spec->range_from + 1;
	} else {
		int bits = range_prefix(spec->range_from, spec->range_to);

		/* a netmask needs a CIDR block split into more than one */
		if (bits < 0 || netmask <= bits) {
			char range[2 * INET_ADDRSTRLEN];

			sl_set_ip_range_format(spec, range, sizeof(range));
			return sl_fail(err, SL_E_USAGE, col, "netmask %d does not split the range %s into blocks: "
				       "element is out of the range of the set", netmask, range);
		}
		entries = 1ull << (netmask - bits);
	}
	if (entries > BITMAP_IP_MAX)
		return sl_fail(err, SL_E_USAGE, col, "the range holds %llu entries: it exceeds the size limit of the set "
			       "type (%d)", (unsigned long long)entries, BITMAP_IP_MAX);
	spec->maxelem = (uint32_t)entries;
	return 0;
}

bool sl_set_ip_in_range(const struct sl_set_spec *spec, const struct sl_set_elem *e)
{
	uint32_t first = sl_set_addr_v4(e->addr);
	uint32_t last = e->flags & SL_ELEM_F_ADDR_RANGE ? sl_set_addr_v4(e->addr_to) : first;

	const struct sl_set_type_info *ti = &sl_set_types[spec->type];

	return !(ti->inet && ti->bitmap) || (first >= spec->range_from && last <= spec->range_to);
}

int sl_set_ip_range_format(const struct sl_set_spec *spec, char *out, size_t size)
{
	struct in_addr a = { htonl(spec->range_from) }, b = { htonl(spec->range_to) };
	char from[INET_ADDRSTRLEN], to[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, from, sizeof(from));
	inet_ntop(AF_INET, &b, to, sizeof(to));
	return snprintf(out, size, "%s-%s", from, to);
}
