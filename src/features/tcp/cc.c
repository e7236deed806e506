/* sluice's own congestion control (bpf/tcp_cc.bpf.c, "sluice_reno"),
 * registered through struct_ops while a rule names it.
 *
 * With struct_ops links (6.4): the map is created with BPF_F_LINK, its
 * value written (which does not register it), and a link made by hand
 * (libbpf 1.1 has no .struct_ops.link): bpf_link_create(BPF_STRUCT_OPS)
 * registers it, and the link is pinned (links/sl_tcp_cc_sluice_reno). A
 * reload replaces the map in place (bpf_link_update with the new map: the
 * name stays registered throughout); removing the pin unregisters it, and
 * so does --cleanup.
 * Without them (6.1): the map update registers it and it stays registered
 * until the element is deleted. The map is pinned (maps/sl_tcpcc_v1_…) so
 * that a restarted daemon, and --cleanup (core/pin.c deletes the element
 * of every struct_ops map it unpins), can unregister it. A reload
 * unregisters the old one before it registers the new: connections that
 * set the name in between are refused (counted). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/pin.h"
#include "lib/kernel.h"
#include "features/tcp/tcp.h"
#include "tcp_cc.skel.h"

/* uapi of 6.4, newer than the system's headers (Debian 12's are 6.1's) */
#define SL_BPF_F_LINK (1U << 13)
#define SL_BPF_STRUCT_OPS 44

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* the new map loaded and its value written: with `link`, not registered
 * yet; without, registered by this write */
static int load_map(bool link, struct tcp_cc_bpf **out, struct sl_error *err)
{
	struct tcp_cc_bpf *skel = tcp_cc_bpf__open();
	struct bpf_link *l;
	int rc;

	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "tcp: cannot open the congestion control object: %s",
			       strerror(errno));
	if (link)
		bpf_map__set_map_flags(skel->maps.sl_reno, SL_BPF_F_LINK);
	rc = tcp_cc_bpf__load(skel);
	if (rc) {
		tcp_cc_bpf__destroy(skel);
		return sl_fail(err, SL_E_KERNEL, 0, "tcp: the kernel refused congestion control %s: %s", SL_TCP_OWN_CC,
			       strerror(-rc));
	}
	l = bpf_map__attach_struct_ops(skel->maps.sl_reno);
	if (!l) {
		rc = errno;
		tcp_cc_bpf__destroy(skel);
		return sl_fail(err, SL_E_KERNEL, 0, "tcp: the kernel refused congestion control %s: %s%s", SL_TCP_OWN_CC,
			       strerror(rc), rc == EEXIST ? " (another program registered that name)" : "");
	}
	/* libbpf's link stands for the map's registration: forget it, the
	 * registration (or the link made below) is what lasts */
	bpf_link__disconnect(l);
	bpf_link__destroy(l);
	*out = skel;
	return 0;
}

/* unregister a map registered without a link */
static void unregister_map(int fd)
{
	__u32 zero = 0;

	if (fd >= 0 && bpf_map_delete_elem(fd, &zero) && errno != ENOENT)
		sl_warn("tcp: cannot unregister %s: %s", SL_TCP_OWN_CC, strerror(errno));
}

int tcp_cc_ensure(const struct sl_env *env, struct tcp_priv *p, bool replace, struct sl_error *err)
{
	bool link = sl_kernel_has(SL_KCAP_STRUCT_OPS_LINK);
	struct tcp_cc_bpf *skel = NULL;
	char path[512];
	int map_fd;

	if (!link)
		goto no_link;
	if (load_map(link, &skel, err))
		return -1;
	map_fd = bpf_map__fd(skel->maps.sl_reno);
	if (link) {
		if (p->cc_fd < 0)
			p->cc_fd = sl_pin_open(env->pin_root, SL_PIN_LINKS, SL_TCP_CC_LINK);
		if (p->cc_fd >= 0) {
			if (bpf_link_update(p->cc_fd, map_fd, NULL)) {
				int e = errno;

				tcp_cc_bpf__destroy(skel);
				return sl_fail(err, SL_E_KERNEL, 0, "tcp: cannot replace congestion control %s: %s",
					       SL_TCP_OWN_CC, strerror(e));
			}
		} else {
			p->cc_fd = bpf_link_create(map_fd, 0, (enum bpf_attach_type)SL_BPF_STRUCT_OPS, NULL);
			if (p->cc_fd < 0) {
				int e = errno;

				p->cc_fd = -1;
				tcp_cc_bpf__destroy(skel);
				return sl_fail(err, SL_E_KERNEL, 0, "tcp: the kernel refused congestion control %s: %s%s",
					       SL_TCP_OWN_CC, strerror(e),
					       e == EEXIST ? " (another program registered that name)" : "");
			}
			sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_LINKS, SL_TCP_CC_LINK);
			if (bpf_obj_pin(p->cc_fd, path)) {
				int e = errno;

				close_fd(&p->cc_fd); /* the last reference: unregistered */
				tcp_cc_bpf__destroy(skel);
				return sl_fail(err, SL_E_KERNEL, 0, "tcp: cannot pin %s: %s", path, strerror(e));
			}
		}
		p->cc_link = true;
		tcp_cc_bpf__destroy(skel); /* the link holds the map */
		return 0;
	}
no_link:
	/* Without links (6.1) the map registers when its value is written,
	 * and the name can be registered once: a map registered before (a
	 * restart adopts it) stays unless this is a reload, which unregisters
	 * it and registers the new one */
	if (p->cc_fd < 0)
		p->cc_fd = sl_pin_open(env->pin_root, SL_PIN_MAPS, SL_TCP_CC_MAP);
	if (p->cc_fd >= 0 && !replace)
		return 0;
	sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_MAPS, SL_TCP_CC_MAP);
	if (p->cc_fd >= 0) {
		unregister_map(p->cc_fd);
		close_fd(&p->cc_fd);
		unlink(path);
	}
	if (load_map(false, &skel, err))
		return -1;
	p->cc_fd = dup(bpf_map__fd(skel->maps.sl_reno));
	if (bpf_obj_pin(p->cc_fd, path)) {
		int e = errno;

		unregister_map(p->cc_fd);
		close_fd(&p->cc_fd);
		tcp_cc_bpf__destroy(skel);
		return sl_fail(err, SL_E_KERNEL, 0, "tcp: cannot pin %s: %s", path, strerror(e));
	}
	p->cc_link = false;
	tcp_cc_bpf__destroy(skel);
	return 0;
}

bool tcp_cc_pinned(const struct sl_env *env)
{
	char path[512];

	sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_LINKS, SL_TCP_CC_LINK);
	if (!access(path, F_OK))
		return true;
	sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_MAPS, SL_TCP_CC_MAP);
	return !access(path, F_OK);
}

void tcp_cc_drop(const struct sl_env *env, struct tcp_priv *p)
{
	char path[512];
	int fd;

	sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_LINKS, SL_TCP_CC_LINK);
	unlink(path); /* the link's last reference goes with p->cc_fd below */
	sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_MAPS, SL_TCP_CC_MAP);
	fd = sl_pin_open(env->pin_root, SL_PIN_MAPS, SL_TCP_CC_MAP);
	if (fd >= 0) {
		unregister_map(fd);
		close(fd);
		unlink(path);
	}
	if (p->cc_fd >= 0 && !p->cc_link)
		unregister_map(p->cc_fd);
	close_fd(&p->cc_fd);
	p->cc_link = false;
}
