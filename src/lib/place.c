#include "lib/place.h"

#include <stdio.h>
#include <string.h>

#include "lib/netns.h"

void sl_place_set(struct sl_dev_place *pl, const char *netns, const char *dev, uint32_t ifindex)
{
	snprintf(pl->netns, sizeof(pl->netns), "%s", netns);
	snprintf(pl->dev, sizeof(pl->dev), "%s", dev);
	pl->ifindex = ifindex;
}

void sl_place_get(const struct sl_dev_place *pl, char *netns, size_t netns_size, char *dev, size_t dev_size,
		  uint32_t *ifindex)
{
	snprintf(netns, netns_size, "%.*s", (int)sizeof(pl->netns) - 1, pl->netns);
	snprintf(dev, dev_size, "%.*s", (int)sizeof(pl->dev) - 1, pl->dev);
	*ifindex = pl->ifindex;
}

int sl_place_from(const struct sl_value *dev, const struct sl_value *netns, char *out_dev, size_t dev_size,
		  char *out_netns, size_t netns_size, struct sl_error *err)
{
	if (strlen(dev->str) >= dev_size || !*dev->str || strpbrk(dev->str, "/ \t\"'#\\:"))
		return sl_fail(err, SL_E_USAGE, dev->col, "dev: '%s' is not a device name (1..%zu characters)", dev->str,
			       dev_size - 1);
	snprintf(out_dev, dev_size, "%s", dev->str);
	out_netns[0] = '\0';
	if (!netns->set)
		return 0;
	if (!sl_netns_name_ok(netns->str, netns_size))
		return sl_fail(err, SL_E_USAGE, netns->col,
			       "netns: '%s' is not a namespace name (1..%zu characters, no '/', blank, quote, '#' or "
			       "backslash)", netns->str, netns_size - 1);
	snprintf(out_netns, netns_size, "%s", netns->str);
	return 0;
}
