/* ipset's command line (ipset(8) of Debian 12's ipset 7.17, measured on
 * the kernel's ipset in a private namespace) turned into sluice's canonical
 * `set ...` words. It does what ipset does before it talks to the kernel:
 * global options anywhere on the line, the command by any of its names
 * (a prefix of its full name, or an alias: `-N`, `n`, `new`, ...), the
 * count of set names, the type's option words (`--opt` too, old type names
 * and `--from/--to`), and it refuses what ipset refuses there with ipset's
 * words and exit code 2 (a parameter problem). Values (numbers, elements)
 * are left to sluice's parsers, whose refusals are exit 1, as ipset's.
 * Nothing here does I/O: tools/sluicectl/ipset.c runs the result. */
#ifndef SLUICE_FEATURES_SETS_IPSET_CLI_H
#define SLUICE_FEATURES_SETS_IPSET_CLI_H

#include <stdbool.h>

#include "features/sets/ipset/ipset.h"

#define SL_IPSET_BANNER  "ipset v7.17"  /* the ipset whose language and texts this is */
#define SL_IPSET_HINT    "Try `ipset help' for more information."

/* ipset's exit codes, as codes of struct sl_error (the same numbers) */
#define SL_IPSET_ERROR SL_E_NEGATIVE /* 1: any error in what was asked */
#define SL_IPSET_PARAM SL_E_USAGE    /* 2: a parameter problem; ipset adds SL_IPSET_HINT */

enum sl_ipset_cmd {
	SL_IPSET_NONE,
	SL_IPSET_CREATE, SL_IPSET_ADD, SL_IPSET_DEL, SL_IPSET_TEST, SL_IPSET_DESTROY,
	SL_IPSET_LIST, SL_IPSET_SAVE, SL_IPSET_RESTORE, SL_IPSET_FLUSH, SL_IPSET_RENAME,
	SL_IPSET_SWAP, SL_IPSET_HELP, SL_IPSET_VERSION, SL_IPSET_QUIT,
	SL_IPSET_BATCH,             /* `-`: commands from standard input, one a line */
};

enum sl_ipset_output { SL_IPSET_OUT_DEFAULT, SL_IPSET_OUT_PLAIN, SL_IPSET_OUT_SAVE, SL_IPSET_OUT_XML };

#define SL_IPSET_WORDS 64

struct sl_ipset_req {
	enum sl_ipset_cmd cmd;
	const char *cmd_name;       /* "create": ipset's name, for messages */
	/* global options */
	bool exist, quiet, resolve, sorted, names, terse;
	enum sl_ipset_output output;
	const char *file;           /* -file: restore's input, list/save's output */
	const char *name, *name2;   /* set names as given (list/save/flush/destroy/rename/swap/add...) */
	/* sluicectl's words for the daemon ("set", "add", NAME, ...); none for
	 * help, version and quit */
	int nwords;
	const char *words[SL_IPSET_WORDS];
	const char *warning;        /* printed on stderr before running (ignored old options) */
	char warn_buf[256];
	char range_buf[64];         /* `range FROM-TO` made of --from/--to */
};

/* An ipset error: err->code is SL_IPSET_ERROR or SL_IPSET_PARAM, err->msg ipset's text
 * without the "ipset vX.Y: " prefix. */

/* Phase 1, no daemon needed: everything but add/del/test's option words.
 * argv are the words after `set` (or after sluice-ipset). Returns 0 or -1. */
int sl_ipset_cli_parse(int argc, char *const argv[], struct sl_ipset_req *req, struct sl_error *err);

/* Phase 2 for add/del/test: the option words after the element, checked
 * against the type of the set they name (`spec`, as the daemon has it;
 * NULL: no such set, which ipset finds first). Returns 0 or -1. */
int sl_ipset_cli_check_elem(const struct sl_ipset_req *req, const struct sl_set_spec *spec, struct sl_error *err);

/* A global option word (`-exist`, `-o`, ...): 0 if it is none, else
 * how many words it takes with its value (1 or 2). */
int sl_ipset_global_words(const char *word);

/* The type names ipset knows that sluice has no set type for yet (for
 * ipset's own "set type not supported"). */
bool sl_ipset_type_known(const char *name);

#endif
