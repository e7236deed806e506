/* SCTP multihoming as config: the tracked devices and the idle timeout,
 * staged and saved without the kernel. */
#include <string.h>

#include "lib/place.h"
#include "features/sctp/sctp.h"

void sctp_state_init(void *st)
{
	struct sctp_state *s = st;

	memset(s, 0, sizeof(*s));
	s->timeout_s = SCTP_TIMEOUT_DEFAULT;
}

int sctp_dev_from_cmd(const struct sl_cmd *cmd, struct sctp_dev_cfg *d, struct sl_error *err)
{
	memset(d, 0, sizeof(*d));
	return sl_place_from(&cmd->opt[SCTP_OPT_DEV], &cmd->opt[SCTP_OPT_NETNS], d->dev, sizeof(d->dev), d->netns,
			     sizeof(d->netns), err);
}

int sctp_state_find(const struct sctp_state *s, const char *netns, const char *dev)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->dev[i].netns, netns) && !strcmp(s->dev[i].dev, dev))
			return i;
	return -1;
}

/* zones the state needs: its distinct namespaces */
static int state_zones(const struct sctp_state *s)
{
	int n = 0;

	for (int i = 0; i < s->n; i++) {
		int j;

		for (j = 0; j < i && strcmp(s->dev[j].netns, s->dev[i].netns); j++)
			;
		n += j == i;
	}
	return n;
}

static bool has_netns(const struct sctp_state *s, const char *netns)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->dev[i].netns, netns))
			return true;
	return false;
}

int sctp_stage_track(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct sctp_state *s = st;
	struct sctp_dev_cfg d;

	if (sctp_dev_from_cmd(cmd, &d, err))
		return -1;
	if (sctp_state_find(s, d.netns, d.dev) >= 0)
		return 0; /* tracked already: the same state */
	if (s->n >= SL_SCTP_DEVS)
		return sl_fail(err, SL_E_USAGE, 0, "sctp track: at most %d devices", SL_SCTP_DEVS);
	if (!has_netns(s, d.netns) && state_zones(s) >= SL_SCTP_ZONES)
		return sl_fail(err, SL_E_USAGE, cmd->opt[SCTP_OPT_NETNS].col,
			       "sctp track: devices in at most %d network namespaces", SL_SCTP_ZONES);
	s->dev[s->n++] = d;
	return 0;
}

/* the index of the device a command names; -1 with err "<words>: dev X <why>" */
static int named_dev(const struct sctp_state *s, const struct sl_cmd *cmd, const char *why, struct sl_error *err)
{
	struct sctp_dev_cfg d;
	int i;

	if (sctp_dev_from_cmd(cmd, &d, err))
		return -1;
	i = sctp_state_find(s, d.netns, d.dev);
	if (i < 0)
		return sl_fail(err, SL_E_USAGE, cmd->opt[SCTP_OPT_DEV].col, "%s: dev %s%s%s %s", cmd->spec->words, d.dev,
			       d.netns[0] ? " netns " : "", d.netns, why);
	return i;
}

int sctp_stage_untrack(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct sctp_state *s = st;
	int i = named_dev(s, cmd, "is not tracked", err);

	if (i < 0)
		return -1;
	memmove(&s->dev[i], &s->dev[i + 1], (size_t)(s->n - i - 1) * sizeof(s->dev[0]));
	s->n--;
	return 0;
}

int sctp_stage_policy(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	const struct sl_value *set = &cmd->opt[SCTP_OPT_ALLOW_SET];
	struct sctp_state *s = st;
	int i;

	if (sl_set_name_check(set->str, set->col, err))
		return -1;
	i = named_dev(s, cmd, "is not tracked (sctp track it first)", err);
	if (i < 0)
		return -1;
	snprintf(s->dev[i].set, sizeof(s->dev[i].set), "%s", set->str);
	return 0;
}

int sctp_stage_policy_del(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct sctp_state *s = st;
	int i = named_dev(s, cmd, "has no policy", err);

	if (i < 0)
		return -1;
	if (!s->dev[i].set[0])
		return sl_fail(err, SL_E_USAGE, cmd->opt[SCTP_OPT_DEV].col, "sctp policy del: dev %s%s%s has no policy",
			       s->dev[i].dev, s->dev[i].netns[0] ? " netns " : "", s->dev[i].netns);
	memset(s->dev[i].set, 0, sizeof(s->dev[i].set));
	return 0;
}

int sctp_stage_timeout(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct sctp_state *s = st;

	(void)err;
	s->timeout_s = (uint32_t)cmd->arg[0].num;
	return 0;
}

void sctp_save_state(const struct sctp_state *s, FILE *out)
{
	if (s->timeout_s != SCTP_TIMEOUT_DEFAULT)
		fprintf(out, "sctp timeout %u\n", s->timeout_s);
	for (int i = 0; i < s->n; i++)
		fprintf(out, "sctp track dev %s%s%s\n", s->dev[i].dev, s->dev[i].netns[0] ? " netns " : "",
			s->dev[i].netns);
	for (int i = 0; i < s->n; i++)
		if (s->dev[i].set[0])
			fprintf(out, "sctp policy dev %s%s%s allow-set %s\n", s->dev[i].dev,
				s->dev[i].netns[0] ? " netns " : "", s->dev[i].netns, s->dev[i].set);
}
