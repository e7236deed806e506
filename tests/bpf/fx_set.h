/* A set of the sets feature for the fixtures of programs that reach sets
 * by name (xps, sctp): made as the daemon makes one, so the kernel takes it
 * into the object's outer map. */
#ifndef SLUICE_TEST_FX_SET_H
#define SLUICE_TEST_FX_SET_H

#include <bpf/libbpf.h>

/* A hash:ip set holding the IPv4 addresses addrs[] (NULL-terminated), with
 * the object's BTF for its key and value (6.1 refuses a map without BTF for
 * an outer map whose template has it), in `slot` of `obj`'s sl_sc_ip4_v1,
 * published as `name` in its sets' directory. Returns the set's map fd;
 * asserts (Criterion) on any failure. */
int fx_set_ip4(struct bpf_object *obj, const char *name, __u32 slot, const char *const addrs[]);

#endif
