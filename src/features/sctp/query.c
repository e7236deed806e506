/* sctp assoc, and the module's status entry. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/pin.h"
#include "lib/bpf_info.h"
#include "features/sctp/sctp.h"

static void addr_text(const struct sl_sctp_addrs *l, int i, char *out, size_t size)
{
	if (!inet_ntop(l->family[i] == SL_FAMILY_IPV4 ? AF_INET : AF_INET6, l->addr[i], out, (socklen_t)size))
		snprintf(out, size, "?");
}

static json_object *addrs_json(const struct sl_sctp_addrs *l)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < l->n && i < SL_SCTP_ADDRS; i++) {
		char t[INET6_ADDRSTRLEN];

		addr_text(l, i, t, sizeof(t));
		json_object_array_add(a, json_object_new_string(t));
	}
	return a;
}

static __u64 ms_since(__u64 now, __u64 then)
{
	return now > then ? (now - then) / 1000000 : 0;
}

static json_object *assoc_json(const char *netns, const struct sl_sctp_assoc *a, __u64 now)
{
	json_object *o = json_object_new_object(), *paths = json_object_new_array();
	__u64 packets = 0, bytes = 0;
	int na = a->ep[0].n < SL_SCTP_ADDRS ? a->ep[0].n : SL_SCTP_ADDRS;
	int nz = a->ep[1].n < SL_SCTP_ADDRS ? a->ep[1].n : SL_SCTP_ADDRS;
	char ta[INET6_ADDRSTRLEN], tz[INET6_ADDRSTRLEN], pair[2 * INET6_ADDRSTRLEN + 2];

	json_object_object_add(o, "netns", json_object_new_string(netns[0] ? netns : "host"));
	json_object_object_add(o, "state", json_object_new_string(sctp_state_name(a->state)));
	json_object_object_add(o, "tag_a", json_object_new_uint64(a->tag[0]));
	json_object_object_add(o, "tag_z", json_object_new_uint64(a->tag[1]));
	json_object_object_add(o, "port_a", json_object_new_int(a->port[0]));
	json_object_object_add(o, "port_z", json_object_new_int(a->port[1]));
	json_object_object_add(o, "addrs_a", addrs_json(&a->ep[0]));
	json_object_object_add(o, "addrs_z", addrs_json(&a->ep[1]));
	json_object_object_add(o, "addrs_dropped_a", json_object_new_uint64(a->ep[0].dropped));
	json_object_object_add(o, "addrs_dropped_z", json_object_new_uint64(a->ep[1].dropped));
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nz; j++) {
			const struct sl_sctp_path *pa = &a->path[i][j];
			json_object *po;

			if (!pa->packets)
				continue;
			packets += pa->packets;
			bytes += pa->bytes;
			addr_text(&a->ep[0], i, ta, sizeof(ta));
			addr_text(&a->ep[1], j, tz, sizeof(tz));
			po = json_object_new_object();
			json_object_object_add(po, "a", json_object_new_string(ta));
			json_object_object_add(po, "z", json_object_new_string(tz));
			json_object_object_add(po, "packets", json_object_new_uint64(pa->packets));
			json_object_object_add(po, "bytes", json_object_new_uint64(pa->bytes));
			json_object_object_add(po, "idle_ms", json_object_new_uint64(ms_since(now, pa->last_seen)));
			json_object_array_add(paths, po);
		}
	json_object_object_add(o, "packets", json_object_new_uint64(packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(bytes));
	if (a->last_data != SL_SCTP_NO_PATH && a->last_data / SL_SCTP_ADDRS < na && a->last_data % SL_SCTP_ADDRS < nz) {
		addr_text(&a->ep[0], a->last_data / SL_SCTP_ADDRS, ta, sizeof(ta));
		addr_text(&a->ep[1], a->last_data % SL_SCTP_ADDRS, tz, sizeof(tz));
		snprintf(pair, sizeof(pair), "%s>%s", ta, tz);
		json_object_object_add(o, "last_data", json_object_new_string(pair));
	} else {
		json_object_object_add(o, "last_data", NULL);
	}
	json_object_object_add(o, "stray_packets", json_object_new_uint64(a->stray_packets));
	json_object_object_add(o, "idle_ms", json_object_new_uint64(ms_since(now, a->last_seen)));
	json_object_object_add(o, "paths", paths);
	return o;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns()'s clock */
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

int sctp_query_assoc(const struct sl_env *env, void *priv, const void *state, const struct sl_cmd *cmd,
		     json_object **out, struct sl_error *err)
{
	const struct sl_value *ns = &cmd->opt[SCTP_AOPT_NETNS];
	struct sctp_priv *p = priv;
	struct sl_sctp_key key, next;
	static struct sl_sctp_assoc a;
	int zone = -1;
	__u64 now = now_ns();

	(void)env, (void)state;
	if (ns->set) {
		zone = sctp_zone_of(p, strcmp(ns->str, "host") ? ns->str : "");
		if (zone < 0)
			return sl_fail(err, SL_E_USAGE, ns->col, "sctp assoc: no device is tracked in network namespace '%s'",
				       ns->str);
	}
	*out = json_object_new_array();
	if (!p->base)
		return 0;
	for (void *at = NULL; !bpf_map_get_next_key(p->map_fd[SCM_ASSOC], at, &next); at = &key) {
		const char *netns;

		key = next;
		if ((zone >= 0 && key.zone != (uint32_t)zone) || bpf_map_lookup_elem(p->map_fd[SCM_ASSOC], &key, &a))
			continue;
		netns = sctp_zone_netns(p, key.zone);
		json_object_array_add(*out, assoc_json(netns ? netns : "?", &a, now));
	}
	return 0;
}

static json_object *counters_json(const struct sctp_priv *p, uint32_t zone)
{
	json_object *o = json_object_new_object();

	for (unsigned c = 0; c < SL_SCTP_C_COUNT; c++) {
		__u32 row = zone * SL_SCTP_C_COUNT + c;
		__u64 v = 0;

		SL_PERCPU_SUM(p->map_fd[SCM_STATS], &row, &v);
		json_object_object_add(o, sctp_counter_name(c), json_object_new_uint64(v));
	}
	return o;
}

json_object *sctp_status(const struct sl_env *env, void *priv, const void *state)
{
	const struct sctp_state *s = state;
	struct sctp_priv *p = priv;
	json_object *o = json_object_new_object(), *links = json_object_new_array(),
		    *zones = json_object_new_array(), *devs = json_object_new_array();
	char pin[512], name[32];

	json_object_object_add(o, "devices", json_object_new_int(s->n));
	json_object_object_add(o, "timeout_s", json_object_new_int64(s->timeout_s));
	for (int k = 0; k < SL_SCTP_DEVS && p->base; k++) {
		const struct sctp_devp *d = &p->dev[k];

		if (!d->used)
			continue;
		for (int e = 0; e < 2; e++) {
			const struct sl_att *att = e ? &d->tc : &d->xdp;
			char attach[128];

			sctp_link_name(k, e, name, sizeof(name));
			snprintf(attach, sizeof(attach), "%s %s %s%s%s", sl_attach_mode_name(att->mode),
				 e ? "egress" : "ingress", d->dev, d->netns[0] ? " netns " : "", d->netns);
			sl_pin_path(pin, sizeof(pin), env->pin_root, SL_PIN_LINKS, name);
			json_object_array_add(links, sl_link_status(att->link_fd, e ? p->zone[d->zone].tc_fd : p->zone[d->zone].xdp_fd,
								    e ? "sl_sctp_tc" : "sl_sctp_xdp", attach, pin));
		}
	}
	json_object_object_add(o, "links", links);
	for (int i = 0; i < s->n; i++) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "netns", json_object_new_string(s->dev[i].netns[0] ? s->dev[i].netns : "host"));
		json_object_object_add(d, "dev", json_object_new_string(s->dev[i].dev));
		json_object_object_add(d, "allow_set", s->dev[i].set[0] ? json_object_new_string(s->dev[i].set) : NULL);
		json_object_array_add(devs, d);
	}
	json_object_object_add(o, "tracked", devs);
	for (uint32_t z = 0; z < SL_SCTP_ZONES && p->base; z++) {
		const char *netns = sctp_zone_netns(p, z);
		json_object *zo;

		if (!netns)
			continue;
		zo = json_object_new_object();
		json_object_object_add(zo, "netns", json_object_new_string(netns[0] ? netns : "host"));
		json_object_object_add(zo, "counters", counters_json(p, z));
		json_object_array_add(zones, zo);
	}
	json_object_object_add(o, "zones", zones);
	json_object_object_add(o, "maps", sl_maps_status(env->pin_root, sctp_map_names, p->map_fd, p->base ? SCM_COUNT : 0));
	return o;
}
