/* FNV-1a, 64 bits: the one hash sluice uses for identities (a BPF object's
 * build, a config's digest) and for its userspace hash tables. Not for
 * anything an attacker chooses to collide: the daemon's inputs are its
 * operator's. */
#ifndef SLUICE_LIB_HASH_H
#define SLUICE_LIB_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SL_FNV1A_INIT 0xcbf29ce484222325ull

/* h continued over `len` bytes at `data` (start from SL_FNV1A_INIT) */
static inline uint64_t sl_fnv1a(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

#endif
