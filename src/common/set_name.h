/* A set's name, as ipset takes it and as other features' rules name a set
 * (`match-set SET dst`): shared so that both refuse the same names. */
#ifndef SLUICE_COMMON_SET_NAME_H
#define SLUICE_COMMON_SET_NAME_H

#include "common/grammar.h"

#define SL_SET_NAME_MAX 31 /* IPSET_MAXNAMELEN - 1 */

/* A set name: 1..31 characters, not starting with '-', no blank, quote,
 * '#' or backslash, valid UTF-8. -1 with err at `col`. */
int sl_set_name_check(const char *name, int col, struct sl_error *err);

#endif
