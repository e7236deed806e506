#include "core/log.h"

#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int log_verbose;
/* the program the messages come from: sluice-gen logs through here too */
static const char *log_name = "sluiced";
/* under systemd, stderr goes to the journal: "<N>" sets the priority */
static int journal;

/* `newline`: our messages need one, libbpf's carry their own */
static void vlog(enum sl_log_level level, int newline, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { 3, 4, 6, 7 };

	if (level == SL_LOG_DEBUG && !log_verbose)
		return;
	if (journal)
		fprintf(stderr, "<%d>", prio[level]);
	else
		fprintf(stderr, "%s: %s: ", log_name, names[level]);
	vfprintf(stderr, fmt, ap);
	if (newline)
		fputc('\n', stderr);
}

void sl_log(enum sl_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, 1, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's messages end in '\n' already. They are debug: every failure
	 * is reported again by our own message, with what it was doing. */
	(void)level;
	vlog(SL_LOG_DEBUG, 0, fmt, ap);
	return 0;
}

void sl_log_set_name(const char *name)
{
	log_name = name;
}

void sl_log_init(int verbose)
{
	log_verbose = verbose;
	journal = getenv("JOURNAL_STREAM") != NULL;
	libbpf_set_print(libbpf_print);
}
