/* ipset's command line into sluice's set words (src/features/sets/ipset/
 * cli.c): every command by each of its names, global options in every
 * position and spelling, old type names and --opt spellings, and the
 * refusals with ipset's exit code (2: parameter problem, 1: the rest) and
 * text. The texts and codes were measured on ipset 7.17; the comparison
 * with the kernel's ipset itself is tests/netns/test_ipset_diff.sh. */
#include <criterion/criterion.h>

#include <string.h>

#include "features/sets/ipset/cli.h"
#include "words.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* the request's words joined by blanks */
static void joined(const struct sl_ipset_req *req, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < req->nwords; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? " " : "", req->words[i]);
}

static int parse(const char *line, struct sl_ipset_req *req, struct sl_error *err)
{
	static struct words w; /* the request points into it */

	split(line, &w);
	return sl_ipset_cli_parse(w.n, w.argv, req, err);
}

static const struct {
	const char *line, *words;
} good[] = {
	/* create, by every name, old type names and --opt spellings */
	{ "create s hash:ip", "set create s hash:ip" },
	{ "n s iphash", "set create s hash:ip" },
	{ "new s nethash --hashsize 64", "set create s hash:net hashsize 64" },
	{ "-N s ipporthash --maxelem 10 timeout 5", "set create s hash:ip,port maxelem 10 timeout 5" },
	{ "c s ipportiphash counters --comment", "set create s hash:ip,port,ip counters comment" },
	{ "cre s hash:net,port family inet6", "set create s hash:net,port family inet6" },
	{ "create s hash:ip -6", "set create s hash:ip -6" },
	{ "-N s portmap --from 1 --to 10", "set create s bitmap:port range 1-10" },
	{ "create s bitmap:port --range 1-10", "set create s bitmap:port range 1-10" },
	{ "create s hash:mac", "set create s hash:mac" },
	{ "create s hash:ip -exist", "set create s hash:ip -exist" },
	/* add, del, test: every name; the options pass, undashed */
	{ "add s 1.1.1.1", "set add s 1.1.1.1" },
	{ "a s 1.1.1.1", "set add s 1.1.1.1" },
	{ "-A s 1.1.1.1", "set add s 1.1.1.1" },
	{ "ad s 1.1.1.1 --timeout 5", "set add s 1.1.1.1 timeout 5" },
	{ "add s 1.1.1.1 comment --x", "set add s 1.1.1.1 comment --x" }, /* a value keeps its dashes */
	{ "del s 1.1.1.1", "set del s 1.1.1.1" },
	{ "d s 1.1.1.1", "set del s 1.1.1.1" },
	{ "-D s 1.1.1.1", "set del s 1.1.1.1" },
	{ "de s 1.1.1.1", "set del s 1.1.1.1" }, /* ipset: del before destroy */
	{ "test s 1.1.1.1", "set test s 1.1.1.1" },
	{ "t s 1.1.1.1", "set test s 1.1.1.1" },
	{ "-T s 1.1.1.1", "set test s 1.1.1.1" },
	{ "te s 1.1.1.1", "set test s 1.1.1.1" },
	/* -exist anywhere, in its three spellings */
	{ "-exist add s 1.1.1.1", "set add s 1.1.1.1 -exist" },
	{ "add -exist s 1.1.1.1", "set add s 1.1.1.1 -exist" },
	{ "add s -! 1.1.1.1", "set add s 1.1.1.1 -exist" },
	{ "add s 1.1.1.1 --exist", "set add s 1.1.1.1 -exist" },
	{ "del s 1.1.1.1 -exist", "set del s 1.1.1.1 -exist" },
	/* the name-only commands */
	{ "destroy s", "set destroy s" },
	{ "x s", "set destroy s" },
	{ "-X", "set destroy" },
	{ "des s", "set destroy s" },
	{ "-exist destroy s", "set destroy s" }, /* no error for no such set: ipset.c runs that */
	{ "flush s", "set flush s" },
	{ "f", "set flush" },
	{ "-F s", "set flush s" },
	{ "fl s", "set flush s" },
	{ "rename a b", "set rename a b" },
	{ "e a b", "set rename a b" },
	{ "-E a b", "set rename a b" },
	{ "ren a b", "set rename a b" },
	{ "swap a b", "set swap a b" },
	{ "w a b", "set swap a b" },
	{ "-W a b", "set swap a b" },
	{ "sw a b", "set swap a b" },
	{ "restore", "set restore" },
	{ "r", "set restore" },
	{ "-R", "set restore" },
	{ "re", "set restore" }, /* restore before rename */
	{ "-exist restore", "set restore -exist" },
	/* listings: the form decides the request */
	{ "list", "set list" },
	{ "l s", "set list s" },
	{ "-L s", "set list s" },
	{ "li s -t", "set list s -terse" },
	{ "-n list", "set list -name" },
	{ "list --name -terse", "set list -name" },
	{ "-o save list s", "set save s" },
	{ "list -output xml s", "set list s" },
	{ "save", "set save" },
	{ "s s1", "set save s1" },
	{ "-S", "set save" },
	{ "sa", "set save" },
	{ "-o plain save", "set list" },
	{ "save -o xml", "set list" },
	/* no words for the daemon */
	{ "help", "" }, { "-h", "" }, { "--help", "" }, { "-H", "" }, { "he hash:ip", "" },
	{ "version", "" }, { "-v", "" }, { "-V", "" }, { "--version", "" }, { "v", "" },
	{ "quit", "" }, { "q", "" },
};

Test(ipset_cli, every_name_and_option_position)
{
	struct sl_ipset_req req;
	struct sl_error err;
	char got[1024];

	for (size_t i = 0; i < N(good); i++) {
		int rc = parse(good[i].line, &req, &err);

		cr_expect_eq(rc, 0, "'%s': %s", good[i].line, err.msg);
		if (rc)
			continue;
		joined(&req, got, sizeof(got));
		cr_expect_str_eq(got, good[i].words, "'%s'", good[i].line);
	}
}

Test(ipset_cli, global_words_for_batch_lines)
{
	cr_expect_eq(sl_ipset_global_words("-exist"), 1);
	cr_expect_eq(sl_ipset_global_words("-!"), 1);
	cr_expect_eq(sl_ipset_global_words("--quiet"), 1);
	cr_expect_eq(sl_ipset_global_words("-o"), 2);
	cr_expect_eq(sl_ipset_global_words("-file"), 2);
	cr_expect_eq(sl_ipset_global_words("-"), 0);
	cr_expect_eq(sl_ipset_global_words("add"), 0);
	cr_expect_eq(sl_ipset_global_words("-x"), 0);
}

Test(ipset_cli, command_kinds)
{
	static const struct {
		const char *line;
		enum sl_ipset_cmd cmd;
	} want[] = {
		{ "n s hash:ip", SL_IPSET_CREATE }, { "-A s 1", SL_IPSET_ADD }, { "d s 1", SL_IPSET_DEL },
		{ "-T s 1", SL_IPSET_TEST }, { "x", SL_IPSET_DESTROY }, { "l", SL_IPSET_LIST },
		{ "s", SL_IPSET_SAVE }, { "r", SL_IPSET_RESTORE }, { "f", SL_IPSET_FLUSH },
		{ "e a b", SL_IPSET_RENAME }, { "w a b", SL_IPSET_SWAP }, { "h", SL_IPSET_HELP },
		{ "-V", SL_IPSET_VERSION }, { "quit", SL_IPSET_QUIT },
		/* batch mode: `-` exactly, global options around it, words after it ignored */
		{ "-", SL_IPSET_BATCH }, { "-exist - extra", SL_IPSET_BATCH }, { "-o save -", SL_IPSET_BATCH },
	};
	struct sl_ipset_req req;
	struct sl_error err;

	for (size_t i = 0; i < N(want); i++) {
		cr_assert_eq(parse(want[i].line, &req, &err), 0, "'%s': %s", want[i].line, err.msg);
		cr_expect_eq(req.cmd, want[i].cmd, "'%s'", want[i].line);
	}
}

Test(ipset_cli, global_flags_in_every_spelling)
{
	static const char *const lines[] = {
		"-q -r -s -n -t -o xml -f F list", "list -quiet -resolve -sorted -name -terse -output xml -file F",
		"--quiet list --resolve --sorted --name --terse --output xml --file F",
	};
	struct sl_ipset_req req;
	struct sl_error err;

	for (size_t i = 0; i < N(lines); i++) {
		cr_assert_eq(parse(lines[i], &req, &err), 0, "'%s': %s", lines[i], err.msg);
		cr_expect(req.quiet && req.resolve && req.sorted && req.names && req.terse, "'%s'", lines[i]);
		cr_expect_eq(req.output, SL_IPSET_OUT_XML, "'%s'", lines[i]);
		cr_expect(req.file && !strcmp(req.file, "F"), "'%s'", lines[i]);
	}
	cr_assert_eq(parse("list -o save -o plain", &req, &err), 0);
	cr_expect_eq(req.output, SL_IPSET_OUT_PLAIN, "the last -o counts");
}

static const struct {
	const char *line;
	int code;
	const char *msg;
} bad[] = {
	{ "", 2, "No command specified." },
	{ "-exist", 2, "No command specified." },
	{ "bogus", 2, "No command specified: unknown argument bogus" },
	{ "-Z list", 2, "No command specified: unknown argument -Z" },
	{ "-help", 2, "No command specified: unknown argument -help" },
	{ "-o", 2, "Missing mandatory argument to option -o" },
	{ "list -output", 2, "Missing mandatory argument to option -o" },
	{ "list -f", 2, "Missing mandatory argument to option -f" },
	{ "create", 2, "Missing mandatory argument to command create" },
	{ "-N s", 2, "Missing second mandatory argument to command create" },
	{ "add", 2, "Missing mandatory argument to command add" },
	{ "a s", 2, "Missing second mandatory argument to command add" },
	{ "-D s", 2, "Missing second mandatory argument to command del" },
	{ "test", 2, "Missing mandatory argument to command test" },
	{ "rename a", 2, "Missing second mandatory argument to command rename" },
	{ "w", 2, "Missing mandatory argument to command swap" },
	{ "swap a b c", 2, "Unknown argument c" },
	{ "list a b", 2, "Unknown argument b" },
	{ "save a b", 2, "Unknown argument b" },
	{ "flush a b", 2, "Unknown argument b" },
	{ "destroy a b", 2, "Unknown argument b" },
	{ "restore x", 2, "Unknown argument x" },
	{ "create s hash:ip foo", 2, "Unknown argument: `foo'" },
	{ "create s hash:ip -maxelem 5", 2, "Unknown argument: `-maxelem'" },
	{ "create s hash:ip range 1-2", 2, "Unknown argument: `range'" },
	{ "create s hash:net netmask 24", 2, "Unknown argument: `netmask'" },
	{ "create s bitmap:port range 1-2 hashsize 64", 2, "Unknown argument: `hashsize'" },
	{ "create s hash:ip maxelem", 2, "Missing mandatory argument of option `maxelem'" },
	{ "create s hash:ip --family", 2, "Missing mandatory argument of option `family'" },
	{ "create s bitmap:port", 2, "Mandatory option `range' is missing" },
	{ "create s portmap --to 5", 2, "Mandatory option `range' is missing" },
	{ "create s portmap --from 1", 2, "Mandatory option `to' is missing" },
	{ "create s portmap range 1-5 --from 2 --to 3", 1, "Syntax error: from already specified" },
	{ "-o foo list", 1, "Syntax error: unknown output mode 'foo'" },
	{ "list nosuch -o foo", 1, "Syntax error: unknown output mode 'foo'" },
	{ "create s hash:foo", 1, "Syntax error: typename 'hash:foo' is unknown" },
	{ "create s iptreemap", 1, "Syntax error: typename 'iptreemap' is unknown" },
	{ "create s hash:ip,mac", 1, "Kernel error received: set type not supported" },
	{ "create s bitmap:ip", 2, "Mandatory option `range' is missing" },
	{ "create s ipmap range 10.0.0.0/24 family inet", 2, "Unknown argument: `family'" },
	{ "create s bitmap:ip range 10.0.0.0/24 bitmask 255.0.0.0", 2, "Unknown argument: `bitmask'" },
	{ "create s hash:ip,mark netmask 24", 2, "Unknown argument: `netmask'" },
	{ "create s hash:ip markmask 255", 2, "Unknown argument: `markmask'" },
	{ "create s hash:net,net family inet6 bitmask ffff::", 2,
	  "Argument `bitmask' is supported in the kernel module of the set type hash:net,net starting from the "
	  "revision 4 and you have installed revision 3 only. Your kernel is behind your ipset utility." },
	{ "create s setlist hashsize 64", 2, "Unknown argument: `hashsize'" },
	{ "create s list:set family inet", 2, "Unknown argument: `family'" },
	{ "create s list:set size", 2, "Missing mandatory argument of option `size'" },
	{ "create s hash:ip size 8", 2, "Unknown argument: `size'" },
	{ "list -x", 1, "The set with the given name does not exist" },
	{ "flush --", 1, "The set with the given name does not exist" },
};

Test(ipset_cli, refusals_with_ipset_code_and_text)
{
	struct sl_ipset_req req;
	struct sl_error err;

	for (size_t i = 0; i < N(bad); i++) {
		cr_expect_eq(parse(bad[i].line, &req, &err), -1, "'%s' was taken", bad[i].line);
		cr_expect_eq((int)err.code, bad[i].code, "'%s': code %d", bad[i].line, err.code);
		cr_expect_str_eq(err.msg, bad[i].msg, "'%s'", bad[i].line);
	}
}

Test(ipset_cli, old_options_ignored_with_a_warning)
{
	struct sl_ipset_req req;
	struct sl_error err;
	char got[256];

	cr_assert_eq(parse("-N s nethash --probes 4 --resize 50", &req, &err), 0, "%s", err.msg);
	joined(&req, got, sizeof(got));
	cr_expect_str_eq(got, "set create s hash:net");
	cr_expect_str_eq(req.warning, "Warning: Option '--probes 4' is ignored. Please upgrade your syntax.\n"
				      "Option '--resize 50' is ignored. Please upgrade your syntax.");
}

/* phase 2: add/del/test's option words against the set's type */
Test(ipset_cli, element_options_by_type_and_command)
{
	static const struct {
		enum sl_set_type type;
		const char *line;
		int code;
		const char *msg;
	} want[] = {
		{ SL_SET_HASH_IP, "add s 1.1.1.1 timeout 5 packets 1 bytes 2 comment x", 0, "" },
		{ SL_SET_HASH_IP, "add s 1.1.1.1 skbmark 1 skbprio 1:1 skbqueue 1", 0, "" },
		{ SL_SET_HASH_IP, "add s 1.1.1.1 nomatch", 2, "Unknown argument: `nomatch'" },
		{ SL_SET_HASH_NET, "add s 10.0.0.0/8 nomatch", 0, "" },
		{ SL_SET_HASH_NET, "test s 10.0.0.0/8 nomatch", 0, "" },
		{ SL_SET_HASH_NET_PORT, "test s 10.0.0.0/8,80 nomatch -exist", 0, "" },
		{ SL_SET_HASH_IP_PORT, "test s 1.1.1.1,80 nomatch", 2, "Unknown argument: `nomatch'" },
		{ SL_SET_HASH_NET, "del s 10.0.0.0/8 nomatch", 2, "Unknown argument: `nomatch'" },
		{ SL_SET_HASH_IP, "del s 1.1.1.1 timeout 5", 2, "Unknown argument: `timeout'" },
		{ SL_SET_HASH_IP, "test s 1.1.1.1 timeout 5", 2, "Unknown argument: `timeout'" },
		{ SL_SET_HASH_IP, "add s 1.1.1.1 foo", 2, "Unknown argument: `foo'" },
		{ SL_SET_HASH_IP, "add s 1.1.1.1 -x", 2, "Unknown argument: `-x'" },
		{ SL_SET_HASH_IP, "add s 1.1.1.1 timeout", 2, "Missing mandatory argument of option `timeout'" },
		{ SL_SET_HASH_IP, "add s 1.1.1.1 --timeout", 2, "Missing mandatory argument of option `timeout'" },
		{ SL_SET_HASH_IP, "add s 1.1.1.1 -exist timeout", 2, "Missing mandatory argument of option `timeout'" },
		{ SL_SET_LIST_SET, "add s a before b timeout 5 packets 1 bytes 2 comment x", 0, "" },
		{ SL_SET_LIST_SET, "del s a after b -exist", 0, "" },
		{ SL_SET_LIST_SET, "test s a before b", 0, "" },
		{ SL_SET_LIST_SET, "test s a timeout 5", 2, "Unknown argument: `timeout'" },
		{ SL_SET_LIST_SET, "del s a before", 2, "Missing mandatory argument of option `before'" },
		{ SL_SET_LIST_SET, "add s a nomatch", 2, "Unknown argument: `nomatch'" },
		{ SL_SET_HASH_IP, "add s 1.1.1.1 before x", 2, "Unknown argument: `before'" },
		{ SL_SET_HASH_NET, "del s 10.0.0.0/8 after x", 2, "Unknown argument: `after'" },
	};
	struct sl_ipset_req req;
	struct sl_set_spec spec;
	struct sl_error err;

	for (size_t i = 0; i < N(want); i++) {
		cr_assert_eq(parse(want[i].line, &req, &err), 0, "'%s': %s", want[i].line, err.msg);
		sl_set_spec_init(&spec, "s", want[i].type);
		memset(&err, 0, sizeof(err));
		cr_expect_eq(sl_ipset_cli_check_elem(&req, &spec, &err), want[i].code ? -1 : 0, "'%s': %s",
			     want[i].line, err.msg);
		cr_expect_eq((int)err.code, want[i].code, "'%s'", want[i].line);
		cr_expect_str_eq(err.msg, want[i].msg, "'%s'", want[i].line);
	}
	cr_assert_eq(parse("add nosuch 1.1.1.1 foo", &req, &err), 0);
	cr_expect_eq(sl_ipset_cli_check_elem(&req, NULL, &err), -1);
	cr_expect_eq((int)err.code, 1, "no such set is found first, as by ipset");
	cr_expect_str_eq(err.msg, "The set with the given name does not exist");
}
