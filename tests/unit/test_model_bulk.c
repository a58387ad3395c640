/* test_model_bulk.c — the bulk insert of lib/model (used by the member import): rows filled
 * apart from the database (PII sealed, blind index, mask), inserted one or a chunk per
 * statement, unset fields NULL, and a chunk the unique index refuses leaves nothing behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "dj/alloc.h"
#include "dj/auth.h"
#include "dj/db.h"
#include "dj/log.h"
#include "dj/model.h"
#include "dj/pii.h"
#include "dj/banned.h"

static const struct dj_field t_fields[] = {
	{ "org_id", "所属党组织", DJ_FT_INT, DJ_FF_REQUIRED, 0, 1, INT64_MAX, NULL, NULL, NULL }, /* no FK here */
	{ "name", "姓名", DJ_FT_TEXT, DJ_FF_REQUIRED, 50, 0, 0, NULL, NULL, NULL },
	{ "id_number", "身份证号", DJ_FT_TEXT, DJ_FF_PII | DJ_FF_UNIQUE, 18, 0, 0, NULL, NULL, NULL },
	{ "joined_on", "入党日期", DJ_FT_DATE, 0, 0, 0, 0, NULL, NULL, NULL },
};
static const struct dj_entity t_entity = {
	"bulkrow", "bulkrows", "测试", t_fields, 4, true, true, NULL, NULL, "id", NULL,
};

static char tmpdir[256];
static struct dj_db *db;
static struct dj_pii *pii;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	char p[300], k[300];
	struct dj_strbuf ddl = DJ_STRBUF_INIT;
	struct dj_db_conn *c;
	dj_log_set_level(DJ_LOG_OFF);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dj-test-bulk-XXXXXX");
	if (!mkdtemp(tmpdir) || dj_auth_init())
		return -1;
	snprintf(p, sizeof(p), "%s/b.db", tmpdir);
	snprintf(k, sizeof(k), "%s/b.db.key", tmpdir);
	if (dj_db_open(p, 1, DJ_DB_CREATE, &db) || dj_pii_open(k, 1, &pii))
		return -1;
	dj_model_ddl(&t_entity, &ddl);
	dj_strbuf_adds(&ddl, "ALTER TABLE bulkrows ADD COLUMN batch INTEGER;");
	if (dj_db_begin(db, &c))
		return -1;
	dj_rc rc = dj_db_exec_sql(c, ddl.buf);
	dj_strbuf_release(&ddl);
	if (rc)
		dj_db_rollback(c);
	return rc || dj_db_commit(c) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	dj_pii_free(pii);
	dj_db_close(db);
	return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static int64_t q_int(struct dj_db_conn *c, const char *sql)
{
	struct dj_stmt *s;
	int64_t v = -1;
	assert_int_equal(dj_db_prepare(c, sql, &s), DJ_OK);
	if (dj_stmt_step(s) == DJ_ROW)
		v = dj_stmt_int(s, 0);
	dj_stmt_reset(s);
	return v;
}

/* Row i: name "人i", 身份证号 idn (NULL: unset), joined_on unset. */
static void fill(const struct dj_model_ctx *x, const struct dj_model_bulk *bk, int i, const char *idn,
		 struct dj_model_bulk_row *r)
{
	struct dj_value v[4];
	char name[16];
	memset(v, 0, sizeof(v));
	snprintf(name, sizeof(name), "人%d", i);
	v[0].set = true;
	v[0].i = 1;
	v[1].set = true;
	v[1].s = name;
	if (idn) {
		v[2].set = true;
		v[2].s = idn;
	}
	assert_int_equal(dj_model_bulk_row_fill(x, bk, v, "/1/", 7, r), DJ_OK);
}

static void test_bulk_rows(void **state)
{
	(void)state;
	struct dj_db_conn *c;
	struct dj_model_bulk bk = DJ_MODEL_BULK_INIT;
	struct dj_model_ctx x = { NULL, NULL, NULL, pii, NULL };
	struct dj_model_bulk_row rows[DJ_MODEL_BULK_CHUNK];
	const struct dj_model_bulk_row *rp[DJ_MODEL_BULK_CHUNK];
	struct dj_model_err err = { 0 };
	char idn[DJ_MODEL_BULK_CHUNK][32];
	int64_t id = 0;
	dj_model_bulk_init(&bk, &t_entity, "batch");
	for (int i = 0; i < DJ_MODEL_BULK_CHUNK; i++) {
		dj_model_bulk_row_init(&rows[i]);
		snprintf(idn[i], sizeof(idn[i]), "1101051949123%05d", i % 100000);
		rp[i] = &rows[i];
	}
	assert_int_equal(dj_db_begin(db, &c), DJ_OK);
	x.c = c;

	/* a whole chunk, then a shorter one (its own statement text), then one row */
	for (int i = 0; i < DJ_MODEL_BULK_CHUNK; i++)
		fill(&x, &bk, i, i == 3 ? NULL : idn[i], &rows[i]);
	assert_int_equal(dj_model_bulk_rows_insert(c, &bk, rp, DJ_MODEL_BULK_CHUNK, &err), DJ_OK);
	assert_int_equal(q_int(c, "SELECT COUNT(*) FROM bulkrows WHERE batch = 7 AND org_path = '/1/'"), DJ_MODEL_BULK_CHUNK);
	assert_int_equal(q_int(c, "SELECT COUNT(*) FROM bulkrows WHERE id_number_enc IS NULL AND id_number_bidx IS NULL"
				  " AND id_number_mask IS NULL AND name = '人3'"),
			 1);
	assert_int_equal(q_int(c, "SELECT COUNT(*) FROM bulkrows WHERE joined_on IS NULL"), DJ_MODEL_BULK_CHUNK);
	/* sealed, not in clear; the mask as dj_model_insert writes it */
	assert_int_equal(q_int(c, "SELECT COUNT(*) FROM bulkrows WHERE instr(CAST(id_number_enc AS TEXT), '11010519491') > 0"), 0);
	assert_int_equal(q_int(c, "SELECT COUNT(*) FROM bulkrows WHERE id_number_mask = '1101**********0000'"), 1);
	assert_int_equal(q_int(c, "SELECT COUNT(DISTINCT id_number_bidx) FROM bulkrows"), DJ_MODEL_BULK_CHUNK - 1);
	assert_int_equal(q_int(c, "SELECT MAX(id) - MIN(id) FROM bulkrows"), DJ_MODEL_BULK_CHUNK - 1);

	/* a chunk of 5 whose 4th row repeats a registered 身份证号: refused as a whole */
	for (int i = 0; i < 5; i++)
		fill(&x, &bk, 100 + i, i == 3 ? idn[10] : NULL, &rows[i]);
	assert_int_equal(dj_model_bulk_rows_insert(c, &bk, rp, 5, &err), DJ_ERR_CONFLICT);
	assert_string_equal(err.field, "id_number");
	assert_int_equal(q_int(c, "SELECT COUNT(*) FROM bulkrows"), DJ_MODEL_BULK_CHUNK);
	/* row by row, the refused one is the 4th */
	for (int i = 0; i < 5; i++)
		assert_int_equal(dj_model_bulk_row_insert(c, &bk, rp[i], &id, &err), i == 3 ? DJ_ERR_CONFLICT : DJ_OK);
	assert_int_equal(q_int(c, "SELECT COUNT(*) FROM bulkrows"), DJ_MODEL_BULK_CHUNK + 4);
	assert_int_equal(q_int(c, "SELECT MAX(id) FROM bulkrows"), id);
	assert_int_equal(dj_model_bulk_rows_insert(c, &bk, rp, 0, &err), DJ_ERR_INTERNAL);
	dj_db_rollback(c);

	for (int i = 0; i < DJ_MODEL_BULK_CHUNK; i++)
		dj_model_bulk_row_release(&rows[i]);
	dj_model_bulk_release(&bk);
}

/* PII without a key, and a row over the column cap, fail the fill rather than write. */
static void test_bulk_fill_errors(void **state)
{
	(void)state;
	struct dj_model_bulk bk = DJ_MODEL_BULK_INIT;
	struct dj_model_ctx x = { NULL, NULL, NULL, NULL, NULL };
	struct dj_model_bulk_row r;
	struct dj_value v[4];
	memset(v, 0, sizeof(v));
	v[2].set = true;
	v[2].s = "110105194912310021";
	dj_model_bulk_init(&bk, &t_entity, "batch");
	dj_model_bulk_row_init(&r);
	assert_int_equal(dj_model_bulk_row_fill(&x, &bk, v, "/1/", 1, &r), DJ_ERR_INTERNAL);
	dj_model_bulk_row_release(&r);
	dj_model_bulk_release(&bk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bulk_rows),
		cmocka_unit_test(test_bulk_fill_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
