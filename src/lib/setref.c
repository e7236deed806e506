/* Sets named by other features' rules: see setref.h. */
#include <bpf/bpf.h>
#include <errno.h>
#include <string.h>

#include "lib/setref.h"

#include "lib/bpf_info.h"

static void key_of(const char *set, const char *user, struct sl_set_use_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->set, set, strnlen(set, sizeof(k->set) - 1));
	memcpy(k->user, user, strnlen(user, sizeof(k->user) - 1));
}

int sl_setref_find(int dir_fd, const char *name, struct sl_set_dirent *out)
{
	struct sl_set_name key;

	memset(&key, 0, sizeof(key));
	if (strlen(name) >= sizeof(key.name)) {
		errno = ENOENT;
		return -1;
	}
	memcpy(key.name, name, strlen(name));
	return bpf_map_lookup_elem(dir_fd, &key, out) ? -1 : 0;
}

int sl_setref_check(int dir_fd, const char *feature, const char *set, int ndirs, struct sl_error *err)
{
	struct sl_set_dirent d;
	__u8 k;
	int dims;

	if (sl_setref_find(dir_fd, set, &d))
		return sl_fail(err, SL_E_USAGE, 0, "match-set: the set with the given name does not exist: %s", set);
	k = sl_set_key_class(d.cls);
	dims = sl_set_class_dims(d.cls);
	if (!ndirs && k != SL_CLASS_IP4 && k != SL_CLASS_IP6 && k != SL_CLASS_NET4 && k != SL_CLASS_NET6)
		return sl_fail(err, SL_E_USAGE, 0,
			       "match-set %s: the set holds more than addresses; %s rules match an address against "
			       "hash:ip and hash:net sets", set, feature);
	/* its interface is a hook's device, which another feature's rule has not */
	if (k == SL_CLASS_NETIFACE4 || k == SL_CLASS_NETIFACE6)
		return sl_fail(err, SL_E_USAGE, 0, "match-set %s: hash:net,iface sets are matched by `rule add` only "
			       "(the interface is the hook's device)", set);
	/* their frames carry no mark the rule could read */
	if (k == SL_CLASS_IPMARK4 || k == SL_CLASS_IPMARK6)
		return sl_fail(err, SL_E_USAGE, 0, "match-set %s: hash:ip,mark sets are not matched by %s rules", set,
			       feature);
	/* its lookup's walk has a stack frame of its own, which these
	 * programs' stacks leave no room for on 6.1 */
	if (k == SL_CLASS_NETNET4 || k == SL_CLASS_NETNET6)
		return sl_fail(err, SL_E_USAGE, 0, "match-set %s: hash:net,net sets are matched by `rule add` only", set);
	/* iptables takes fewer and then never matches: say so instead */
	if (ndirs && ndirs < dims)
		return sl_fail(err, SL_E_USAGE, 0, "match-set %s: the set has %d dimensions, %d direction%s given", set,
			       dims, ndirs, ndirs == 1 ? "" : "s");
	return 0;
}

static int count_of(const char *const names[], int n, const char *set)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += !strncmp(names[i], set, sizeof(((struct sl_set_use_key *)0)->set) - 1);
	return c;
}

struct publish_ctx {
	const char *user;
	const char *const *names;
	int n;
};

/* another feature's entry, or one of ours that a rule still names */
static bool use_keeps(const void *key, void *ctx)
{
	const struct sl_set_use_key *k = key;
	const struct publish_ctx *c = ctx;
	struct sl_set_use_key mine;

	key_of(k->set, c->user, &mine);
	return memcmp(k->user, mine.user, sizeof(mine.user)) || count_of(c->names, c->n, k->set);
}

int sl_setref_publish(int use_fd, const char *user, const char *const names[], int n, struct sl_error *err)
{
	struct publish_ctx ctx = { user, names, n };
	struct sl_set_use_key k;

	if (sl_map_prune(use_fd, use_keeps, &ctx))
		return sl_fail(err, SL_E_KERNEL, 0, "%s: cannot update the sets' use map: %s", user,
			       strerror(errno));
	for (int i = 0; i < n; i++) {
		__u32 c = (__u32)count_of(names, n, names[i]);

		key_of(names[i], user, &k);
		if (bpf_map_update_elem(use_fd, &k, &c, BPF_ANY))
			return sl_fail(err, SL_E_KERNEL, 0, "%s: cannot record its use of set %s: %s", user, names[i],
				       strerror(errno == E2BIG ? ENOSPC : errno));
	}
	return 0;
}

void sl_setref_json(json_object *o, int dir_fd, const char *set)
{
	struct sl_set_dirent d;

	json_object_object_add(o, "match_set", json_object_new_string(set));
	json_object_object_add(o, "set_found", json_object_new_boolean(dir_fd >= 0 && !sl_setref_find(dir_fd, set, &d)));
}

bool sl_setref_user(int use_fd, const char *set, char user[16])
{
	struct sl_set_use_key k, next;
	bool first = true;
	__u32 c;

	while (use_fd >= 0 && !bpf_map_get_next_key(use_fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (strncmp(next.set, set, sizeof(next.set)) || bpf_map_lookup_elem(use_fd, &next, &c) || !c)
			continue;
		memcpy(user, next.user, 16);
		user[15] = '\0';
		return true;
	}
	return false;
}
