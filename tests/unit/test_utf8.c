/* UTF-8 checks: what is valid (RFC 3629), where a line stops being valid,
 * and messages made safe for JSON without losing their valid text. */
#include <criterion/criterion.h>

#include <string.h>

#include "common/grammar.h"
#include "common/utf8.h"

struct utf8_case {
	const char *text;
	size_t valid; /* the longest valid prefix */
};

Test(utf8, valid_prefix)
{
	static const struct utf8_case cases[] = {
		{ "plain ascii", 11 },
		{ "caf\xc3\xa9", 5 },                 /* é */
		{ "\xe2\x82\xac euro", 8 },           /* € */
		{ "\xf0\x9f\x98\x80!", 5 },           /* U+1F600 */
		{ "ab\xff", 2 },                      /* never valid */
		{ "ab\xc3", 2 },                      /* cut short */
		{ "ab\xc0\xaf", 2 },                  /* overlong '/' */
		{ "ab\xe0\x80\xaf", 2 },              /* overlong, three bytes */
		{ "ab\xed\xa0\x80", 2 },              /* a surrogate */
		{ "ab\xf4\x90\x80\x80", 2 },          /* past U+10FFFF */
		{ "ab\x80", 2 },                      /* a lone continuation byte */
		{ "\xe2\x82", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(sl_utf8_valid_len(cases[i].text, strlen(cases[i].text)), cases[i].valid,
			     "case %zu: %zu", i, sl_utf8_valid_len(cases[i].text, strlen(cases[i].text)));
}

Test(utf8, sanitize_keeps_valid_text)
{
	char s[] = "caf\xc3\xa9 \xff\xc3 ok \xe2\x82";

	sl_utf8_sanitize(s);
	cr_assert_str_eq(s, "caf\xc3\xa9 ?? ok ??");
	cr_assert_eq(sl_utf8_valid_len(s, strlen(s)), strlen(s));
}

/* the tokenizer refuses a line that is not UTF-8, naming the column */
Test(utf8, tokenizer_refuses_invalid_bytes)
{
	static struct sl_tokens toks;
	struct sl_error err = { 0 };

	cr_assert_eq(sl_tokenize("set create caf\xc3\xa9 hash:ip", &toks, &err), 0, "%s", err.msg);
	cr_assert_eq(sl_tokenize("set create b\xff hash:ip", &toks, &err), -1);
	cr_assert_eq(err.col, 13);
	cr_assert(strstr(err.msg, "0xff is not valid UTF-8"), "%s", err.msg);
}

/* a message cut by its buffer in the middle of a character stays UTF-8 */
Test(utf8, messages_cut_mid_character_stay_valid)
{
	struct sl_error err = { 0 };
	char word[sizeof(err.msg) * 2];

	for (size_t i = 0; i + 2 < sizeof(word); i += 2)
		memcpy(word + i, "\xc3\xa9", 2);
	word[sizeof(word) - 2] = '\0';
	for (int pad = 0; pad < 2; pad++) {
		sl_fail(&err, SL_E_USAGE, 1, "%.*sword '%s'", pad, "x", word);
		cr_assert_eq(sl_utf8_valid_len(err.msg, strlen(err.msg)), strlen(err.msg), "pad %d", pad);
	}
}

/* quoted text may hold other bytes (ipset keeps comments byte for byte);
 * a set name or an unquoted word may not */
Test(utf8, quoted_text_passes_the_tokenizer)
{
	static struct sl_tokens toks;
	struct sl_error err = { 0 };

	cr_assert_eq(sl_tokenize("add s 1.2.3.4 comment \"caf\xe9\"", &toks, &err), 0, "%s", err.msg);
	cr_assert_eq(toks.n, 5);
	cr_assert_str_eq(toks.tok[4].text, "caf\xe9");
	cr_assert_eq(sl_tokenize("add s\xe9 1.2.3.4", &toks, &err), -1);
	cr_assert_eq(err.col, 6);
}

Test(utf8, latin1_bytes_become_utf8)
{
	char out[16];

	cr_assert_eq(sl_utf8_from_latin1("caf\xe9", out, sizeof(out)), 5);
	cr_assert_str_eq(out, "caf\xc3\xa9");
	cr_assert_eq(sl_utf8_from_latin1("caf\xc3\xa9", out, sizeof(out)), 5, "valid UTF-8 is kept as it is");
	cr_assert_str_eq(out, "caf\xc3\xa9");
	cr_assert_eq(sl_utf8_from_latin1("\xff\xff\xff\xff\xff\xff\xff\xff", out, sizeof(out)), -1, "16 bytes and a NUL");
}
