/* Everything main() does after the command line is parsed: pin, install
 * signal handlers, run, print. Returns the process exit code.
 */
#include "gen.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

static int pin_cpu(int cpu, char *err, size_t n)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == 0)
		return 0;
	snprintf(err, n, "%s: sched_setaffinity(cpu %d): %s", GEN_NAME, cpu,
		 strerror(errno));
	return -1;
}

int gen_run(const struct gen_opts *o)
{
	char err[GEN_ERRLEN] = "";
	struct gen_result r;
	int rc;

	if (o->cpu >= 0 && pin_cpu(o->cpu, err, sizeof(err)) < 0)
		goto fail;
	if (gen_signals_install() < 0) {
		snprintf(err, sizeof(err), "%s: sigaction: %s", GEN_NAME,
			 strerror(errno));
		goto fail;
	}
	if (o->mode == GEN_MODE_SEND)
		rc = gen_send_run(o, &r, err, sizeof(err));
	else if (o->mode == GEN_MODE_XDP)
		rc = gen_xdp_run(o, &r, err, sizeof(err));
	else
		rc = gen_sink_run(o, &r, err, sizeof(err));
	if (rc == GEN_XDP_UNSUPPORTED) {
		fprintf(stderr, "%s\n", err);
		return GEN_EXIT_USAGE;
	}
	if (rc < 0)
		goto fail;
	if (gen_result_print(&r, o->json, stdout) < 0) {
		snprintf(err, sizeof(err), "%s: writing the summary: %s",
			 GEN_NAME, strerror(errno));
		goto fail;
	}
	return GEN_EXIT_OK;
fail:
	fprintf(stderr, "%s\n", err);
	return GEN_EXIT_RUNTIME;
}

int gen_main(int argc, char **argv)
{
	char err[GEN_ERRLEN];
	struct gen_opts o;

	if (gen_parse_args(argc, argv, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return GEN_EXIT_USAGE;
	}
	switch (o.action) {
	case GEN_ACT_HELP:
		gen_usage(o.mode, stdout);
		return GEN_EXIT_OK;
	case GEN_ACT_VERSION:
		gen_version(stdout);
		return GEN_EXIT_OK;
	default:
		return gen_run(&o);
	}
}
