/* UDP drop tracing: the daemon module. Configuration state, its config
 * lines, and apply(), which adopts, loads or detaches through swap.c;
 * queries and status are in query.c. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "features/drops/drops.h"

static void state_init(void *st)
{
	struct drops_state *s = st;

	s->enabled = 0;
	s->sample_rate = DROPS_DEFAULT_SAMPLE_RATE;
}

int drops_stage_enable(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	const struct sl_value *rate = &cmd->opt[DROPS_OPT_SAMPLE_RATE];
	struct drops_state *s = st;

	(void)err;
	s->enabled = 1;
	s->sample_rate = rate->set ? (unsigned)rate->num : DROPS_DEFAULT_SAMPLE_RATE;
	return 0;
}

int drops_stage_disable(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct drops_state *s = st;

	(void)cmd, (void)err;
	s->enabled = 0;
	return 0;
}

static void save(void *priv, const void *st, FILE *out)
{
	const struct drops_state *s = st;

	(void)priv; /* all of it is in the state */
	if (s->enabled)
		fprintf(out, "drops enable --sample-rate %u\n", s->sample_rate);
	else
		fprintf(out, "drops disable\n");
}

static void event_budget_of(unsigned rate, struct sl_drops_config *cfg)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	drops_event_budget(rate, ncpu < 1 ? 1 : (unsigned)ncpu, cfg);
}

void drops_load_reason_names(struct drops_priv *p)
{
	struct btf *btf;

	if (p->reasons_loaded)
		return;
	btf = btf__load_vmlinux_btf();
	if (!btf || sl_enum_names_load(&p->reasons, btf, "skb_drop_reason", "SKB_DROP_REASON_"))
		sl_warn("drops: kernel BTF has no enum skb_drop_reason; reasons show as numbers");
	btf__free(btf);
	p->reasons_loaded = 1;
}

static int apply(const struct sl_env *env, void *priv, const void *st, bool replace, struct sl_error *err)
{
	const struct drops_state *s = st;
	struct drops_priv *p = priv;
	struct sl_drops_config cfg, want = { 0 };

	if (drops_check_pins(env, err))
		return -1;
	if (!s->enabled) {
		if (drops_detach(env, p, err))
			return -1;
		/* counters stay pinned and readable until --cleanup */
		if (p->map_fd[0] < 0)
			drops_open_maps(env, p, NULL);
		return 0;
	}
	drops_load_reason_names(p);
	event_budget_of(s->sample_rate, &want);
	if (replace || !drops_adoptable(env, p))
		return drops_load_and_swap(env, p, &want, err);
	if (drops_adopt(env, p, err) || drops_read_config(env, p, &cfg))
		return -1;
	cfg.events_per_window = want.events_per_window;
	cfg.window_ns = want.window_ns;
	return drops_write_config(p, &cfg, err);
}

static void release(void *priv)
{
	struct drops_priv *p = priv;

	drops_close_maps(p);
	for (int i = 0; i < NLINKS; i++) {
		drops_close_fd(&p->link_fd[i]);
		drops_close_fd(&p->prog_fd[i]);
	}
	sl_enum_names_free(&p->reasons);
	p->reasons_loaded = 0;
}

static void priv_init(void *priv)
{
	struct drops_priv *p = priv;

	for (int i = 0; i < NMAPS; i++)
		p->map_fd[i] = -1;
	for (int i = 0; i < NLINKS; i++)
		p->link_fd[i] = p->prog_fd[i] = -1;
}

const struct sl_feature sl_drops_feature = {
	.name = "drops",
	.state_size = sizeof(struct drops_state),
	.priv_size = sizeof(struct drops_priv),
	.priv_init = priv_init,
	.state_init = state_init,
	.apply = apply,
	.save = save,
	.status = drops_status,
	.release = release,
};
