/* sluicectl: send one command line to sluiced and show its reply. */
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/grammar.h"
#include "common/paths.h"
#include "common/reply.h"
#include "ctl.h"


static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: sluicectl [--socket PATH] [--timeout SECONDS] [-j|--json] COMMAND [ARGS...]\n"
		     "       sluicectl COMMAND --help\n\ncommands:\n");
	sl_print_command_list(out);
	fprintf(out, "\nexit codes: 0 ok, 1 negative answer, 2 usage or parse error,\n"
		     "            3 daemon unreachable, 4 the kernel refused;\n"
		     "            set (ipset's command line, also run as sluice-ipset): ipset's codes,\n"
		     "            0 ok, 1 any error in what was asked, 2 a parameter problem\n"
		     "socket: %s unless --socket or $SLUICE_SOCKET\n"
		     "timeout: a request that hears nothing from the daemon for %d s (unless\n"
		     "         --timeout or $SLUICE_TIMEOUT) gives up, exit 3\n", SL_DEFAULT_SOCKET, SL_CLIENT_TIMEOUT_S);
}

/* `words --help` anywhere after the command words: help for that command */
static int wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return i;
	return -1;
}

static int show_help(int argc, char **argv)
{
	struct sl_tokens toks = { .n = 0 };
	const struct sl_cmd_spec *spec;

	for (int i = 0; i < argc && toks.n < SL_MAX_TOKENS; i++)
		toks.tok[toks.n++] = (struct sl_token){ .text = argv[i], .col = 0 };
	spec = sl_find_spec(&toks, NULL);
	if (!spec) {
		usage(stdout);
		return 0;
	}
	sl_print_help(spec, stdout);
	return 0;
}

/* `--json` after a read command's words, as `sluicectl mcast groups --json`:
 * the same as -j before the command. Configuration commands keep their
 * words as they are (an ipset comment may be any word). */
static int take_json_word(int argc, char **argv, int *json)
{
	struct sl_tokens toks = { .n = 0 };
	const struct sl_cmd_spec *spec;
	int nwords, out;

	for (int i = 0; i < argc && toks.n < SL_MAX_TOKENS; i++)
		toks.tok[toks.n++] = (struct sl_token){ .text = argv[i], .col = 0 };
	spec = sl_find_spec(&toks, &nwords);
	if (!spec || (spec->flags & (SL_CMD_CONFIG | SL_CMD_ACTION)))
		return argc;
	out = nwords;
	for (int i = nwords; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			*json = 1;
			continue;
		}
		argv[out++] = argv[i];
	}
	return out;
}

/* An error of sluicectl's own, shaped like the daemon's error replies so
 * that -j output always parses the same way; `col` 0 means none. */
/* errors switch to JSON under -j, in the daemon's error shape */
static void print_json_error(int code, const char *msg, int col)
{
	struct sl_error err = { .code = code, .col = col };
	json_object *e;

	snprintf(err.msg, sizeof(err.msg), "%s", msg);
	e = sl_error_json(&err, NULL);
	printf("%s\n", json_object_to_json_string_ext(e, JSON_C_TO_STRING_PRETTY));
	json_object_put(e);
}

static int unreachable(const char *sock, const char *why, int json)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "cannot reach sluiced at %s: %s", sock, why ? why : "unknown error");
	if (json)
		print_json_error(SL_E_UNREACHABLE, msg, 0);
	else
		fprintf(stderr, "sluicectl: %s (is it running?)\n", msg);
	return SL_E_UNREACHABLE;
}

static int print_error(json_object *reply, int json)
{
	json_object *code = NULL, *msg = NULL;
	int rc;

	json_object_object_get_ex(reply, "code", &code);
	json_object_object_get_ex(reply, "error", &msg);
	rc = code ? json_object_get_int(code) : SL_E_USAGE;
	if (rc < 1 || rc > 4)
		rc = SL_E_USAGE;
	if (json)
		printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY));
	else
		fprintf(stderr, "sluicectl: %s\n", msg ? json_object_get_string(msg) : "error");
	return rc;
}

static void render(const struct sl_cmd *cmd, json_object *data, int json)
{
	const char *w = cmd->spec->words;
	json_object *text = NULL;

	if (json) {
		printf("%s\n", json_object_to_json_string_ext(data, JSON_C_TO_STRING_PRETTY));
	} else if (!strcmp(w, "save")) {
		json_object *cfg = NULL;

		json_object_object_get_ex(data, "config", &cfg);
		fputs(cfg ? json_object_get_string(cfg) : "", stdout);
	} else if (json_object_object_get_ex(data, "text", &text)) {
		fputs(json_object_get_string(text), stdout); /* output in another tool's format */
	} else if (json_object_object_get_ex(data, "message", &text)) {
		printf("%s\n", json_object_get_string(text));
	} else if (!strcmp(w, "set list")) {
		sl_render_set_list(stdout, data);
	} else if (json_object_is_type(data, json_type_object) && !json_object_object_length(data)) {
		printf("ok\n");
	} else {
		sl_render(stdout, data);
	}
	fflush(stdout);
}

/* one request; returns the exit code. `data` (optional) receives the reply data */
static int run_once(const char *sock, const char *line, const struct sl_cmd *cmd, int json,
		    json_object **keep, double watch_s)
{
	const char *why;
	json_object *reply = sl_client_request(sock, line, cmd->spec->flags & SL_CMD_BODY ? STDIN_FILENO : -1, &why);
	json_object *status = NULL, *data = NULL;
	int rc;

	if (!reply)
		return unreachable(sock, why, json);
	json_object_object_get_ex(reply, "status", &status);
	if (!status || strcmp(json_object_get_string(status), "ok")) {
		rc = print_error(reply, json);
		json_object_put(reply);
		return rc;
	}
	json_object_object_get_ex(reply, "data", &data);
	if (keep) {
		if (json_object_is_type(data, json_type_array))
			sl_add_rates(data, *keep, watch_s);
		if (*keep)
			json_object_put(*keep);
		*keep = json_object_get(data);
	}
	render(cmd, data, json);
	json_object_put(reply);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *sock = getenv("SLUICE_SOCKET") ? getenv("SLUICE_SOCKET") : SL_DEFAULT_SOCKET;
	struct sl_error err = { 0 };
	struct sl_cmd *cmd;
	char line[SL_MAX_LINE + 1];
	int c, json = 0, rc;
	const char *why;

	if (getenv("SLUICE_TIMEOUT") && !sl_client_timeout(getenv("SLUICE_TIMEOUT"), &why)) {
		fprintf(stderr, "sluicectl: SLUICE_TIMEOUT: %s\n", why);
		return SL_E_USAGE;
	}

	/* sluice-ipset: ipset's whole command line, no sluicectl options, and
	 * silent as ipset (a long restore's progress is sluicectl's) */
	if (!strcmp(basename(argv[0]), "sluice-ipset")) {
		sl_client_progress(false);
		return sl_ipset_main(sock, argc - 1, argv + 1);
	}
	/* '+': stop at the command, whose own options belong to the grammar */
	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 't':
			if (!sl_client_timeout(optarg, &why)) {
				fprintf(stderr, "sluicectl: --timeout: %s\n", why);
				return SL_E_USAGE;
			}
			break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sluicectl %s\n", SLUICE_VERSION); return 0;
		default: usage(stderr); return SL_E_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return SL_E_USAGE;
	}
	/* `set ...` speaks ipset (its options, exit codes and texts); with -j
	 * or a read command's --json, the reply's JSON as for every other
	 * command (`-h` is ipset's help there) */
	if (strcmp(argv[0], "set") && wants_help(argc, argv) >= 0)
		return show_help(wants_help(argc, argv), argv);
	argc = take_json_word(argc, argv, &json);
	if (!json && !strcmp(argv[0], "set"))
		return sl_ipset_main(sock, argc - 1, argv + 1);
	if (wants_help(argc, argv) >= 0)
		return show_help(wants_help(argc, argv), argv);
	cmd = malloc(sizeof(*cmd));
	if (!cmd)
		return SL_E_USAGE;
	if (sl_parse_words(argc, argv, cmd, &err)) {
		if (json) { /* errors switch to JSON under -j, like replies */
			print_json_error(SL_E_USAGE, err.msg, err.col);
			free(cmd);
			return SL_E_USAGE;
		}
		fprintf(stderr, "sluicectl: error: %s\n", err.msg);
		if (sl_join_words(argc, argv, line, sizeof(line)) > 0 && err.col)
			sl_print_caret(stderr, line, err.col);
		if (err.msg[0] && strstr(err.msg, "unknown command"))
			fprintf(stderr, "try 'sluicectl --help'\n");
		free(cmd);
		return SL_E_USAGE;
	}
	sl_cmd_format(cmd, false, line, sizeof(line));
	const struct sl_value *watch = NULL;

	for (int k = 0; cmd->spec->opts && cmd->spec->opts[k].name; k++)
		if (!strcmp(cmd->spec->opts[k].name, "--watch") && cmd->opt[k].set)
			watch = &cmd->opt[k];
	if (!watch) {
		rc = run_once(sock, line, cmd, json, NULL, 0);
		free(cmd);
		return rc;
	}
	/* --watch: repeat until interrupted, with per-second rates */
	json_object *prev = NULL;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	do {
		time_t now = time(NULL);
		char ts[32];

		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
		if (!json)
			printf("%s--- %s (every %llus, Ctrl-C to stop)\n", prev ? "\n" : "", ts, watch->num);
		rc = run_once(sock, line, cmd, json, &prev, (double)watch->num);
		if (rc)
			break;
		for (unsigned long long s = 0; s < watch->num * 10 && !stop; s++)
			usleep(100000);
	} while (!stop);
	if (prev)
		json_object_put(prev);
	free(cmd);
	return rc;
}
