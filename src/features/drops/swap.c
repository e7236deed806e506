/* UDP drop tracing: pins, maps and programs. Running state lives in pins:
 * maps under <root>/maps, the two tracepoint links under <root>/links and
 * their programs under <root>/progs; the daemon only holds fds to them.
 * Programs are adopted when the pinned config says they are this build's
 * active generation; otherwise (or on reload) new programs are attached
 * next to the old ones, `active_gen` flips to them, and only then do the
 * old links go. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/bpf_info.h"
#include "lib/kernel.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/pin.h"
#include "features/drops/drops.h"
#include "drops.skel.h"

const char *const drops_map_names[NMAPS] = {
	SL_STR(SL_DROPS_COUNTERS_MAP), SL_STR(SL_DROPS_OTHER_MAP), SL_STR(SL_DROPS_QFAIL_MAP),
	SL_STR(SL_DROPS_STATS_MAP),    SL_STR(SL_DROPS_CONFIG_MAP), SL_STR(SL_DROPS_LIMIT_MAP),
	SL_STR(SL_DROPS_LAST_MAP),     SL_STR(SL_DROPS_EVENTS_MAP),
};

const struct drops_link drops_links[NLINKS] = {
	{ "sl_drops_kfree", "drops_kfree_skb", "tp_btf/kfree_skb" },
	{ "sl_drops_udpq", "drops_udp_fail_queue_rcv_skb", "tp_btf/udp_fail_queue_rcv_skb" },
};

/* what a link needs of the kernel beyond tp_btf, and what is lost without it */
static const struct {
	enum sl_kcap needs; /* SL_KCAP_COUNT: nothing */
	const char *loses;
} link_optional[NLINKS] = {
	[L_KFREE] = { SL_KCAP_COUNT, NULL },
	[L_UDPQ] = { SL_KCAP_UDPQ_SKB, "socket-side view off (drops --by socket)" },
};

const char *drops_link_off(int i)
{
	static char why[NLINKS][160];
	enum sl_kcap c = link_optional[i].needs;

	if (c == SL_KCAP_COUNT || sl_kernel_has(c))
		return NULL;
	snprintf(why[i], sizeof(why[i]), "%s; %s", sl_kcap_needs(c), link_optional[i].loses);
	return why[i];
}

static uint64_t this_object_id(void)
{
	size_t sz;
	const void *elf = drops_bpf__elf_bytes(&sz);

	return sl_object_id(elf, sz);
}

void drops_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void drops_close_maps(struct drops_priv *p)
{
	if (p->rb)
		sl_loop_del_fd(p->loop, ring_buffer__epoll_fd(p->rb));
	ring_buffer__free(p->rb);
	p->rb = NULL;
	for (int i = 0; i < NMAPS; i++)
		drops_close_fd(&p->map_fd[i]);
}

/* (Re)open every pinned map. Returns 0 when all are pinned. */
int drops_open_maps(const struct sl_env *env, struct drops_priv *p, struct sl_error *err)
{
	drops_close_maps(p);
	for (int i = 0; i < NMAPS; i++) {
		p->map_fd[i] = sl_pin_open(env->pin_root, SL_PIN_MAPS, drops_map_names[i]);
		if (p->map_fd[i] < 0) {
			int e = errno;

			drops_close_maps(p);
			return sl_fail(err, SL_E_KERNEL, 0, "cannot open pinned map %s: %s", drops_map_names[i],
				       strerror(e));
		}
	}
	p->rb = ring_buffer__new(p->map_fd[M_EVENTS], drops_on_event, p, NULL);
	if (!p->rb) {
		int e = errno;

		drops_close_maps(p);
		return sl_fail(err, SL_E_KERNEL, 0, "cannot read event ring buffer: %s", strerror(e));
	}
	/* events are read as they come, not on a timer */
	p->loop = env->loop;
	if (p->loop && sl_loop_add_fd(p->loop, ring_buffer__epoll_fd(p->rb), EPOLLIN, drops_on_ring, p)) {
		int e = errno;

		drops_close_maps(p);
		return sl_fail(err, SL_E_KERNEL, 0, "cannot watch the event ring buffer: %s", strerror(e));
	}
	return 0;
}

int drops_read_config(const struct sl_env *env, struct drops_priv *p, struct sl_drops_config *cfg)
{
	__u32 zero = 0;
	int fd = p->map_fd[M_CONFIG] >= 0 ? p->map_fd[M_CONFIG]
					  : sl_pin_open(env->pin_root, SL_PIN_MAPS, drops_map_names[M_CONFIG]);
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	if (fd < 0)
		return -1;
	rc = bpf_map_lookup_elem(fd, &zero, cfg);
	if (fd != p->map_fd[M_CONFIG])
		close(fd);
	return rc;
}

int drops_write_config(struct drops_priv *p, const struct sl_drops_config *cfg, struct sl_error *err)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(p->map_fd[M_CONFIG], &zero, cfg, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "cannot update drops config map: %s", strerror(errno));
	return 0;
}

int drops_check_pins(const struct sl_env *env, struct sl_error *err)
{
	struct drops_bpf *skel = drops_bpf__open();
	int rc;

	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "cannot open drops BPF object: %s", strerror(errno));
	rc = sl_pin_check_maps(skel->obj, env->pin_root, err);
	drops_bpf__destroy(skel);
	return rc;
}

/* true when the links this kernel has are pinned, came from this build, and
 * are the ones the config names as active (a daemon that died mid-swap
 * leaves others), and the ones it lacks are neither pinned nor named */
int drops_adoptable(const struct sl_env *env, struct drops_priv *p)
{
	struct sl_drops_config cfg;

	if (drops_read_config(env, p, &cfg) || cfg.object_id != this_object_id())
		return 0;
	for (int i = 0; i < NLINKS; i++) {
		int fd = sl_pin_open(env->pin_root, SL_PIN_LINKS, drops_links[i].pin);
		uint32_t id = fd >= 0 ? sl_link_id(fd) : 0;

		if (fd >= 0)
			close(fd);
		if (drops_link_off(i) ? id || cfg.link_id[i] : !id || id != cfg.link_id[i])
			return 0;
	}
	return 1;
}

int drops_adopt(const struct sl_env *env, struct drops_priv *p, struct sl_error *err)
{
	if (p->map_fd[0] < 0 && drops_open_maps(env, p, err))
		return -1;
	for (int i = 0; i < NLINKS; i++) {
		if (p->link_fd[i] >= 0 || drops_link_off(i))
			continue;
		p->link_fd[i] = sl_pin_open(env->pin_root, SL_PIN_LINKS, drops_links[i].pin);
		if (p->link_fd[i] < 0)
			return sl_fail(err, SL_E_KERNEL, 0, "cannot open pinned link %s: %s", drops_links[i].pin,
				       strerror(errno));
		drops_close_fd(&p->prog_fd[i]);
		/* by id needs CAP_SYS_ADMIN (not kept under the systemd unit): the
		 * pinned program serves too */
		p->prog_fd[i] = sl_link_prog_fd(p->link_fd[i]);
		if (p->prog_fd[i] < 0)
			p->prog_fd[i] = sl_pin_open(env->pin_root, SL_PIN_PROGS, drops_links[i].pin);
	}
	return 0;
}

/* Pin the program behind link `i` over the previous one's pin (which frees
 * that program once its link is gone). Only status reads it: a failure is
 * logged, the dataplane is unaffected. */
static void pin_prog(const struct sl_env *env, int prog_fd, int i)
{
	struct sl_error err = { 0 };
	char path[4096];

	sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_PROGS, drops_links[i].pin);
	if (sl_pin_stage(prog_fd, path, &err) || sl_pin_commit(path, &err)) {
		sl_pin_unstage(path);
		sl_warn("drops: %s (recursion misses unknown after a restart)", err.msg);
	}
}

/* Recursion misses die with a program: keep those of the old generation
 * in a userspace-owned stats slot before it goes. */
static void keep_misses(struct drops_priv *p)
{
	__u32 slot = SL_DSTAT_PAST_MISSES;

	for (int i = 0; i < NLINKS; i++) {
		int64_t m = sl_prog_recursion_misses(p->prog_fd[i]);

		if (m > 0)
			sl_percpu_add(p->map_fd[M_STATS], &slot, (uint64_t)m);
	}
}

/* Load this build's programs and attach them beside whatever runs now.
 * Then switch in three steps that leave no tracepoint uncovered and no
 * half state behind: stage the new link pins, flip `active_gen` (with the
 * new link ids) in one map write, rename the staged pins over the old.
 * On any failure the old links keep their pins and the old generation its
 * flag. */
int drops_load_and_swap(const struct sl_env *env, struct drops_priv *p, const struct sl_drops_config *want,
			 struct sl_error *err)
{
	struct bpf_link *nl[NLINKS] = { 0 };
	int old_fd[NLINKS], rc = -1, staged = 0, committed = 0, flipped = 0;
	struct sl_drops_config cfg = *want, old_cfg;
	char path[NLINKS][4096];
	struct drops_bpf *skel;

	drops_read_config(env, p, &old_cfg);
	for (int i = 0; i < NLINKS; i++) { /* hold the old links until the end */
		sl_pin_path(path[i], sizeof(path[i]), env->pin_root, SL_PIN_LINKS, drops_links[i].pin);
		old_fd[i] = p->link_fd[i] >= 0 ? dup(p->link_fd[i]) : bpf_obj_get(path[i]);
	}
	skel = drops_bpf__open();
	if (!skel) {
		sl_fail(err, SL_E_KERNEL, 0, "cannot open drops BPF object: %s", strerror(errno));
		goto out;
	}
	if (sl_pin_maps(skel->obj, env->pin_root, err))
		goto out;
	skel->rodata->sl_gen = old_cfg.active_gen + 1;
	struct bpf_program *progs[NLINKS] = { skel->progs.sl_drops_kfree, skel->progs.sl_drops_udpq };

	/* a program whose tracepoint this kernel lacks is left out, not fatal */
	for (int i = 0; i < NLINKS; i++)
		if (drops_link_off(i))
			bpf_program__set_autoload(progs[i], false);
	if (drops_bpf__load(skel)) {
		sl_fail(err, SL_E_KERNEL, 0, "cannot load drops programs: %s (run with -v for the verifier log)",
			strerror(errno));
		goto out;
	}
	for (int i = 0; i < NLINKS; i++) {
		if (drops_link_off(i))
			continue; /* link_id 0: none */
		nl[i] = bpf_program__attach(progs[i]);
		if (!nl[i]) {
			sl_fail(err, SL_E_KERNEL, 0, "cannot attach %s to %s: %s", drops_links[i].prog,
				drops_links[i].attach, strerror(errno));
			goto out;
		}
		cfg.link_id[i] = sl_link_id(bpf_link__fd(nl[i]));
	}
	if (p->map_fd[0] < 0 && drops_open_maps(env, p, err))
		goto out;
	/* Forget events seen before the new programs were attached: a CPU
	 * with no drop during the overlap would keep the old generation's
	 * record, and a recycled skb address could then pass for "already
	 * counted". Safe here: the new generation cannot count before the
	 * flip, and from now on every old record is followed by a new one.
	 * The pause first lets tracepoint calls that started before the attach
	 * (and so run the old program alone) finish: they take microseconds. */
	usleep(10000);
	for (__u32 slot = 0; slot < NLINKS; slot++)
		if (sl_percpu_zero(p->map_fd[M_LAST], &slot, sizeof(struct sl_drop_last))) {
			sl_fail(err, SL_E_KERNEL, 0, "cannot reset the last-event records: %s", strerror(errno));
			goto out;
		}
	for (; staged < NLINKS; staged++)
		if (nl[staged] && sl_pin_stage(bpf_link__fd(nl[staged]), path[staged], err))
			goto out;
	cfg.active_gen = old_cfg.active_gen + 1;
	cfg.object_id = this_object_id();
	if (drops_write_config(p, &cfg, err))
		goto out;
	flipped = 1;
	for (; committed < NLINKS; committed++)
		if (nl[committed] ? sl_pin_commit(path[committed], err)
				  : unlink(path[committed]) && errno != ENOENT &&
					    sl_fail(err, SL_E_KERNEL, 0, "cannot unpin %s: %s", path[committed],
						    strerror(errno)))
			goto out;
	keep_misses(p);
	for (int i = 0; i < NLINKS; i++) {
		drops_close_fd(&p->link_fd[i]);
		drops_close_fd(&p->prog_fd[i]); /* the old program goes with its link */
		if (!nl[i]) {
			char prog[4096];

			sl_pin_path(prog, sizeof(prog), env->pin_root, SL_PIN_PROGS, drops_links[i].pin);
			unlink(prog); /* an earlier generation's, if any */
			continue;
		}
		p->link_fd[i] = dup(bpf_link__fd(nl[i]));
		p->prog_fd[i] = dup(bpf_program__fd(progs[i]));
		pin_prog(env, p->prog_fd[i], i);
	}
	rc = 0;
	sl_info("drops: programs generation %u attached (%s%s%s)", cfg.active_gen, drops_links[L_KFREE].attach,
		nl[L_UDPQ] ? ", " : "", nl[L_UDPQ] ? drops_links[L_UDPQ].attach : "");
	for (int i = 0; i < NLINKS; i++)
		if (drops_link_off(i))
			sl_warn("drops: %s left out: %s", drops_links[i].attach, drops_link_off(i));
out:
	if (rc) {
		/* put back the old links' pins (or none, as before) and their flag */
		for (int i = 0; i < committed; i++)
			if (old_fd[i] < 0 ? unlink(path[i]) && errno != ENOENT : sl_pin_stage(old_fd[i], path[i], NULL) ||
								  sl_pin_commit(path[i], NULL))
				sl_err("drops: could not restore %s; run sluicectl reload", path[i]);
		for (int i = 0; i < staged; i++)
			sl_pin_unstage(path[i]);
		if (flipped)
			drops_write_config(p, &old_cfg, NULL);
	}
	for (int i = 0; i < NLINKS; i++) {
		bpf_link__destroy(nl[i]); /* pinned links stay attached */
		if (old_fd[i] >= 0)
			close(old_fd[i]);
	}
	drops_bpf__destroy(skel);
	return rc;
}

int drops_detach(const struct sl_env *env, struct drops_priv *p, struct sl_error *err)
{
	char path[4096];

	for (int i = 0; i < NLINKS; i++) {
		sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_LINKS, drops_links[i].pin);
		if (unlink(path) && errno != ENOENT)
			return sl_fail(err, SL_E_KERNEL, 0, "cannot unpin %s: %s", path, strerror(errno));
		sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_PROGS, drops_links[i].pin);
		if (unlink(path) && errno != ENOENT)
			sl_warn("drops: cannot unpin %s: %s", path, strerror(errno));
		drops_close_fd(&p->link_fd[i]);
		drops_close_fd(&p->prog_fd[i]);
	}
	return 0;
}
