/* `mcast bridge` and `mcast port` words into the module's state and back:
 * defaults, timers, enable/disable, settings merged per port, errors that
 * name the word, and save lines that read back to the same state. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/mcast/mcast.h"
#include "words.h"

static struct mcast_state st;
static struct sl_error err;

static int words(const char *line, int (*fn)(struct mcast_state *, int, char *const[], const int *, struct sl_error *))
{
	static struct words w;

	memset(&err, 0, sizeof(err));
	split(line, &w);
	return fn(&st, w.n, w.argv, w.cols, &err);
}

#define BRIDGE(line) words(line, mcast_parse_bridge)
#define PORT(line) words(line, mcast_parse_port)

static char *saved(const struct mcast_state *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mcast_save_state(s, f);
	fclose(f);
	return buf;
}

Test(mcast_parse, bridge_defaults_and_timers)
{
	memset(&st, 0, sizeof(st));
	cr_assert_eq(BRIDGE("br0 enable"), 0, "%s", err.msg);
	cr_assert_eq(st.nbr, 1);
	cr_assert_str_eq(st.br[0].name, "br0");
	cr_assert_str_eq(st.br[0].netns, "");
	cr_assert_eq(st.br[0].t.robustness, 2);
	cr_assert_eq(st.br[0].t.query_interval, 125);
	cr_assert_eq(st.br[0].t.response_interval, 10);
	cr_assert_eq(st.br[0].t.last_member_ms, 1000);
	cr_assert_eq(st.br[0].t.router_timeout, 255);
	cr_assert_eq(BRIDGE("br1 netns sw query-interval 2 enable robustness 3 last-member-interval 500"), 0, "%s",
		     err.msg);
	cr_assert_eq(st.nbr, 2);
	cr_assert_str_eq(st.br[1].netns, "sw");
	cr_assert_eq(st.br[1].t.query_interval, 2);
	cr_assert_eq(st.br[1].t.robustness, 3);
	cr_assert_eq(st.br[1].t.last_member_ms, 500);
	cr_assert_eq(BRIDGE("br0 enable router-timeout 30"), 0, "%s", err.msg);
	cr_assert_eq(st.nbr, 2, "enabling again replaces, never duplicates");
	cr_assert_eq(st.br[0].t.router_timeout, 30);
	cr_assert_not(st.br[0].fast_path, "the fast path is off by default");
	cr_assert_eq(BRIDGE("br0 enable fast-path on"), 0, "%s", err.msg);
	cr_assert(st.br[0].fast_path);
	cr_assert_eq(BRIDGE("br0 enable fast-path off"), 0, "%s", err.msg);
	cr_assert_not(st.br[0].fast_path);
	cr_assert_eq(BRIDGE("br0 disable"), 0, "%s", err.msg);
	cr_assert_eq(st.nbr, 1);
	cr_assert_str_eq(st.br[0].name, "br1");
	cr_assert_eq(BRIDGE("nosuch disable"), 0, "disabling what is not enabled is fine");
}

Test(mcast_parse, ports_merge_settings)
{
	memset(&st, 0, sizeof(st));
	cr_assert_eq(PORT("dev p3 router on"), 0, "%s", err.msg);
	cr_assert_eq(PORT("dev p3 flood on"), 0, "%s", err.msg);
	cr_assert_eq(st.nport, 1);
	cr_assert(st.port[0].router_set && st.port[0].flood_set);
	cr_assert_eq(st.port[0].router, SL_MC_ROUTER_ON);
	cr_assert_eq(st.port[0].flood, 1);
	cr_assert_eq(PORT("netns sw dev p3 router off flood off"), 0, "%s", err.msg);
	cr_assert_eq(st.nport, 2, "another namespace is another port");
	cr_assert_eq(st.port[1].router, SL_MC_ROUTER_OFF);
	cr_assert_not_null(mcast_port_cfg(&st, "sw", "p3"));
	cr_assert_null(mcast_port_cfg(&st, "", "p4"));
	cr_assert_eq(PORT("dev p3 router auto"), 0, "%s", err.msg);
	cr_assert_eq(st.port[0].router, SL_MC_ROUTER_AUTO);
	cr_assert_eq(st.port[0].flood, 1, "the flood setting stays");
}

Test(mcast_parse, save_reads_back)
{
	struct mcast_state first;
	char *a, *b, *line, *save = NULL;

	memset(&st, 0, sizeof(st));
	cr_assert_eq(BRIDGE("br0 netns sw enable query-interval 2 query-response-interval 1"), 0, "%s", err.msg);
	cr_assert_eq(BRIDGE("br9 enable fast-path on"), 0, "%s", err.msg);
	cr_assert(st.br[1].fast_path);
	cr_assert_eq(PORT("dev p3 netns sw router on flood off"), 0);
	first = st;
	a = saved(&st);
	cr_assert_str_eq(a, "mcast bridge br0 netns sw enable query-interval 2 query-response-interval 1\n"
			    "mcast bridge br9 enable fast-path on\n"
			    "mcast port dev p3 netns sw router on flood off\n");
	memset(&st, 0, sizeof(st));
	for (line = strtok_r(a, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "mcast bridge ", 13))
			cr_assert_eq(BRIDGE(line + 13), 0, "%s: %s", line, err.msg);
		else
			cr_assert_eq(PORT(line + 11), 0, "%s: %s", line, err.msg);
	}
	b = saved(&st);
	cr_assert_eq(memcmp(&first.br, &st.br, sizeof(st.br)), 0, "bridges read back the same");
	cr_assert_eq(st.nport, first.nport);
	free(a);
	free(b);
}

struct bad {
	int bridge;
	const char *line;
	const char *msg;
	int col;
};

Test(mcast_parse, errors_name_the_word)
{
	static const struct bad cases[] = {
		{ 1, "br0", "missing enable or disable", 5 },
		{ 1, "br0 enable disable", "once", 12 },
		{ 1, "br0 enable robustness 0", "1..7", 23 },
		{ 1, "br0 enable query-interval x", "expected a number", 27 },
		{ 1, "br0 enable jitter 5", "unexpected word 'jitter'", 12 },
		{ 1, "br0 enable netns", "needs a value", 18 },
		{ 1, "averyverylongbridgename enable", "not a name", 1 },
		{ 1, "br0 netns a/b enable", "not a name", 11 },
		{ 1, "br0 enable fast-path", "needs a value", 22 },
		{ 1, "br0 enable fast-path auto", "fast-path: 'auto' is not on, off", 22 },
		{ 0, "router on", "missing dev", 11 },
		{ 0, "dev p1", "give router or flood", 8 },
		{ 0, "dev p1 router maybe", "not on, off or auto", 15 },
		{ 0, "dev p1 flood auto", "not on, off", 14 },
		{ 0, "dev p1 colour red", "unexpected word 'colour'", 8 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&st, 0, sizeof(st));
		cr_expect_eq(cases[i].bridge ? BRIDGE(cases[i].line) : PORT(cases[i].line), -1, "'%s' parsed",
			     cases[i].line);
		cr_expect(strstr(err.msg, cases[i].msg), "'%s': '%s' lacks '%s'", cases[i].line, err.msg, cases[i].msg);
		cr_expect_eq(err.col, cases[i].col, "'%s': col %d, expected %d", cases[i].line, err.col, cases[i].col);
		cr_expect_eq(st.nbr + st.nport, 0, "'%s' changed the state", cases[i].line);
	}
}
