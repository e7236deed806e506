/* Command line: `sluice-gen {send|sink} [options]`, `--help`, `--version`.
 * Every rejected value produces one line naming the option and the value;
 * the caller prints it and exits 2.
 */
#include "gen.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

enum {
	OPT_DST = 256, OPT_PORT, OPT_SIZE, OPT_BATCH, OPT_GSO, OPT_RATE,
	OPT_COUNT, OPT_DURATION, OPT_SRC, OPT_SPORT, OPT_CPU, OPT_JSON,
	OPT_BIND, OPT_HOLD, OPT_RCVBUF, OPT_READY_FILE, OPT_NO_GRO,
	/* xdp mode */
	OPT_DEV, OPT_DST_MAC, OPT_THREADS, OPT_CPUS,
};

static const struct option send_longopts[] = {
	{ "dst",         required_argument, NULL, OPT_DST },
	{ "port",        required_argument, NULL, OPT_PORT },
	{ "size",        required_argument, NULL, OPT_SIZE },
	{ "batch",       required_argument, NULL, OPT_BATCH },
	{ "gso",         required_argument, NULL, OPT_GSO },
	{ "rate",        required_argument, NULL, OPT_RATE },
	{ "count",       required_argument, NULL, OPT_COUNT },
	{ "duration",    required_argument, NULL, OPT_DURATION },
	{ "src",         required_argument, NULL, OPT_SRC },
	{ "sport-range", required_argument, NULL, OPT_SPORT },
	{ "cpu",         required_argument, NULL, OPT_CPU },
	{ "json",        no_argument,       NULL, OPT_JSON },
	{ "help",        no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct option sink_longopts[] = {
	{ "port",        required_argument, NULL, OPT_PORT },
	{ "bind",        required_argument, NULL, OPT_BIND },
	{ "duration",    required_argument, NULL, OPT_DURATION },
	{ "count",       required_argument, NULL, OPT_COUNT },
	{ "hold",        no_argument,       NULL, OPT_HOLD },
	{ "rcvbuf",      required_argument, NULL, OPT_RCVBUF },
	{ "ready-file",  required_argument, NULL, OPT_READY_FILE },
	{ "batch",       required_argument, NULL, OPT_BATCH },
	{ "no-gro",      no_argument,       NULL, OPT_NO_GRO },
	{ "json",        no_argument,       NULL, OPT_JSON },
	{ "help",        no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct option xdp_longopts[] = {
	{ "dev",         required_argument, NULL, OPT_DEV },
	{ "dst",         required_argument, NULL, OPT_DST },
	{ "src",         required_argument, NULL, OPT_SRC },
	{ "dst-mac",     required_argument, NULL, OPT_DST_MAC },
	{ "port",        required_argument, NULL, OPT_PORT },
	{ "sport-range", required_argument, NULL, OPT_SPORT },
	{ "size",        required_argument, NULL, OPT_SIZE },
	{ "batch",       required_argument, NULL, OPT_BATCH },
	{ "rate",        required_argument, NULL, OPT_RATE },
	{ "count",       required_argument, NULL, OPT_COUNT },
	{ "duration",    required_argument, NULL, OPT_DURATION },
	{ "threads",     required_argument, NULL, OPT_THREADS },
	{ "cpu",         required_argument, NULL, OPT_CPUS },
	{ "json",        no_argument,       NULL, OPT_JSON },
	{ "help",        no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct ctx {
	char *err;
	size_t errlen;
	const struct option *longopts;
	bool has_port, has_count, has_duration;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "%s: ", GEN_NAME);

	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *opt_name(const struct ctx *c, int val)
{
	for (const struct option *o = c->longopts; o->name; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

static int num(struct ctx *c, int opt, const char *v, uint64_t min,
	       uint64_t max, uint64_t *out)
{
	const char *name = opt_name(c, opt);

	switch (gen_parse_u64(v, min, max, out)) {
	case 0:
		return 0;
	case GEN_ERANGE:
		return fail(c, "--%s: %s is out of range %" PRIu64 "..%" PRIu64,
			    name, v, min, max);
	default:
		return fail(c, "--%s: %s is not a number", name, v);
	}
}

static int addr(struct ctx *c, int opt, const char *v, struct gen_addr *a)
{
	if (gen_addr_parse(v, a) < 0)
		return fail(c, "--%s: %s is not an IPv4 or IPv6 address",
			    opt_name(c, opt), v);
	return 0;
}

/* send --dst A[,B...]: each an address, one family */
static int dst_list(struct ctx *c, int opt, const char *v, struct gen_opts *o)
{
	char buf[1024], *save = NULL, *one;

	if (strlen(v) >= sizeof(buf))
		return fail(c, "--dst: list too long");
	snprintf(buf, sizeof(buf), "%s", v);
	o->ndst = 0;
	for (one = strtok_r(buf, ",", &save); one; one = strtok_r(NULL, ",", &save)) {
		if (o->ndst == GEN_MAX_DSTS)
			return fail(c, "--dst: more than %u destinations", GEN_MAX_DSTS);
		if (addr(c, opt, one, &o->dsts[o->ndst]) < 0)
			return -1;
		if (o->dsts[o->ndst].family != o->dsts[0].family)
			return fail(c, "--dst: %s is not of the first one's family", one);
		o->ndst++;
	}
	if (!o->ndst)
		return fail(c, "--dst: %s has no address", v);
	o->dst = o->dsts[0];
	o->has_dst = true;
	return 0;
}

static int duration(struct ctx *c, const char *v, uint64_t *ns)
{
	switch (gen_parse_duration(v, ns)) {
	case 0:
		return 0;
	case GEN_ERANGE:
		return fail(c, "--duration: %s is out of range (0, %llu] seconds",
			    v, GEN_MAX_DURATION_NS / 1000000000ull);
	default:
		return fail(c, "--duration: %s is not a number of seconds", v);
	}
}

static int sport_range(struct ctx *c, const char *v, struct gen_opts *o)
{
	switch (gen_parse_port_range(v, &o->sport_lo, &o->sport_hi)) {
	case 0:
		return 0;
	case GEN_EMANY:
		if (o->mode == GEN_MODE_XDP)
			return 0; /* no socket per port there */
		return fail(c, "--sport-range: %s has more than %u ports "
			    "(one socket per port, at most %u sockets)",
			    v, GEN_MAX_SOCKETS, GEN_MAX_SOCKETS);
	case GEN_ERANGE:
		return fail(c, "--sport-range: %s is out of range: need "
			    "1 <= A <= B <= 65535", v);
	default:
		return fail(c, "--sport-range: %s is not a port range A-B", v);
	}
}

/* xdp mode's own values; 1 = not one of them */
static int xdp_one(struct ctx *c, int opt, const char *v, struct gen_opts *o)
{
	uint64_t n;

	switch (opt) {
	case OPT_DST:
	case OPT_SRC:
		if (opt == OPT_DST)
			o->has_dst = true;
		else
			o->has_src = true;
		switch (gen_parse_addr_range(v, opt == OPT_DST ? &o->dst : &o->src,
					     opt == OPT_DST ? &o->xdp.dst_n : &o->xdp.src_n)) {
		case 0:
			return 0;
		case GEN_ERANGE:
			return fail(c, "--%s: %s is not a range: A-B needs A <= B in one family, differing "
				    "in the low 32 bits only; A+N must not run past the last address",
				    opt_name(c, opt), v);
		default:
			return fail(c, "--%s: %s is not an address, A-B or A+N", opt_name(c, opt), v);
		}
	case OPT_PORT:
		c->has_port = true;
		if (!strchr(v, '-')) {
			if (num(c, opt, v, 1, 65535, &n) < 0)
				return -1;
			o->xdp.dport_lo = o->xdp.dport_hi = (uint16_t)n;
			return 0;
		}
		switch (gen_parse_port_range(v, &o->xdp.dport_lo, &o->xdp.dport_hi)) {
		case 0:
		case GEN_EMANY:
			return 0;
		default:
			return fail(c, "--port: %s is not a port N or a range A-B with 1 <= A <= B <= 65535", v);
		}
	case OPT_BATCH:
		if (num(c, opt, v, 1, GEN_XDP_MAX_BATCH, &n) < 0)
			return -1;
		o->batch = (uint32_t)n;
		return 0;
	case OPT_SIZE:
		if (num(c, opt, v, 1, GEN_XDP_MAX_SIZE, &n) < 0)
			return -1;
		o->size = (uint32_t)n;
		return 0;
	case OPT_DEV:
		o->xdp.dev = v;
		return 0;
	case OPT_DST_MAC:
		o->xdp.has_dst_mac = true;
		if (gen_parse_mac(v, o->xdp.dst_mac))
			return fail(c, "--dst-mac: %s is not a MAC address aa:bb:cc:dd:ee:ff", v);
		return 0;
	case OPT_THREADS:
		if (num(c, opt, v, 1, GEN_XDP_MAX_THREADS, &n) < 0)
			return -1;
		o->xdp.threads = (uint32_t)n;
		return 0;
	case OPT_CPUS:
		switch (gen_parse_cpu_list(v, o->xdp.cpus, GEN_XDP_MAX_THREADS, &o->xdp.ncpus)) {
		case 0:
			return 0;
		case GEN_EMANY:
			return fail(c, "--cpu: %s names more than %u CPUs", v, GEN_XDP_MAX_THREADS);
		case GEN_ERANGE:
			return fail(c, "--cpu: %s: each CPU 0..%u once, ranges A-B with A <= B", v, GEN_MAX_CPU);
		default:
			return fail(c, "--cpu: %s is not a CPU list such as 0,2-3", v);
		}
	}
	return 1;
}

static int one(struct ctx *c, int opt, const char *v, struct gen_opts *o)
{
	uint64_t n;

	if (v && !*v)
		return fail(c, "--%s: missing value", opt_name(c, opt));
	if (o->mode == GEN_MODE_XDP) {
		int rc = xdp_one(c, opt, v, o);

		if (rc <= 0)
			return rc;
	}
	switch (opt) {
	case OPT_DST:
		if (o->mode == GEN_MODE_SEND)
			return dst_list(c, opt, v, o);
		/* fall through */
	case OPT_BIND:
		o->has_dst = true;
		return addr(c, opt, v, &o->dst);
	case OPT_SRC:
		o->has_src = true;
		return addr(c, opt, v, &o->src);
	case OPT_PORT:
		c->has_port = true;
		if (num(c, opt, v, 1, 65535, &n) < 0)
			return -1;
		o->port = (uint16_t)n;
		return 0;
	case OPT_SIZE:
		if (num(c, opt, v, 1, GEN_MAX_SIZE, &n) < 0)
			return -1;
		o->size = (uint32_t)n;
		return 0;
	case OPT_BATCH:
		if (num(c, opt, v, 1, GEN_MAX_BATCH, &n) < 0)
			return -1;
		o->batch = (uint32_t)n;
		return 0;
	case OPT_GSO:
		if (num(c, opt, v, 1, GEN_MAX_SIZE, &n) < 0)
			return -1;
		o->gso = (uint32_t)n;
		return 0;
	case OPT_RATE:
		return num(c, opt, v, 0, GEN_MAX_RATE, &o->rate);
	case OPT_COUNT:
		c->has_count = true;
		return num(c, opt, v, 1, UINT64_MAX, &o->count);
	case OPT_DURATION:
		c->has_duration = true;
		return duration(c, v, &o->duration_ns);
	case OPT_SPORT:
		return sport_range(c, v, o);
	case OPT_CPU:
		if (num(c, opt, v, 0, GEN_MAX_CPU, &n) < 0)
			return -1;
		o->cpu = (int)n;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_HOLD:
		o->hold = true;
		return 0;
	case OPT_RCVBUF:
		if (num(c, opt, v, 1, GEN_MAX_RCVBUF, &n) < 0)
			return -1;
		o->rcvbuf = (uint32_t)n;
		return 0;
	case OPT_READY_FILE:
		o->ready_file = v;
		return 0;
	case OPT_NO_GRO:
		o->no_gro = true;
		return 0;
	}
	return fail(c, "internal: unhandled option %d", opt);
}

/* getopt_long reported '?' or ':'; name what the user typed. */
static int getopt_error(struct ctx *c, int ret, char **argv)
{
	char name[64];
	const char *arg = argv[optind - 1];
	size_t n = strcspn(arg, "=");

	snprintf(name, sizeof(name), "%.*s", (int)(n < 63 ? n : 63), arg);
	if (ret == ':')
		return fail(c, "%s: missing value", name);
	if (optopt && arg[n] == '=')
		return fail(c, "%s: takes no value", name);
	return fail(c, "%s: unknown option", name);
}

static int check_xdp(struct ctx *c, struct gen_opts *o)
{
	uint32_t ip = o->dst.family == AF_INET6 ? 40 : 20;

	if (!o->xdp.dev)
		return fail(c, "--dev: missing (required)");
	if (!o->has_src)
		return fail(c, "--src: missing (required: no socket picks one)");
	if (o->xdp.threads && o->xdp.ncpus && o->xdp.threads != o->xdp.ncpus)
		return fail(c, "--threads: %u does not match the %u CPUs of --cpu (one thread per CPU)",
			    o->xdp.threads, o->xdp.ncpus);
	if (o->src.multicast || o->src.any)
		return fail(c, "--src: must be unicast addresses");
	if (o->size + ip + 8 > GEN_XDP_MTU)
		return fail(c, "--size: %u does not fit a %u-byte IPv%d packet (at most %u)", o->size,
			    GEN_XDP_MTU, o->dst.family == AF_INET6 ? 6 : 4, GEN_XDP_MTU - ip - 8);
	if (!o->sport_lo)
		o->sport_lo = o->sport_hi = o->xdp.dport_lo;
	return 0;
}

/* Cross-option rules that getopt cannot express. */
static int check(struct ctx *c, struct gen_opts *o)
{
	if (!c->has_port)
		return fail(c, "--port: missing (required)");
	if (o->mode == GEN_MODE_SINK) {
		if (o->hold && c->has_count)
			return fail(c, "--count: cannot be combined with --hold "
				    "(a holding sink receives nothing)");
		if (o->batch > GEN_SINK_BATCH)
			return fail(c, "--batch: %u is out of range 1..%u for a sink", o->batch, GEN_SINK_BATCH);
		if (!o->rcvbuf)
			o->rcvbuf = o->hold ? GEN_HOLD_RCVBUF : GEN_DEF_RCVBUF;
		if (o->has_dst)
			gen_addr_set_port(&o->dst, o->port);
		return 0;
	}
	if (!o->has_dst)
		return fail(c, "--dst: missing (required)");
	if (c->has_count && c->has_duration)
		return fail(c, "--count: cannot be combined with --duration");
	if (o->has_src && o->src.family != o->dst.family)
		return fail(c, "--src: address family does not match --dst");
	if (o->has_src && o->src.multicast)
		return fail(c, "--src: must be a unicast address, "
			    "not a multicast group");
	if (o->dst.any)
		return fail(c, "--dst: an unspecified address is not "
			    "a destination");
	if (o->mode == GEN_MODE_XDP)
		return check_xdp(c, o);
	gen_addr_set_port(&o->dst, o->port);
	for (uint32_t i = 0; i < o->ndst; i++)
		gen_addr_set_port(&o->dsts[i], o->port);
	return 0;
}

void gen_opts_defaults(struct gen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->size = GEN_DEF_SIZE;
	o->batch = GEN_DEF_BATCH;
	o->cpu = -1;
}

int gen_parse_args(int argc, char **argv, struct gen_opts *o,
		   char *err, size_t errlen)
{
	struct ctx c = { .err = err, .errlen = errlen };
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int ret;

	gen_opts_defaults(o);
	if (errlen)
		err[0] = '\0';
	if (!cmd)
		return fail(&c, "missing command (send, sink or xdp); try --help");
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		o->action = GEN_ACT_HELP;
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		o->action = GEN_ACT_VERSION;
		return 0;
	}
	if (!strcmp(cmd, "send")) {
		o->mode = GEN_MODE_SEND;
		c.longopts = send_longopts;
	} else if (!strcmp(cmd, "sink")) {
		o->mode = GEN_MODE_SINK;
		c.longopts = sink_longopts;
	} else if (!strcmp(cmd, "xdp")) {
		o->mode = GEN_MODE_XDP;
		c.longopts = xdp_longopts;
	} else {
		return fail(&c, "%s: unknown command (send, sink or xdp); try --help",
			    cmd);
	}

	/* '+': no permutation, so a stray word is an error, not skipped;
	 * ':': report errors ourselves in the one-line format. optind = 0
	 * re-initialises getopt so the parser can be called repeatedly. */
	argc--, argv++;
	optind = 0;
	opterr = 0;
	while ((ret = getopt_long(argc, argv, "+:h", c.longopts, NULL)) != -1) {
		if (ret == 'h') {
			o->action = GEN_ACT_HELP;
			return 0;
		}
		if (ret == '?' || ret == ':')
			return getopt_error(&c, ret, argv);
		if (one(&c, ret, optarg, o) < 0)
			return -1;
	}
	if (optind < argc)
		return fail(&c, "%s: unexpected argument", argv[optind]);
	return check(&c, o);
}
