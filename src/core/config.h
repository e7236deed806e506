/* Config text -> feature states, validated whole before anything is applied. */
#ifndef SLUICE_CONFIG_H
#define SLUICE_CONFIG_H

#include "common/grammar.h"

/* One state per feature (sl_features order). */
struct sl_states {
	void **st;
};

int sl_states_new(struct sl_states *s);           /* every feature off */
void sl_states_free(struct sl_states *s);

/* The feature index that owns a command (by its first word); -1 for a core
 * command. */
int sl_feature_of(const struct sl_cmd_spec *spec);

/* Parse every line of `text` and fold each config command into fresh
 * states. On the first error, err->line/col locate it and *out is untouched.
 * `ncmds` (may be NULL) receives the number of commands. */
int sl_config_stage(const char *text, struct sl_states *out, int *ncmds, struct sl_error *err);

/* Read a whole config file (at most 16 MiB) into a NUL-terminated string. */
char *sl_config_read(const char *path, struct sl_error *err);

/* An error found while applying line err->line (col 0: the feature could
 * not tell the word): the column of the word of that line the message
 * names ('quoted' first), else of the word after the command's words. */
void sl_config_locate(const char *text, struct sl_error *err);

/* "source:line:col: message" plus the offending line with a caret. */
void sl_config_print_error(FILE *out, const char *source, const char *text, const struct sl_error *err);

/* The configuration as config lines: the running one with each feature's
 * runtime handles (sl_daemon.priv), or just the staged states (priv NULL). */
void sl_config_save(const struct sl_states *s, void *const *priv, FILE *out);

#endif
