/* Listings as ipset 7.17 prints them, from the daemon's `set list` JSON and
 * `set save` text (tools/sluicectl/ipset_out.c). What sluice cannot print
 * as ipset does is left out and listed in the README: the `Revision:` line
 * (<revision> in XML), and `Size in memory` is the BPF map's memory. */
#ifndef SLUICECTL_IPSET_OUT_H
#define SLUICECTL_IPSET_OUT_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "features/sets/ipset/cli.h"

/* ipset's help (ipset_help.c): the commands and options, the list of set
 * types it follows with alone, and a type's own (NULL: not sluice's) */
extern const char sl_ipset_help_text[];
extern const char sl_ipset_help_types[];
const char *sl_ipset_help_type(const char *name);

/* The spec of a set from its `set list` JSON object (name, type, header):
 * 0, or -1 if it does not parse. */
int sl_ipset_spec_of(json_object *set, struct sl_set_spec *spec);

/* Sort a set's members as `ipset -sorted` does: by the element's binary
 * key (addresses numerically, then prefix, protocol, port, ...). With
 * `sorted` false only a bitmap's: the kernel lists a bitmap in order,
 * sluice's maps are hashes. */
void sl_ipset_sort_members(json_object *set, bool sorted);

/* `list` in plain form (names only with -name, headers only with -terse)
 * and in XML; `sets` is the reply's "sets" array. */
void sl_ipset_print_plain(FILE *out, json_object *sets, bool names, bool terse);
void sl_ipset_print_xml(FILE *out, json_object *sets, bool names, bool terse);

/* `set save` text as ipset prints it: each set's create line followed by
 * its adds (sluice prints every create first); sorted with -sorted, and
 * a bitmap's always.
 * (ipset's -terse leaves nothing out of a save listing.) */
void sl_ipset_print_save(FILE *out, const char *text, bool sorted);

#endif
