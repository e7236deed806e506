/* sluiced: load, attach and pin the sluice dataplane, then serve sluicectl. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "common/paths.h"
#include "core/caps.h"
#include "core/daemon.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/pin.h"
#include "lib/attach.h"
#include "lib/netsys.h"


enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sluiced [--config FILE] [--pin-root DIR] [--socket PATH]\n"
		"               [--client-timeout SECONDS] [-v]\n"
		"       sluiced --check-config [--config FILE]\n"
		"       sluiced --cleanup [--pin-root DIR]\n"
		"\n"
		"Loads the sluice BPF dataplane, pins it under the pin root so it outlives the\n"
		"daemon, and serves sluicectl on a unix socket.\n"
		"\n"
		"  --config FILE    config file of sluicectl command lines (default: the\n"
		"                   embedded observe-only config, etc/sluice.conf of the source)\n"
		"  --pin-root DIR   where maps and links are pinned (default %s)\n"
		"  --socket PATH    control socket (default %s)\n"
		"  --client-timeout SECONDS\n"
		"                   drop a control client that sends no full request for\n"
		"                   this long (1-%d, default %d)\n"
		"  --check-config   validate the config and exit (0 valid, 2 invalid)\n"
		"  --cleanup        detach and unpin everything under the pin root, then exit\n"
		"  -v, --verbose    debug messages, including libbpf's and the verifier's\n"
		"  --help, --version\n"
		"\n"
		"SIGHUP re-reads the config and swaps programs atomically; SIGTERM stops the\n"
		"daemon and leaves the pinned dataplane running.\n",
		SL_DEFAULT_PIN_ROOT, SL_DEFAULT_SOCKET, SL_CTL_TIMEOUT_MAX_S, SL_CTL_TIMEOUT_MS / 1000);
}

/* --client-timeout SECONDS, 1..SL_CTL_TIMEOUT_MAX_S, as milliseconds */
static int parse_seconds(const char *arg, unsigned *ms)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < 1 || v > SL_CTL_TIMEOUT_MAX_S) {
		fprintf(stderr, "sluiced: --client-timeout '%s': expected whole seconds from 1 to %d\n", arg,
			SL_CTL_TIMEOUT_MAX_S);
		return -1;
	}
	*ms = (unsigned)v * 1000;
	return 0;
}

static int check_config(struct sl_daemon *d)
{
	struct sl_error err = { 0 };
	struct sl_states st = { 0 };
	char *text = sl_daemon_config_text(d, &err);
	int n = 0;

	if (!text) {
		fprintf(stderr, "sluiced: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (sl_config_stage(text, &st, &n, &err)) {
		sl_config_print_error(stderr, sl_daemon_config_name(d), text, &err);
		free(text);
		return EXIT_USAGE;
	}
	printf("%s: valid, %d command%s\n", sl_daemon_config_name(d), n, n == 1 ? "" : "s");
	sl_states_free(&st);
	free(text);
	return 0;
}

static int cleanup(const char *root)
{
	struct sl_error err = { 0 };
	int lock;

	if (access(root, F_OK)) {
		printf("nothing to clean up under %s\n", root);
		return 0;
	}
	lock = sl_pin_root_lock(root, &err);
	/* legacy tc filters and sysfs writes are no pins: undone from their
	 * records first */
	if (lock < 0 || sl_tc_cleanup(root, &err) || sl_netsys_cleanup(root, &err) ||
	    sl_pin_root_cleanup(root, &err)) {
		fprintf(stderr, "sluiced: cleanup: %s\n", err.msg);
		return EXIT_RUNTIME;
	}
	close(lock);
	printf("removed every sluice program, link and map under %s\n", root);
	return 0;
}

/* Every program, link and map the daemon holds is an fd: the soft limit
 * goes up to the hard one, as systemd asks of services that need many
 * (its default soft limit is 1024, the hard one 524288). */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		sl_warn("cannot raise the open files limit: %s", strerror(errno));
}

static int start(struct sl_daemon *d)
{
	struct sl_states first = { 0 };
	struct sl_error err = { 0 };
	char *text = sl_daemon_config_text(d, &err);

	if (!text || sl_config_stage(text, &first, NULL, &err)) {
		if (text)
			sl_config_print_error(stderr, sl_daemon_config_name(d), text, &err);
		else
			sl_err("%s", err.msg);
		free(text);
		return EXIT_USAGE;
	}
	sl_fault_point("start", SL_START_STAGED);
	raise_fd_limit();
	/* the socket first: a start refused there creates no pin root */
	if (sl_daemon_init(d, &err) || sl_ctl_open(&d->ctl, d->socket_path, d->loop, sl_daemon_request, d, &err) ||
	    (sl_fault_point("start", SL_START_LISTENING), false) ||
	    sl_pin_root_prepare(d->env.pin_root, &err) ||
	    (sl_fault_point("start", SL_START_PREPARED), false) ||
	    (d->lock_fd = sl_pin_root_lock(d->env.pin_root, &err)) < 0) {
		sl_err("%s", err.msg[0] ? err.msg : strerror(errno));
		sl_states_free(&first);
		free(text);
		return EXIT_RUNTIME;
	}
	sl_fault_point("start", SL_START_LOCKED);
	/* adopt what is pinned, load what is missing */
	if (sl_daemon_apply(d, &first, false, &err)) {
		/* what an earlier daemon left pinned stays as it was */
		if (err.line) { /* a config line the kernel refused: point at it */
			sl_err("cannot start; the pinned dataplane is left as it was");
			sl_config_locate(text, &err);
			sl_config_print_error(stderr, sl_daemon_config_name(d), text, &err);
		} else {
			sl_err("cannot start: %s; the pinned dataplane is left as it was", err.msg);
		}
		sl_states_free(&first);
		free(text);
		return EXIT_RUNTIME;
	}
	free(text);
	sl_fault_point("start", SL_START_FEATURES + sl_nfeatures);
	if (sl_caps_drop_to_runtime())
		sl_warn("cannot drop capabilities: %s", strerror(errno));
	sl_fault_point("start", SL_START_FEATURES + sl_nfeatures + 1);
	sl_info("ready: config %s, pin root %s, socket %s (capabilities kept: %s)", sl_daemon_config_name(d),
		d->env.pin_root, d->socket_path, sl_caps_runtime_names());
	sd_notifyf(0, "READY=1\nSTATUS=running %s, pins under %s\nMAINPID=%d", sl_daemon_config_name(d),
		   d->env.pin_root, getpid());
	sl_fault_point("start", SL_START_FEATURES + sl_nfeatures + 2);
	return sl_daemon_run(d) ? EXIT_RUNTIME : 0;
}

int main(int argc, char **argv)
{
	enum { OPT_CONFIG = 256, OPT_PIN_ROOT, OPT_SOCKET, OPT_CLIENT_TIMEOUT, OPT_CHECK, OPT_CLEANUP, OPT_HELP, OPT_VERSION };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "pin-root", required_argument, NULL, OPT_PIN_ROOT },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "client-timeout", required_argument, NULL, OPT_CLIENT_TIMEOUT },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "cleanup", no_argument, NULL, OPT_CLEANUP },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 },
	};
	struct sl_daemon d = { .env.pin_root = SL_DEFAULT_PIN_ROOT, .socket_path = SL_DEFAULT_SOCKET,
			       .lock_fd = -1, .sigfd = -1 };
	struct sl_error err = { 0 };
	int c, check = 0, clean = 0, rc;

	sl_ctl_init(&d.ctl);
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG: d.config_path = optarg; break;
		case OPT_PIN_ROOT: d.env.pin_root = optarg; break;
		case OPT_SOCKET: d.socket_path = optarg; break;
		case OPT_CLIENT_TIMEOUT:
			if (parse_seconds(optarg, &d.ctl.timeout_ms))
				return EXIT_USAGE;
			break;
		case OPT_CHECK: check = 1; break;
		case OPT_CLEANUP: clean = 1; break;
		case 'v': d.env.verbose = true; break;
		case OPT_HELP: usage(stdout); return 0;
		case OPT_VERSION: printf("sluiced %s\n", SLUICE_VERSION); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sluiced: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (check && clean) {
		fprintf(stderr, "sluiced: --check-config and --cleanup exclude each other\n");
		return EXIT_USAGE;
	}
	sl_log_init(d.env.verbose);
	sl_daemon_block_signals();
	if (sl_features_check(sl_command_tables, &err)) { /* a build whose command tables lack a handler */
		fprintf(stderr, "sluiced: %s\n", err.msg);
		return EXIT_RUNTIME;
	}
	if (check)
		return check_config(&d);
	if (clean)
		return cleanup(d.env.pin_root);
	rc = start(&d);
	sl_daemon_fini(&d);
	return rc;
}
