/* ipset's command line into sluice's `set ...` words (see cli.h). Every
 * text and exit code here was measured on ipset 7.17 in a private
 * namespace; tests/netns/test_ipset_diff.sh compares them line by line. */
#include "features/sets/ipset/cli.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ipset's command table, in ipset's order: a word names the first command
 * whose full name it starts (`de` is del, `des` destroy) or one of whose
 * aliases it is. */
static const struct {
	enum sl_ipset_cmd cmd;
	const char *name;
	const char *alias[4];
	int min, max;               /* words after the command ipset takes */
} commands[] = {
	{ SL_IPSET_CREATE, "create", { "n", "new", "-N" }, 2, -1 },
	{ SL_IPSET_ADD, "add", { "a", "-A" }, 2, -1 },
	{ SL_IPSET_DEL, "del", { "d", "-D" }, 2, -1 },
	{ SL_IPSET_TEST, "test", { "t", "-T" }, 2, -1 },
	{ SL_IPSET_DESTROY, "destroy", { "x", "-X" }, 0, 1 },
	{ SL_IPSET_LIST, "list", { "l", "-L" }, 0, 1 },
	{ SL_IPSET_SAVE, "save", { "s", "-S" }, 0, 1 },
	{ SL_IPSET_RESTORE, "restore", { "r", "-R" }, 0, 0 },
	{ SL_IPSET_FLUSH, "flush", { "f", "-F" }, 0, 1 },
	{ SL_IPSET_RENAME, "rename", { "e", "-E" }, 2, 2 },
	{ SL_IPSET_SWAP, "swap", { "w", "-W" }, 2, 2 },
	{ SL_IPSET_HELP, "help", { "-h", "-H", "--help" }, 0, -1 },
	{ SL_IPSET_VERSION, "version", { "-v", "-V", "--version" }, 0, -1 },
	{ SL_IPSET_QUIT, "quit", { NULL }, 0, -1 },
	{ SL_IPSET_BATCH, "-", { NULL }, 0, -1 }, /* words after it: ignored, as by ipset */
};

static int find_command(const char *w)
{
	size_t len = strlen(w);

	for (size_t i = 0; i < N(commands); i++) {
		if (len && len <= strlen(commands[i].name) && !strncmp(w, commands[i].name, len))
			return (int)i;
		for (int k = 0; k < 4 && commands[i].alias[k]; k++)
			if (!strcmp(w, commands[i].alias[k]))
				return (int)i;
	}
	return -1;
}

/* global options: taken out wherever they stand, before the command is
 * looked for (ipset's own order: `-o foo list` fails on the mode first) */
enum gopt { G_OUTPUT, G_EXIST, G_QUIET, G_RESOLVE, G_SORTED, G_NAME, G_TERSE, G_FILE };
static const struct {
	enum gopt opt;
	const char *word[3];
	char letter;                /* the name ipset's messages use */
} globals[] = {
	{ G_OUTPUT, { "-o", "-output", "--output" }, 'o' },
	{ G_EXIST, { "-!", "-exist", "--exist" }, '!' },
	{ G_QUIET, { "-q", "-quiet", "--quiet" }, 'q' },
	{ G_RESOLVE, { "-r", "-resolve", "--resolve" }, 'r' },
	{ G_SORTED, { "-s", "-sorted", "--sorted" }, 's' },
	{ G_NAME, { "-n", "-name", "--name" }, 'n' },
	{ G_TERSE, { "-t", "-terse", "--terse" }, 't' },
	{ G_FILE, { "-f", "-file", "--file" }, 'f' },
};

static int find_global(const char *w)
{
	for (size_t i = 0; i < N(globals); i++)
		for (int k = 0; k < 3; k++)
			if (!strcmp(w, globals[i].word[k]))
				return (int)i;
	return -1;
}

int sl_ipset_global_words(const char *word)
{
	int g = find_global(word);

	return g < 0 ? 0 : globals[g].opt == G_OUTPUT || globals[g].opt == G_FILE ? 2 : 1;
}

static int param(struct sl_error *err, const char *fmt, const char *arg)
{
	return sl_fail(err, SL_IPSET_PARAM, 0, fmt, arg);
}

static int take_global(int g, const char *value, struct sl_ipset_req *req, struct sl_error *err)
{
	switch (globals[g].opt) {
	case G_OUTPUT:
		if (!strcmp(value, "plain"))
			req->output = SL_IPSET_OUT_PLAIN;
		else if (!strcmp(value, "save"))
			req->output = SL_IPSET_OUT_SAVE;
		else if (!strcmp(value, "xml"))
			req->output = SL_IPSET_OUT_XML;
		else
			return sl_fail(err, SL_IPSET_ERROR, 0, "Syntax error: unknown output mode '%s'", value);
		break;
	case G_EXIST: req->exist = true; break;
	case G_QUIET: req->quiet = true; break;
	case G_RESOLVE: req->resolve = true; break; /* sluice prints numbers only */
	case G_SORTED: req->sorted = true; break;
	case G_NAME: req->names = true; break;
	case G_TERSE: req->terse = true; break;
	case G_FILE: req->file = value; break;
	}
	return 0;
}

/* The types ipset has and sluice lacks (with ipset's old names): ipset
 * itself says "set type not supported" when the kernel lacks one. */
static const char *const other_types[] = {
	"hash:ip,mac",
	"hash:ip,port,net", "ipportnethash", "hash:net,port,net", NULL,
};

bool sl_ipset_type_known(const char *name)
{
	for (int i = 0; other_types[i]; i++)
		if (!strcmp(name, other_types[i]))
			return true;
	return false;
}

/* A type's option words as ipset takes them (`opt` or `--opt`). */
enum { W_HASH = 1, W_BITMAP = 2, W_FAMILY = 4, W_MASK = 8, W_BITMASK = 16, W_LIST = 32, W_MARKMASK = 64,
       W_ALL = W_HASH | W_BITMAP | W_LIST };
enum { K_PLAIN, K_RANGE_FROM, K_RANGE_TO, K_NETWORK, K_IGNORED };
static const struct {
	const char *name;
	bool value;
	unsigned where;
	int kind;
} create_words[] = {
	{ "family", true, W_FAMILY, K_PLAIN }, { "-4", false, W_FAMILY, K_PLAIN }, { "-6", false, W_FAMILY, K_PLAIN },
	{ "hashsize", true, W_HASH, K_PLAIN }, { "maxelem", true, W_HASH, K_PLAIN },
	{ "bucketsize", true, W_HASH, K_PLAIN }, { "initval", true, W_HASH, K_PLAIN },
	{ "netmask", true, W_MASK, K_PLAIN }, { "bitmask", true, W_BITMASK, K_PLAIN },
	{ "markmask", true, W_MARKMASK, K_PLAIN },
	{ "forceadd", false, W_HASH, K_PLAIN },
	{ "range", true, W_BITMAP, K_PLAIN }, { "size", true, W_LIST, K_PLAIN },
	{ "from", true, W_BITMAP, K_RANGE_FROM }, { "to", true, W_BITMAP, K_RANGE_TO },
	{ "network", true, W_BITMAP, K_NETWORK }, /* ipmap's and macipmap's old IP/CIDR range */
	{ "timeout", true, W_ALL, K_PLAIN }, { "counters", false, W_ALL, K_PLAIN },
	{ "comment", false, W_ALL, K_PLAIN }, { "skbinfo", false, W_ALL, K_PLAIN },
	{ "probes", true, W_HASH, K_IGNORED }, { "resize", true, W_HASH, K_IGNORED }, /* ipset 4's */
};

static unsigned type_where(enum sl_set_type type)
{
	const struct sl_set_type_info *ti = &sl_set_types[type];

	return (ti->list ? W_LIST : ti->bitmap ? W_BITMAP : W_HASH) | (ti->family ? W_FAMILY : 0) |
	       (ti->mask ? W_MASK : 0) | (ti->mask && !ti->netmask_only ? W_BITMASK : 0) |
	       (ti->markmask ? W_MARKMASK : 0);
}

static int push(struct sl_ipset_req *req, const char *word, struct sl_error *err)
{
	if (req->nwords >= SL_IPSET_WORDS)
		return sl_fail(err, SL_IPSET_PARAM, 0, "Too many arguments");
	req->words[req->nwords++] = word;
	return 0;
}

static int parse_create(int n, char *const a[], struct sl_ipset_req *req, struct sl_error *err)
{
	const char *from = NULL, *to = NULL;
	enum sl_set_type type;
	const struct sl_set_type_info *ti = sl_set_type_find(a[1], &type);
	int wl = 0;
	bool range = false;

	if (!ti)
		return sl_fail(err, SL_IPSET_ERROR, 0, sl_ipset_type_known(a[1])
			       ? "Kernel error received: set type not supported" : "Syntax error: typename '%s' is unknown",
			       a[1]);
	if (push(req, a[0], err) || push(req, ti->name, err))
		return -1;
	for (int i = 2; i < n; i++) {
		const char *w = sl_set_opt_word(a[i]);
		size_t k;

		for (k = 0; k < N(create_words); k++)
			if (!strcmp(w, create_words[k].name) && (create_words[k].where & type_where(type)))
				break;
		/* ipset 7.17 knows them; Debian 12's 6.1 kernel has hash:net,net
		 * revision 3, which lacks them: ipset's words then */
		if (k == N(create_words) && type == SL_SET_HASH_NET_NET && (!strcmp(w, "netmask") || !strcmp(w, "bitmask")))
			return param(err, SL_SET_NETNET_MASK_REFUSED, w);
		if (k == N(create_words))
			return param(err, "Unknown argument: `%s'", a[i]);
		if (create_words[k].value && i + 1 >= n)
			return param(err, "Missing mandatory argument of option `%s'", create_words[k].name);
		switch (create_words[k].kind) {
		case K_IGNORED:
			wl += snprintf(req->warn_buf + wl, sizeof(req->warn_buf) - (size_t)wl,
				       "%sOption '--%s %s' is ignored. Please upgrade your syntax.",
				       wl ? "\n" : "Warning: ", w, a[i + 1]);
			if (wl >= (int)sizeof(req->warn_buf))
				wl = (int)sizeof(req->warn_buf) - 1;
			req->warning = req->warn_buf;
			i++;
			continue;
		case K_RANGE_FROM:
		case K_RANGE_TO:
			if (range)
				return sl_fail(err, SL_IPSET_ERROR, 0, "Syntax error: from already specified");
			*(create_words[k].kind == K_RANGE_FROM ? &from : &to) = a[++i];
			continue;
		case K_NETWORK:
			if (!ti->inet)
				return param(err, "Unknown argument: `%s'", a[i]);
			if (range || from)
				return sl_fail(err, SL_IPSET_ERROR, 0, "Syntax error: network already specified");
			if (!strchr(a[i + 1], '/'))
				return sl_fail(err, SL_IPSET_ERROR, 0, "Syntax error: IP/netblock must be supplied: %s", a[i + 1]);
			range = true;
			if (push(req, "range", err) || push(req, a[++i], err))
				return -1;
			continue;
		}
		if (!strcmp(w, "range")) {
			if (from)
				return sl_fail(err, SL_IPSET_ERROR, 0, "Syntax error: from already specified");
			range = true;
		}
		if (push(req, w, err) || (create_words[k].value && push(req, a[++i], err)))
			return -1;
	}
	if (ti->bitmap && !range) {
		if (from && !to)
			return param(err, "Mandatory option `%s' is missing", "to");
		if (!from)
			return param(err, "Mandatory option `%s' is missing", "range");
		snprintf(req->range_buf, sizeof(req->range_buf), "%s-%s", from, to);
		if (push(req, "range", err) || push(req, req->range_buf, err))
			return -1;
	}
	return 0;
}

/* add/del/test's option words (after NAME ELEM) that ipset knows */
static const struct {
	const char *name;
	bool value;
	bool add, test;             /* del takes none but list:set's */
	bool nomatch_types;         /* only where the type has nomatch */
	bool iface_types;           /* only where elements name an interface */
	bool list_types;            /* only list:set (which del takes too) */
} elem_words[] = {
	{ "timeout", true, true, false, false, false, false }, { "packets", true, true, false, false, false, false },
	{ "bytes", true, true, false, false, false, false }, { "comment", true, true, false, false, false, false },
	{ "skbmark", true, true, false, false, false, false }, { "skbprio", true, true, false, false, false, false },
	{ "skbqueue", true, true, false, false, false, false }, { "nomatch", false, true, true, true, false, false },
	{ "wildcard", false, true, false, false, true, false },
	{ "before", true, true, true, false, false, true }, { "after", true, true, true, false, false, true },
};

/* an option word of add/del/test (`--timeout` is one once undashed) */
static bool elem_word(const char *w)
{
	for (size_t k = 0; k < N(elem_words); k++)
		if (!strcmp(w, elem_words[k].name))
			return true;
	return false;
}

int sl_ipset_cli_parse(int argc, char *const argv[], struct sl_ipset_req *req, struct sl_error *err)
{
	char *rest[SL_IPSET_WORDS];
	int n = 0, c;

	memset(req, 0, sizeof(*req));
	memset(err, 0, sizeof(*err));
	for (int i = 0; i < argc; i++) {
		int g = find_global(argv[i]);

		if (g < 0) {
			if (n == SL_IPSET_WORDS)
				return sl_fail(err, SL_IPSET_PARAM, 0, "Too many arguments");
			rest[n++] = argv[i];
			continue;
		}
		if ((globals[g].opt == G_OUTPUT || globals[g].opt == G_FILE) && i + 1 >= argc)
			return sl_fail(err, SL_IPSET_PARAM, 0, "Missing mandatory argument to option -%c", globals[g].letter);
		if (take_global(g, globals[g].opt == G_OUTPUT || globals[g].opt == G_FILE ? argv[++i] : NULL, req, err))
			return -1;
	}
	if (n == 0)
		return sl_fail(err, SL_IPSET_PARAM, 0, "No command specified.");
	c = find_command(rest[0]);
	if (c < 0)
		return param(err, "No command specified: unknown argument %s", rest[0]);
	req->cmd = commands[c].cmd;
	req->cmd_name = commands[c].name;
	if (n - 1 < commands[c].min)
		return sl_fail(err, SL_IPSET_PARAM, 0, "Missing %smandatory argument to command %s",
			       n == 1 ? "" : "second ", commands[c].name);
	if (commands[c].max >= 0 && n - 1 > commands[c].max)
		return param(err, "Unknown argument %s", rest[commands[c].max + 1]);
	req->name = n > 1 ? rest[1] : NULL;
	req->name2 = n > 2 ? rest[2] : NULL;
	/* ipset looks up `-x` or `--` as a set name; no sluice set has one */
	if (req->name && req->name[0] == '-' && req->cmd != SL_IPSET_CREATE && req->cmd != SL_IPSET_HELP &&
	    req->cmd != SL_IPSET_VERSION && req->cmd != SL_IPSET_QUIT && req->cmd != SL_IPSET_BATCH)
		return sl_fail(err, SL_IPSET_ERROR, 0, "The set with the given name does not exist");
	switch (req->cmd) {
	case SL_IPSET_HELP:
	case SL_IPSET_VERSION:
	case SL_IPSET_QUIT:
	case SL_IPSET_BATCH:
		return 0;
	case SL_IPSET_LIST:
	case SL_IPSET_SAVE: {
		/* the listing's form decides the request: save text or the sets' JSON */
		enum sl_ipset_output out = req->output ? req->output
				: req->cmd == SL_IPSET_SAVE ? SL_IPSET_OUT_SAVE : SL_IPSET_OUT_PLAIN;

		req->output = out;
		push(req, "set", err);
		push(req, out == SL_IPSET_OUT_SAVE ? "save" : "list", err);
		if (req->name)
			push(req, req->name, err);
		if (out != SL_IPSET_OUT_SAVE && (req->names || req->terse))
			push(req, req->names ? "-name" : "-terse", err);
		return 0;
	}
	default:
		break;
	}
	push(req, "set", err);
	push(req, req->cmd == SL_IPSET_DESTROY ? "destroy" : req->cmd == SL_IPSET_FLUSH ? "flush"
		  : req->cmd == SL_IPSET_RESTORE ? "restore" : commands[c].name, err);
	if (req->cmd == SL_IPSET_CREATE) {
		if (parse_create(n - 1, rest + 1, req, err))
			return -1;
	} else {
		for (int i = 1; i < n; i++)
			if (push(req, i > 2 && elem_word(sl_set_opt_word(rest[i])) ? sl_set_opt_word(rest[i]) : rest[i], err))
				return -1;
	}
	if (req->exist && req->cmd != SL_IPSET_FLUSH && req->cmd != SL_IPSET_RENAME && req->cmd != SL_IPSET_SWAP &&
	    req->cmd != SL_IPSET_DESTROY)
		return push(req, "-exist", err);
	return 0;
}

int sl_ipset_cli_check_elem(const struct sl_ipset_req *req, const struct sl_set_spec *spec, struct sl_error *err)
{
	/* words: set CMD NAME ELEM [options] [-exist] */
	int last = req->nwords - (req->exist ? 1 : 0);

	if (!spec)
		return sl_fail(err, SL_IPSET_ERROR, 0, "The set with the given name does not exist");
	for (int i = 4; i < last; i++) {
		const char *w = req->words[i];
		size_t k;

		for (k = 0; k < N(elem_words); k++)
			if (!strcmp(w, elem_words[k].name) &&
			    (req->cmd == SL_IPSET_ADD ? elem_words[k].add
			     : req->cmd == SL_IPSET_TEST ? elem_words[k].test : elem_words[k].list_types) &&
			    (!elem_words[k].nomatch_types || sl_set_types[spec->type].nomatch) &&
			    (!elem_words[k].iface_types || sl_set_types[spec->type].iface) &&
			    (!elem_words[k].list_types || sl_set_types[spec->type].list))
				break;
		if (k == N(elem_words))
			return param(err, "Unknown argument: `%s'", w);
		if (elem_words[k].value && ++i >= last)
			return param(err, "Missing mandatory argument of option `%s'", w);
	}
	return 0;
}
