/* Elements and entries as `ipset save` prints them (see ipset/ipset.h). */
#include "features/sets/ipset/ipset.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

struct fmt {
	char *out;
	size_t size;
	int len;
};

/* SL_PART_IP, SL_PART_NET, SL_PART_IP_ONE: dim 0 is addr, dim 2 addr2 */
static void fmt_addr(struct fmt *f, const struct sl_set_elem *e, int dim)
{
	int af = e->family == SL_FAMILY_IPV6 ? AF_INET6 : AF_INET, host = af == AF_INET6 ? 128 : 32;
	const uint8_t *addr = dim == 0 ? e->addr : e->addr2;
	int cidr = dim == 0 ? e->cidr : e->cidr2;
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(af, addr, buf, sizeof(buf));
	sl_set_append(f->out, f->size, &f->len, "%s", buf);
	if (cidr && cidr != host)
		sl_set_append(f->out, f->size, &f->len, "/%d", cidr);
	if (dim == 0 && (e->flags & SL_ELEM_F_ADDR_CIDR)) { /* a hash:ip CIDR: a range of hosts, written as one */
		int len = 32;

		for (uint32_t host = sl_set_addr_v4(e->addr_to) - sl_set_addr_v4(e->addr); host; host >>= 1)
			len--;
		sl_set_append(f->out, f->size, &f->len, "/%d", len);
	} else if (dim == 0 ? e->flags & SL_ELEM_F_ADDR_RANGE : e->flags & SL_ELEM_F_ADDR2_RANGE) {
		inet_ntop(af, dim == 0 ? e->addr_to : e->addr2_to, buf, sizeof(buf));
		sl_set_append(f->out, f->size, &f->len, "-%s", buf);
	}
}

/* SL_PART_NET: a /0 prints too (hash:net,iface takes it, hash:net,net's test) */
static void fmt_net(struct fmt *f, const struct sl_set_elem *e, int dim)
{
	fmt_addr(f, e, dim);
	if (!(dim == 0 ? e->cidr : e->cidr2))
		sl_set_append(f->out, f->size, &f->len, "/0");
}

static void fmt_ports(struct fmt *f, const struct sl_set_elem *e)
{
	sl_set_append(f->out, f->size, &f->len, "%u", e->port);
	if (e->flags & SL_ELEM_F_PORT_RANGE)
		sl_set_append(f->out, f->size, &f->len, "-%u", e->port_to);
}

static void fmt_proto_port(struct fmt *f, const struct sl_set_elem *e, int dim)
{
	char name[64], icmp[16];
	enum sl_port_kind kind = sl_set_proto_ports(e->proto);

	(void)dim;
	sl_set_append(f->out, f->size, &f->len, "%s:", sl_set_proto_name(e->proto, name, sizeof(name)));
	if (kind == SL_PORTS_ICMP || kind == SL_PORTS_ICMPV6)
		sl_set_append(f->out, f->size, &f->len, "%s",
			      sl_set_icmp_name(kind == SL_PORTS_ICMPV6, e->port, icmp, sizeof(icmp)));
	else
		fmt_ports(f, e);
}

static void fmt_port(struct fmt *f, const struct sl_set_elem *e, int dim)
{
	(void)dim;
	fmt_ports(f, e);
}

static void fmt_mac(struct fmt *f, const struct sl_set_elem *e, int dim)
{
	(void)dim;
	sl_set_append(f->out, f->size, &f->len, "%02X:%02X:%02X:%02X:%02X:%02X", e->mac[0], e->mac[1], e->mac[2],
		      e->mac[3], e->mac[4], e->mac[5]);
}

static void fmt_iface(struct fmt *f, const struct sl_set_elem *e, int dim)
{
	(void)dim;
	sl_set_append(f->out, f->size, &f->len, "%s%s", e->flags & SL_ELEM_F_PHYSDEV ? "physdev:" : "", e->iface);
}

static void fmt_mark(struct fmt *f, const struct sl_set_elem *e, int dim)
{
	(void)dim;
	sl_set_append(f->out, f->size, &f->len, "0x%08x", e->mark);
}

static void (*const part_fmt[])(struct fmt *f, const struct sl_set_elem *e, int dim) = {
	[SL_PART_IP] = fmt_addr,
	[SL_PART_NET] = fmt_net,
	[SL_PART_IP_ONE] = fmt_addr,
	[SL_PART_PROTO_PORT] = fmt_proto_port,
	[SL_PART_PORT] = fmt_port,
	[SL_PART_MAC] = fmt_mac,
	[SL_PART_IFACE] = fmt_iface,
	[SL_PART_MARK] = fmt_mark,
};

static void fmt_key(struct fmt *f, const struct sl_set_spec *spec, const struct sl_set_elem *e)
{
	const struct sl_set_type_info *ti = &sl_set_types[spec->type];

	if (ti->list) { /* ipset prints a reference as "after", whichever was given */
		sl_set_append(f->out, f->size, &f->len, "%s", e->setname);
		if (e->refname[0])
			sl_set_append(f->out, f->size, &f->len, " after %s", e->refname);
		return;
	}

	for (int i = 0; i < ti->dims; i++) {
		/* bitmap:ip,mac: an entry without a MAC prints its address alone */
		if (i == ti->dims - 1 && ti->last_optional && !(e->flags & SL_ELEM_F_MAC))
			break;
		if (i)
			sl_set_append(f->out, f->size, &f->len, ",");
		part_fmt[ti->part[i]](f, e, i);
	}
}

int sl_set_elem_format(const struct sl_set_spec *spec, const struct sl_set_elem *elem, char *out, size_t size)
{
	struct fmt f = { out, size, 0 };

	fmt_key(&f, spec, elem);
	return f.len;
}

/* ipset's order: timeout, nomatch, packets/bytes, comment, skbinfo. A set
 * with timeout or counters shows them on every entry; skbinfo values only
 * where they are not zero, as the kernel sends them. */
static void fmt_extensions(struct fmt *f, const struct sl_set_spec *spec, const struct sl_set_elem *e)
{
	if (spec->flags & SL_SET_F_TIMEOUT)
		sl_set_append(f->out, f->size, &f->len, " timeout %u",
			      e->flags & SL_ELEM_F_TIMEOUT ? e->timeout : spec->timeout);
	if (e->flags & SL_ELEM_F_NOMATCH)
		sl_set_append(f->out, f->size, &f->len, " nomatch");
	if (e->flags & SL_ELEM_F_WILDCARD)
		sl_set_append(f->out, f->size, &f->len, " wildcard");
	if (spec->flags & SL_SET_F_COUNTERS)
		sl_set_append(f->out, f->size, &f->len, " packets %llu bytes %llu",
			      (unsigned long long)(e->flags & SL_ELEM_F_PACKETS ? e->packets : 0),
			      (unsigned long long)(e->flags & SL_ELEM_F_BYTES ? e->bytes : 0));
	if ((spec->flags & SL_SET_F_COMMENT) && (e->flags & SL_ELEM_F_COMMENT))
		sl_set_append(f->out, f->size, &f->len, " comment \"%s\"", e->comment);
	if (spec->flags & SL_SET_F_SKBINFO) {
		char v[32];

		if (e->skb.mark || e->skb.mask)
			sl_set_append(f->out, f->size, &f->len, " skbmark %s", sl_set_skbmark_format(&e->skb, v, sizeof(v)));
		if (e->skb.prio)
			sl_set_append(f->out, f->size, &f->len, " skbprio %s", sl_set_skbprio_format(&e->skb, v, sizeof(v)));
		if (e->skb.queue)
			sl_set_append(f->out, f->size, &f->len, " skbqueue %u", e->skb.queue);
	}
}

const char *sl_set_skbmark_format(const struct sl_set_skbinfo *skb, char *out, size_t size)
{
	if (skb->mask == 0xffffffffu)
		snprintf(out, size, "0x%x", skb->mark);
	else
		snprintf(out, size, "0x%x/0x%x", skb->mark, skb->mask);
	return out;
}

const char *sl_set_skbprio_format(const struct sl_set_skbinfo *skb, char *out, size_t size)
{
	snprintf(out, size, "%x:%x", skb->prio >> 16, skb->prio & 0xffff);
	return out;
}

int sl_set_add_format(const struct sl_set_spec *spec, const struct sl_set_elem *elem, char *out, size_t size)
{
	struct fmt f = { out, size, 0 };

	sl_set_append(out, size, &f.len, "add %s ", spec->name);
	fmt_key(&f, spec, elem);
	fmt_extensions(&f, spec, elem);
	return f.len;
}
