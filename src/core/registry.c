/* The daemon's module registry, from the one feature list, and the check
 * that every command the daemon can be sent has what runs it. */
#include "core/feature.h"

#include "core/config.h"

const struct sl_feature *const sl_features[] = {
#define SL_FEATURE(name) &sl_##name##_feature,
#include "features/list.h"
#undef SL_FEATURE
};

const int sl_nfeatures = sizeof(sl_features) / sizeof(sl_features[0]);

/* The handler `spec` lacks, or has and should not, as its feature's core
 * calls them; NULL when it has just what it needs. */
static const char *handler_fault(const struct sl_cmd_spec *spec, const struct sl_feature *feat)
{
	if (!(spec->flags & SL_CMD_CONFIG))
		return !spec->query ? "has no query handler" :
		       spec->stage || spec->run ? "is not a config command but has a stage or run handler" : NULL;
	if (!spec->stage)
		return "has no stage handler";
	/* a state that owns memory is never copied flat to stage one command on */
	if (!spec->run && feat->state_free)
		return "has no run handler (its feature's state cannot be copied)";
	return spec->query ? "is a config command but has a query handler" : NULL;
}

int sl_features_check(const struct sl_cmd_spec *const tables[], struct sl_error *err)
{
	/* table 0 is the core's own (status, save, reload; common/commands.c) */
	for (int t = 0; tables[t]; t++)
		for (const struct sl_cmd_spec *s = tables[t]; s->words; s++) {
			int f = sl_feature_of(s);
			const char *fault;

			if (f < 0 && t == 0) {
				if (!s->core)
					return sl_fail(err, SL_E_USAGE, 0, "command '%s' has no core handler", s->words);
				continue;
			}
			if (f < 0)
				return sl_fail(err, SL_E_USAGE, 0, "command '%s': no feature owns its first word",
					       s->words);
			fault = handler_fault(s, sl_features[f]);
			if (fault)
				return sl_fail(err, SL_E_USAGE, 0, "command '%s' %s", s->words, fault);
		}
	return 0;
}
