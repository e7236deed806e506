/* Strict parsers for option values: plain decimal only, so "0x10", " 5",
 * "+5", "-1" and "1e3" are rejected instead of being silently reinterpreted
 * the way strtoul/strtod would.
 */
#include "gen.h"

#include <ctype.h>
#include <string.h>

int gen_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	bool overflow = false;

	if (!s || !*s)
		return GEN_ESYNTAX;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return GEN_ESYNTAX;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			overflow = true;        /* keep scanning: junk wins */
		else
			v = v * 10 + d;
	}
	if (overflow || v < min || v > max)
		return GEN_ERANGE;
	*out = v;
	return 0;
}

/* Seconds with an optional fraction ("2", "0.5", ".25"), parsed in integer
 * nanoseconds so 0.1 is exactly 100000000 ns. Digits past ns are dropped. */
int gen_parse_duration(const char *s, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0, scale = 1000000000ull;
	bool digits = false, overflow = false;
	const char *p = s;

	if (!s)
		return GEN_ESYNTAX;
	for (; isdigit((unsigned char)*p); p++, digits = true) {
		if (sec > GEN_MAX_DURATION_NS / 1000000000ull)
			overflow = true;
		else
			sec = sec * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, digits = true) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
		}
	}
	if (*p || !digits)
		return GEN_ESYNTAX;
	if (overflow || sec > GEN_MAX_DURATION_NS / 1000000000ull)
		return GEN_ERANGE;
	uint64_t v = sec * 1000000000ull + frac;
	if (v == 0 || v > GEN_MAX_DURATION_NS)
		return GEN_ERANGE;
	*ns = v;
	return 0;
}

/* "A-B" with 1 <= A <= B <= 65535; GEN_EMANY: more than GEN_MAX_SOCKETS ports. */
int gen_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	char a[8], b[8];
	const char *dash = s ? strchr(s, '-') : NULL;
	uint64_t va, vb;
	int ra, rb;

	if (!dash || dash == s || (size_t)(dash - s) >= sizeof(a) ||
	    strlen(dash + 1) >= sizeof(b))
		return GEN_ESYNTAX;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	strcpy(b, dash + 1);
	ra = gen_parse_u64(a, 1, 65535, &va);
	rb = gen_parse_u64(b, 1, 65535, &vb);
	if (ra == GEN_ESYNTAX || rb == GEN_ESYNTAX)
		return GEN_ESYNTAX;
	if (ra || rb || va > vb)
		return GEN_ERANGE;
	/* filled even when too many: xdp mode takes any number */
	*lo = (uint16_t)va;
	*hi = (uint16_t)vb;
	return vb - va + 1 > GEN_MAX_SOCKETS ? GEN_EMANY : 0;
}
