/* Network namespaces by name (ip netns: /run/netns/NAME) and inode number. */
#ifndef SLUICE_NETNS_H
#define SLUICE_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/grammar.h"

#define SL_NETNS_DIR "/run/netns"

/* inode of the caller's own namespace ("host" in output) */
uint32_t sl_netns_self(void);
int sl_netns_by_name(const char *name, uint32_t *inode, struct sl_error *err);
/* Enter the namespace `name` (from /run/netns; "" or NULL: stay) for a
 * moment: *self gets our own, to hand to sl_netns_leave(). The daemon is
 * single-threaded, so everything between the two runs in `name`. */
int sl_netns_enter(const char *name, int *self, struct sl_error *err);
void sl_netns_leave(int self);
/* The namespace's cookie (SO_NETNS_COOKIE, 5.14): what BPF programs see
 * as bpf_get_netns_cookie(), unique for the namespace's life (an inode
 * number can come back). `name` "" or NULL: the caller's own. */
int sl_netns_cookie(const char *name, uint64_t *cookie, struct sl_error *err);
/* a name from /run/netns that save and JSON print back: shorter than
 * `size`, no '/', blank, quote, '#' or backslash, not "." or "..", UTF-8 */
bool sl_netns_name_ok(const char *name, size_t size);
/* "host", a name from /run/netns, or the inode number as text */
void sl_netns_name(uint32_t inode, char *out, size_t size);

#endif
