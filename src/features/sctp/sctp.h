/* SCTP multihoming: XDP ingress and tc egress programs per tracked device
 * (bpf/sctp.bpf.c, include/sluice/sctp.h) that follow associations by
 * their verification tags across every address they announce. This header
 * is what the feature's files share:
 *
 *   names.c   counter and state names (the one table)
 */
#ifndef SLUICE_FEATURES_SCTP_H
#define SLUICE_FEATURES_SCTP_H

#include "sluice/sctp.h"

/* "unknown_tag"; "?" past the table */
const char *sctp_counter_name(unsigned c);
/* the counter a name names; -1 */
int sctp_counter_value(const char *name);
/* "established" */
const char *sctp_state_name(unsigned s);

#endif
