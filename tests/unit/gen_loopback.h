/* sluice-gen options aimed at 127.0.0.1:port, for the unit tests that run
 * real sends and sinks over loopback. */
#ifndef SLUICE_TEST_GEN_LOOPBACK_H
#define SLUICE_TEST_GEN_LOOPBACK_H

#include <criterion/criterion.h>

#include "../../tools/sluice-gen/gen.h"

static inline void gen_loopback_opts(struct gen_opts *o, enum gen_mode mode, uint16_t port)
{
	gen_opts_defaults(o);
	o->mode = mode;
	cr_assert_eq(gen_addr_parse("127.0.0.1", &o->dst), 0);
	o->has_dst = true;
	o->port = port;
	gen_addr_set_port(&o->dst, port);
}

#endif
