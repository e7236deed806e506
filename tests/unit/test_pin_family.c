/* Pins of another layout version, told apart by name alone: sl_pin_check_family
 * on a plain directory standing in for <pin-root>/maps. */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/pin.h"
#include "sluice/sets.h"

static char root[64];

static void setup(void)
{
	char maps[96];

	snprintf(root, sizeof(root), "/tmp/sluice-test-pinfam.XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	snprintf(maps, sizeof(maps), "%s/maps", root);
	cr_assert_eq(mkdir(maps, 0700), 0);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(pin_family, .init = setup, .fini = teardown);

static void touch(const char *name)
{
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "%s/maps/%s", root, name);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	close(fd);
}

/* the message of a refusal, or "" when the check passes */
static const char *check(const char *name)
{
	static struct sl_error err;

	memset(&err, 0, sizeof(err));
	if (sl_pin_check_family(root, name, &err) == 0)
		return "";
	return err.msg;
}

Test(pin_family, this_builds_own_pins_and_other_families_pass)
{
	touch("sl_sets_v1");
	touch("sl_setcfg_v1");
	touch("sl_set_v1_0");
	touch("sl_set_v1_17");
	touch("sl_set_v1_3__new");   /* staged by a flush that did not finish */
	touch("sl_setc_v2_17");
	touch("sl_rules_v2");
	cr_expect_str_eq(check("sl_sets_v1"), "");
	cr_expect_str_eq(check(SL_SET_SLOT_MAP_PREFIX), "");
	cr_expect_str_eq(check(SL_SET_CMT_MAP_PREFIX), "");
	cr_expect_str_eq(check("sl_rules_v2"), "");
	cr_expect_str_eq(check("sl_setcfg_v1"), "");
	cr_expect_str_eq(check("unversioned"), "", "a name without a version has no family");
}

Test(pin_family, an_older_version_of_a_whole_map_is_refused)
{
	touch("sl_rules_v1");
	cr_expect_str_eq(check("sl_rules_v2"), "pin maps/sl_rules_v1: this build uses maps/sl_rules_v2 instead (a pin "
					       "of another sluice layout; run sluiced --cleanup or remove it)");
	cr_expect_str_eq(check("sl_rules_v0"), "pin maps/sl_rules_v1: this build uses maps/sl_rules_v0 instead (a pin "
					       "of another sluice layout; run sluiced --cleanup or remove it)",
			 "a newer one too");
}

Test(pin_family, an_unversioned_map_of_the_family_is_refused)
{
	touch("sl_sets");
	cr_expect(strstr(check("sl_sets_v1"), "pin maps/sl_sets: this build uses maps/sl_sets_v1 instead"));
}

Test(pin_family, old_per_set_maps_are_refused)
{
	touch("sl_set_3");
	cr_expect_str_eq(check(SL_SET_SLOT_MAP_PREFIX), "pin maps/sl_set_3: this build uses maps/sl_set_v1_<slot> "
							"instead (a pin of another sluice layout; run sluiced "
							"--cleanup or remove it)");
	cr_expect_str_eq(check(SL_SET_CMT_MAP_PREFIX), "", "sl_set_3 is no comment map");
	cr_expect_str_eq(check("sl_sets_v1"), "", "nor the sets' meta map");
}

Test(pin_family, old_comment_maps_and_other_versions_are_refused)
{
	touch("sl_setc_12");
	cr_expect(strstr(check(SL_SET_CMT_MAP_PREFIX), "pin maps/sl_setc_12: this build uses maps/sl_setc_v2_<slot>"));
	/* v1 held the comment alone (256 bytes); v2 adds skbinfo */
	teardown();
	setup();
	touch("sl_setc_v1_17");
	cr_expect(strstr(check(SL_SET_CMT_MAP_PREFIX), "pin maps/sl_setc_v1_17: this build uses maps/sl_setc_v2_<slot>"));
	cr_expect_str_eq(check(SL_SET_SLOT_MAP_PREFIX), "");
}

Test(pin_family, another_version_of_a_per_set_map_is_refused)
{
	touch("sl_set_v2_0__new");
	cr_expect(strstr(check(SL_SET_SLOT_MAP_PREFIX), "pin maps/sl_set_v2_0__new: this build uses"));
}
