/* UTF-8 checks: every reply is JSON, and JSON text is UTF-8, so bytes from
 * users (request lines, config files, restore input) are checked where
 * they come in, and error messages that quote them are made safe. */
#ifndef SLUICE_UTF8_H
#define SLUICE_UTF8_H

#include <stddef.h>

/* The bytes of the one character at s (n bytes left): 1..4, or 0 when the
 * bytes there are not a valid UTF-8 sequence. */
size_t sl_utf8_char_len(const char *s, size_t n);
/* The length of the longest valid UTF-8 prefix of s[0, len): len when all
 * of it is valid (overlong forms, surrogates and code points past U+10FFFF
 * are invalid, as RFC 3629 says). */
size_t sl_utf8_valid_len(const char *s, size_t len);
/* Replace each byte of an invalid or cut-short sequence in the string s
 * with '?', in place. */
void sl_utf8_sanitize(char *s);
/* Copy s into out as UTF-8, reading each byte that is not part of a valid
 * sequence as Latin-1 (ipset keeps comment bytes as given; JSON needs
 * UTF-8). Returns the length written, or -1 when it does not fit in size
 * (with its NUL). */
int sl_utf8_from_latin1(const char *s, char *out, size_t size);

#endif
