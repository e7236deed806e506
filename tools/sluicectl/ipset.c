/* `sluicectl set ...` and sluice-ipset: ipset's command line, run against
 * sluiced. src/features/sets/ipset/cli.c turns the words into sluice's;
 * this runs them, prints what ipset prints (listings: ipset_out.c) and
 * exits as ipset does: 0 ok, 1 any error in what was asked, 2 a parameter
 * problem. Messages are ipset's texts with ipset's "ipset v7.17: " prefix,
 * so that scripts which read them see what they expect. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/grammar.h"
#include "ctl.h"
#include "ipset_out.h"
#include "ipset_run.h"

/* What sluiced says, and how ipset says it. Matched anywhere in the
 * daemon's message (which names the set or element after it). */
static const struct {
	const char *sluice, *ipset;
} texts[] = {
	/* list:set's, first: their texts hold the set lookup's below */
	{ "set cannot be destroyed: it is in use by a list:set", "Set cannot be destroyed: it is in use by a kernel component" },
	{ "set cannot be renamed: it is in use by a list:set", "Set cannot be renamed: it is in use by another system" },
	{ "set to be added/deleted/tested as element does not exist", "Set to be added/deleted/tested as element does not exist." },
	{ "sets with list:set type cannot be added to the set", "Sets with list:set type cannot be added to the set." },
	{ "with 'before' or 'after' does not exist", "The set to which you referred with 'before' or 'after' does not exist." },
	{ "with 'before' or 'after' is not added to the set",
	  "The set to which you referred with 'before' or 'after' is not added to the set." },
	{ "the set with the given name does not exist", "The set with the given name does not exist" },
	{ "' does not exist", "The set with the given name does not exist" }, /* the line parser's */
	{ "set cannot be created: set with the same name already exists",
	  "Set cannot be created: set with the same name already exists" },
	{ "element cannot be added to the set: it's already added", "Element cannot be added to the set: it's already added" },
	{ "element cannot be deleted from the set: it's not added", "Element cannot be deleted from the set: it's not added" },
	{ "set cannot be renamed: a set with the new name already exists",
	  "Set cannot be renamed: a set with the new name already exists" },
	{ "the sets cannot be swapped: their type does not match", "The sets cannot be swapped: their type does not match" },
	{ "set cannot be destroyed: it is in use by a rule", "Set cannot be destroyed: it is in use by a kernel component" },
	{ "set cannot be renamed: it is in use by a rule", "Set cannot be renamed: it is in use by another system" },
	{ "hash is full, cannot add more elements", "Hash is full, cannot add more elements" },
	{ "element is out of the range of the set", "Element is out of the range of the set" },
	{ "outside the range", "Element is out of the range of the set" },
	{ "exceeds the size limit of the set type", "The range you specified exceeds the size limit of the set type" },
	{ "(the CIDR parameter is invalid)", "The value of the CIDR parameter of the IP address is invalid" },
	{ "timeout given but set", "Timeout cannot be used: set was created without timeout support" },
	{ "packets given but set", "Packet/byte counters cannot be used: set was created without counter support" },
	{ "bytes given but set", "Packet/byte counters cannot be used: set was created without counter support" },
	{ "comment given but set", "Comment cannot be used: set was created without comment support" },
	{ "skbmark given but set", "Skbinfo mapping cannot be used: set was created without skbinfo support" },
	{ "skbprio given but set", "Skbinfo mapping cannot be used: set was created without skbinfo support" },
	{ "skbqueue given but set", "Skbinfo mapping cannot be used: set was created without skbinfo support" },
	{ "' is not 0xMARK or 0xMARK/0xMASK",
	  "Syntax error: Invalid skbmark format, it should be:  MARK/MASK or MARK (see manpage)" },
	{ "' is not MAJOR:MINOR", "Syntax error: Invalid skbprio format, it should be:MAJOR:MINOR (see manpage)" },
	{ "hash:ip cannot store the null address", "Null-valued element, cannot be stored in a hash type of set" },
	{ "hash:ip,port cannot store the null address", "Kernel error received: Invalid argument" },
	{ "markmask 0 is the null mask", "The value of the markmask parameter is invalid" },
	{ "protocol 0 is not a valid protocol", "Invalid protocol specified" },
	{ " is the null mask", "The value of the netmask parameter is invalid" },
	{ "bitmask and netmask are mutually exclusive", "Syntax error: bitmask and netmask are mutually exclusive, provide only one" },
};

/* sluice's words for a value ipset cannot parse, and ipset's: the value
 * is cut from the first and printed into the second */
static const struct {
	const char *sluice;         /* sscanf format: one %[...], then %n (matched to the end) */
	const char *ipset;          /* printf format with the value */
} syntax[] = {
	{ "%*s '%63[^']' is not a number%n", "Syntax error: '%s' is invalid as number" },
	{ "'%63[^']' is not an IPv4 address%n", "Syntax error: cannot parse %s: resolving to IPv4 address failed" },
	{ "'%63[^']' is not an IPv6 address%n", "Syntax error: cannot parse %s: resolving to IPv6 address failed" },
	{ "'%63[^']' is not an IPv6 address (set %*s is family inet6)%n",
	  "Syntax error: cannot parse %s: resolving to IPv6 address failed" },
	{ "'%63[^']' is not an IPv4 address (set %*s is family inet)%n",
	  "Syntax error: cannot parse %s: resolving to IPv4 address failed" },
	{ "'%63[^']' is not a protocol%n", "Syntax error: cannot parse '%s' as a protocol" },
	{ "protocol %63s takes port 0 only, got '%*[^']'%n", "Syntax error: Protocol %s can be used with pseudo port value 0 only." },
	{ "family '%63[^']' is not inet or inet6%n", "Syntax error: unknown inet family %s" },
	{ "hash:ip takes IP, got '%63[^']'%n", "Syntax error: Elem separator in %s, but settype hash:ip supports none." },
	{ "bitmap:ip takes IP, got '%63[^']'%n", "Syntax error: Elem separator in %s, but settype bitmap:ip supports none." },
	{ "range needs FROM-TO or IP/CIDR, got '%63[^']'%n", "Syntax error: IP/cidr or IP-IP range must be specified: %s" },
	{ "bitmap:ip,mac takes IP[,MAC], got '%63[^']'%n",
	  "Syntax error: Two elem separators in %s, but settype bitmap:ip,mac supports one." },
	{ "bitmap:ip,mac takes single addresses, not '%63[^']'%n", "Syntax error: plain IP address must be supplied: %s" },
	{ "'%63[^']' is not a MAC address%n", "Syntax error: cannot parse '%s' as ethernet address" },
	{ "hash:net,iface takes IP[/CIDR],[physdev:]IFACE, got '%63[^']'%n",
	  "Syntax error: Two elem separators in %s, but settype hash:net,iface supports one." },
	{ "%*s needs IFACE: '%63[^']'%n", "Syntax error: Second element is missing from %s." },
	{ "%*s needs MARK: '%63[^']'%n", "Syntax error: Second element is missing from %s." },
	{ "hash:ip,mark takes IP,MARK, got '%63[^']'%n",
	  "Syntax error: Two elem separators in %s, but settype hash:ip,mark supports one." },
	{ "interface name '%63[^']' is longer than 15 characters%n",
	  "Syntax error: interface name '%s' is longer than 15 characters" },
	{ "range '%63[^']' covers the whole address space%n", "Invalid range, covers the whole address space" },
	{ "hash:net,iface family inet6 takes no address ranges: '%63[^']'%n",
	  "Syntax error: IP address or IP/cidr must be specified: %s" },
	{ "hash:ip family inet6 takes single addresses, not '%63[^']'%n", "Syntax error: plain IP address must be supplied: %s" },
	{ "hash:ip,mark family inet6 takes single addresses, not '%63[^']'%n",
	  "Syntax error: plain IP address must be supplied: %s" },
	{ "hash:ip,mark family inet6 takes no address ranges: '%63[^']'%n",
	  "Syntax error: plain IP address must be supplied: %s" },
	{ "bitmask '%63[^']' is not an IPv4 address%n",
	  "Syntax error: cannot parse %s: resolving to IPv4 address failed\nSyntax error: bitmask is not valid for family = inet" },
	{ "bitmask '%63[^']' is not an IPv6 address%n",
	  "Syntax error: cannot parse %s: resolving to IPv6 address failed\nSyntax error: bitmask is not valid for family = inet6" },
	{ "%63s already specified%n", "Syntax error: %s already specified" },
	{ "setname '%63[^']' is longer than 31 characters%n", "Syntax error: setname '%s' is longer than 31 characters" },
	{ "%*s needs PORT: '%63[^']'%n", "Syntax error: Second element is missing from %s." },
	{ "hash:net,net needs IP: '%63[^']'%n", "Syntax error: Second element is missing from %s." },
	{ "hash:net,net takes IP[/CIDR],IP[/CIDR], got '%63[^']'%n",
	  "Syntax error: Two elem separators in %s, but settype hash:net,net supports one." },
	{ "hash:net,net family inet6 takes no address ranges: '%63[^']'%n",
	  "Syntax error: IP address or IP/cidr must be specified: %s" },
	{ "%*s needs IP: '%63[^']'%n", "Syntax error: Third element is missing from %s." },
};

static void say(const struct sl_ipset_req *req, const char *fmt, const char *msg)
{
	if (!req->quiet)
		fprintf(stderr, fmt, msg);
}

static int fail_with(const struct sl_ipset_req *req, const struct sl_error *err)
{
	if (!req->quiet) {
		fprintf(stderr, "%s: %s\n", SL_IPSET_BANNER, err->msg);
		if (err->code == SL_IPSET_PARAM)
			fprintf(stderr, "%s\n", SL_IPSET_HINT);
	}
	return err->code == SL_IPSET_PARAM ? SL_IPSET_PARAM : SL_IPSET_ERROR;
}

/* a netmask ipset's parser refuses: its message, then the family's range */
static bool netmask_text(const char *msg, char *buf, size_t size)
{
	char value[64];
	unsigned max;
	int end = -1;
	const char *first = NULL;

	if (sscanf(msg, "netmask '%63[^']' is not a number in 1..%u%n", value, &max, &end) == 2 && end == (int)strlen(msg))
		first = "Syntax error: '%s' is invalid as number";
	else if (sscanf(msg, "netmask %63s is out of range 1..%u (not a byte)%n", value, &max, &end) == 2 &&
		 end == (int)strlen(msg))
		first = "Syntax error: '%s' is out of range 0-255";
	else if (sscanf(msg, "netmask %63s is out of range 1..%u%n", value, &max, &end) == 2 && end == (int)strlen(msg))
		first = "Syntax error: '%s' is out of range 1-%u";
	if (!first)
		return false;
	snprintf(buf, size, first, value, max);
	snprintf(buf + strlen(buf), size - strlen(buf), "\nSyntax error: netmask is out of the inclusive range of 1-%u", max);
	return true;
}

/* ipset's text for a daemon message (into buf), or the message itself */
static const char *ipset_text(const char *msg, char *buf, size_t size)
{
	char value[64], proto[16], bound[24];
	unsigned cidr, max;

	/* sets of one type but two layouts: ipset would swap them, so sluice's
	 * reason (the layouts) follows ipset's words (README: differences) */
	if (strstr(msg, "their type does not match") && (strstr(msg, " plain") || strstr(msg, " with entry values"))) {
		snprintf(buf, size, "The sets cannot be swapped: their type does not match%.400s",
			 strstr(msg, "match") + strlen("match"));
		return buf;
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strstr(msg, texts[i].sluice))
			return texts[i].ipset;
	for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
		int end = -1;

		if (sscanf(msg, syntax[i].sluice, value, &end) == 1 && end == (int)strlen(msg)) {
			snprintf(buf, size, syntax[i].ipset, value);
			return buf;
		}
	}
	/* ipset tries the port as a number, then the protocol, then a service */
	int end = -1, end2 = -1;

	if (netmask_text(msg, buf, size))
		return buf;

	if ((sscanf(msg, "%15s port %63s out of range 0..65535%n", proto, value, &end) == 2 && end == (int)strlen(msg)) ||
	    (sscanf(msg, "'%63[^']' is neither a port number nor a %15s service%n", value, proto, &end2) == 2 &&
	     end2 == (int)strlen(msg))) {
		snprintf(buf, size, "Syntax error: '%s' is %s\nSyntax error: '%s' is invalid as number\ncannot parse '%s' as a %s port",
			 value, strstr(msg, "out of range") ? "out of range 0-65535" : "invalid as number", proto, value, proto);
		return buf;
	}
	if (sscanf(msg, "%*s %63s out of range 0..%23s%n", value, bound, &end) == 2 && end == (int)strlen(msg)) {
		snprintf(buf, size, "Syntax error: '%s' is out of range 0-%s", value, bound); /* a number's range */
		return buf;
	}
	if (sscanf(msg, "CIDR /%u out of range 1..%u", &cidr, &max) == 2 && cidr == 0) /* the kernel's refusal */
		return "The value of the CIDR parameter of the IP address is invalid";
	if (sscanf(msg, "CIDR /%u out of range 1..%u", &cidr, &max) == 2) {
		snprintf(buf, size, "Syntax error: '%u' is out of range 0-%u", cidr, max);
		return buf;
	}
	return msg;
}

/* One request of words; on success *data (if asked) holds the reply's data.
 * Returns 0, or 1 with err->msg holding ipset's text. */
static int request(const char *sock, const struct sl_ipset_req *req, int body_fd, json_object **data,
		   struct sl_error *err)
{
	struct sl_cmd *cmd = malloc(sizeof(*cmd));
	char line[SL_MAX_LINE + 1];
	json_object *reply, *status = NULL, *v = NULL;
	const char *why;
	int rc = SL_IPSET_ERROR;

	err->code = SL_IPSET_ERROR;
	if (!cmd)
		return sl_fail(err, SL_IPSET_ERROR, 0, "out of memory"), SL_IPSET_ERROR;
	if (sl_parse_words(req->nwords, (char *const *)req->words, cmd, err) ||
	    sl_cmd_format(cmd, false, line, sizeof(line)) < 0) {
		err->code = SL_IPSET_ERROR;
		free(cmd);
		return SL_IPSET_ERROR;
	}
	free(cmd);
	reply = sl_client_request(sock, line, body_fd, &why);
	if (!reply) {
		sl_fail(err, SL_IPSET_ERROR, 0, "cannot reach sluiced at %s: %s", sock, why ? why : "unknown error");
		return SL_IPSET_ERROR;
	}
	json_object_object_get_ex(reply, "status", &status);
	if (status && !strcmp(json_object_get_string(status), "ok")) {
		if (data && json_object_object_get_ex(reply, "data", &v))
			*data = json_object_get(v);
		rc = 0;
	} else {
		json_object_object_get_ex(reply, "error", &v);
		snprintf(err->msg, sizeof(err->msg), "%s", v ? json_object_get_string(v) : "error");
		err->code = SL_IPSET_ERROR;
	}
	json_object_put(reply);
	return rc;
}

int sl_ipset_set_spec(const char *sock, const char *name, struct sl_set_spec *spec)
{
	struct sl_ipset_req q = { .nwords = 4, .words = { "set", "list", name, "-terse" } };
	json_object *data = NULL, *sets = NULL;
	struct sl_error err;
	int rc = -1;

	if (request(sock, &q, -1, &data, &err))
		return -1;
	if (json_object_object_get_ex(data, "sets", &sets) && json_object_array_length(sets) == 1)
		rc = sl_ipset_spec_of(json_object_array_get_idx(sets, 0), spec);
	json_object_put(data);
	return rc;
}

/* "line N: MSG; nothing was changed" -> "Error in line N: MSG" */
static void restore_text(const char *msg, char *out, size_t size)
{
	unsigned long n;
	int used = 0;
	char body[512], buf[512];

	if (sscanf(msg, "line %lu: %n", &n, &used) == 1 && used) {
		snprintf(body, sizeof(body), "%s", msg + used);
		char *tail = strstr(body, "; nothing was changed");

		if (tail)
			*tail = '\0';
		snprintf(out, size, "Error in line %lu: %.440s", n, ipset_text(body, buf, sizeof(buf)));
		return;
	}
	snprintf(out, size, "%s", ipset_text(msg, buf, sizeof(buf)));
}

/* test's answer as ipset words it: a CIDR of hosts stays as it was given
 * (sluice prints the hosts' range), and an element outside a bitmap's
 * range is not in the set */
static void say_test(const struct sl_ipset_req *req, const char *text, bool in)
{
	const char *elem = req->words[3], *is = in ? " is in set " : " is NOT in set ";
	size_t len = strcspn(text, " ");

	if (!in && strstr(text, "outside the range"))
		len = 0;
	else if (!(strchr(elem, '/') && memchr(text, '-', len)))
		elem = NULL;
	if (req->quiet)
		return;
	if (elem)
		fprintf(stderr, "%s%s%s%s.\n", in ? "Warning: " : "", elem, is, req->name);
	else
		fprintf(stderr, "%s%s\n", in ? "Warning: " : "", text);
}

static int show_listing(const struct sl_ipset_req *req, json_object *data)
{
	json_object *sets = NULL, *text = NULL;

	if (req->file && !freopen(req->file, "w", stdout)) {
		say(req, "ipset v7.17: Cannot open %s for writing\n", req->file);
		return SL_IPSET_ERROR;
	}
	if (req->output == SL_IPSET_OUT_SAVE) {
		json_object_object_get_ex(data, "text", &text);
		sl_ipset_print_save(stdout, text ? json_object_get_string(text) : "", req->sorted);
		return 0;
	}
	json_object_object_get_ex(data, "sets", &sets);
	for (size_t i = 0; sets && i < json_object_array_length(sets); i++)
		sl_ipset_sort_members(json_object_array_get_idx(sets, i), req->sorted);
	if (req->output == SL_IPSET_OUT_XML)
		sl_ipset_print_xml(stdout, sets, req->names, req->terse);
	else
		sl_ipset_print_plain(stdout, sets, req->names, req->terse);
	return 0;
}

static int help(const struct sl_ipset_req *req)
{
	const char *type = req->name ? sl_ipset_help_type(req->name) : sl_ipset_help_types;
	struct sl_error err;

	if (!type && !sl_ipset_type_known(req->name)) {
		sl_fail(&err, SL_IPSET_PARAM, 0, "Unknown settype: `%s'", req->name);
		fail_with(req, &err);
		fputs(sl_ipset_help_text, stdout);
		return SL_IPSET_PARAM;
	}
	fputs(sl_ipset_help_text, stdout);
	fputs(type ? type : "\n", stdout); /* a type sluice lacks: no options to show */
	return 0;
}

int sl_ipset_main(const char *sock, int argc, char **argv)
{
	struct sl_ipset_req *req = calloc(1, sizeof(*req));
	struct sl_error err;
	struct sl_set_spec spec;
	json_object *data = NULL, *msg = NULL;
	int body = -1, in, rc;

	if (!req)
		return SL_IPSET_ERROR;
	if (sl_ipset_cli_parse(argc, argv, req, &err)) {
		rc = fail_with(req, &err);
		goto out;
	}
	rc = 0;
	switch (req->cmd) {
	case SL_IPSET_HELP:
		rc = help(req);
		goto out;
	case SL_IPSET_VERSION:
		printf("%s, protocol version: 7\n", SL_IPSET_BANNER);
		goto out;
	case SL_IPSET_QUIT:
		goto out;
	case SL_IPSET_BATCH:
		rc = sl_ipset_batch(sock, argc, argv);
		goto out;
	case SL_IPSET_ADD:
	case SL_IPSET_DEL:
	case SL_IPSET_TEST:
		if (sl_ipset_cli_check_elem(req, sl_ipset_set_spec(sock, req->name, &spec) ? NULL : &spec, &err)) {
			rc = fail_with(req, &err);
			goto out;
		}
		break;
	case SL_IPSET_RESTORE:
		body = req->file ? open(req->file, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
		if (body < 0) { /* ipset exits 255, silently */
			rc = 255;
			goto out;
		}
		in = body;
		body = sl_ipset_restore_input(sock, in, req, &rc);
		if (in > STDIN_FILENO)
			close(in);
		if (body < 0)
			goto out;
		break;
	default:
		break;
	}
	if (req->warning)
		say(req, "%s\n", req->warning);
	if (request(sock, req, body, &data, &err)) {
		if (req->cmd == SL_IPSET_TEST && (strstr(err.msg, " is NOT in set ") || strstr(err.msg, "outside the range"))) {
			say_test(req, err.msg, false);
		} else if (req->cmd == SL_IPSET_DESTROY && req->exist && strstr(err.msg, "does not exist")) {
			rc = 0; /* ipset: -exist destroy of no such set is no error */
			goto out;
		} else if (req->cmd == SL_IPSET_SWAP && strstr(err.msg, "does not exist") && req->name2 &&
			   sl_ipset_set_spec(sock, req->name, &spec) == 0) {
			snprintf(err.msg, sizeof(err.msg), "Sets cannot be swapped: the second set does not exist");
			fail_with(req, &err);
		} else {
			char text[sizeof(err.msg)];

			restore_text(err.msg, text, sizeof(text));
			snprintf(err.msg, sizeof(err.msg), "%s", text);
			fail_with(req, &err);
		}
		rc = SL_IPSET_ERROR;
		goto out;
	}
	if (req->cmd == SL_IPSET_LIST || req->cmd == SL_IPSET_SAVE)
		rc = show_listing(req, data);
	else if (req->cmd == SL_IPSET_TEST && json_object_object_get_ex(data, "message", &msg))
		say_test(req, json_object_get_string(msg), true);
out:
	if (body > STDIN_FILENO)
		close(body);
	json_object_put(data);
	free(req);
	fflush(stdout);
	return rc;
}
