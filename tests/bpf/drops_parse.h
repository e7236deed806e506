/* What the drops_parse test program leaves in .bss for the test to read:
 * the verdict of sl_parse_udp_copy() on one frame and its tuple. Shared by
 * drops_parse.bpf.c and test_drops_parse.c. */
#ifndef SLUICE_TEST_DROPS_PARSE_H
#define SLUICE_TEST_DROPS_PARSE_H

#include "sluice/types.h"

#define DP_NOT_RUN  100 /* rc before the program ran: no parser result */
#define DP_LOAD_ERR 101 /* bpf_skb_load_bytes failed */

struct dp_result {
	__s32 rc;        /* sl_parse_udp_copy() return, or DP_* */
	__u32 len;       /* bytes handed to the parser */
	__u32 runs;      /* program runs since the last reset */
	__u8  family;    /* the tuple, as the parser filled it */
	__u8  pad0;
	__u16 sport, dport;
	__u8  saddr[16], daddr[16];
};

#endif
