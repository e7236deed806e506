#include "common/utf8.h"

#include <string.h>

/* Bytes in the valid sequence at s (n bytes left), or 0 when invalid. */
static size_t seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need;
	unsigned lo = 0x80, hi = 0xbf; /* the range of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
	} else {
		return 0; /* a continuation byte, or 0xc0, 0xc1, 0xf5.. */
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need;
}

size_t sl_utf8_char_len(const char *s, size_t n)
{
	return n ? seq_len((const unsigned char *)s, n) : 0;
}

size_t sl_utf8_valid_len(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t off = 0;

	while (off < len) {
		size_t n = seq_len(u + off, len - off);

		if (!n)
			break;
		off += n;
	}
	return off;
}

void sl_utf8_sanitize(char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		size_t n = seq_len((unsigned char *)s + off, len - off);

		if (!n) {
			s[off++] = '?';
			continue;
		}
		off += n;
	}
}

int sl_utf8_from_latin1(const char *s, char *out, size_t size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), off = 0, w = 0;

	while (off < len) {
		size_t n = seq_len(u + off, len - off);

		if (n) {
			if (w + n >= size)
				return -1;
			memcpy(out + w, s + off, n);
			w += n;
			off += n;
			continue;
		}
		if (w + 2 >= size)
			return -1;
		out[w++] = (char)(0xc0 | u[off] >> 6);
		out[w++] = (char)(0x80 | (u[off] & 0x3f));
		off++;
	}
	if (w >= size)
		return -1;
	out[w] = '\0';
	return (int)w;
}
