/* struct sl_dev_place (sluice/types.h): where the daemon attached, as the
 * pinned meta records of every feature hold it. */
#ifndef SLUICE_LIB_PLACE_H
#define SLUICE_LIB_PLACE_H

#include <stddef.h>
#include <stdint.h>

#include "common/grammar.h"
#include "sluice/types.h"

/* fill a record (names cut to the record's width) */
void sl_place_set(struct sl_dev_place *pl, const char *netns, const char *dev, uint32_t ifindex);
/* read one back; the names come out terminated whatever the pinned bytes hold */
void sl_place_get(const struct sl_dev_place *pl, char *netns, size_t netns_size, char *dev, size_t dev_size,
		  uint32_t *ifindex);

/* `dev IFACE [netns NAME]` of a command, checked (a device name; a name
 * from /run/netns), into out_dev and out_netns ("" when not given); -1
 * with err at the word's column */
int sl_place_from(const struct sl_value *dev, const struct sl_value *netns, char *out_dev, size_t dev_size,
		  char *out_netns, size_t netns_size, struct sl_error *err);

#endif
