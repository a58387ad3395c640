/* idnum.h — 公民身份号码 (GB 11643-1999): checksum, birth date, sex, legacy 15-digit conversion
 * (RULES.md §11.1). */
#ifndef DJ_IDNUM_H
#define DJ_IDNUM_H
#include <stddef.h>
#include "dj/date.h"
#include "dj/rc.h"

/** A parsed, normalized ID number. */
struct dj_idnum {
	char number[19];    /* 18 characters, check character uppercased */
	char region[7];     /* 6-digit address code (not checked against GB/T 2260: historical codes stay valid) */
	struct dj_date birth;
	int sex;            /* GB/T 2261.1: 1 male (odd sequence), 2 female (even) */
	int converted;      /* 1 if given as a legacy 15-digit number */
};

/** The ISO 7064 MOD 11-2 check character for the first 17 digits. */
char dj_idnum_check_char(const char *first17);
/** Parse and validate s (18 digits with check, or legacy 15 digits, lowercase x accepted).
 *  today is used to reject future birth dates. On failure returns DJ_ERR_INVALID with a
 *  Chinese reason in err. */
dj_rc dj_idnum_parse(const char *s, struct dj_date today, struct dj_idnum *out, char *err, size_t errlen);

#endif
