/* Time and rate pacing. Deadlines are absolute offsets from the start of
 * the run computed from the packet count, never "previous + interval", so
 * sleep overshoot and rounding do not accumulate into drift.
 */
#include "gen.h"

#include <errno.h>
#include <time.h>

uint64_t gen_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread: a send run's own work (on a send-only
 * path the whole stack runs in the thread's system calls), which other load
 * on the machine does not inflate the way it stretches wall-clock time. */
uint64_t gen_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* When packet number `packets` (0-based) is due, relative to the start.
 * Split into whole seconds and remainder so packets * 1e9 cannot overflow:
 * rem < rate <= 1e9, so rem * 1e9 < 1e18 < 2^64. */
uint64_t gen_pace_offset_ns(uint64_t packets, uint64_t rate)
{
	if (!rate)
		return 0;
	return packets / rate * 1000000000ull +
	       packets % rate * 1000000000ull / rate;
}

/* 0 once the deadline has passed, -1 if a signal interrupted the sleep. */
int gen_sleep_until_ns(uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000ull),
		.tv_nsec = (long)(deadline_ns % 1000000000ull),
	};
	int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);

	return rc == EINTR ? -1 : 0;
}

/* Datagrams on the wire for one message of len bytes: with GSO the kernel
 * cuts it into ceil(len / gso) segments. */
uint64_t gen_segments(uint64_t len, uint32_t gso)
{
	if (!gso)
		return 1;
	return len ? (len + gso - 1) / gso : 1;
}
