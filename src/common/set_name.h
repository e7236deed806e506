/* A set's name, as ipset takes it and as other features' rules name a set
 * (`match-set SET dst`): shared so that both refuse the same names. */
#ifndef SLUICE_COMMON_SET_NAME_H
#define SLUICE_COMMON_SET_NAME_H

#include <stddef.h>
#include <stdint.h>

#include "common/grammar.h"

#define SL_SET_NAME_MAX 31 /* IPSET_MAXNAMELEN - 1 */

/* A set name: 1..31 characters, not starting with '-', no blank, quote,
 * '#' or backslash, valid UTF-8. -1 with err at `col`. */
int sl_set_name_check(const char *name, int col, struct sl_error *err);

#define SL_SET_DIRS_MAX 6 /* iptables' --match-set takes up to six */

/* The directions of a match-set, as iptables writes them: "src,dst" gives
 * *ndirs 2 and bit i of *src_dims set when dimension i is from the source.
 * -1 with err at `col`. */
int sl_set_dirs_parse(const char *text, int col, uint8_t *ndirs, uint8_t *src_dims, struct sl_error *err);
/* and back: "src,dst" */
void sl_set_dirs_format(uint8_t ndirs, uint8_t src_dims, char *out, size_t size);

#endif
