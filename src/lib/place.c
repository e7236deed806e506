#include "lib/place.h"

#include <stdio.h>

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
