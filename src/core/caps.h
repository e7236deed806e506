#ifndef SLUICE_CAPS_H
#define SLUICE_CAPS_H

/* Keep only the capabilities sluiced needs at run time (reloading and
 * attaching programs, reading their maps) and drop the rest, from the
 * bounding set too. Returns 0, or -1 with errno set. */
int sl_caps_drop_to_runtime(void);
/* The kept set as text, for logs and status ("cap_net_admin,cap_bpf,...") */
const char *sl_caps_runtime_names(void);

#endif
