#ifndef SLUICECTL_H
#define SLUICECTL_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

/* Send one request line to the daemon and parse its JSON reply. With
 * body_fd >= 0, what it reads from there follows the line (set restore),
 * and progress lines the daemon sends meanwhile go to stderr. Returns NULL
 * with *why set (errno text) when the daemon cannot be reached. */
json_object *sl_client_request(const char *socket_path, const char *line, int body_fd, const char **why);
/* Whether those progress lines are printed (default: yes). */
void sl_client_progress(bool show);
/* How long a request waits for the daemon without hearing from it: from
 * --timeout, else $SLUICE_TIMEOUT, else SL_CLIENT_TIMEOUT_S. 0, with *why,
 * when `text` is not a number of seconds in 1..86400. */
#define SL_CLIENT_TIMEOUT_S 30
int sl_client_timeout(const char *text, const char **why);

/* Human rendering of reply data: arrays of objects become aligned tables,
 * objects become "key: value" lines with nested tables indented. */
void sl_render(FILE *out, json_object *data);
void sl_render_table(FILE *out, json_object *rows, int indent);
/* `set list` reply data in the layout of `ipset list` */
void sl_render_set_list(FILE *out, json_object *data);

/* `sluicectl set ARGS` and sluice-ipset ARGS: ipset's command line against
 * the daemon at socket_path; returns ipset's exit code (0, 1, 2). */
int sl_ipset_main(const char *socket_path, int argc, char **argv);

/* For --watch: add a "pps" column to rows, from their "packets" against the
 * previous sample's row with the same non-counter fields. */
void sl_add_rates(json_object *rows, json_object *prev, double seconds);

#endif
