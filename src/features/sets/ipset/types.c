/* The set type table, create options (parse and print), numbers and names
 * shared by the sets_*.c files. */
#include "features/sets/ipset/ipset.h"

#include "common/utf8.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct sl_set_type_info sl_set_types[SL_SET_TYPE_COUNT] = {
	[SL_SET_HASH_IP] = {
		.name = "hash:ip", .alias = "iphash", .metavar = "IP",
		.dims = 1, .part = { SL_PART_IP }, .family = true, .mask = SL_MASK_AFTER_MAXELEM,
	},
	[SL_SET_HASH_NET] = {
		.name = "hash:net", .alias = "nethash", .metavar = "IP[/CIDR]",
		.dims = 1, .part = { SL_PART_NET }, .family = true, .nomatch = true, .null_addr = true,
	},
	[SL_SET_HASH_IP_PORT] = {
		.name = "hash:ip,port", .alias = "ipporthash", .metavar = "IP,PORT",
		.dims = 2, .part = { SL_PART_IP, SL_PART_PROTO_PORT }, .family = true, .mask = SL_MASK_LAST,
	},
	[SL_SET_HASH_NET_PORT] = {
		.name = "hash:net,port", .alias = "netporthash", .metavar = "IP[/CIDR],PORT",
		.dims = 2, .part = { SL_PART_NET, SL_PART_PROTO_PORT }, .family = true, .nomatch = true,
		.null_addr = true,
	},
	[SL_SET_HASH_IP_PORT_IP] = {
		.name = "hash:ip,port,ip", .alias = "ipportiphash", .metavar = "IP,PORT,IP",
		.dims = 3, .part = { SL_PART_IP, SL_PART_PROTO_PORT, SL_PART_IP_ONE }, .family = true,
		.null_addr = true,
	},
	[SL_SET_HASH_MAC] = {
		.name = "hash:mac", .alias = "machash", .metavar = "MAC",
		.dims = 1, .part = { SL_PART_MAC },
	},
	[SL_SET_BITMAP_PORT] = {
		.name = "bitmap:port", .alias = "portmap", .metavar = "PORT",
		.dims = 1, .part = { SL_PART_PORT }, .bitmap = true,
	},
	[SL_SET_BITMAP_IP] = {
		.name = "bitmap:ip", .alias = "ipmap", .metavar = "IP",
		.dims = 1, .part = { SL_PART_IP }, .inet = true, .bitmap = true, .null_addr = true,
		.mask = SL_MASK_AFTER_MAXELEM, .netmask_only = true,
	},
	[SL_SET_BITMAP_IP_MAC] = {
		.name = "bitmap:ip,mac", .alias = "macipmap", .metavar = "IP[,MAC]",
		.dims = 2, .part = { SL_PART_IP, SL_PART_MAC }, .inet = true, .bitmap = true, .null_addr = true,
		.last_optional = true, .plain_ip = true,
	},
	[SL_SET_HASH_NET_IFACE] = {
		.name = "hash:net,iface", .alias = "netifacehash", .metavar = "IP[/CIDR],[physdev:]IFACE",
		.dims = 2, .part = { SL_PART_NET, SL_PART_IFACE }, .family = true, .nomatch = true, .null_addr = true,
		.zero_cidr = true, .iface = true,
	},
	[SL_SET_HASH_IP_MARK] = {
		.name = "hash:ip,mark", .alias = "ipmarkhash", .metavar = "IP,MARK",
		.dims = 2, .part = { SL_PART_IP, SL_PART_MARK }, .family = true, .null_addr = true, .markmask = true,
	},
	[SL_SET_HASH_NET_NET] = {
		.name = "hash:net,net", .alias = "netnethash", .metavar = "IP[/CIDR],IP[/CIDR]",
		.dims = 2, .part = { SL_PART_NET, SL_PART_NET }, .family = true, .nomatch = true, .null_addr = true,
		.test_zero_cidr = true,
	},
	[SL_SET_LIST_SET] = {
		.name = "list:set", .alias = "setlist", .metavar = "SETNAME",
		.dims = 1, .list = true,
	},
};

const struct sl_set_type_info *sl_set_type_find(const char *name, enum sl_set_type *type)
{
	for (int t = 0; t < SL_SET_TYPE_COUNT; t++) {
		const struct sl_set_type_info *ti = &sl_set_types[t];

		if (!ti->name) /* a number kept for a type this build lacks */
			continue;
		if (!strcmp(name, ti->name) || (ti->alias && !strcmp(name, ti->alias))) {
			if (type)
				*type = (enum sl_set_type)t;
			return ti;
		}
	}
	return NULL;
}

const char *sl_set_family_name(enum sl_family family)
{
	return family == SL_FAMILY_IPV6 ? "inet6" : "inet";
}

int sl_set_number(const char *text, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	/* strtoull would take blanks and a sign; ipset's own output has neither.
	 * A negative number is out of range, as ipset words it (its strtoull
	 * reads -1 as the largest value) */
	if (text[0] == '-' && text[1] >= '0' && text[1] <= '9')
		return -2;
	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtoull(text, &end, 0);
	if (*end)
		return -1;
	if (errno == ERANGE || v > max)
		return -2;
	*out = v;
	return 0;
}

int sl_set_number_or_fail(const char *what, const char *text, int col, unsigned long long max,
			  unsigned long long *out, struct sl_error *err)
{
	int rc = sl_set_number(text, max, out);

	if (rc == -1)
		return sl_fail(err, SL_E_USAGE, col, "%s '%s' is not a number", what, text);
	if (rc == -2)
		return sl_fail(err, SL_E_USAGE, col, "%s %s out of range 0..%llu", what, text, max);
	return 0;
}

void sl_set_mask_cidr(uint8_t addr[16], int cidr)
{
	for (int i = 0; i < 16; i++) {
		int keep = cidr - 8 * i;

		addr[i] &= keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

uint32_t sl_set_addr_v4(const uint8_t addr[16])
{
	return (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 | (uint32_t)addr[2] << 8 | addr[3];
}

int sl_set_word_col(char *const argv[], const int *cols, int i)
{
	int col = 1;

	if (cols)
		return cols[i];
	for (int j = 0; j < i; j++)
		col += (int)strlen(argv[j]) + 1;
	return col;
}

const char *sl_set_opt_word(const char *word)
{
	return word[0] == '-' && word[1] == '-' && word[2] && word[2] != '-' ? word + 2 : word;
}

/* --- create options -------------------------------------------------------- */

void sl_set_spec_init(struct sl_set_spec *spec, const char *name, enum sl_set_type type)
{
	memset(spec, 0, sizeof(*spec));
	snprintf(spec->name, sizeof(spec->name), "%s", name);
	spec->type = type;
	if (sl_set_types[type].family || sl_set_types[type].inet)
		spec->family = SL_FAMILY_IPV4;
	if (sl_set_types[type].list) {
		spec->maxelem = SL_SET_LIST_DEFAULT_SIZE;
	} else if (!sl_set_types[type].bitmap) {
		spec->hashsize = 1024;
		spec->maxelem = 65536;
	}
	if (sl_set_types[type].markmask)
		spec->markmask = UINT32_MAX;
}

/* the kernel's hash table size: a power of two, at least 64 */
static uint32_t norm_hashsize(uint64_t n)
{
	uint64_t size = 64;

	while (size < n)
		size <<= 1;
	return (uint32_t)size;
}

/* the kernel's bucket size: even, 2..12 */
static uint8_t norm_bucketsize(unsigned long long n)
{
	if (n < 2)
		return 2;
	if (n > 12)
		return 12;
	return (uint8_t)(n + (n & 1));
}

enum opt_where {
	OPT_ANY = 0,
	OPT_HASH = 1 << 0,   /* hash types only */
	OPT_BITMAP = 1 << 1, /* bitmap:port only */
	OPT_FAMILY = 1 << 2, /* types with a family */
	OPT_MASK = 1 << 3,   /* types with netmask (hash:ip, hash:ip,port, bitmap:ip) */
	OPT_BITMASK = 1 << 4, /* ... and bitmask (not bitmap:ip) */
	OPT_LIST = 1 << 5,   /* list:set only */
	OPT_MARKMASK = 1 << 6, /* hash:ip,mark only */
};

struct create_opt {
	const char *name;
	bool value;             /* takes the next word */
	unsigned where;         /* enum opt_where */
	unsigned flag;          /* a flag option sets this spec flag (apply: NULL) */
	int (*apply)(struct sl_set_spec *spec, const char *name, const char *value, int col, struct sl_error *err);
};

static int opt_family(struct sl_set_spec *spec, const char *name, const char *value, int col, struct sl_error *err)
{
	const char *v = value ? value : name; /* "-4"/"-6" stand alone */

	if (!strcmp(v, "inet") || !strcmp(v, "ipv4") || !strcmp(v, "-4"))
		spec->family = SL_FAMILY_IPV4;
	else if (!strcmp(v, "inet6") || !strcmp(v, "ipv6") || !strcmp(v, "-6"))
		spec->family = SL_FAMILY_IPV6;
	else
		return sl_fail(err, SL_E_USAGE, col, "family '%s' is not inet or inet6", v);
	return 0;
}

static int opt_hashsize(struct sl_set_spec *spec, const char *name, const char *value, int col,
			struct sl_error *err)
{
	unsigned long long n;

	/* beyond 2^31 the kernel cannot round up to a power of two */
	if (sl_set_number_or_fail(name, value, col, 1ull << 31, &n, err))
		return -1;
	spec->hashsize = norm_hashsize(n);
	return 0;
}

static int opt_maxelem(struct sl_set_spec *spec, const char *name, const char *value, int col,
		       struct sl_error *err)
{
	unsigned long long n;

	if (sl_set_number_or_fail(name, value, col, UINT32_MAX, &n, err))
		return -1;
	spec->maxelem = (uint32_t)n;
	return 0;
}

/* list:set's size: the kernel makes it at least 4 (and holds more than
 * it: the size is printed, never enforced) */
static int opt_size(struct sl_set_spec *spec, const char *name, const char *value, int col, struct sl_error *err)
{
	unsigned long long n;

	if (sl_set_number_or_fail(name, value, col, UINT32_MAX, &n, err))
		return -1;
	spec->maxelem = n < SL_SET_LIST_MIN_SIZE ? SL_SET_LIST_MIN_SIZE : (uint32_t)n;
	return 0;
}

static int opt_timeout(struct sl_set_spec *spec, const char *name, const char *value, int col,
		       struct sl_error *err)
{
	unsigned long long n;

	if (sl_set_number_or_fail(name, value, col, SL_SET_TIMEOUT_MAX, &n, err))
		return -1;
	spec->timeout = (uint32_t)n;
	spec->flags |= SL_SET_F_TIMEOUT;
	return 0;
}

static int opt_bucketsize(struct sl_set_spec *spec, const char *name, const char *value, int col,
			  struct sl_error *err)
{
	unsigned long long n;

	if (sl_set_number_or_fail(name, value, col, 255, &n, err))
		return -1;
	spec->bucketsize = norm_bucketsize(n);
	spec->flags |= SL_SET_F_BUCKETSIZE;
	return 0;
}

static int opt_initval(struct sl_set_spec *spec, const char *name, const char *value, int col,
		       struct sl_error *err)
{
	unsigned long long n;

	if (sl_set_number_or_fail(name, value, col, UINT32_MAX, &n, err))
		return -1;
	spec->initval = (uint32_t)n;
	spec->flags |= SL_SET_F_INITVAL;
	return 0;
}

static int opt_range(struct sl_set_spec *spec, const char *name, const char *value, int col,
		     struct sl_error *err)
{
	const char *proto = "tcp", *colon = strchr(value, ':');
	uint16_t from, to;
	bool range;

	(void)name;
	if (sl_set_types[spec->type].inet && sl_set_types[spec->type].bitmap)
		return sl_set_ip_range(value, col, spec, err);
	/* ipset takes an optional tcp: or udp: here, for the service names */
	if (colon && (!strncmp(value, "tcp:", 4) || !strncmp(value, "udp:", 4))) {
		proto = value[0] == 't' ? "tcp" : "udp";
		col += (int)(colon + 1 - value);
		value = colon + 1;
	}
	if (sl_set_port_range(value, proto, col, &from, &to, &range, err))
		return -1;
	if (!range)
		return sl_fail(err, SL_E_USAGE, col, "range needs FROM-TO, got '%s'", value);
	spec->range_from = from;
	spec->range_to = to;
	return 0;
}

static int opt_markmask(struct sl_set_spec *spec, const char *name, const char *value, int col,
			struct sl_error *err)
{
	unsigned long long n;

	if (sl_set_number_or_fail(name, value, col, UINT32_MAX, &n, err))
		return -1;
	if (!n) /* the kernel's refusal */
		return sl_fail(err, SL_E_USAGE, col, "markmask %s is the null mask", value);
	spec->markmask = (uint32_t)n;
	return 0;
}

/* Options as ipset's create takes them. Valued options may be given once
 * (ipset: "... already specified"), flags any number of times. */
static const struct create_opt create_opts[] = {
	{ "family", true, OPT_FAMILY, 0, opt_family },
	{ "-4", false, OPT_FAMILY, 0, opt_family },
	{ "-6", false, OPT_FAMILY, 0, opt_family },
	{ "hashsize", true, OPT_HASH, 0, opt_hashsize },
	{ "maxelem", true, OPT_HASH, 0, opt_maxelem },
	{ "range", true, OPT_BITMAP, 0, opt_range },
	{ "size", true, OPT_LIST, 0, opt_size },
	{ "timeout", true, OPT_ANY, 0, opt_timeout },
	{ "counters", false, OPT_ANY, SL_SET_F_COUNTERS, NULL },
	{ "comment", false, OPT_ANY, SL_SET_F_COMMENT, NULL },
	{ "skbinfo", false, OPT_ANY, SL_SET_F_SKBINFO, NULL },
	{ "forceadd", false, OPT_HASH, SL_SET_F_FORCEADD, NULL },
	{ "bucketsize", true, OPT_HASH, 0, opt_bucketsize },
	{ "initval", true, OPT_HASH, 0, opt_initval },
	/* read by parse_masks() once the family is known (it may come later) */
	{ "netmask", true, OPT_MASK, SL_SET_F_NETMASK, NULL },
	{ "bitmask", true, OPT_MASK | OPT_BITMASK, SL_SET_F_BITMASK, NULL },
	{ "markmask", true, OPT_MARKMASK, 0, opt_markmask },
	{ "-exist", false, OPT_ANY, SL_SET_F_EXIST, NULL },
	{ "-!", false, OPT_ANY, SL_SET_F_EXIST, NULL },
};

static const struct create_opt *create_opt_find(const char *name)
{
	for (size_t i = 0; i < N(create_opts); i++)
		if (!strcmp(name, create_opts[i].name))
			return &create_opts[i];
	return NULL;
}

static int addr_bits(const struct sl_set_spec *spec)
{
	return spec->family == SL_FAMILY_IPV6 ? 128 : 32;
}

bool sl_set_spec_mask(const struct sl_set_spec *spec, uint8_t mask[16])
{
	int bits = addr_bits(spec);

	memset(mask, 0, 16);
	if (spec->flags & SL_SET_F_BITMASK) {
		memcpy(mask, spec->bitmask, (size_t)bits / 8);
		return true;
	}
	if (!(spec->flags & SL_SET_F_NETMASK))
		return false;
	memset(mask, 0xff, (size_t)bits / 8);
	sl_set_mask_cidr(mask, spec->netmask);
	return true;
}

static int opt_netmask(struct sl_set_spec *spec, const char *value, int col, struct sl_error *err)
{
	unsigned long long n;
	int max = addr_bits(spec), rc = sl_set_number(value, 255, &n);

	/* ipset reads a byte, then checks the family's range: its two messages */
	if (rc == -1)
		return sl_fail(err, SL_E_USAGE, col, "netmask '%s' is not a number in 1..%d", value, max);
	if (rc == -2)
		return sl_fail(err, SL_E_USAGE, col, "netmask %s is out of range 1..%d (not a byte)", value, max);
	if (n < 1 || n > (unsigned)max)
		return sl_fail(err, SL_E_USAGE, col, "netmask %s is out of range 1..%d", value, max);
	spec->netmask = (uint8_t)n;
	return 0;
}

static int opt_bitmask(struct sl_set_spec *spec, const char *value, int col, struct sl_error *err)
{
	bool v6 = spec->family == SL_FAMILY_IPV6;
	uint8_t zero[16] = { 0 };

	memset(spec->bitmask, 0, sizeof(spec->bitmask));
	if (inet_pton(v6 ? AF_INET6 : AF_INET, value, spec->bitmask) != 1)
		return sl_fail(err, SL_E_USAGE, col, "bitmask '%s' is not an %s address", value, v6 ? "IPv6" : "IPv4");
	if (!memcmp(spec->bitmask, zero, sizeof(zero))) /* the kernel's refusal */
		return sl_fail(err, SL_E_USAGE, col, "bitmask %s is the null mask", value);
	return 0;
}

/* netmask and bitmask, after the other options: their values depend on the
 * family, which may come after them. Values are checked in the order given,
 * then that only one is given (the kernel's check, after ipset's parser). A
 * mask that keeps the whole address is no mask, as in the kernel. */
static int parse_masks(int argc, char *const argv[], const int *cols, struct sl_set_spec *spec, struct sl_error *err)
{
	uint8_t ones[16];
	int second = 0; /* the column of the later of the two */

	for (int i = 2; i + 1 < argc; i++) {
		const char *w = sl_set_opt_word(argv[i]);
		int col = sl_set_word_col(argv, cols, i + 1);

		if (!strcmp(w, "netmask") || !strcmp(w, "bitmask"))
			second = sl_set_word_col(argv, cols, i);
		if (!strcmp(w, "netmask") && opt_netmask(spec, argv[i + 1], col, err))
			return -1;
		if (!strcmp(w, "bitmask") && opt_bitmask(spec, argv[i + 1], col, err))
			return -1;
		if (create_opt_find(w) && create_opt_find(w)->value)
			i++;
	}
	if ((spec->flags & SL_SET_F_NETMASK) && (spec->flags & SL_SET_F_BITMASK))
		return sl_fail(err, SL_E_USAGE, second, "bitmask and netmask are mutually exclusive, provide only one");
	memset(ones, 0xff, sizeof(ones));
	if ((spec->flags & SL_SET_F_NETMASK) && spec->netmask == addr_bits(spec)) {
		spec->flags &= ~(unsigned)SL_SET_F_NETMASK;
		spec->netmask = 0;
	}
	if ((spec->flags & SL_SET_F_BITMASK) && !memcmp(spec->bitmask, ones, (size_t)addr_bits(spec) / 8)) {
		spec->flags &= ~(unsigned)SL_SET_F_BITMASK;
		memset(spec->bitmask, 0, sizeof(spec->bitmask));
	}
	return 0;
}


static bool opt_fits(const struct create_opt *o, const struct sl_set_type_info *ti)
{
	return !((o->where & OPT_HASH) && (ti->bitmap || ti->list)) && !((o->where & OPT_BITMAP) && !ti->bitmap) &&
	       !((o->where & OPT_LIST) && !ti->list) && !((o->where & OPT_MARKMASK) && !ti->markmask) &&
	       !((o->where & OPT_FAMILY) && !ti->family) && !((o->where & OPT_MASK) && !ti->mask) &&
	       !((o->where & OPT_BITMASK) && ti->netmask_only);
}


/* the option words after NAME TYPE */
static int parse_create_opts(int argc, char *const argv[], const int *cols, struct sl_set_spec *spec,
			     struct sl_error *err)
{
	const struct sl_set_type_info *ti = &sl_set_types[spec->type];
	bool seen[N(create_opts)] = { false };
	bool family_seen = false;

	for (int i = 2; i < argc; i++) {
		const struct create_opt *o = create_opt_find(sl_set_opt_word(argv[i]));
		int col = sl_set_word_col(argv, cols, i);
		const char *value = NULL;

		if (!o)
			return sl_fail(err, SL_E_USAGE, col, "unknown option '%s'", argv[i]);
		if (!opt_fits(o, ti) && spec->type == SL_SET_HASH_NET_NET && (o->where & OPT_MASK))
			return sl_fail(err, SL_E_USAGE, col, SL_SET_NETNET_MASK_REFUSED, o->name);
		if (!opt_fits(o, ti))
			return sl_fail(err, SL_E_USAGE, col, "option '%s' is not for %s", argv[i], ti->name);
		if (o->apply == opt_family) { /* three spellings, one option */
			if (family_seen) /* ipset's words: the word given second */
				return sl_fail(err, SL_E_USAGE, col, "%s already specified", argv[i][0] == '-' ? argv[i] : "family");
			family_seen = true;
		} else if (o->value && seen[o - create_opts]) {
			return sl_fail(err, SL_E_USAGE, col, "%s already specified", o->name);
		}
		seen[o - create_opts] = true;
		if (o->value) {
			if (i + 1 >= argc)
				return sl_fail(err, SL_E_USAGE, col, "%s needs a value", o->name);
			value = argv[++i];
			col = sl_set_word_col(argv, cols, i);
		}
		spec->flags |= o->flag;
		if (o->apply && o->apply(spec, argv[value ? i - 1 : i], value, col, err))
			return -1;
	}
	/* the kernel's create line has both: an initval alone comes with the
	 * default bucketsize (a bucketsize alone, with a random initval there) */
	if ((spec->flags & SL_SET_F_INITVAL) && !(spec->flags & SL_SET_F_BUCKETSIZE)) {
		spec->bucketsize = 12;
		spec->flags |= SL_SET_F_BUCKETSIZE;
	}
	if (parse_masks(argc, argv, cols, spec, err))
		return -1;
	if (ti->bitmap && !seen[create_opt_find("range") - create_opts])
		return sl_fail(err, SL_E_USAGE, sl_set_word_col(argv, cols, 1), "%s needs range FROM-TO", ti->name);
	/* the netmask widens the range: known only now */
	if (ti->inet && ti->bitmap)
		return sl_set_ip_range_finish(spec, sl_set_word_col(argv, cols, 1), err);
	return 0;
}

int sl_set_spec_parse(int argc, char *const argv[], const int *cols, struct sl_set_spec *spec,
		      struct sl_error *err)
{
	enum sl_set_type type;

	if (argc < 1)
		return sl_fail(err, SL_E_USAGE, 0, "create needs NAME TYPE");
	if (sl_set_name_check(argv[0], sl_set_word_col(argv, cols, 0), err))
		return -1;
	if (argc < 2) /* the column after the name */
		return sl_fail(err, SL_E_USAGE, sl_set_word_col(argv, cols, 0) + (int)strlen(argv[0]) + 1,
			       "create %s needs a TYPE", argv[0]);
	if (!sl_set_type_find(argv[1], &type))
		return sl_fail(err, SL_E_USAGE, sl_set_word_col(argv, cols, 1), "unknown set type '%s'", argv[1]);
	sl_set_spec_init(spec, argv[0], type);
	return parse_create_opts(argc, argv, cols, spec, err);
}

bool sl_set_append(char *out, size_t size, int *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len < 0 || (size_t)*len >= size) {
		*len = -1;
		return false;
	}
	va_start(ap, fmt);
	n = vsnprintf(out + *len, size - (size_t)*len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)(*len + n) >= size) {
		*len = -1;
		return false;
	}
	*len += n;
	return true;
}

static void append_mask(const struct sl_set_spec *spec, char *out, size_t size, int *len)
{
	char text[INET6_ADDRSTRLEN];

	if (spec->flags & SL_SET_F_NETMASK)
		sl_set_append(out, size, len, " netmask %u", spec->netmask);
	if (spec->flags & SL_SET_F_BITMASK) {
		inet_ntop(spec->family == SL_FAMILY_IPV6 ? AF_INET6 : AF_INET, spec->bitmask, text, sizeof(text));
		sl_set_append(out, size, len, " bitmask %s", text);
	}
}

int sl_set_spec_format(const struct sl_set_spec *spec, char *out, size_t size)
{
	const struct sl_set_type_info *ti = &sl_set_types[spec->type];
	int len = 0;

	sl_set_append(out, size, &len, "create %s %s", spec->name, ti->name);
	if (ti->family)
		sl_set_append(out, size, &len, " family %s", sl_set_family_name(spec->family));
	if (ti->markmask)
		sl_set_append(out, size, &len, " markmask 0x%08x", spec->markmask);
	if (ti->inet && ti->bitmap) {
		char range[2 * INET_ADDRSTRLEN];

		sl_set_ip_range_format(spec, range, sizeof(range));
		sl_set_append(out, size, &len, " range %s", range);
	} else if (ti->bitmap) {
		sl_set_append(out, size, &len, " range %u-%u", spec->range_from, spec->range_to);
	} else if (ti->list) {
		sl_set_append(out, size, &len, " size %u", spec->maxelem);
	} else {
		sl_set_append(out, size, &len, " hashsize %u maxelem %u", spec->hashsize, spec->maxelem);
	}
	if (ti->mask == SL_MASK_AFTER_MAXELEM)
		append_mask(spec, out, size, &len);
	if (spec->flags & SL_SET_F_TIMEOUT)
		sl_set_append(out, size, &len, " timeout %u", spec->timeout);
	if (spec->flags & SL_SET_F_COUNTERS)
		sl_set_append(out, size, &len, " counters");
	if (spec->flags & SL_SET_F_COMMENT)
		sl_set_append(out, size, &len, " comment");
	if (spec->flags & SL_SET_F_SKBINFO)
		sl_set_append(out, size, &len, " skbinfo");
	if (spec->flags & SL_SET_F_BUCKETSIZE)
		sl_set_append(out, size, &len, " bucketsize %u", spec->bucketsize);
	if (spec->flags & SL_SET_F_INITVAL)
		sl_set_append(out, size, &len, " initval 0x%08x", spec->initval);
	if (ti->mask == SL_MASK_LAST)
		append_mask(spec, out, size, &len);
	return len;
}
