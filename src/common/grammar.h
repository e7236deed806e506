/* The one command grammar: config files, the control socket and sluicectl
 * all speak lines of words. A line is tokenized (with the column of every
 * token), its leading words select a command spec, and the spec checks the
 * options and arguments. Nothing here touches the kernel. */
#ifndef SLUICE_GRAMMAR_H
#define SLUICE_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define SL_MAX_LINE   4096
#define SL_MAX_TOKENS 64
#define SL_MAX_OPTS   12
#define SL_MAX_ARGS   8

/* Exit codes and reply codes (design brief contract). */
enum sl_code {
	SL_OK = 0,
	SL_E_NEGATIVE = 1,    /* a negative answer, e.g. test on an absent element */
	SL_E_USAGE = 2,       /* usage, parse or validation error */
	SL_E_UNREACHABLE = 3, /* daemon unreachable */
	SL_E_KERNEL = 4,      /* the kernel refused; message carries the errno text */
};

struct sl_error {
	enum sl_code code;
	int line;            /* 1-based; 0 when not from a file */
	int col;             /* 1-based; 0 when not tied to a token */
	char msg[512];
};

/* Set err (code, column, printf-style message) and return -1. */
int sl_fail(struct sl_error *err, enum sl_code code, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

struct sl_token {
	const char *text;
	int col;
};

struct sl_tokens {
	char buf[SL_MAX_LINE + SL_MAX_TOKENS];
	struct sl_token tok[SL_MAX_TOKENS];
	int n;
};

/* Split one line into words. Blanks separate words, '#' at the start of a
 * word starts a comment, "double" quotes allow blanks and \" \\ escapes,
 * 'single' quotes are literal. n == 0 for a blank or comment line. */
int sl_tokenize(const char *line, struct sl_tokens *out, struct sl_error *err);

enum sl_kind {
	SL_FLAG,    /* option without a value */
	SL_UINT,    /* unsigned decimal within [min, max] */
	SL_STRING,  /* any word */
	SL_CHOICE,  /* one of `choices` */
	SL_REST,    /* the last argument: every remaining word, `--` ones too, for
		     * commands with a syntax of their own (ipset's); see sl_rest() */
};

struct sl_opt_spec {
	const char *name;            /* "--sample-rate"; without dashes ("initcwnd") a keyword,
	                              * the bare word (tcp add ... initcwnd 10) */
	enum sl_kind kind;
	const char *metavar;         /* "N" */
	unsigned long long min, max;
	const char *const *choices;  /* NULL-terminated, for SL_CHOICE */
	const char *help;
	bool client_only;            /* handled by sluicectl, never sent (e.g. --watch) */
	/* a second word after the value, one of these (`match-set SET dst`):
	 * its index in the value's num */
	const char *const *then;
	/* or a second word of any text, checked by the handler (`match-set SET
	 * src,dst`), named so in errors: its token's index in the value's num */
	const char *then_any;
};

struct sl_arg_spec {
	const char *metavar;
	enum sl_kind kind;
	unsigned long long min, max;
	const char *const *choices;
	bool optional;
	const char *help;
};

struct sl_cmd;
struct sl_env;       /* core/feature.h: where the daemon runs a command */
struct json_object;

/* What the daemon does with a command, named in the command's spec, so one
 * table per feature says both how a command reads and what runs it:
 *  - stage: a config command (SL_CMD_CONFIG) folded into its feature's
 *    state, without side effects (a config file is staged whole before
 *    anything is applied);
 *  - run: a config command at run time, applied to the kernel in place, all
 *    or nothing, for a feature whose state is too large to copy per command
 *    (without it the core stages onto a copy of the state and applies that);
 *  - query: every other command, a read or an action; *out is the reply's
 *    "data". */
typedef int sl_stage_fn(void *state, const struct sl_cmd *cmd, struct sl_error *err);
typedef int sl_run_fn(const struct sl_env *env, void *priv, void *state, const struct sl_cmd *cmd,
		      struct sl_error *err);
typedef int sl_query_fn(const struct sl_env *env, void *priv, const void *state, const struct sl_cmd *cmd,
			struct json_object **out, struct sl_error *err);
/* a core command's (status, save, reload): the daemon is `daemon` */
typedef int sl_core_fn(void *daemon, const struct sl_cmd *cmd, struct json_object **out, struct sl_error *err);

/* A handler in a spec table. sluicectl links the same tables without the
 * daemon's code, so there every handler is NULL; the daemon's copy of each
 * table is built with -DSL_DAEMON (Makefile), where a misspelled handler
 * does not compile and a missing one stops the daemon at start
 * (sl_features_check). */
#ifdef SL_DAEMON
#define SL_HANDLER(fn) (fn)
#else
#define SL_HANDLER(fn) NULL
#endif

enum sl_cmd_flags {
	SL_CMD_CONFIG = 1 << 0, /* changes running state; allowed in a config file */
	SL_CMD_ACTION = 1 << 1, /* changes something but is not configuration (reset) */
	SL_CMD_BODY = 1 << 2,   /* sluicectl streams its standard input after the line */
};

/* The line a client sends after a whole body: a body that ends without it
 * was cut short (the client died) and is refused whole. */
#define SL_BODY_END "\x04"

struct sl_cmd_spec {
	const char *words;                 /* "drops enable" */
	unsigned flags;                    /* enum sl_cmd_flags */
	const struct sl_arg_spec *args;    /* terminated by metavar == NULL */
	const struct sl_opt_spec *opts;    /* terminated by name == NULL; laid out by an enum */
	const char *summary;
	const char *help;
	/* extra checks across options (conflicts); may be NULL */
	int (*validate)(const struct sl_cmd *cmd, struct sl_error *err);
	/* the daemon's handlers (SL_HANDLER): stage, and run where the feature
	 * has it, for a config command; query for any other */
	sl_stage_fn *stage;
	sl_run_fn *run;
	sl_query_fn *query;
	sl_core_fn *core;                  /* the core's own commands */
	/* the feature's own code for the command, for a handler that serves
	 * several (the sets feature: which ipset verb or rule change) */
	int op;
};

struct sl_value {
	bool set;
	const char *str;
	unsigned long long num;
	int col;
};

/* A parsed command. Points into its own token buffer, so it is self-contained
 * and can be copied as a whole. */
struct sl_cmd {
	const struct sl_cmd_spec *spec;
	struct sl_tokens toks;
	/* indexed like spec->opts and spec->args: a table declares an enum of
	 * its slots and lays itself out by it (drops/cmds.c), so the daemon
	 * reads cmd->opt[DROPS_OPT_NETNS], and a misspelled slot does not
	 * compile */
	struct sl_value opt[SL_MAX_OPTS];
	struct sl_value arg[SL_MAX_ARGS];
	int line;                           /* its line in a config file; 0 elsewhere */
};

/* An empty option table, for commands without options. */
extern const struct sl_opt_spec sl_no_opts[];

/* Every command known to the grammar: NULL-terminated list of spec tables,
 * each terminated by words == NULL (see commands.c). */
extern const struct sl_cmd_spec *const sl_command_tables[];

/* Find the spec whose words are the longest prefix of `toks`. */
const struct sl_cmd_spec *sl_find_spec(const struct sl_tokens *toks, int *nwords);

/* Tokenize and parse one line. Returns 1 for a command, 0 for a blank or
 * comment line, -1 with err set. */
int sl_parse_line(const char *line, struct sl_cmd *cmd, struct sl_error *err);

/* Parse already split words (argv-style); columns refer to the words joined
 * by single blanks, as sl_join_words() prints them. */
int sl_parse_words(int argc, char *const argv[], struct sl_cmd *cmd, struct sl_error *err);

/* Join words into one line, quoting the ones that need it. Returns the
 * length, or -1 if it does not fit. */
int sl_join_words(int argc, char *const argv[], char *out, size_t size);

/* The words the command's SL_REST argument took: their count, with
 * argv/cols (each of SL_MAX_TOKENS entries) filled; 0 when none. */
int sl_rest(const struct sl_cmd *cmd, char *argv[], int cols[]);

/* The second word of option `k` (spec then_any), and its column */
const char *sl_then_word(const struct sl_cmd *cmd, int k);
int sl_then_col(const struct sl_cmd *cmd, int k);

/* The command as one canonical line without client-only options. */
int sl_cmd_format(const struct sl_cmd *cmd, bool with_client_only, char *out, size_t size);

/* Help text: one spec, or the list of all commands. */
void sl_print_usage(const struct sl_cmd_spec *spec, FILE *out);
void sl_print_help(const struct sl_cmd_spec *spec, FILE *out);
void sl_print_command_list(FILE *out);

/* Print `line` and a caret under column `col` (compiler style). */
void sl_print_caret(FILE *out, const char *line, int col);

#endif
