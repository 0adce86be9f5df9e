/* validate.h: checks of user-supplied text shared by client and server. */
#ifndef PLANBOARD_VALIDATE_H
#define PLANBOARD_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#define TITLE_MAX 200
#define NOTE_MAX 10000
#define NAME_MAX_CHARS 200
#define CODE_MAX 64

/* Valid UTF-8 (no overlongs, surrogates or NUL) of at most max_chars code
 * points. */
bool valid_utf8(const char *s, size_t max_chars);
/* Number of code points, assuming valid UTF-8. */
size_t utf8_chars(const char *s);
/* Code: 1..64 of [a-z0-9_-], starting with a letter or digit. */
bool valid_code(const char *s);
/* Reference such as "N-2.3": 1..32 of [A-Za-z0-9._-], starting alnum. */
bool valid_ref(const char *s);
/* User name: 1..64 of [a-z0-9._-]. */
bool valid_user_name(const char *s);
/* Calendar date "YYYY-MM-DD" (a real day). */
bool valid_date(const char *s);
/* Month "YYYY-MM". */
bool valid_period(const char *s);
/* Time "YYYY-MM-DDTHH:MM:SSZ". */
bool valid_time(const char *s);
/* Password strength: NULL if acceptable, else the reason. */
const char *password_weakness(const char *pw, const char *user);

#endif
