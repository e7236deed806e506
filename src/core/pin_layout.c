/* Pins of another layout: refused before anything reads them. libbpf's own
 * reuse check fails with "couldn't reuse pinned map" and no detail, and a
 * stale map of an older version left beside the new one would be read by
 * whatever still knows its name; both are caught here, by name and size. */
#include "core/pin.h"

#include <bpf/bpf.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HINT "a pin of another sluice layout; run sluiced --cleanup or remove it"

int sl_map_layout_of(int fd, struct sl_map_layout *out)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	*out = (struct sl_map_layout){ .type = info.type, .key_size = info.key_size, .value_size = info.value_size,
				       .max_entries = info.max_entries, .flags = info.map_flags };
	return 0;
}

static const char *type_name(uint32_t type)
{
	const char *s = libbpf_bpf_map_type_str((enum bpf_map_type)type);

	return s ? s : "unknown";
}

/* append "; what N, this build expects M" (no "; " first) */
__attribute__((format(printf, 4, 5))) static void add_diff(char *out, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= size)
		return;
	if (*n)
		*n += (size_t)snprintf(out + *n, size - *n, "; ");
	if (*n >= size)
		return;
	va_start(ap, fmt);
	k = vsnprintf(out + *n, size - *n, fmt, ap);
	va_end(ap);
	*n += k > 0 ? (size_t)k : 0;
}

/* each field that differs, or "" */
static void differences(const struct sl_map_layout *have, const struct sl_map_layout *want, char *out,
			size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	if (have->type != want->type)
		add_diff(out, size, &n, "type %s, this build expects %s", type_name(have->type), type_name(want->type));
	if (have->key_size != want->key_size)
		add_diff(out, size, &n, "key size %u, this build expects %u", have->key_size, want->key_size);
	if (have->value_size != want->value_size)
		add_diff(out, size, &n, "value size %u, this build expects %u", have->value_size, want->value_size);
	if (want->max_entries && have->max_entries != want->max_entries)
		add_diff(out, size, &n, "max entries %u, this build expects %u", have->max_entries, want->max_entries);
	if (have->flags != want->flags)
		add_diff(out, size, &n, "flags 0x%x, this build expects 0x%x", have->flags, want->flags);
}

int sl_pin_check_layout(const char *root, const char *name, const struct sl_map_layout *want,
			struct sl_error *err)
{
	struct sl_map_layout have;
	char path[4096], diff[512];
	int fd;

	if (sl_pin_path(path, sizeof(path), root, SL_PIN_MAPS, name))
		return sl_fail(err, SL_E_USAGE, 0, "pin path for map %s too long", name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return sl_fail(err, SL_E_KERNEL, 0, "pin %s/%s: %s", SL_PIN_MAPS, name, strerror(errno));
	}
	if (sl_map_layout_of(fd, &have)) {
		int e = errno;

		close(fd);
		return sl_fail(err, SL_E_KERNEL, 0, "pin %s/%s: %s", SL_PIN_MAPS, name, strerror(e));
	}
	close(fd);
	differences(&have, want, diff, sizeof(diff));
	if (!diff[0])
		return 0;
	return sl_fail(err, SL_E_KERNEL, 0, "pin %s/%s: %s (" HINT ")", SL_PIN_MAPS, name, diff);
}

/* s starts with "_v" and digits: their length, else 0 */
static size_t version_len(const char *s)
{
	size_t i = 2;

	if (strncmp(s, "_v", 2) || !isdigit((unsigned char)s[2]))
		return 0;
	while (isdigit((unsigned char)s[i]))
		i++;
	return i;
}

/* s is "_" and digits (a slot), optionally followed by a staged pin's
 * "__new" (see sl_pin_stage), or with !slot just that suffix or nothing */
static bool tail_matches(const char *s, bool slot)
{
	if (slot) {
		if (s[0] != '_' || !isdigit((unsigned char)s[1]))
			return false;
		for (s++; isdigit((unsigned char)*s); s++)
			;
	}
	return !*s || !strcmp(s, "__new");
}

int sl_pin_check_family(const char *root, const char *name, struct sl_error *err)
{
	const char *v = NULL;
	char dir[4096], family[256];
	struct dirent *de;
	bool slot;
	size_t flen, vlen = 0;
	DIR *d;
	int rc = 0;

	/* the last "_v<digits>" that ends the name (or, for a slot prefix, is followed by its "_") */
	for (const char *s = strstr(name, "_v"); s; s = strstr(s + 1, "_v")) {
		size_t n = version_len(s);

		if (n && (!s[n] || !strcmp(s + n, "_"))) {
			v = s;
			vlen = n;
		}
	}
	if (!v || (size_t)(v - name) >= sizeof(family))
		return 0;
	flen = (size_t)(v - name);
	memcpy(family, name, flen);
	family[flen] = '\0';
	slot = v[vlen] == '_';
	snprintf(dir, sizeof(dir), "%s/%s", root, SL_PIN_MAPS);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : sl_fail(err, SL_E_KERNEL, 0, "%s: %s", dir, strerror(errno));
	while (!rc && (de = readdir(d))) {
		const char *rest = de->d_name + flen;
		size_t n;

		if (strncmp(de->d_name, family, flen))
			continue;
		n = version_len(rest);
		if (!tail_matches(rest + n, slot))
			continue; /* another family that starts alike (sl_set_ and sl_setc_v1_) */
		if (n == vlen && !strncmp(rest, v, n))
			continue; /* this build's own */
		rc = sl_fail(err, SL_E_KERNEL, 0, "pin %s/%s: this build uses %s/%s%s instead (" HINT ")", SL_PIN_MAPS,
			     de->d_name, SL_PIN_MAPS, name, slot ? "<slot>" : "");
	}
	closedir(d);
	return rc;
}
