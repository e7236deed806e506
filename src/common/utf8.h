/* UTF-8 checks: every reply is JSON, and JSON text is UTF-8, so bytes from
 * users (request lines, config files, restore input) are checked where
 * they come in, and error messages that quote them are made safe. */
#ifndef SLUICE_UTF8_H
#define SLUICE_UTF8_H

#include <stddef.h>

/* The length of the longest valid UTF-8 prefix of s[0, len): len when all
 * of it is valid (overlong forms, surrogates and code points past U+10FFFF
 * are invalid, as RFC 3629 says). */
size_t sl_utf8_valid_len(const char *s, size_t len);
/* Replace each byte of an invalid or cut-short sequence in the string s
 * with '?', in place. */
void sl_utf8_sanitize(char *s);

#endif
