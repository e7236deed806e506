/* Parsing elements: the comma-separated parts each set type takes (one
 * parser per part kind, chosen by the type table) and the per-element
 * options of add/del/test. */
#include "common/set_name.h"
#include "features/sets/ipset/ipset.h"
#include "common/utf8.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define WORD_MAX 256 /* longer than any valid element */

struct part_ctx {
	const struct sl_set_spec *spec;
	const struct sl_set_type_info *ti;
	struct sl_set_elem *e;
	enum sl_set_cmd cmd;
	int dim;                /* 0-based part index */
	int col;                /* column of the part's first character */
	struct sl_error *err;
	bool slash[3], dash[3]; /* per part: a CIDR, an address range was written */
};

/* ipset's separator rule: a separator at either end of the text is none */
static char *find_sep(char *text, char sep)
{
	size_t len = strlen(text);

	if (!len || text[0] == sep || text[len - 1] == sep)
		return NULL;
	return strchr(text, sep);
}

static int copy_word(const char *text, char *buf, int col, struct sl_error *err)
{
	size_t len = strlen(text);

	if (len >= WORD_MAX)
		return sl_fail(err, SL_E_USAGE, col, "'%.32s...' is longer than %d characters", text, WORD_MAX - 1);
	memcpy(buf, text, len + 1);
	return 0;
}

/* --- addresses --------------------------------------------------------------- */

static bool is_v6(const struct part_ctx *c)
{
	return c->spec->family == SL_FAMILY_IPV6;
}

static int parse_addr(const struct part_ctx *c, const char *text, int col, uint8_t out[16])
{
	bool v6 = is_v6(c);
	uint8_t other[16];

	memset(out, 0, 16);
	if (inet_pton(v6 ? AF_INET6 : AF_INET, text, out) == 1)
		return 0;
	if (inet_pton(v6 ? AF_INET : AF_INET6, text, other) == 1)
		return sl_fail(c->err, SL_E_USAGE, col, "'%s' is not an %s address (set '%s' is family %s)", text,
			       v6 ? "IPv6" : "IPv4", c->spec->name, sl_set_family_name(c->spec->family));
	return sl_fail(c->err, SL_E_USAGE, col, "'%s' is not an %s address", text, v6 ? "IPv6" : "IPv4");
}

static void set_v4(uint8_t addr[16], uint32_t a)
{
	memset(addr, 0, 16);
	addr[0] = (uint8_t)(a >> 24);
	addr[1] = (uint8_t)(a >> 16);
	addr[2] = (uint8_t)(a >> 8);
	addr[3] = (uint8_t)a;
}

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int addr_cidr(struct part_ctx *c, char *text, char *slash, uint8_t *addr, uint8_t *cidr)
{
	enum sl_set_part kind = c->ti->part[c->dim];
	int max = is_v6(c) ? 128 : 32;
	unsigned long long n = 0;
	int rc;

	*slash = '\0';
	if (parse_addr(c, text, c->col, addr))
		return -1;
	rc = sl_set_number(slash + 1, 255, &n);
	if (rc == -1)
		return sl_fail(c->err, SL_E_USAGE, c->col + (int)(slash + 1 - text), "CIDR '%s' is not a number",
			       slash + 1);
	/* the kernel refuses /0 but in hash:net,iface, and in hash:net,net's
	 * test (which finds nothing) */
	if (rc || n < (c->ti->zero_cidr || (c->cmd == SL_SETCMD_TEST && c->ti->test_zero_cidr) ? 0u : 1u) ||
	    n > (unsigned)max)
		return sl_fail(c->err, SL_E_USAGE, c->col + (int)(slash + 1 - text), "CIDR /%s out of range 1..%d",
			       slash + 1, max);
	*slash = '/';
	*cidr = (uint8_t)n;
	/* hash:net,net's test of a /0: no entry has it; ipset echoes the
	 * address as given */
	if (n == (unsigned)max || (n == 0 && !c->ti->zero_cidr))
		return 0;
	if (kind == SL_PART_IP_ONE || (kind == SL_PART_IP && is_v6(c)))
		return sl_fail(c->err, SL_E_USAGE, c->col, "%s family %s takes single addresses, not '%s'",
			       c->ti->name, sl_set_family_name(c->spec->family), text);
	sl_set_mask_cidr(addr, (int)n);
	if (kind == SL_PART_IP) { /* the kernel adds every host of it */
		uint32_t from = sl_set_addr_v4(addr), to = from | (uint32_t)(0xffffffffull >> n);

		set_v4(c->e->addr_to, to);
		c->e->flags |= SL_ELEM_F_ADDR_RANGE | SL_ELEM_F_ADDR_CIDR;
		*cidr = 32;
	}
	return 0;
}

static int addr_range(struct part_ctx *c, char *text, char *dash, uint8_t *addr, uint8_t *cidr)
{
	enum sl_set_part kind = c->ti->part[c->dim];
	uint8_t to[16], *last = c->dim == 0 ? c->e->addr_to : c->e->addr2_to; /* hash:net,net: either part */

	*dash = '\0';
	if (parse_addr(c, text, c->col, addr) || parse_addr(c, dash + 1, c->col + (int)(dash + 1 - text), to))
		return -1;
	*dash = '-';
	if (kind == SL_PART_IP_ONE || is_v6(c))
		return sl_fail(c->err, SL_E_USAGE, c->col, "%s family %s takes no address ranges: '%s'", c->ti->name,
			       sl_set_family_name(c->spec->family), text);
	if (sl_set_addr_v4(addr) > sl_set_addr_v4(to)) { /* ipset swaps a reversed range */
		memcpy(last, addr, 16);
		memcpy(addr, to, 16);
	} else {
		memcpy(last, to, 16);
	}
	if (kind == SL_PART_NET && sl_set_addr_v4(addr) == 0 && sl_set_addr_v4(last) == 0xffffffff)
		return sl_fail(c->err, SL_E_USAGE, c->col, "range '%s' covers the whole address space", text);
	c->e->flags |= c->dim == 0 ? SL_ELEM_F_ADDR_RANGE : SL_ELEM_F_ADDR2_RANGE;
	*cidr = 32;
	return 0;
}

static const char *cmd_word(enum sl_set_cmd cmd);

/* bitmap:ip,mac takes one address: ipset's parser refuses a range or CIDR
 * unread, except a /32, whose address it reads before refusing it */
static int plain_ip_only(struct part_ctx *c, char *text, char *slash)
{
	uint8_t addr[16];

	if (!slash || strcmp(slash + 1, "32"))
		return sl_fail(c->err, SL_E_USAGE, c->col, "%s takes single addresses, not '%s'", c->ti->name, text);
	*slash = '\0';
	if (parse_addr(c, text, c->col, addr))
		return -1;
	*slash = '/';
	return sl_fail(c->err, SL_E_USAGE, c->col, "IP/CIDR range is not allowed in command %s with set type %s and family %s",
		       cmd_word(c->cmd), c->ti->name, sl_set_family_name(c->spec->family));
}

/* SL_PART_IP, SL_PART_NET, SL_PART_IP_ONE */
static int parse_addr_part(struct part_ctx *c, char *text)
{
	uint8_t *addr = c->dim == 0 ? c->e->addr : c->e->addr2;
	uint8_t *cidr = c->dim == 0 ? &c->e->cidr : &c->e->cidr2;
	char *slash = find_sep(text, '/'), *dash = slash ? NULL : find_sep(text, '-');
	int rc;

	c->e->family = (uint8_t)c->spec->family;
	c->slash[c->dim] = slash != NULL;
	c->dash[c->dim] = dash != NULL;
	if (c->ti->plain_ip && (slash || dash))
		return plain_ip_only(c, text, slash);
	if (slash)
		rc = addr_cidr(c, text, slash, addr, cidr);
	else if (dash)
		rc = addr_range(c, text, dash, addr, cidr);
	else if ((rc = parse_addr(c, text, c->col, addr)) == 0)
		*cidr = is_v6(c) ? 128 : 32;
	return rc;
}

/* The kernel refuses to add or delete a null first address (after the
 * set's netmask/bitmask: 0.0.0.5 in a /24 set), once the options are read;
 * a test of one is a miss. */
static int null_check(struct part_ctx *c, enum sl_set_cmd cmd, const char *text)
{
	uint8_t addr[16], mask[16];

	if (cmd == SL_SETCMD_TEST || c->ti->null_addr || c->ti->part[0] == SL_PART_MAC || c->ti->part[0] == SL_PART_PORT)
		return 0;
	memcpy(addr, c->e->addr, sizeof(addr));
	if (sl_set_spec_mask(c->spec, mask))
		sl_set_mask_addr(addr, mask);
	if (is_zero(addr, sizeof(addr)))
		return sl_fail(c->err, SL_E_USAGE, c->col, "%s cannot store the null address: '%s'", c->ti->name, text);
	return 0;
}

/* bitmap:ip: the element within the set's range, checked after the
 * options as the kernel checks it (a test outside it is a miss: the
 * caller reads "outside the range" so) */
static int range_check(struct part_ctx *c, const char *text)
{
	char range[64];

	if (sl_set_ip_in_range(c->spec, c->e))
		return 0;
	sl_set_ip_range_format(c->spec, range, sizeof(range));
	return sl_fail(c->err, SL_E_USAGE, c->col, "address %s outside the range %s of set '%s'", text, range,
		       c->spec->name);
}

/* --- ports --------------------------------------------------------------------- */

/* one port number or service name, "[name]" escaping a dash */
static int one_port(char *text, const char *proto, int col, uint16_t *port, struct sl_error *err)
{
	size_t len = strlen(text);
	int rc;

	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text[len - 1] = '\0';
		text++;
	}
	rc = sl_set_service_port(text, proto, port);
	if (rc == -2)
		return sl_fail(err, SL_E_USAGE, col, "%s port %s out of range 0..65535", proto, text);
	if (rc)
		return sl_fail(err, SL_E_USAGE, col, "'%s' is neither a port number nor a %s service", text, proto);
	return 0;
}

/* the dash of FROM-TO into *dash (NULL for one port) */
static int port_range_sep(char *buf, int col, char **dash, struct sl_error *err)
{
	char *close;

	*dash = NULL;
	if (buf[0] != '[') {
		*dash = find_sep(buf, '-');
		return 0;
	}
	close = strchr(buf, ']');
	if (!close)
		return sl_fail(err, SL_E_USAGE, col, "no ']' closes '%s'", buf);
	if (close[1] && close[1] != '-')
		return sl_fail(err, SL_E_USAGE, col, "'-' expected after ']' in '%s'", buf);
	if (close[1])
		*dash = close + 1;
	return 0;
}

int sl_set_port_range(const char *text, const char *proto, int col, uint16_t *from, uint16_t *to,
		      bool *range, struct sl_error *err)
{
	char buf[WORD_MAX];
	char *dash;

	if (copy_word(text, buf, col, err) || port_range_sep(buf, col, &dash, err))
		return -1;
	*range = dash != NULL;
	if (dash)
		*dash = '\0';
	if (one_port(buf, proto, col, from, err) ||
	    (dash && one_port(dash + 1, proto, col + (int)(dash + 1 - buf), to, err)))
		return -1;
	if (!dash)
		*to = *from;
	if (*from > *to) {
		uint16_t t = *from;

		*from = *to;
		*to = t;
	}
	return 0;
}

static int parse_icmp(struct part_ctx *c, bool v6, const char *text, int col)
{
	if (is_v6(c) != v6)
		return sl_fail(c->err, SL_E_USAGE, c->col, "protocol %s needs family %s, set '%s' is %s",
			       v6 ? "icmpv6" : "icmp", v6 ? "inet6" : "inet", c->spec->name,
			       sl_set_family_name(c->spec->family));
	if (sl_set_icmp_parse(v6, text, &c->e->port))
		return sl_fail(c->err, SL_E_USAGE, col, "'%s' is not an %s type name or TYPE/CODE", text,
			       v6 ? "ICMPv6" : "ICMP");
	return 0;
}

/* SL_PART_PROTO_PORT: [PROTO:]PORT[-PORT], tcp when no protocol is given */
static int parse_proto_port(struct part_ctx *c, char *text)
{
	char *colon = find_sep(text, ':'), *port = text, name[64];
	int col = c->col;
	bool range;

	c->e->proto = IPPROTO_TCP;
	if (colon) {
		*colon = '\0';
		if (!strcmp(text, "0")) /* ipset passes it on; the kernel refuses it */
			return sl_fail(c->err, SL_E_USAGE, c->col, "protocol 0 is not a valid protocol");
		if (sl_set_proto_parse(text, &c->e->proto))
			return sl_fail(c->err, SL_E_USAGE, c->col, "'%s' is not a protocol", text);
		port = colon + 1;
		col += (int)(port - text);
	}
	switch (sl_set_proto_ports(c->e->proto)) {
	case SL_PORTS_NUMBERED:
		if (sl_set_port_range(port, sl_set_proto_name(c->e->proto, name, sizeof(name)), col, &c->e->port,
				      &c->e->port_to, &range, c->err))
			return -1;
		if (range)
			c->e->flags |= SL_ELEM_F_PORT_RANGE;
		return 0;
	case SL_PORTS_ICMP:
		return parse_icmp(c, false, port, col);
	case SL_PORTS_ICMPV6:
		return parse_icmp(c, true, port, col);
	case SL_PORTS_NONE:
		break;
	}
	if (strcmp(port, "0"))
		return sl_fail(c->err, SL_E_USAGE, col, "protocol %s takes port 0 only, got '%s'", text, port);
	c->e->port = 0;
	return 0;
}

/* SL_PART_PORT (bitmap:port): [tcp:|udp:]PORT[-PORT] within the set's range */
static int parse_bitmap_port(struct part_ctx *c, char *text)
{
	char *colon = find_sep(text, ':'), *port = text;
	const char *proto = "tcp";
	uint8_t p;
	bool range;

	if (colon) {
		*colon = '\0';
		if (sl_set_proto_parse(text, &p) || (p != IPPROTO_TCP && p != IPPROTO_UDP))
			return sl_fail(c->err, SL_E_USAGE, c->col, "%s takes tcp or udp ports, not '%s'", c->ti->name,
				       text);
		proto = p == IPPROTO_TCP ? "tcp" : "udp";
		port = colon + 1;
	}
	if (sl_set_port_range(port, proto, c->col + (int)(port - text), &c->e->port, &c->e->port_to, &range,
			      c->err))
		return -1;
	if (range)
		c->e->flags |= SL_ELEM_F_PORT_RANGE;
	if (c->e->port < c->spec->range_from || c->e->port_to > c->spec->range_to)
		return sl_fail(c->err, SL_E_USAGE, c->col, "port %s outside the range %u-%u of set '%s'", port,
			       c->spec->range_from, c->spec->range_to, c->spec->name);
	return 0;
}

/* --- MAC ------------------------------------------------------------------------ */

static int hex(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
	       ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* six groups of one or two hex digits joined by ':' (ipset's reading) */
static int parse_mac(struct part_ctx *c, char *text)
{
	const char *p = text;

	for (int i = 0; i < 6; i++) {
		int hi = hex(*p), lo;

		if (hi < 0)
			goto bad;
		lo = hex(*++p);
		c->e->mac[i] = (uint8_t)(lo < 0 ? hi : hi << 4 | lo);
		p += lo >= 0;
		if (*p != (i < 5 ? ':' : '\0'))
			goto bad;
		p++;
	}
	/* hash:mac refuses the null MAC; bitmap:ip,mac stores it (measured) */
	if (is_zero(c->e->mac, 6) && c->ti->part[0] == SL_PART_MAC)
		return sl_fail(c->err, SL_E_USAGE, c->col, "%s cannot store the MAC 00:00:00:00:00:00", c->ti->name);
	c->e->flags |= SL_ELEM_F_MAC;
	return 0;
bad:
	return sl_fail(c->err, SL_E_USAGE, c->col, "'%s' is not a MAC address", text);
}

/* --- interfaces (hash:net,iface) -------------------------------------------------------- */

/* [physdev:]NAME as ipset reads it: any bytes but the separator, the
 * prefix taken once, the name at most IFNAMSIZ - 1 long (an empty one only
 * after physdev:, as the kernel stores it) */
static int parse_iface(struct part_ctx *c, char *text)
{
	static const char physdev[] = "physdev:";
	const char *name = text;

	if (!strncmp(text, physdev, strlen(physdev))) {
		name += strlen(physdev);
		c->e->flags |= SL_ELEM_F_PHYSDEV;
	}
	if (strlen(name) > SL_IFACE_LEN)
		return sl_fail(c->err, SL_E_USAGE, c->col, "interface name '%s' is longer than %d characters", name,
			       SL_IFACE_LEN);
	/* the kernel takes any byte; a save line must read back through the
	 * line grammar (UTF-8 text): ASCII only, no control characters */
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return sl_fail(c->err, SL_E_USAGE, c->col,
				       "interface name: byte 0x%02x at %d is not a printable ASCII character",
				       (unsigned char)*p, (int)(p - name) + 1);
	snprintf(c->e->iface, sizeof(c->e->iface), "%s", name);
	return 0;
}

/* hash:ip,mark's MARK: a number as ipset reads one (decimal, 0x hex, 0
 * octal), kept as given: a key ANDs it with the set's markmask */
static int parse_mark(struct part_ctx *c, char *text)
{
	unsigned long long n;

	if (sl_set_number_or_fail("mark", text, c->col, UINT32_MAX, &n, c->err))
		return -1;
	c->e->mark = (uint32_t)n;
	return 0;
}

/* --- elements ----------------------------------------------------------------------- */

static const struct {
	const char *metavar;
	int (*parse)(struct part_ctx *c, char *text);
} part_kinds[] = {
	[SL_PART_IP] = { "IP", parse_addr_part },
	[SL_PART_NET] = { "IP", parse_addr_part },
	[SL_PART_IP_ONE] = { "IP", parse_addr_part },
	[SL_PART_PROTO_PORT] = { "PORT", parse_proto_port },
	[SL_PART_PORT] = { "PORT", parse_bitmap_port },
	[SL_PART_MAC] = { "MAC", parse_mac },
	[SL_PART_IFACE] = { "IFACE", parse_iface },
	[SL_PART_MARK] = { "MARK", parse_mark },
};

/* split at commas into at most 3 parts; the count may exceed that */
static int split_parts(char *buf, char *part[3])
{
	int n = 0;

	for (char *p = buf;; p++) {
		if (n < 3)
			part[n] = p;
		n++;
		p = strchr(p, ',');
		if (!p)
			return n;
		*p = '\0';
	}
}

static int parse_key(struct part_ctx *c, const char *word)
{
	char buf[WORD_MAX], *part[3];
	int n, col0 = c->col;

	if (copy_word(word, buf, col0, c->err))
		return -1;
	/* IP[,MAC]: ipset reads a comma at either end as part of the address */
	if (c->ti->last_optional && !find_sep(buf, ',')) {
		c->dim = 0;
		return part_kinds[c->ti->part[0]].parse(c, buf);
	}
	/* net,iface: a comma at either end is part of the net (ipset's words:
	 * "Second element is missing") */
	if ((c->ti->iface || c->ti->markmask) && !find_sep(buf, ','))
		return sl_fail(c->err, SL_E_USAGE, col0, "%s needs %s: '%s'", c->ti->name,
			       part_kinds[c->ti->part[1]].metavar, word);
	n = split_parts(buf, part);
	if (c->ti->last_optional && n > c->ti->dims && !*part[1]) { /* "IP,,X": ipset reads ",X" as the MAC */
		c->dim = 1;
		c->col = col0 + (int)(part[1] - buf);
		return sl_fail(c->err, SL_E_USAGE, c->col, "'%s' is not a MAC address", word + (part[1] - buf));
	}
	if (n > c->ti->dims)
		return sl_fail(c->err, SL_E_USAGE, col0, "%s takes %s, got '%s'", c->ti->name, c->ti->metavar, word);
	for (int i = 0; i < c->ti->dims; i++) {
		if (i >= n || !*part[i])
			return sl_fail(c->err, SL_E_USAGE, col0, "%s needs %s: '%s'", c->ti->name,
				       part_kinds[c->ti->part[i]].metavar, word);
		c->dim = i;
		c->col = col0 + (int)(part[i] - buf);
		if (part_kinds[c->ti->part[i]].parse(c, part[i]))
			return -1;
	}
	return 0;
}

/* --- per-element options ---------------------------------------------------------------- */

#define CMD(c) (1u << (c))

struct elem_opt {
	const char *name;
	bool value;
	unsigned cmds;          /* CMD(SL_SETCMD_ADD) | ... */
	unsigned spec_flag;     /* the set must have been created with it */
	const char *spec_word;  /* ... which create calls this */
	int (*apply)(struct part_ctx *c, const char *value, int col);
};

static int apply_timeout(struct part_ctx *c, const char *value, int col)
{
	unsigned long long n;

	if (sl_set_number_or_fail("timeout", value, col, SL_SET_TIMEOUT_MAX, &n, c->err))
		return -1;
	c->e->timeout = (uint32_t)n;
	c->e->flags |= SL_ELEM_F_TIMEOUT;
	return 0;
}

static int apply_counter(struct part_ctx *c, const char *name, uint64_t *out, unsigned flag, const char *value,
			 int col)
{
	unsigned long long n;

	/* ipset keeps the all-ones value out */
	if (sl_set_number_or_fail(name, value, col, UINT64_MAX - 1, &n, c->err))
		return -1;
	*out = n;
	c->e->flags |= flag;
	return 0;
}

static int apply_packets(struct part_ctx *c, const char *value, int col)
{
	return apply_counter(c, "packets", &c->e->packets, SL_ELEM_F_PACKETS, value, col);
}

static int apply_bytes(struct part_ctx *c, const char *value, int col)
{
	return apply_counter(c, "bytes", &c->e->bytes, SL_ELEM_F_BYTES, value, col);
}

static int apply_comment(struct part_ctx *c, const char *value, int col)
{
	int len;

	if (strchr(value, '"')) /* ipset prints it between double quotes, unescaped */
		return sl_fail(c->err, SL_E_USAGE, col, "comment may not contain '\"'");
	if (*value && value[strlen(value) - 1] == '\\') /* printed as is, it would escape the closing quote */
		return sl_fail(c->err, SL_E_USAGE, col, "comment may not end with a backslash");
	/* ipset keeps a comment's bytes as given; sluice's replies are JSON, so
	 * bytes that are not UTF-8 are read as Latin-1 (a save from a Latin-1
	 * system restores; its é comes back as UTF-8) */
	len = sl_utf8_from_latin1(value, c->e->comment, sizeof(c->e->comment));
	if (len < 0 || len > SL_SET_COMMENT_MAX)
		return sl_fail(c->err, SL_E_USAGE, col, "comment longer than %d characters", SL_SET_COMMENT_MAX);
	if (len) /* the kernel keeps no empty comment */
		c->e->flags |= SL_ELEM_F_COMMENT;
	return 0;
}

static int apply_wildcard(struct part_ctx *c, const char *value, int col)
{
	(void)value;
	if (!c->ti->iface)
		return sl_fail(c->err, SL_E_USAGE, col, "wildcard given but set '%s' is %s (only hash:net,iface has it)",
			       c->spec->name, c->ti->name);
	c->e->flags |= SL_ELEM_F_WILDCARD;
	return 0;
}

static int apply_nomatch(struct part_ctx *c, const char *value, int col)
{
	(void)value;
	if (!c->ti->nomatch)
		return sl_fail(c->err, SL_E_USAGE, col, "nomatch given but set '%s' is %s (only hash:net types have it)",
			       c->spec->name, c->ti->name);
	c->e->flags |= SL_ELEM_F_NOMATCH;
	return 0;
}

/* ipset reads these with sscanf, so sluice does too: the same leniency
 * (trailing text ignored, a mark wider than 32 bits cut to its low 32) and
 * the same refusals (a mark without 0x, a prio without ':') */
static int apply_skbmark(struct part_ctx *c, const char *value, int col)
{
	unsigned long mark, mask;

	if (sscanf(value, "0x%lx/0x%lx", &mark, &mask) != 2) {
		mask = 0xffffffffu;
		if (sscanf(value, "0x%lx", &mark) != 1)
			return sl_fail(c->err, SL_E_USAGE, col, "skbmark '%s' is not 0xMARK or 0xMARK/0xMASK", value);
	}
	c->e->skb.mark = (uint32_t)mark;
	c->e->skb.mask = (uint32_t)mask;
	return 0;
}

static int apply_skbprio(struct part_ctx *c, const char *value, int col)
{
	unsigned maj, min;

	if (sscanf(value, "%x:%x", &maj, &min) != 2)
		return sl_fail(c->err, SL_E_USAGE, col, "skbprio '%s' is not MAJOR:MINOR", value);
	c->e->skb.prio = maj << 16 | (min & 0xffff);
	return 0;
}

static int apply_skbqueue(struct part_ctx *c, const char *value, int col)
{
	unsigned long long n;

	if (sl_set_number_or_fail("skbqueue", value, col, UINT16_MAX, &n, c->err))
		return -1;
	c->e->skb.queue = (uint16_t)n;
	return 0;
}

/* list:set's `before REF` / `after REF`: where a member goes, or is */
static int apply_ref(struct part_ctx *c, const char *value, int col, int8_t before)
{
	const char *word = before > 0 ? "before" : "after";

	if (!c->ti->list)
		return sl_fail(c->err, SL_E_USAGE, col, "unknown option '%s'", word);
	/* one option in two spellings (and the element's `,before,` form) */
	if (c->e->refname[0])
		return sl_fail(c->err, SL_E_USAGE, col, "%s already specified", word);
	if (strlen(value) > SL_SET_NAME_MAX)
		return sl_fail(c->err, SL_E_USAGE, col, "setname '%s' is longer than %d characters", value,
			       SL_SET_NAME_MAX);
	if (sl_set_name_check(value, col, c->err)) /* a name no set can have: save lines must read back */
		return -1;
	snprintf(c->e->refname, sizeof(c->e->refname), "%s", value);
	c->e->before = before;
	return 0;
}

static int apply_before(struct part_ctx *c, const char *value, int col)
{
	return apply_ref(c, value, col, 1);
}

static int apply_after(struct part_ctx *c, const char *value, int col)
{
	return apply_ref(c, value, col, -1);
}

static int apply_exist(struct part_ctx *c, const char *value, int col)
{
	(void)value, (void)col;
	c->e->flags |= SL_ELEM_F_EXIST;
	return 0;
}

static const struct elem_opt elem_opts[] = {
	{ "timeout", true, CMD(SL_SETCMD_ADD), SL_SET_F_TIMEOUT, "timeout", apply_timeout },
	{ "packets", true, CMD(SL_SETCMD_ADD), SL_SET_F_COUNTERS, "counters", apply_packets },
	{ "bytes", true, CMD(SL_SETCMD_ADD), SL_SET_F_COUNTERS, "counters", apply_bytes },
	{ "comment", true, CMD(SL_SETCMD_ADD), SL_SET_F_COMMENT, "comment", apply_comment },
	{ "skbmark", true, CMD(SL_SETCMD_ADD), SL_SET_F_SKBINFO, "skbinfo", apply_skbmark },
	{ "skbprio", true, CMD(SL_SETCMD_ADD), SL_SET_F_SKBINFO, "skbinfo", apply_skbprio },
	{ "skbqueue", true, CMD(SL_SETCMD_ADD), SL_SET_F_SKBINFO, "skbinfo", apply_skbqueue },
	{ "nomatch", false, CMD(SL_SETCMD_ADD) | CMD(SL_SETCMD_TEST), 0, NULL, apply_nomatch },
	{ "wildcard", false, CMD(SL_SETCMD_ADD), 0, NULL, apply_wildcard },
	{ "before", true, CMD(SL_SETCMD_ADD) | CMD(SL_SETCMD_DEL) | CMD(SL_SETCMD_TEST), 0, NULL, apply_before },
	{ "after", true, CMD(SL_SETCMD_ADD) | CMD(SL_SETCMD_DEL) | CMD(SL_SETCMD_TEST), 0, NULL, apply_after },
	{ "-exist", false, CMD(SL_SETCMD_ADD) | CMD(SL_SETCMD_DEL) | CMD(SL_SETCMD_TEST), 0, NULL, apply_exist },
	{ "-!", false, CMD(SL_SETCMD_ADD) | CMD(SL_SETCMD_DEL) | CMD(SL_SETCMD_TEST), 0, NULL, apply_exist },
};

/* What ipset's test refuses (its words): port ranges, address ranges
 * except in hash:ip and hash:ip,mark (whose test takes the first address), any CIDR in the address of hash:ip,port(,ip) and
 * bitmap:ip. */
static int test_shape(struct part_ctx *c, const char *text)
{
	const char *type = c->ti->name;
	const char *fam = c->ti->family || c->ti->inet ? sl_set_family_name(c->spec->family) : "unspec";

	if (c->e->flags & SL_ELEM_F_PORT_RANGE)
		return sl_fail(c->err, SL_E_USAGE, c->col,
			       "FROM-TO port range is not allowed in command test with set type %s and family %s", type, fam);
	if (c->dash[0] && c->spec->type != SL_SET_HASH_IP && c->spec->type != SL_SET_HASH_IP_MARK)
		return sl_fail(c->err, SL_E_USAGE, c->col,
			       "FROM-TO IP range is not allowed in command test with set type %s and family %s", type, fam);
	if (c->slash[0] && (c->spec->type == SL_SET_HASH_IP_PORT || c->spec->type == SL_SET_HASH_IP_PORT_IP ||
			    c->spec->type == SL_SET_BITMAP_IP))
		return sl_fail(c->err, SL_E_USAGE, c->col,
			       "IP/CIDR range is not allowed in command test with set type %s and family %s", type, fam);
	if (c->slash[2])
		return sl_fail(c->err, SL_E_USAGE, c->col, "plain IP address must be supplied: %s", text);
	/* hash:net,net's test takes the second range's first address */
	c->e->flags &= ~(unsigned)SL_ELEM_F_ADDR2_RANGE;
	return 0;
}

static const char *cmd_word(enum sl_set_cmd cmd)
{
	return cmd == SL_SETCMD_DEL ? "del" : cmd == SL_SETCMD_TEST ? "test" : "add";
}

static const struct elem_opt *elem_opt_find(const char *word)
{
	for (size_t k = 0; k < N(elem_opts); k++)
		if (!strcmp(sl_set_opt_word(word), elem_opts[k].name))
			return &elem_opts[k];
	return NULL;
}

/* ipset refuses an option given twice before it looks at what the set
 * takes, so `timeout 5 timeout 6` is that error in any set */
static int find_repeats(struct part_ctx *c, int argc, char *const argv[], const int *cols)
{
	bool seen[N(elem_opts)] = { false };

	for (int i = 1; i < argc; i++) {
		const struct elem_opt *o = elem_opt_find(argv[i]);

		if (!o || !o->value)
			continue;
		if (seen[o - elem_opts])
			return sl_fail(c->err, SL_E_USAGE, sl_set_word_col(argv, cols, i), "%s already specified", o->name);
		seen[o - elem_opts] = true;
		i++;
	}
	return 0;
}

static int parse_opts(struct part_ctx *c, enum sl_set_cmd cmd, int argc, char *const argv[], const int *cols)
{
	bool seen[N(elem_opts)] = { false };
	const struct elem_opt *lacking = NULL; /* the first option the set was created without */
	int lacking_col = 0;

	if (find_repeats(c, argc, argv, cols))
		return -1;

	for (int i = 1; i < argc; i++) {
		const struct elem_opt *o = elem_opt_find(argv[i]);
		int col = sl_set_word_col(argv, cols, i);

		if (!o)
			return sl_fail(c->err, SL_E_USAGE, col, "unknown option '%s'", argv[i]);
		if (!(o->cmds & CMD(cmd)))
			return sl_fail(c->err, SL_E_USAGE, col, "%s takes no option '%s'", cmd_word(cmd), o->name);
		if (o->value && seen[o - elem_opts]) /* ipset checks this first */
			return sl_fail(c->err, SL_E_USAGE, col, "%s already specified", o->name);
		if (o->spec_flag && !(c->spec->flags & o->spec_flag) && !lacking) {
			lacking = o;
			lacking_col = col;
		}
		seen[o - elem_opts] = true;
		if (o->value && i + 1 >= argc)
			return sl_fail(c->err, SL_E_USAGE, col, "%s needs a value", o->name);
		if (o->value)
			i++;
		if (o->apply(c, o->value ? argv[i] : NULL, sl_set_word_col(argv, cols, i)))
			return -1;
	}
	/* ipset parses every value before the kernel finds what the set lacks */
	if (lacking)
		return sl_fail(c->err, SL_E_USAGE, lacking_col, "%s given but set '%s' was created without %s",
			       lacking->name, c->spec->name, lacking->spec_word);
	return 0;
}

/* list:set's element: SETNAME, or ipset's older SETNAME,before|after,REF
 * (the reference is the rest, commas and all); whether the sets exist is
 * the list's question */
static int parse_list_elem(struct part_ctx *c, enum sl_set_cmd cmd, int argc, char *const argv[], const int *cols)
{
	char buf[WORD_MAX], *sep, *ref;
	const char *usage = "you must specify elements as setname,[before|after],setname";

	if (copy_word(argv[0], buf, c->col, c->err))
		return -1;
	sep = find_sep(buf, ',');
	if (sep) {
		*sep++ = '\0';
		ref = strchr(sep, ',');
		if (!ref)
			return sl_fail(c->err, SL_E_USAGE, c->col, "%s", usage);
		*ref++ = '\0';
		if (strcmp(sep, "before") && strcmp(sep, "after"))
			return sl_fail(c->err, SL_E_USAGE, c->col, "%s", usage);
		if (apply_ref(c, ref, c->col, sep[0] == 'b' ? 1 : -1))
			return -1;
	}
	if (strlen(buf) > SL_SET_NAME_MAX)
		return sl_fail(c->err, SL_E_USAGE, c->col, "setname '%s' is longer than %d characters", buf,
			       SL_SET_NAME_MAX);
	if (sl_set_name_check(buf, c->col, c->err)) /* a name no set can have: save lines must read back */
		return -1;
	snprintf(c->e->setname, sizeof(c->e->setname), "%s", buf);
	return parse_opts(c, cmd, argc, argv, cols);
}

int sl_set_elem_parse(const struct sl_set_spec *spec, enum sl_set_cmd cmd, int argc, char *const argv[],
		      const int *cols, struct sl_set_elem *elem, struct sl_error *err)
{
	struct part_ctx c = {
		.spec = spec, .ti = &sl_set_types[spec->type], .e = elem, .err = err, .cmd = cmd,
	};

	memset(elem, 0, sizeof(*elem));
	if (argc < 1)
		return sl_fail(err, SL_E_USAGE, 0, "%s needs %s", sl_set_types[spec->type].name,
			       sl_set_types[spec->type].metavar);
	c.col = sl_set_word_col(argv, cols, 0);
	if (c.ti->list)
		return parse_list_elem(&c, cmd, argc, argv, cols);
	if (parse_key(&c, argv[0]) || (cmd == SL_SETCMD_TEST && test_shape(&c, argv[0])))
		return -1;
	if (parse_opts(&c, cmd, argc, argv, cols))
		return -1;
	c.col = sl_set_word_col(argv, cols, 0);
	if (null_check(&c, cmd, argv[0]) || range_check(&c, argv[0]))
		return -1;
	return 0;
}
