/* Listings in ipset's forms (see ipset_out.h). */
#include "ipset_out.h"

#include <stdlib.h>
#include <string.h>

static const char *str_of(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* "NAME TYPE" and the header's words make the create line's words */
int sl_ipset_spec_of(json_object *set, struct sl_set_spec *spec)
{
	char line[SL_SET_LINE_MAX];
	struct sl_set_line l;
	struct sl_error err;

	snprintf(line, sizeof(line), "create %s %s %s", str_of(set, "name"), str_of(set, "type"), str_of(set, "header"));
	if (sl_set_line_parse(line, NULL, NULL, &l, &err) != 1)
		return -1;
	*spec = l.spec;
	return 0;
}

/* --- sorting ------------------------------------------------------------ */

struct keyed {
	struct sl_set_elem e;
	bool ok;
	bool netnet;                /* hash:net,net: its second net's own order (cmp_second) */
	int index;                  /* ties and unparsed keep their order */
};

static void key_of(const struct sl_set_spec *spec, const char *elem, struct keyed *k)
{
	char buf[SL_SET_LINE_MAX], *w[1] = { buf };
	struct sl_error err;

	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(elem, " "), elem);
	k->ok = !sl_set_elem_parse(spec, SL_SETCMD_ADD, 1, w, NULL, &k->e, &err);
}

/* Nets as ipset -sorted orders them (measured on hash:net, hash:net,iface
 * and hash:net,net, ipset 7.17): IPv4 by address, one address's prefixes
 * longer first; IPv6 by the 32-bit words of the address that the shorter
 * of the two prefixes reaches into (at least one), then the prefix length
 * read as a signed byte (/128 first, then /1 up to /127), then the whole
 * address: 2001:db8::1 before 2001:db8::/32 before 2001:db8::/64, ::/1
 * and ::/0 before 2001:db7::1. A model of what was measured, not ipset's
 * code. */
static int cmp_net(const uint8_t *a, int acidr, const uint8_t *b, int bcidr, bool v6)
{
	int words = ((acidr < bcidr ? acidr : bcidr) + 31) / 32, c;

	if (!v6)
		return (c = memcmp(a, b, 4)) ? c : bcidr - acidr;
	if ((c = memcmp(a, b, 4 * (size_t)(words ? words : 1))) || (c = (int8_t)acidr - (int8_t)bcidr))
		return c;
	return memcmp(a, b, 16);
}

/* hash:net,net: the first nets, then one first net's entries by their
 * second net: IPv6 as above, IPv4 by address highest first (one
 * address's prefixes still longer first) */
static int cmp_second(const struct sl_set_elem *a, const struct sl_set_elem *b)
{
	int c;

	if (a->family == SL_FAMILY_IPV6)
		return cmp_net(a->addr2, a->cidr2, b->addr2, b->cidr2, true);
	return (c = memcmp(b->addr2, a->addr2, 4)) ? c : b->cidr2 - a->cidr2;
}

/* Protocols, and one protocol's ports, as ipset -sorted orders them: by
 * the text each prints, shorter first, then byte by byte (measured on
 * ipset 7.17: ah, esp, 200, gre, tcp, udp, icmp, igmp, sctp, udplite;
 * icmp:6/0, 40/2, echo-reply, echo-request, host-redirect, ...,
 * TOS-host-redirect). For numbered ports that is their numeric order. */
static int cmp_text(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

static int cmp_proto_port(const struct sl_set_elem *a, const struct sl_set_elem *b)
{
	char ta[64], tb[64];
	enum sl_port_kind kind;

	if (a->proto != b->proto)
		return cmp_text(sl_set_proto_name(a->proto, ta, sizeof(ta)), sl_set_proto_name(b->proto, tb, sizeof(tb)));
	kind = sl_set_proto_ports(a->proto);
	if (a->proto && (kind == SL_PORTS_ICMP || kind == SL_PORTS_ICMPV6))
		return cmp_text(sl_set_icmp_name(kind == SL_PORTS_ICMPV6, a->port, ta, sizeof(ta)),
				sl_set_icmp_name(kind == SL_PORTS_ICMPV6, b->port, tb, sizeof(tb)));
	return a->port - b->port;
}

static int cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	bool v6 = a->e.family == SL_FAMILY_IPV6;
	int c;

	if (a->ok != b->ok)
		return a->ok ? -1 : 1;
	if (!a->ok)
		return a->index - b->index;
	if ((c = cmp_net(a->e.addr, a->e.cidr, b->e.addr, b->e.cidr, v6)) || (a->netnet && (c = cmp_second(&a->e, &b->e))) ||
	    (c = cmp_proto_port(&a->e, &b->e)) ||
	    (c = memcmp(a->e.addr2, b->e.addr2, sizeof(a->e.addr2))) || (c = memcmp(a->e.mac, b->e.mac, sizeof(a->e.mac))) ||
	    (c = strcmp(a->e.iface, b->e.iface)) || (c = (a->e.mark > b->e.mark) - (a->e.mark < b->e.mark)))
		return c;
	return a->index - b->index;
}

/* the order of `n` element texts: perm[i] is the i-th smallest */
static void sort_order(const struct sl_set_spec *spec, const char *const *elems, int n, int *perm)
{
	struct keyed *k = calloc((size_t)n, sizeof(*k));

	if (!k) {
		for (int i = 0; i < n; i++)
			perm[i] = i;
		return;
	}
	for (int i = 0; i < n; i++) {
		key_of(spec, elems[i], &k[i]);
		k[i].index = i;
		k[i].netnet = spec->type == SL_SET_HASH_NET_NET;
	}
	qsort(k, (size_t)n, sizeof(*k), cmp_keyed);
	for (int i = 0; i < n; i++)
		perm[i] = k[i].index;
	free(k);
}

void sl_ipset_sort_members(json_object *set, bool all)
{
	json_object *members = NULL, *sorted;
	struct sl_set_spec spec;
	const char **elems;
	int n, *perm;

	if (!json_object_object_get_ex(set, "members", &members) || sl_ipset_spec_of(set, &spec) ||
	    !(all || sl_set_types[spec.type].bitmap) || sl_set_types[spec.type].list) /* a list's order is its meaning */
		return;
	n = (int)json_object_array_length(members);
	elems = calloc((size_t)n + 1, sizeof(*elems));
	perm = calloc((size_t)n + 1, sizeof(*perm));
	if (elems && perm) {
		for (int i = 0; i < n; i++)
			elems[i] = str_of(json_object_array_get_idx(members, (size_t)i), "elem");
		sort_order(&spec, elems, n, perm);
		sorted = json_object_new_array();
		for (int i = 0; i < n; i++)
			json_object_array_add(sorted, json_object_get(json_object_array_get_idx(members, (size_t)perm[i])));
		json_object_object_add(set, "members", sorted);
	}
	free(elems);
	free(perm);
}

/* --- plain and XML ------------------------------------------------------ */

void sl_ipset_print_plain(FILE *out, json_object *sets, bool names, bool terse)
{
	for (size_t i = 0; sets && i < json_object_array_length(sets); i++) {
		json_object *s = json_object_array_get_idx(sets, i), *members = NULL;

		if (names) {
			fprintf(out, "%s\n", str_of(s, "name"));
			continue;
		}
		fprintf(out, "%sName: %s\nType: %s\nHeader: %s\nSize in memory: %s\nReferences: %s\n"
			     "Number of entries: %s\n", i ? "\n" : "", str_of(s, "name"), str_of(s, "type"),
			str_of(s, "header"), str_of(s, "memory"), str_of(s, "references"), str_of(s, "entries"));
		if (terse)
			continue;
		fprintf(out, "Members:\n");
		json_object_object_get_ex(s, "members", &members);
		for (size_t m = 0; members && m < json_object_array_length(members); m++)
			fprintf(out, "%s\n", str_of(json_object_array_get_idx(members, m), "line"));
	}
}

/* valued header options; every other word is a flag (<counters/>) */
static bool header_valued(const char *w)
{
	static const char *const valued[] = { "family", "hashsize", "maxelem", "timeout", "bucketsize", "initval",
					      "range", "netmask", "bitmask", "markmask", "size", NULL };

	for (int i = 0; valued[i]; i++)
		if (!strcmp(w, valued[i]))
			return true;
	return false;
}

static void xml_header(FILE *out, const char *header)
{
	char buf[SL_SET_LINE_MAX], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", header);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *v = header_valued(w) ? strtok_r(NULL, " ", &save) : NULL;

		if (v)
			fprintf(out, "<%s>%s</%s>", w, v, w);
		else
			fprintf(out, "<%s/>", w);
	}
}

/* ipset's order: elem, timeout, nomatch, wildcard, packets, bytes, comment
 * (quoted), skbmark, skbprio, skbqueue */
static void xml_member(FILE *out, json_object *m)
{
	static const char *const skb[] = { "skbmark", "skbprio", "skbqueue", NULL };
	json_object *v = NULL;

	fprintf(out, "<member><elem>%s</elem>", str_of(m, "elem"));
	if (json_object_object_get_ex(m, "timeout", &v))
		fprintf(out, "<timeout>%s</timeout>", json_object_get_string(v));
	if (json_object_object_get_ex(m, "nomatch", &v))
		fprintf(out, "<nomatch/>");
	if (json_object_object_get_ex(m, "wildcard", &v))
		fprintf(out, "<wildcard/>");
	if (json_object_object_get_ex(m, "packets", &v))
		fprintf(out, "<packets>%s</packets>", json_object_get_string(v));
	if (json_object_object_get_ex(m, "bytes", &v))
		fprintf(out, "<bytes>%s</bytes>", json_object_get_string(v));
	if (json_object_object_get_ex(m, "comment", &v))
		fprintf(out, "<comment>\"%s\"</comment>", json_object_get_string(v));
	for (int i = 0; skb[i]; i++)
		if (json_object_object_get_ex(m, skb[i], &v))
			fprintf(out, "<%s>%s</%s>", skb[i], json_object_get_string(v), skb[i]);
	fprintf(out, "</member>\n");
}

void sl_ipset_print_xml(FILE *out, json_object *sets, bool names, bool terse)
{
	fprintf(out, "<ipsets>\n");
	for (size_t i = 0; sets && i < json_object_array_length(sets); i++) {
		json_object *s = json_object_array_get_idx(sets, i), *members = NULL;

		if (names) {
			fprintf(out, "<ipset name=\"%s\"/>\n", str_of(s, "name"));
			continue;
		}
		fprintf(out, "<ipset name=\"%s\">\n<type>%s</type>\n<header>", str_of(s, "name"), str_of(s, "type"));
		xml_header(out, str_of(s, "header"));
		fprintf(out, "\n<memsize>%s</memsize>\n<references>%s</references>\n<numentries>%s</numentries>\n"
			     "</header>\n", str_of(s, "memory"), str_of(s, "references"), str_of(s, "entries"));
		if (!terse) {
			fprintf(out, "<members>\n");
			json_object_object_get_ex(s, "members", &members);
			for (size_t m = 0; members && m < json_object_array_length(members); m++)
				xml_member(out, json_object_array_get_idx(members, m));
			fprintf(out, "</members>\n");
		}
		fprintf(out, "</ipset>\n");
	}
	fprintf(out, "</ipsets>\n");
}

/* --- save ----------------------------------------------------------------- */

/* the set name of a save line: its second word */
static size_t name_of(const char *line, const char **name)
{
	const char *p = strchr(line, ' ');

	*name = p ? p + 1 : "";
	return strcspn(*name, " \n");
}

static bool same_name(const char *line, const char *name, size_t len)
{
	const char *n;

	return name_of(line, &n) == len && !strncmp(n, name, len);
}

void sl_ipset_print_save(FILE *out, const char *text, bool sorted)
{
	char *copy = strdup(text), *save = NULL;
	const char **lines = NULL, **adds;
	int n = 0, cap = 0, *perm;

	if (!copy)
		return;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (n == cap) {
			const char **grown = realloc(lines, (size_t)(cap = cap ? 2 * cap : 64) * sizeof(*lines));

			if (!grown)
				goto out;
			lines = grown;
		}
		lines[n++] = l;
	}
	adds = calloc((size_t)n + 1, sizeof(*adds));
	perm = calloc((size_t)n + 1, sizeof(*perm));
	for (int i = 0; adds && perm && i < n; i++) {
		struct sl_set_line cl;
		struct sl_error err;
		const char *name;
		size_t len = name_of(lines[i], &name);
		int na = 0;

		if (strncmp(lines[i], "create ", 7))
			continue;
		fprintf(out, "%s\n", lines[i]);
		for (int k = 0; k < n; k++)
			if (!strncmp(lines[k], "add ", 4) && same_name(lines[k], name, len))
				adds[na++] = lines[k] + 5 + len; /* the element and its options */
		if (sl_set_line_parse(lines[i], NULL, NULL, &cl, &err) == 1 && (sorted || sl_set_types[cl.spec.type].bitmap) &&
		    !sl_set_types[cl.spec.type].list) { /* a list keeps its order */
			sort_order(&cl.spec, adds, na, perm);
		} else {
			for (int k = 0; k < na; k++)
				perm[k] = k;
		}
		for (int k = 0; k < na; k++)
			fprintf(out, "add %.*s %s\n", (int)len, name, adds[perm[k]]);
	}
	free(adds);
	free(perm);
out:
	free(lines);
	free(copy);
}
