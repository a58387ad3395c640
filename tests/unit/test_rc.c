/* test_rc.c — unit tests for the result enum's one mapping to HTTP status, API code and message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dj/rc.h"
#include "dj/slice.h"
#include "dj/banned.h"

static void test_status_table(void **state)
{
	(void)state;
	static const struct {
		dj_rc rc;
		int status;
		const char *code;
	} t[] = {
		{ DJ_OK, 200, "ok" },
		{ DJ_ERR_NOMEM, 503, "out_of_memory" },
		{ DJ_ERR_INVALID, 422, "invalid" },
		{ DJ_ERR_BADREQ, 400, "bad_request" },
		{ DJ_ERR_TOOBIG, 413, "too_large" },
		{ DJ_ERR_NOTFOUND, 404, "not_found" },
		{ DJ_ERR_CONFLICT, 409, "conflict" },
		{ DJ_ERR_UNAUTH, 401, "unauthorized" },
		{ DJ_ERR_FORBIDDEN, 403, "forbidden" },
		{ DJ_ERR_LOCKED, 423, "account_locked" },
		{ DJ_ERR_METHOD, 405, "method_not_allowed" },
		{ DJ_ERR_BUSY, 503, "busy" },
		{ DJ_ERR_READONLY, 503, "storage_unavailable" },
		{ DJ_ERR_IO, 500, "io_error" },
		{ DJ_ERR_DB, 500, "database_error" },
		{ DJ_ERR_CORRUPT, 500, "integrity_error" },
		{ DJ_ERR_INTERNAL, 500, "internal_error" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(dj_rc_http_status(t[i].rc), t[i].status);
		assert_string_equal(dj_rc_code(t[i].rc), t[i].code);
		const char *m = dj_rc_message(t[i].rc);
		assert_non_null(m);
		/* Messages are for people: non-empty Chinese text (multi-byte UTF-8). */
		assert_true(strlen(m) > 0 && dj_utf8_valid(m, strlen(m)));
		assert_true(dj_utf8_len(m, strlen(m)) < strlen(m));
	}
	/* Values outside the enum (a bug elsewhere) still map to a 500, never out of the table. */
	assert_int_equal(dj_rc_http_status((dj_rc)999), 500);
	assert_string_equal(dj_rc_code((dj_rc)999), "internal_error");
	assert_non_null(dj_rc_message((dj_rc)-1));
}

static void test_codes_unique(void **state)
{
	(void)state;
	/* Every error code is distinct, so API clients can tell them apart. */
	for (int a = DJ_ERR_NOMEM; a <= DJ_ERR_INTERNAL; a++)
		for (int b = a + 1; b <= DJ_ERR_INTERNAL; b++)
			if (strcmp(dj_rc_code((dj_rc)a), dj_rc_code((dj_rc)b)) == 0)
				fail_msg("rc %d and %d share the code %s", a, b, dj_rc_code((dj_rc)a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_table),
		cmocka_unit_test(test_codes_unique),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
