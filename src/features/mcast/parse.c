/* `mcast bridge BRIDGE [netns NAME] enable|disable [TIMERS] [fast-path on|off]` and
 * `mcast port dev PORT [netns NAME] [router on|off|auto] [flood on|off]`,
 * keywords in any order, onto the module's state; and back as lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "features/mcast/mcast.h"

static const char *const router_names[] = { [SL_MC_ROUTER_AUTO] = "auto", [SL_MC_ROUTER_ON] = "on",
					    [SL_MC_ROUTER_OFF] = "off" };

const char *mcast_router_name(uint8_t router)
{
	return router <= SL_MC_ROUTER_OFF ? router_names[router] : "?";
}

void mcast_timers_default(struct mcast_timers *t)
{
	/* RFC 3376 / RFC 3810 defaults, as the kernel's bridge has them */
	t->robustness = 2;
	t->query_interval = 125;
	t->response_interval = 10;
	t->last_member_ms = 1000;
	t->router_timeout = 255;
}

static int name_word(char *dst, size_t size, const char *what, const char *text, int col, struct sl_error *err)
{
	/* blanks, quotes, '#' and backslashes would not read back from save */
	if (!*text || strlen(text) >= size || strpbrk(text, "/ \t\"'#\\"))
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' is not a name (1..%zu characters, no '/', blank, "
			       "quote, '#' or backslash)", what, text, size - 1);
	if (sl_utf8_valid_len(text, strlen(text)) < strlen(text)) /* saved, listed in JSON */
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' is not valid UTF-8", what, text);
	snprintf(dst, size, "%s", text);
	return 0;
}

static int number_word(const char *what, const char *text, int col, unsigned long min, unsigned long max,
		       uint32_t *out, struct sl_error *err)
{
	char *end;
	unsigned long v;

	if (*text < '0' || *text > '9')
		return sl_fail(err, SL_E_USAGE, col, "%s: expected a number, got '%s'", what, text);
	v = strtoul(text, &end, 10);
	if (*end || v < min || v > max)
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' is not a number in %lu..%lu", what, text, min, max);
	*out = (uint32_t)v;
	return 0;
}

static int end_col(int argc, char *const argv[], const int *cols)
{
	return argc ? cols[argc - 1] + (int)strlen(argv[argc - 1]) + 1 : 1;
}

static int on_off(const char *what, const char *text, int col, bool with_auto, uint8_t *out, struct sl_error *err)
{
	if (!strcmp(text, "on"))
		*out = SL_MC_ROUTER_ON;
	else if (!strcmp(text, "off"))
		*out = SL_MC_ROUTER_OFF;
	else if (with_auto && !strcmp(text, "auto"))
		*out = SL_MC_ROUTER_AUTO;
	else
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' is not on, off%s", what, text, with_auto ? " or auto" : "");
	return 0;
}

int mcast_parse_bridge(struct mcast_state *s, int argc, char *const argv[], const int *cols, struct sl_error *err)
{
	static const struct { const char *word; unsigned long min, max; size_t off; } timers[] = {
		{ "robustness", 1, 7, offsetof(struct mcast_timers, robustness) },
		{ "query-interval", 1, 3600, offsetof(struct mcast_timers, query_interval) },
		{ "query-response-interval", 1, 3600, offsetof(struct mcast_timers, response_interval) },
		{ "last-member-interval", 1, 60000, offsetof(struct mcast_timers, last_member_ms) },
		{ "router-timeout", 1, 86400, offsetof(struct mcast_timers, router_timeout) },
	};
	struct mcast_bridge_cfg b = { 0 };
	int on = -1, i = 1, k;

	mcast_timers_default(&b.t);
	if (argc < 1)
		return sl_fail(err, SL_E_USAGE, 0, "mcast bridge: missing BRIDGE");
	if (name_word(b.name, sizeof(b.name), "bridge", argv[0], cols[0], err))
		return -1;
	for (; i < argc; i++) {
		const char *w = argv[i];
		size_t t;

		if (!strcmp(w, "enable") || !strcmp(w, "disable")) {
			if (on >= 0)
				return sl_fail(err, SL_E_USAGE, cols[i], "give enable or disable once");
			on = !strcmp(w, "enable");
			continue;
		}
		if (!strcmp(w, "fast-path")) {
			uint8_t v;

			if (i + 1 >= argc)
				return sl_fail(err, SL_E_USAGE, end_col(argc, argv, cols), "%s needs a value", w);
			if (on_off(w, argv[i + 1], cols[i + 1], false, &v, err))
				return -1;
			b.fast_path = v == SL_MC_ROUTER_ON;
			i++;
			continue;
		}
		for (t = 0; t < sizeof(timers) / sizeof(timers[0]) && strcmp(w, timers[t].word); t++)
			;
		if (strcmp(w, "netns") && t == sizeof(timers) / sizeof(timers[0]))
			return sl_fail(err, SL_E_USAGE, cols[i], "mcast bridge: unexpected word '%s'", w);
		if (i + 1 >= argc)
			return sl_fail(err, SL_E_USAGE, end_col(argc, argv, cols), "%s needs a value", w);
		i++;
		if (!strcmp(w, "netns")) {
			if (name_word(b.netns, sizeof(b.netns), "netns", argv[i], cols[i], err))
				return -1;
		} else if (number_word(w, argv[i], cols[i], timers[t].min, timers[t].max,
				       (uint32_t *)((char *)&b.t + timers[t].off), err)) {
			return -1;
		}
	}
	if (on < 0)
		return sl_fail(err, SL_E_USAGE, end_col(argc, argv, cols), "mcast bridge: missing enable or disable");
	for (k = 0; k < s->nbr; k++)
		if (!strcmp(s->br[k].name, b.name) && !strcmp(s->br[k].netns, b.netns))
			break;
	if (!on) {
		if (k < s->nbr) {
			memmove(&s->br[k], &s->br[k + 1], (size_t)(s->nbr - k - 1) * sizeof(b));
			s->nbr--;
		}
		return 0;
	}
	if (k == s->nbr) {
		if (s->nbr == SL_MC_BRIDGES)
			return sl_fail(err, SL_E_USAGE, cols[0], "at most %d bridges", SL_MC_BRIDGES);
		s->nbr++;
	}
	s->br[k] = b;
	return 0;
}

int mcast_parse_port(struct mcast_state *s, int argc, char *const argv[], const int *cols, struct sl_error *err)
{
	struct mcast_port_cfg p = { 0 }, *cur = NULL;
	uint8_t v;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (strcmp(w, "dev") && strcmp(w, "netns") && strcmp(w, "router") && strcmp(w, "flood"))
			return sl_fail(err, SL_E_USAGE, cols[i], "mcast port: unexpected word '%s'", w);
		if (i + 1 >= argc)
			return sl_fail(err, SL_E_USAGE, end_col(argc, argv, cols), "%s needs a value", w);
		i++;
		if (!strcmp(w, "dev")) {
			if (p.dev[0])
				return sl_fail(err, SL_E_USAGE, cols[i - 1], "dev given twice");
			if (name_word(p.dev, sizeof(p.dev), "dev", argv[i], cols[i], err))
				return -1;
		} else if (!strcmp(w, "netns")) {
			if (p.netns[0])
				return sl_fail(err, SL_E_USAGE, cols[i - 1], "netns given twice");
			if (name_word(p.netns, sizeof(p.netns), "netns", argv[i], cols[i], err))
				return -1;
		} else if (!strcmp(w, "router")) {
			if (on_off("router", argv[i], cols[i], true, &p.router, err))
				return -1;
			p.router_set = true;
		} else {
			if (on_off("flood", argv[i], cols[i], false, &v, err))
				return -1;
			p.flood = v == SL_MC_ROUTER_ON;
			p.flood_set = true;
		}
	}
	if (!p.dev[0])
		return sl_fail(err, SL_E_USAGE, end_col(argc, argv, cols), "mcast port: missing dev PORT");
	if (!p.router_set && !p.flood_set)
		return sl_fail(err, SL_E_USAGE, end_col(argc, argv, cols), "mcast port: give router or flood");
	for (int k = 0; k < s->nport; k++)
		if (!strcmp(s->port[k].dev, p.dev) && !strcmp(s->port[k].netns, p.netns))
			cur = &s->port[k];
	if (!cur) {
		if (s->nport == MC_PORT_CFG_MAX)
			return sl_fail(err, SL_E_USAGE, 0, "at most %d port settings", MC_PORT_CFG_MAX);
		cur = &s->port[s->nport++];
		*cur = p;
		return 0;
	}
	if (p.router_set) {
		cur->router = p.router;
		cur->router_set = true;
	}
	if (p.flood_set) {
		cur->flood = p.flood;
		cur->flood_set = true;
	}
	return 0;
}

const struct mcast_port_cfg *mcast_port_cfg(const struct mcast_state *s, const char *netns, const char *dev)
{
	for (int k = 0; s && k < s->nport; k++)
		if (!strcmp(s->port[k].dev, dev) && !strcmp(s->port[k].netns, netns))
			return &s->port[k];
	return NULL;
}

void mcast_save_state(const struct mcast_state *s, FILE *out)
{
	struct mcast_timers d;

	mcast_timers_default(&d);
	for (int k = 0; k < s->nbr; k++) {
		const struct mcast_bridge_cfg *b = &s->br[k];

		fprintf(out, "mcast bridge %s%s%s enable", b->name, b->netns[0] ? " netns " : "", b->netns);
		if (b->t.robustness != d.robustness)
			fprintf(out, " robustness %u", b->t.robustness);
		if (b->t.query_interval != d.query_interval)
			fprintf(out, " query-interval %u", b->t.query_interval);
		if (b->t.response_interval != d.response_interval)
			fprintf(out, " query-response-interval %u", b->t.response_interval);
		if (b->t.last_member_ms != d.last_member_ms)
			fprintf(out, " last-member-interval %u", b->t.last_member_ms);
		if (b->t.router_timeout != d.router_timeout)
			fprintf(out, " router-timeout %u", b->t.router_timeout);
		if (b->fast_path)
			fprintf(out, " fast-path on");
		fputc('\n', out);
	}
	for (int k = 0; k < s->nport; k++) {
		const struct mcast_port_cfg *p = &s->port[k];

		fprintf(out, "mcast port dev %s%s%s", p->dev, p->netns[0] ? " netns " : "", p->netns);
		if (p->router_set)
			fprintf(out, " router %s", mcast_router_name(p->router));
		if (p->flood_set)
			fprintf(out, " flood %s", p->flood ? "on" : "off");
		fputc('\n', out);
	}
}
