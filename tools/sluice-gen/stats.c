/* Summary math and output: one human line, or one JSON object (json-c).
 * bps is UDP payload bits per second, no header overhead.
 */
#include "gen.h"

#include <inttypes.h>
#include <json-c/json.h>

const char *gen_mode_name(enum gen_mode m)
{
	return m == GEN_MODE_SEND ? "send" : m == GEN_MODE_XDP ? "xdp" : "sink";
}

double gen_per_second(uint64_t n, double seconds)
{
	/* a zero-length window (no or one packet at the sink) has no rate */
	return seconds > 0 ? (double)n / seconds : 0.0;
}

double gen_result_pps(const struct gen_result *r)
{
	return gen_per_second(r->packets, r->seconds);
}

double gen_result_bps(const struct gen_result *r)
{
	return gen_per_second(r->bytes, r->seconds) * 8.0;
}

/* json-c's default %.17g prints 0.1 as 0.10000000000000001 */
static struct json_object *dbl(double v, const char *fmt)
{
	struct json_object *o = json_object_new_double(v);

	json_object_set_serializer(o, json_object_double_to_json_string,
				   (void *)fmt, NULL);
	return o;
}

static void add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

/* [{"dst": "10.0.0.1", "sent": N, "failed": M}] or [{"src": ..., "packets": N}] */
static struct json_object *peers_json(const struct gen_result *r)
{
	struct json_object *a = json_object_new_array();
	bool send = r->mode == GEN_MODE_SEND;

	for (uint32_t i = 0; i < r->npeers; i++) {
		struct json_object *p = json_object_new_object();
		char text[80];

		gen_addr_ip(&r->peer[i].a, text, sizeof(text));
		add(p, send ? "dst" : "src", json_object_new_string(text));
		add(p, send ? "sent" : "packets", json_object_new_uint64(r->peer[i].packets));
		if (send)
			add(p, "failed", json_object_new_uint64(r->peer[i].failed));
		json_object_array_add(a, p);
	}
	return a;
}

struct json_object *gen_result_json(const struct gen_result *r)
{
	struct json_object *o = json_object_new_object();
	bool send = r->mode == GEN_MODE_SEND, xdp = r->mode == GEN_MODE_XDP;

	if (!o)
		return NULL;
	add(o, "mode", json_object_new_string(gen_mode_name(r->mode)));
	add(o, "packets", json_object_new_uint64(r->packets));
	add(o, "bytes", json_object_new_uint64(r->bytes));
	add(o, "seconds", dbl(r->seconds, "%.6f"));
	add(o, "pps", dbl(gen_result_pps(r), "%.1f"));
	add(o, "bps", dbl(gen_result_bps(r), "%.1f"));
	add(o, "errors", json_object_new_uint64(r->errors));
	if (send) {
		add(o, "batch", json_object_new_int64(r->batch));
		add(o, "gso", json_object_new_int64(r->gso));
		add(o, "size", json_object_new_int64(r->size));
		add(o, "rate", json_object_new_uint64(r->rate));
		add(o, "sockets", json_object_new_int64(r->sockets));
		add(o, "cpu_seconds", dbl(r->cpu_seconds, "%.6f"));
		add(o, "pps_per_cpu", dbl(gen_per_second(r->packets, r->cpu_seconds), "%.1f"));
	} else if (xdp) {
		add(o, "batch", json_object_new_int64(r->batch));
		add(o, "size", json_object_new_int64(r->size));
		add(o, "rate", json_object_new_uint64(r->rate));
		add(o, "threads", json_object_new_int64(r->threads));
	} else {
		add(o, "drops", json_object_new_uint64(r->drops));
		add(o, "wall_seconds", dbl(r->wall_seconds, "%.6f"));
	}
	if (r->npeers)
		add(o, send ? "destinations" : "sources", peers_json(r));
	return o;
}

int gen_result_line(const struct gen_result *r, char *buf, size_t len)
{
	bool send = r->mode == GEN_MODE_SEND;
	double bps = gen_result_bps(r);
	int n;

	n = snprintf(buf, len,
		     "%s: packets=%" PRIu64 " bytes=%" PRIu64 " seconds=%.6f "
		     "pps=%.0f bps=%.0f (%.2f Mbit/s payload) errors=%" PRIu64,
		     gen_mode_name(r->mode), r->packets, r->bytes, r->seconds,
		     gen_result_pps(r), bps, bps / 1e6, r->errors);
	if (n < 0 || (size_t)n >= len)
		return n;
	if (send)
		n += snprintf(buf + n, len - (size_t)n,
			      " batch=%" PRIu32 " gso=%" PRIu32 " size=%" PRIu32
			      " cpu_seconds=%.6f",
			      r->batch, r->gso, r->size, r->cpu_seconds);
	else if (r->mode == GEN_MODE_XDP)
		n += snprintf(buf + n, len - (size_t)n,
			      " batch=%" PRIu32 " size=%" PRIu32 " threads=%" PRIu32,
			      r->batch, r->size, r->threads);
	else
		n += snprintf(buf + n, len - (size_t)n,
			      " drops=%" PRIu64 " wall_seconds=%.3f",
			      r->drops, r->wall_seconds);
	return n;
}

int gen_result_print(const struct gen_result *r, bool json, FILE *out)
{
	char line[512];

	if (json) {
		struct json_object *o = gen_result_json(r);

		if (!o)
			return -1;
		fprintf(out, "%s\n",
			json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		if (gen_result_line(r, line, sizeof(line)) < 0)
			return -1;
		fprintf(out, "%s\n", line);
	}
	return fflush(out) == 0 ? 0 : -1;
}
