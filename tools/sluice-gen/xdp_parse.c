/* xdp mode's option values: address ranges, CPU lists, MAC addresses.
 * Same strictness and return codes as parse.c.
 */
#include "gen.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* the low 32 bits of an address, host order; and whether the rest matches */
uint32_t gen_addr_low32(const struct gen_addr *a)
{
	if (a->family == AF_INET)
		return ntohl(((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr);
	return ntohl(((const struct sockaddr_in6 *)&a->ss)->sin6_addr.s6_addr32[3]);
}

static bool same_high96(const struct gen_addr *a, const struct gen_addr *b)
{
	const struct sockaddr_in6 *x = (const void *)&a->ss, *y = (const void *)&b->ss;

	return a->family == AF_INET || !memcmp(&x->sin6_addr, &y->sin6_addr, 12);
}

int gen_parse_addr_range(const char *s, struct gen_addr *lo, uint32_t *n)
{
	char first[64];
	const char *sep = s ? strpbrk(s, "-+") : NULL;
	struct gen_addr hi;
	uint64_t count;

	if (!s)
		return GEN_ESYNTAX;
	if (!sep) {
		*n = 1;
		return gen_addr_parse(s, lo) < 0 ? GEN_ESYNTAX : 0;
	}
	if ((size_t)(sep - s) >= sizeof(first))
		return GEN_ESYNTAX;
	memcpy(first, s, (size_t)(sep - s));
	first[sep - s] = '\0';
	if (gen_addr_parse(first, lo) < 0)
		return GEN_ESYNTAX;
	if (*sep == '+') {
		int rc = gen_parse_u64(sep + 1, 1, UINT32_MAX, &count);

		if (rc)
			return rc;
		if (count - 1 > UINT32_MAX - gen_addr_low32(lo))
			return GEN_ERANGE; /* would wrap past the last address */
		*n = (uint32_t)count;
		return 0;
	}
	if (gen_addr_parse(sep + 1, &hi) < 0)
		return GEN_ESYNTAX;
	if (hi.family != lo->family || !same_high96(lo, &hi) || gen_addr_low32(&hi) < gen_addr_low32(lo) ||
	    gen_addr_low32(&hi) - gen_addr_low32(lo) == UINT32_MAX)
		return GEN_ERANGE;
	*n = gen_addr_low32(&hi) - gen_addr_low32(lo) + 1;
	return 0;
}

/* "0,2-3": distinct CPUs, in the order given */
int gen_parse_cpu_list(const char *s, uint16_t *cpus, uint32_t max, uint32_t *n)
{
	char buf[256], *save = NULL;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return GEN_ESYNTAX;
	strcpy(buf, s);
	*n = 0;
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(w, '-');
		uint64_t a, b;
		int rc;

		if (dash)
			*dash = '\0';
		rc = gen_parse_u64(w, 0, GEN_MAX_CPU, &a);
		if (!rc)
			rc = dash ? gen_parse_u64(dash + 1, 0, GEN_MAX_CPU, &b) : (b = a, 0);
		if (rc)
			return rc;
		if (b < a)
			return GEN_ERANGE;
		for (uint64_t c = a; c <= b; c++) {
			for (uint32_t i = 0; i < *n; i++)
				if (cpus[i] == c)
					return GEN_ERANGE;
			if (*n == max)
				return GEN_EMANY;
			cpus[(*n)++] = (uint16_t)c;
		}
	}
	return *n ? 0 : GEN_ESYNTAX;
}

int gen_parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++, s += 3) {
		if (!s || !isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) ||
		    s[2] != (i == 5 ? '\0' : ':'))
			return GEN_ESYNTAX;
		char hex[3] = { s[0], s[1], '\0' };

		mac[i] = (uint8_t)strtoul(hex, NULL, 16);
	}
	return 0;
}
