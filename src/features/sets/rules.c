/* Rule syntax: `rule add dev IFACE [netns NAME] ingress|egress [prio N]
 * ([!] match-set SET DIR[,DIR...] | unparsed) action drop|pass|count`,
 * keywords in any order; `rule del` takes the same words or `id N`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "features/sets/sets.h"

static const char *const action_names[] = { [SL_ACT_DROP] = "drop", [SL_ACT_PASS] = "pass", [SL_ACT_COUNT] = "count" };

const char *rules_action_name(uint8_t action)
{
	return action <= SL_ACT_COUNT ? action_names[action] : "?";
}

static int copy_name(char *dst, size_t size, const char *what, const char *text, int col, struct sl_error *err)
{
	if (!*text || strlen(text) >= size)
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' must be 1..%zu characters", what, text, size - 1);
	if (strpbrk(text, "/ \t\"'#\\")) /* it would not read back from save */
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' must not contain '/', blanks, quotes, '#' or backslashes",
			       what, text);
	if (sl_utf8_valid_len(text, strlen(text)) < strlen(text)) /* listed in JSON replies */
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' is not valid UTF-8", what, text);
	snprintf(dst, size, "%s", text);
	return 0;
}

static int number(const char *what, const char *text, int col, unsigned long max, unsigned long *out,
		  struct sl_error *err)
{
	char *end;

	if (!*text || *text < '0' || *text > '9')
		return sl_fail(err, SL_E_USAGE, col, "%s: expected a number, got '%s'", what, text);
	*out = strtoul(text, &end, 10);
	if (*end || *out > max)
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' is not a number in 0..%lu", what, text, max);
	return 0;
}

int rules_parse(int argc, char *const argv[], const int *cols, struct rules_rule *r, struct sl_error *err)
{
	bool have_dir = false, have_action = false, have_set = false, have_prio = false, have_unparsed = false;
	int set_col = 0, unparsed_col = 0, invert_col = 0; /* where those words are, for errors */
	int end_col = argc ? cols[argc - 1] + (int)strlen(argv[argc - 1]) + 1 : 1;
	unsigned long v;

	memset(r, 0, sizeof(*r));
	r->prio = RULES_DEFAULT_PRIO;
	r->id = RULES_ID_NONE;
	if (argc == 2 && !strcmp(argv[0], "id")) {
		if (number("id", argv[1], cols[1], SL_RULE_IDS - 1, &v, err))
			return -1;
		r->id = (uint16_t)v;
		return 0;
	}
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		bool takes_value = !strcmp(w, "dev") || !strcmp(w, "netns") || !strcmp(w, "prio") ||
				   !strcmp(w, "action") || !strcmp(w, "match-set");

		if (takes_value && i + 1 >= argc)
			return sl_fail(err, SL_E_USAGE, end_col, "%s needs a value", w);
		if (!strcmp(w, "dev")) {
			if (r->dev[0])
				return sl_fail(err, SL_E_USAGE, cols[i], "dev given twice");
			i++;
			if (copy_name(r->dev, sizeof(r->dev), "dev", argv[i], cols[i], err))
				return -1;
		} else if (!strcmp(w, "netns")) {
			if (r->netns[0])
				return sl_fail(err, SL_E_USAGE, cols[i], "netns given twice");
			i++;
			if (copy_name(r->netns, sizeof(r->netns), "netns", argv[i], cols[i], err))
				return -1;
		} else if (!strcmp(w, "ingress") || !strcmp(w, "egress")) {
			if (have_dir)
				return sl_fail(err, SL_E_USAGE, cols[i], "give ingress or egress once");
			r->dir = !strcmp(w, "egress") ? RULES_EGRESS : RULES_INGRESS;
			have_dir = true;
		} else if (!strcmp(w, "prio")) {
			if (have_prio)
				return sl_fail(err, SL_E_USAGE, cols[i], "prio given twice");
			i++;
			if (number("prio", argv[i], cols[i], 65535, &v, err))
				return -1;
			r->prio = (uint32_t)v;
			have_prio = true;
		} else if (!strcmp(w, "!")) {
			if (r->invert)
				return sl_fail(err, SL_E_USAGE, cols[i], "'!' given twice");
			r->invert = true;
			invert_col = cols[i];
		} else if (!strcmp(w, "match-set")) {
			if (have_set)
				return sl_fail(err, SL_E_USAGE, cols[i], "one match-set per rule");
			i++;
			set_col = cols[i - 1];
			if (sl_set_name_check(argv[i], cols[i], err))
				return -1;
			snprintf(r->set, sizeof(r->set), "%s", argv[i]);
			if (i + 1 >= argc)
				return sl_fail(err, SL_E_USAGE, end_col, "match-set %s needs DIR[,DIR...] (src or dst)",
					       r->set);
			if (sl_set_dirs_parse(argv[i + 1], cols[i + 1], &r->ndirs, &r->src_dims, err))
				return -1;
			i++;
			have_set = true;
		} else if (!strcmp(w, "unparsed")) {
			if (have_unparsed)
				return sl_fail(err, SL_E_USAGE, cols[i], "unparsed given twice");
			have_unparsed = true;
			unparsed_col = cols[i];
			r->match = SL_MATCH_UNPARSED;
		} else if (!strcmp(w, "action")) {
			int a;

			if (have_action)
				return sl_fail(err, SL_E_USAGE, cols[i], "action given twice");
			for (a = 0; a <= SL_ACT_COUNT && strcmp(argv[i + 1], action_names[a]); a++)
				;
			if (a > SL_ACT_COUNT)
				return sl_fail(err, SL_E_USAGE, cols[i + 1], "action: '%s' is not drop, pass or count",
					       argv[i + 1]);
			r->action = (uint8_t)a;
			have_action = true;
			i++;
		} else {
			return sl_fail(err, SL_E_USAGE, cols[i], "rule: unexpected word '%s'", w);
		}
	}
	if (!r->dev[0])
		return sl_fail(err, SL_E_USAGE, end_col, "rule: missing dev IFACE");
	if (!have_dir)
		return sl_fail(err, SL_E_USAGE, end_col, "rule: missing ingress or egress");
	if (have_set && have_unparsed)
		return sl_fail(err, SL_E_USAGE, set_col > unparsed_col ? set_col : unparsed_col,
			       "rule: give match-set or unparsed, not both");
	if (!have_set && !have_unparsed)
		return sl_fail(err, SL_E_USAGE, end_col, "rule: missing match-set SET DIR[,DIR...] (or unparsed)");
	/* `!` would match every frame that does parse: a catch-all rule in disguise */
	if (have_unparsed && r->invert)
		return sl_fail(err, SL_E_USAGE, invert_col, "rule: '!' does not go with unparsed");
	if (!have_action)
		return sl_fail(err, SL_E_USAGE, end_col, "rule: missing action drop|pass|count");
	return 0;
}

int rules_check_dims(const struct rules_rule *r, const struct sl_set_spec *spec, struct sl_error *err)
{
	int dims = sl_set_types[spec->type].dims;

	/* a list's members each take the directions they have (iptables: a
	 * member of more dimensions than given never matches) */
	if (r->match == SL_MATCH_UNPARSED || sl_set_types[spec->type].list)
		return 0;
	if (sl_set_types[spec->type].markmask && r->dir == RULES_INGRESS)
		return sl_fail(err, SL_E_USAGE, 0,
			       "match-set %s: hash:ip,mark matches the packet's mark, which XDP ingress has not "
			       "(use egress)", r->set);
	/* iptables accepts fewer and then never matches: say so instead */
	if (r->ndirs < dims)
		return sl_fail(err, SL_E_USAGE, 0, "match-set %s: %s has %d dimension%s, %d direction%s given",
			       r->set, sl_set_types[spec->type].name, dims, dims == 1 ? "" : "s", r->ndirs,
			       r->ndirs == 1 ? "" : "s");
	return 0;
}

void rules_dirs(const struct rules_rule *r, char *out, size_t size)
{
	sl_set_dirs_format(r->ndirs, r->src_dims, out, size);
}

int rules_format(const struct rules_rule *r, char *out, size_t size)
{
	char dirs[32], match[96];
	int n;

	rules_dirs(r, dirs, sizeof(dirs));
	if (r->match == SL_MATCH_UNPARSED)
		snprintf(match, sizeof(match), "unparsed");
	else
		snprintf(match, sizeof(match), "match-set %s %s%s", r->set, dirs, r->invert ? " !" : "");
	n = snprintf(out, size, "dev %s%s%s %s prio %u %s action %s", r->dev, r->netns[0] ? " netns " : "",
		     r->netns, r->dir == RULES_EGRESS ? "egress" : "ingress", r->prio, match,
		     rules_action_name(r->action));
	return n < 0 || (size_t)n >= size ? -1 : n;
}

bool rules_same_hook(const struct rules_rule *a, const struct rules_rule *b)
{
	return !strcmp(a->netns, b->netns) && !strcmp(a->dev, b->dev) && a->dir == b->dir;
}

bool rules_same(const struct rules_rule *a, const struct rules_rule *b)
{
	return rules_same_hook(a, b) && a->prio == b->prio && a->match == b->match && !strcmp(a->set, b->set) &&
	       a->ndirs == b->ndirs &&
	       a->src_dims == b->src_dims && a->invert == b->invert && a->action == b->action;
}
