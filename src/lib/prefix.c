/* Address prefixes as words (lib/prefix.h). */
#include <arpa/inet.h>
#include <string.h>

#include "lib/prefix.h"
#include "sluice/types.h"

void sl_prefix_words(uint8_t family, uint8_t len, const uint8_t addr[16], uint32_t out_addr[4], uint32_t out_mask[4])
{
	int words = family == SL_FAMILY_IPV4 ? 1 : 4;

	memset(out_addr, 0, 4 * sizeof(uint32_t));
	memset(out_mask, 0, 4 * sizeof(uint32_t));
	for (int w = 0; w < words; w++) {
		int bits = len - 32 * w;
		uint32_t m = bits >= 32 ? 0xffffffffu : bits <= 0 ? 0 : ~(0xffffffffu >> bits);

		out_mask[w] = htonl(m);
		memcpy(&out_addr[w], addr + 4 * w, 4);
		out_addr[w] &= out_mask[w];
	}
}
