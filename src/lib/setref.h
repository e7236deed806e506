/* Sets named by other features' rules (`match-set SET dst`): the sets
 * feature publishes its committed sets by name (the directory) and a
 * feature whose rules name sets says which (the use map), both pinned maps
 * of include/sluice/sets.h, so that neither feature calls the other. */
#ifndef SLUICE_LIB_SETREF_H
#define SLUICE_LIB_SETREF_H

#include <stdbool.h>
#include <json-c/json.h>

#include "common/grammar.h"
#include "sluice/sets.h"

/* The committed set called `name` in the directory at dir_fd: 0, or -1
 * with errno (ENOENT: no such set). */
int sl_setref_find(int dir_fd, const char *name, struct sl_set_dirent *out);

/* A rule of `feature` given as a command names `set` (a config's rules are
 * not checked: its sets come after): the set is there, and a match in
 * `ndirs` directions covers its dimensions; ndirs 0: the rule matches an
 * address alone, so the set must hold addresses (hash:ip, hash:net). -1
 * with a usage error in err. */
int sl_setref_check(int dir_fd, const char *feature, const char *set, int ndirs, struct sl_error *err);

/* The use map at use_fd says that `user`'s rules name the sets names[0..n)
 * (a name once per rule), and no other: counts written, its other entries
 * deleted. On failure the map is as it was for `user` as far as the
 * kernel allows (err says what failed). */
int sl_setref_publish(int use_fd, const char *user, const char *const names[], int n, struct sl_error *err);

/* A rule's "match_set" and "set_found" for a listing: a config's rule may
 * name a set that is not (yet) there, and then matches nothing. */
void sl_setref_json(json_object *o, int dir_fd, const char *set);

/* A feature whose rules name `set`: true with its name in `user`. */
bool sl_setref_user(int use_fd, const char *set, char user[16]);

#endif
