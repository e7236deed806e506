/* How a link is attached, as pinned records (sl_hook_meta.mode) store it.
 * Numbers are never reused. */
#ifndef SLUICE_ATTACH_MODE_H
#define SLUICE_ATTACH_MODE_H

enum sl_attach_mode {
	SL_ATTACH_NONE = 0,
	SL_ATTACH_XDP_NATIVE = 1,
	SL_ATTACH_XDP_GENERIC = 2,
	SL_ATTACH_TCX = 3,
};

#endif
