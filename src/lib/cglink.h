/* A program on a cgroup v2 through a pinned bpf_link (links/<name>), as
 * features with cgroup programs keep them: a restarted daemon adopts the
 * pin and replaces the program in place, never detach-then-attach. */
#ifndef SLUICE_LIB_CGLINK_H
#define SLUICE_LIB_CGLINK_H

#include <bpf/bpf.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/grammar.h"

/* `prog` on cgroup directory `dir` as `type`: the link in *link_fd (or,
 * when it is -1, the one pinned as links/<name>) gets the program in place
 * (bpf_link_update); without one a link is made and pinned (*made).
 * `feature` prefixes the error. */
int sl_cglink_to(const char *pin_root, const char *name, const char *dir, enum bpf_attach_type type, int prog,
		 int *link_fd, bool *made, const char *feature, struct sl_error *err);

/* links/<name> off its cgroup, its pin gone, *link_fd closed (-1) */
void sl_cglink_off(const char *pin_root, const char *name, int *link_fd);

/* The pinned links named <prefix>..._<cgroup id>: those whose id is not in
 * keep[0..n) go off (with `dry`, none does); how many there are. */
int sl_cglink_sweep(const char *pin_root, const char *prefix, const uint64_t keep[], int n, bool dry);

#endif
