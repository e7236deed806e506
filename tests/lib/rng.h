/* xorshift64*: the fixed-seed random source of generated test cases and
 * benchmark data, so every run draws the same sequence. */
#ifndef SLUICE_TEST_RNG_H
#define SLUICE_TEST_RNG_H

#include <stdint.h>

static inline uint64_t sl_test_rng(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ull;
}

#endif
