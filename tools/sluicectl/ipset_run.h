/* Shared by the files of sluicectl's ipset command line (ipset.c runs it,
 * ipset_restore.c translates a restore input). */
#ifndef SLUICECTL_IPSET_RUN_H
#define SLUICECTL_IPSET_RUN_H

#include "features/sets/ipset/cli.h"

/* The spec of set `name` as the daemon has it: 0, or -1 if there is none. */
int sl_ipset_set_spec(const char *sock, const char *name, struct sl_set_spec *spec);

/* ipset restore's input (in_fd) in sluice's words: each line through
 * sl_ipset_cli_parse, as ipset reads each line with its own command line
 * parser (so `-N x iphash --hashsize 64` reads, and a parameter problem
 * exits 2 before anything changes). Line numbers are kept. Returns a file
 * descriptor of the translated input, or -1 with *rc the exit code and
 * ipset's message printed (not with -quiet). */
int sl_ipset_restore_input(const char *sock, int in_fd, const struct sl_ipset_req *req, int *rc);

/* `ipset -`: every line of standard input as a command line (ipset_batch.c);
 * argv is the whole command line, whose global options hold for every line.
 * Returns 0, as ipset does. */
int sl_ipset_batch(const char *sock, int argc, char **argv);

#endif
