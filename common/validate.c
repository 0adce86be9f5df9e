/* validate.c: UTF-8, codes, references, dates, password strength. */
#include "validate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool valid_utf8(const char *str, size_t max_chars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t chars = 0;
	while (*s) {
		unsigned c = *s;
		size_t n;
		unsigned cp;
		if (c < 0x80) {
			n = 0;
			cp = c;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (size_t i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000))
			return false; /* overlong */
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
		if (++chars > max_chars)
			return false;
	}
	return true;
}

size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static bool all_of(const char *s, size_t max, const char *extra, bool upper_ok)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isdigit(c) || (c >= 'a' && c <= 'z') || (upper_ok && c >= 'A' && c <= 'Z'))
			continue;
		if (strchr(extra, c) == NULL)
			return false;
	}
	return true;
}

bool valid_code(const char *s)
{
	return all_of(s, CODE_MAX, "_-", false);
}

bool valid_ref(const char *s)
{
	return all_of(s, 32, "._-", true);
}

bool valid_user_name(const char *s)
{
	return all_of(s, 64, "._-", false);
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* "YYYY-MM" at the start of s, a real month. */
static bool month_prefix(const char *s)
{
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2))
		return false;
	int y, m;
	if (sscanf(s, "%4d-%2d", &y, &m) != 2)
		return false;
	return y >= 1900 && y <= 2999 && m >= 1 && m <= 12;
}

bool valid_period(const char *s)
{
	return s != NULL && strlen(s) == 7 && month_prefix(s);
}

bool valid_date(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (s == NULL || strlen(s) != 10 || !month_prefix(s) || s[7] != '-' || !digits(s + 8, 2))
		return false;
	int y, m, d;
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return false;
	int max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d >= 1 && d <= max;
}

bool valid_time(const char *s)
{
	if (s == NULL || strlen(s) != 20 || s[10] != 'T' || s[19] != 'Z')
		return false;
	char date[11];
	memcpy(date, s, 10);
	date[10] = '\0';
	if (!valid_date(date))
		return false;
	if (!digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' ||
	    !digits(s + 17, 2))
		return false;
	int h = (s[11] - '0') * 10 + (s[12] - '0');
	int mi = (s[14] - '0') * 10 + (s[15] - '0');
	int se = (s[17] - '0') * 10 + (s[18] - '0');
	return h < 24 && mi < 60 && se < 60;
}

const char *password_weakness(const char *pw, const char *user)
{
	static const char *const common[] = {
		"password", "password1", "password123", "123456789", "1234567890",
		"qwertyuiop", "letmein123", "iloveyou12", "planboard", "changeme123",
	};
	size_t n = strlen(pw);
	if (n < 10)
		return "password must be at least 10 characters";
	if (n > 1024)
		return "password is longer than 1024 characters";
	int classes = 0, lower = 0, upper = 0, digit = 0, other = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pw[i];
		if (islower(c))
			lower = 1;
		else if (isupper(c))
			upper = 1;
		else if (isdigit(c))
			digit = 1;
		else
			other = 1;
	}
	classes = lower + upper + digit + other;
	if (classes < 2)
		return "password must mix at least two of: lower case, upper case, digits, symbols";
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
		if (strcasecmp(pw, common[i]) == 0)
			return "password is too common";
	if (user != NULL && *user != '\0' && strcasestr(pw, user) != NULL)
		return "password must not contain the user name";
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++)
		if (memchr(pw, pw[i], i) == NULL)
			distinct++;
	if (distinct < 5)
		return "password repeats too few distinct characters";
	return NULL;
}
