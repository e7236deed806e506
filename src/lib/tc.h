/* Legacy tc filters (cls_bpf, direct action, on a clsact qdisc) through
 * libbpf's bpf_tc_* API, and their records in the pin root: the half of
 * lib/attach.h for kernels without tcx links. Each call enters the
 * filter's network namespace (f->dev.netns) for its netlink requests. */
#ifndef SLUICE_LIB_TC_H
#define SLUICE_LIB_TC_H

#include <stdbool.h>
#include <stdint.h>

#include "common/grammar.h"
#include "sluice/attach.h"

/* Attach `prog_fd` at f's place (the clsact qdisc made if missing, and
 * left in place for good: deleting it would delete every filter on it).
 * `replace`: swap the program of the filter there, atomically; without,
 * a filter already at that place is an error. f->prog_id is set. */
int sl_tc_filter_attach(struct sl_tc_filter *f, int prog_fd, bool replace, struct sl_error *err);
/* 0 and the program the filter at f's place runs; -1 with errno */
int sl_tc_filter_query(const struct sl_tc_filter *f, uint32_t *prog_id);
/* the filter at f's place, only while it runs f->prog_id */
bool sl_tc_filter_ours(const struct sl_tc_filter *f);
/* remove it, only while it is ours */
void sl_tc_filter_detach(const struct sl_tc_filter *f);

int sl_tc_record_put(const char *pin_root, const char *name, const struct sl_tc_filter *f, struct sl_error *err);
int sl_tc_record_get(const char *pin_root, const char *name, struct sl_tc_filter *f);
void sl_tc_record_del(const char *pin_root, const char *name);
/* the recorded names with `prefix`, at most `max` */
int sl_tc_record_names(const char *pin_root, const char *prefix, struct sl_tc_name *out, int max);

#endif
