/* SIGINT/SIGTERM end a run gracefully so the summary still gets printed.
 * No SA_RESTART: a blocked sendmmsg/clock_nanosleep/ppoll must return
 * EINTR so the loops notice the flag promptly.
 */
#include "gen.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

int gen_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	return 0;
}

bool gen_stopping(void)
{
	return stop_flag != 0;
}
