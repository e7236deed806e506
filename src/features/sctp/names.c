/* Names of what the sctp programs count and of association states, as
 * status, sctp assoc and the tests spell them: the one table. */
#include <stddef.h>
#include <string.h>

#include "features/sctp/sctp.h"

static const char *const counters[SL_SCTP_C_COUNT] = {
	[SL_SCTP_C_PACKETS] = "packets",
	[SL_SCTP_C_TRACKED] = "tracked",
	[SL_SCTP_C_NEW] = "new",
	[SL_SCTP_C_FULL] = "table_full",
	[SL_SCTP_C_UNKNOWN_TAG] = "unknown_tag",
	[SL_SCTP_C_INIT_BAD] = "init_bad",
	[SL_SCTP_C_INIT_DUP] = "init_dup",
	[SL_SCTP_C_INIT_ACK_BAD] = "init_ack_bad",
	[SL_SCTP_C_TRUNCATED] = "truncated",
	[SL_SCTP_C_CHUNK_LEN] = "chunk_len",
	[SL_SCTP_C_CHUNK_PAST_END] = "chunk_past_end",
	[SL_SCTP_C_CHUNKS_LIMIT] = "chunks_limit",
	[SL_SCTP_C_TRAILING] = "trailing",
	[SL_SCTP_C_PARAM_LEN] = "param_len",
	[SL_SCTP_C_PARAM_PAST_END] = "param_past_end",
	[SL_SCTP_C_PARAMS_LIMIT] = "params_limit",
	[SL_SCTP_C_ADDR_BAD] = "addr_bad",
	[SL_SCTP_C_ADDRS_DROPPED] = "addrs_dropped",
	[SL_SCTP_C_STRAY_PATH] = "stray_path",
	[SL_SCTP_C_END_SHUTDOWN] = "end_shutdown",
	[SL_SCTP_C_END_ABORT] = "end_abort",
	[SL_SCTP_C_FRAGMENT] = "fragment",
	[SL_SCTP_C_EXPIRED] = "expired",
	[SL_SCTP_C_ASCONF_ADD] = "asconf_add",
	[SL_SCTP_C_ASCONF_DEL] = "asconf_del",
	[SL_SCTP_C_DROP_INIT] = "drop_init",
	[SL_SCTP_C_DROP_UNKNOWN] = "drop_unknown_tag",
	[SL_SCTP_C_DROP_NOT_ADMITTED] = "drop_not_admitted",
	[SL_SCTP_C_DROP_STRAY] = "drop_stray_path",
	[SL_SCTP_C_DROP_MALFORMED] = "drop_malformed",
};

const char *sctp_counter_name(unsigned c)
{
	return c < SL_SCTP_C_COUNT && counters[c] ? counters[c] : "?";
}

int sctp_counter_value(const char *name)
{
	for (unsigned c = 0; c < SL_SCTP_C_COUNT; c++)
		if (counters[c] && !strcmp(counters[c], name))
			return (int)c;
	return -1;
}

const char *sctp_state_name(unsigned s)
{
	static const char *const names[] = {
		[SL_SCTP_S_COOKIE_WAIT] = "cookie-wait",
		[SL_SCTP_S_COOKIE_ECHOED] = "cookie-echoed",
		[SL_SCTP_S_ESTABLISHED] = "established",
		[SL_SCTP_S_SHUTDOWN] = "shutdown",
	};

	return s < sizeof(names) / sizeof(names[0]) && names[s] ? names[s] : "?";
}
