/* The sets feature's read commands (set test, list, save; rule list) and
 * its status entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "features/sets/sets.h"

/* set test NAME ELEM [nomatch] */
int sets_query_test(const struct sl_env *env, void *priv, const void *state, const struct sl_cmd *cmd,
		    json_object **out, struct sl_error *err)
{
	char *argv[SL_MAX_TOKENS], text[SL_SET_LINE_MAX];
	int cols[SL_MAX_TOKENS], end_col, argc = sets_cmd_words(cmd, argv, cols, &end_col), in = -1;
	struct sets_priv *p = priv;
	struct sl_set_line *l;
	const struct sets_set *s;

	(void)state;
	if (sets_ensure_loaded(env, p, err))
		return -1;
	l = malloc(sizeof(*l));
	if (!l)
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	if (sl_set_args_parse(SL_SETCMD_TEST, argc, argv, cols, end_col, sets_lookup_spec, &p->live, l, err) < 0)
		goto out;
	s = sets_find(&p->live, l->name);
	in = sets_cmd_test(&p->live, l->name, &l->elem, err);
	if (in < 0)
		goto out;
	/* ipset prints a tested element without its physdev: (the kernel's
	 * flag, not a part of the element it sends back) */
	l->elem.flags &= ~(unsigned)SL_ELEM_F_PHYSDEV;
	if (sl_set_elem_format(&s->spec, &l->elem, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "%s", argv[1]);
	if (!in) {
		/* ipset's words, and exit code 1 */
		sl_fail(err, SL_E_NEGATIVE, 0, "%s is NOT in set %s.", text, l->name);
		in = -1;
		goto out;
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "set", json_object_new_string(l->name));
	json_object_object_add(*out, "element", json_object_new_string(text));
	json_object_object_add(*out, "in_set", json_object_new_boolean(1));
	snprintf(text + strlen(text), sizeof(text) - strlen(text), " is in set %s.", l->name);
	json_object_object_add(*out, "message", json_object_new_string(text));
out:
	free(l);
	return in < 0 ? -1 : 0;
}

/* set list [NAME] [-terse|-t] [-name|-n] [-output|-o plain|save] */
int sets_query_list(const struct sl_env *env, void *priv, const void *state, const struct sl_cmd *cmd,
		    json_object **out, struct sl_error *err)
{
	char *argv[SL_MAX_TOKENS];
	int cols[SL_MAX_TOKENS], end_col, argc = sets_cmd_words(cmd, argv, cols, &end_col);
	struct sets_priv *p = priv;
	const char *name = NULL;
	bool terse = false, names = false, save = false;
	json_object *sets;

	(void)state;
	if (sets_ensure_loaded(env, p, err))
		return -1;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-terse") || !strcmp(argv[i], "-t")) {
			terse = true;
		} else if (!strcmp(argv[i], "-name") || !strcmp(argv[i], "-n")) {
			names = true;
		} else if (!strcmp(argv[i], "-output") || !strcmp(argv[i], "-o")) {
			if (i + 1 == argc)
				return sl_fail(err, SL_E_USAGE, end_col, "-output needs plain or save");
			i++;
			if (!strcmp(argv[i], "save"))
				save = true;
			else if (strcmp(argv[i], "plain"))
				return sl_fail(err, SL_E_USAGE, cols[i], "-output: '%s' is not plain or save", argv[i]);
		} else if (argv[i][0] == '-' || name) {
			return sl_fail(err, SL_E_USAGE, cols[i], "set list: unexpected '%s'", argv[i]);
		} else {
			name = argv[i];
		}
	}
	if (save) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		int rc;

		if (!f)
			return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		rc = sets_save_text(&p->live, name, "", f, err);
		fclose(f);
		if (!rc) {
			*out = json_object_new_object();
			json_object_object_add(*out, "text", json_object_new_string(buf));
		}
		free(buf);
		return rc;
	}
	sets = sets_list_json(&p->live, name, terse || names, err);
	if (!sets)
		return -1;
	*out = json_object_new_object();
	json_object_object_add(*out, "sets", sets);
	if (names)
		json_object_object_add(*out, "names_only", json_object_new_boolean(1));
	else if (terse)
		json_object_object_add(*out, "terse", json_object_new_boolean(1));
	return 0;
}

/* set save [NAME] */
int sets_query_save(const struct sl_env *env, void *priv, const void *state, const struct sl_cmd *cmd,
		    json_object **out, struct sl_error *err)
{
	char *argv[SL_MAX_TOKENS], *buf = NULL;
	int cols[SL_MAX_TOKENS], end_col, argc = sets_cmd_words(cmd, argv, cols, &end_col), rc;
	struct sets_priv *p = priv;
	size_t len = 0;
	FILE *f;

	(void)state;
	if (sets_ensure_loaded(env, p, err))
		return -1;
	if (argc > 1)
		return sl_fail(err, SL_E_USAGE, cols[1], "set save takes at most a set name");
	f = open_memstream(&buf, &len);
	if (!f)
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	rc = sets_save_text(&p->live, argc ? argv[0] : NULL, "", f, err);
	fclose(f);
	if (!rc) {
		*out = json_object_new_object();
		json_object_object_add(*out, "text", json_object_new_string(buf));
	}
	free(buf);
	return rc;
}

/* set restore [-exist], its input in the request's body */
int sets_query_restore(const struct sl_env *env, void *priv, const void *state, const struct sl_cmd *cmd,
		       json_object **out, struct sl_error *err)
{
	(void)state;
	if (sets_ensure_loaded(env, priv, err))
		return -1;
	return sets_restore(env, priv, cmd, out, err);
}

/* rule list */
int sets_query_rules(const struct sl_env *env, void *priv, const void *state, const struct sl_cmd *cmd,
		     json_object **out, struct sl_error *err)
{
	struct sets_priv *p = priv;

	(void)state, (void)cmd;
	if (sets_ensure_loaded(env, p, err))
		return -1;
	*out = json_object_new_object();
	json_object_object_add(*out, "rules", rules_list_json(p, &p->live));
	json_object_object_add(*out, "hooks", rules_hooks_json(p));
	return 0;
}

json_object *sets_status(const struct sl_env *env, void *priv, const void *state)
{
	struct sets_priv *p = priv;
	json_object *o = json_object_new_object();
	struct sl_error err = { 0 };

	(void)state;
	if (sets_ensure_loaded(env, p, &err)) {
		json_object_object_add(o, "error", json_object_new_string(err.msg));
		return o;
	}
	json_object_object_add(o, "sets", json_object_new_int(p->live.nsets));
	json_object_object_add(o, "rules", json_object_new_int(p->live.nrules));
	json_object_object_add(o, "hooks", rules_hooks_json(p));
	return o;
}
