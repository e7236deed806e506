#include "lib/addr.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "sluice/types.h"

void sl_addr_str(uint8_t family, const uint8_t addr[16], char *out, size_t size)
{
	if (!inet_ntop(family == SL_FAMILY_IPV6 ? AF_INET6 : AF_INET, addr, out, (socklen_t)size))
		snprintf(out, size, "?");
}
