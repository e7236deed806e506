#ifndef SLUICE_CAPS_H
#define SLUICE_CAPS_H

#include <stdbool.h>

/* Keep only the capabilities sluiced needs at run time (reloading and
 * attaching programs, reading their maps) and drop the rest, from the
 * bounding set too. Returns 0, or -1 with errno set. */
int sl_caps_drop_to_runtime(void);
/* Raise (on) or lower CAP_SYS_ADMIN in the effective set, around a
 * setns(). Returns 0, or -1 with errno set. */
int sl_caps_sys_admin(bool on);
/* The kept set as text, for logs and status ("cap_net_admin,cap_bpf,...") */
const char *sl_caps_runtime_names(void);

#endif
