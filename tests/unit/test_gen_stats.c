/* sluice-gen summary: pps/bps math, the JSON object (parsed back with
 * json-c), the human line, and the pacing/GSO arithmetic behind them. */
#include <criterion/criterion.h>

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../tools/sluice-gen/gen.h"

static struct gen_result send_result(void)
{
	return (struct gen_result){
		.mode = GEN_MODE_SEND, .packets = 100000, .bytes = 6400000,
		.errors = 3, .seconds = 0.5, .batch = 64, .gso = 0,
		.size = 64, .rate = 200000, .sockets = 4, .cpu_seconds = 0.4,
	};
}

/* Print r the way the binary does, then parse it back. */
static struct json_object *printed_json(const struct gen_result *r)
{
	char buf[1024] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	cr_assert_not_null(f);
	cr_assert_eq(gen_result_print(r, true, f), 0);
	fclose(f);
	cr_assert_eq(strchr(buf, '\n'), buf + strlen(buf) - 1,
		     "exactly one line: %s", buf);
	struct json_object *o = json_tokener_parse(buf);
	cr_assert_not_null(o, "not JSON: %s", buf);
	cr_assert(json_object_is_type(o, json_type_object));
	return o;
}

static struct json_object *key(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	cr_assert(json_object_object_get_ex(o, k, &v), "missing key %s", k);
	return v;
}

static double num(struct json_object *o, const char *k)
{
	struct json_object *v = key(o, k);

	cr_assert(json_object_is_type(v, json_type_int) ||
		  json_object_is_type(v, json_type_double),
		  "%s is not a number", k);
	return json_object_get_double(v);
}

Test(gen_stats, rates)
{
	struct gen_result r = send_result();

	cr_assert_float_eq(gen_result_pps(&r), 200000.0, 1e-6);
	cr_assert_float_eq(gen_result_bps(&r), 102400000.0, 1e-3,
			   "payload bits: 6.4 MB * 8 / 0.5 s");
	cr_assert_float_eq(gen_per_second(3, 1.5), 2.0, 1e-12);
	cr_assert_float_eq(gen_per_second(10, 0.0), 0.0, 0.0,
			   "no window, no rate (not inf)");
	cr_assert_float_eq(gen_per_second(0, 2.0), 0.0, 0.0);
}

Test(gen_stats, send_json)
{
	struct gen_result r = send_result();
	struct json_object *o = printed_json(&r);

	cr_assert_str_eq(json_object_get_string(key(o, "mode")), "send");
	cr_assert_eq(json_object_get_uint64(key(o, "packets")), 100000);
	cr_assert_eq(json_object_get_uint64(key(o, "bytes")), 6400000);
	cr_assert_float_eq(num(o, "seconds"), 0.5, 1e-9);
	cr_assert_float_eq(num(o, "pps"), 200000.0, 0.05);
	cr_assert_float_eq(num(o, "bps"), 102400000.0, 0.05);
	cr_assert_eq(json_object_get_uint64(key(o, "errors")), 3);
	cr_assert_eq(json_object_get_int(key(o, "batch")), 64);
	cr_assert_eq(json_object_get_int(key(o, "gso")), 0);
	cr_assert_eq(json_object_get_int(key(o, "size")), 64);
	cr_assert_eq(json_object_get_int(key(o, "rate")), 200000);
	cr_assert_eq(json_object_get_int(key(o, "sockets")), 4);
	cr_assert_float_eq(num(o, "cpu_seconds"), 0.4, 1e-9);
	cr_assert_float_eq(num(o, "pps_per_cpu"), 250000.0, 0.05,
			   "packets per second of the sender's own CPU time");
	cr_assert_not(json_object_object_get_ex(o, "drops", NULL),
		      "sink-only key in send output");
	json_object_put(o);
}

Test(gen_stats, sink_json)
{
	struct gen_result r = {
		.mode = GEN_MODE_SINK, .packets = 7, .bytes = 7 * 1400,
		.seconds = 0.25, .drops = 2, .wall_seconds = 2.0,
	};
	struct json_object *o = printed_json(&r);

	cr_assert_str_eq(json_object_get_string(key(o, "mode")), "sink");
	cr_assert_eq(json_object_get_uint64(key(o, "packets")), 7);
	cr_assert_eq(json_object_get_uint64(key(o, "bytes")), 9800);
	cr_assert_float_eq(num(o, "pps"), 28.0, 1e-9);
	cr_assert_float_eq(num(o, "bps"), 9800 * 8 / 0.25, 1e-9);
	cr_assert_eq(json_object_get_uint64(key(o, "errors")), 0);
	cr_assert_eq(json_object_get_uint64(key(o, "drops")), 2);
	cr_assert_float_eq(num(o, "wall_seconds"), 2.0, 1e-9);
	cr_assert_not(json_object_object_get_ex(o, "batch", NULL));
	json_object_put(o);
}

Test(gen_stats, zero_packets_json_is_finite)
{
	struct gen_result r = { .mode = GEN_MODE_SINK, .wall_seconds = 1.0 };
	struct json_object *o = printed_json(&r);

	cr_assert_eq(num(o, "pps"), 0.0);
	cr_assert_eq(num(o, "bps"), 0.0);
	json_object_put(o);
}

Test(gen_stats, big_counters_survive)
{
	struct gen_result r = send_result();
	r.packets = 5000000000ull;      /* > 2^32 */
	r.bytes = 320000000000ull;
	struct json_object *o = printed_json(&r);

	cr_assert_eq(json_object_get_uint64(key(o, "packets")), 5000000000ull);
	cr_assert_eq(json_object_get_uint64(key(o, "bytes")), 320000000000ull);
	json_object_put(o);
}

Test(gen_stats, human_line)
{
	struct gen_result r = send_result();
	char line[512];

	cr_assert_gt(gen_result_line(&r, line, sizeof(line)), 0);
	cr_assert_str_eq(line,
		"send: packets=100000 bytes=6400000 seconds=0.500000 pps=200000 "
		"bps=102400000 (102.40 Mbit/s payload) errors=3 batch=64 gso=0 "
		"size=64 cpu_seconds=0.400000");
	r = (struct gen_result){ .mode = GEN_MODE_SINK, .packets = 10,
				 .bytes = 640, .seconds = 1.0, .drops = 1,
				 .wall_seconds = 3.0 };
	cr_assert_gt(gen_result_line(&r, line, sizeof(line)), 0);
	cr_assert_str_eq(line,
		"sink: packets=10 bytes=640 seconds=1.000000 pps=10 bps=5120 "
		"(0.01 Mbit/s payload) errors=0 drops=1 wall_seconds=3.000");
}

Test(gen_pace, offsets)
{
	cr_assert_eq(gen_pace_offset_ns(0, 1000), 0);
	cr_assert_eq(gen_pace_offset_ns(64, 200000), 320000, "64 pkts @200k = 320us");
	cr_assert_eq(gen_pace_offset_ns(200000, 200000), 1000000000ull);
	cr_assert_eq(gen_pace_offset_ns(1, 3), 333333333ull);
	cr_assert_eq(gen_pace_offset_ns(3, 3), 1000000000ull,
		     "absolute: thirds add up to exactly one second");
	cr_assert_eq(gen_pace_offset_ns(7, 0), 0, "unpaced");
	/* no overflow for long runs at high rates */
	cr_assert_eq(gen_pace_offset_ns(86400ull * 1000000000ull, 1000000000ull),
		     86400ull * 1000000000ull);
	cr_assert_eq(gen_pace_offset_ns(999999999ull, 1000000000ull), 999999999ull);
}

Test(gen_pace, gso_segments)
{
	cr_assert_eq(gen_segments(64, 0), 1, "no GSO: one datagram");
	cr_assert_eq(gen_segments(14000, 1400), 10);
	cr_assert_eq(gen_segments(14001, 1400), 11, "ceil");
	cr_assert_eq(gen_segments(1000, 1400), 1);
	cr_assert_eq(gen_segments(65507, 1), 65507);
}

Test(gen_pace, sleep_until_past_deadline_returns)
{
	uint64_t t0 = gen_now_ns();

	cr_assert_eq(gen_sleep_until_ns(t0 - 1), 0);
	cr_assert_eq(gen_sleep_until_ns(t0 + 2000000), 0);
	cr_assert_geq(gen_now_ns(), t0 + 2000000, "slept to the deadline");
}
