/* dues_import.c — importing a month's dues payments from .xlsx/.csv (姓名, 身份证号, 金额, 缴费日期;
 * optional 缴费方式, 备注): members are found by the keyed blind index of their 身份证号 inside the
 * chosen subtree, every row goes through the same checks as a single payment (dj_dues_pay), and
 * every bad row is reported. The caller's transaction makes it all-or-nothing (and dry runs exact). */
#include <stdio.h>
#include <string.h>
#include "dj/dues_ledger.h"
#include "dj/idnum.h"
#include "dj/io.h"
#include "dj/org.h"
#include "dj/pii.h"
#include "dj/slice.h"
#include "dj/banned.h"

enum { C_NAME, C_IDNUM, C_AMOUNT, C_DATE, C_METHOD, C_NOTE, NCOLS };

/* Header labels accepted for each column (the first is the template's). */
static const char *const labels[NCOLS][5] = {
	{ "姓名", NULL },
	{ "身份证号", "公民身份号码", "身份证号码", NULL },
	{ "金额", "金额（元）", "金额(元)", "实交金额", NULL },
	{ "缴费日期", "交纳日期", "日期", NULL },
	{ "缴费方式", "交纳方式", NULL },
	{ "备注", NULL },
};

static void add_error(struct dj_import_result *res, int64_t row, const char *column, const char *field, const char *msg)
{
	res->rows_bad++;
	if (res->n_errors >= DJ_IMPORT_MAX_ERRORS)
		return;
	if (!res->errors)
		res->errors = dj_calloc(DJ_IMPORT_MAX_ERRORS, sizeof(*res->errors));
	struct dj_import_error *e = &res->errors[res->n_errors++];
	e->row = row;
	snprintf(e->column, sizeof(e->column), "%s", column ? column : "");
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	snprintf(e->message, sizeof(e->message), "%s", msg);
}

static int header_col(const char *cell)
{
	char label[128];
	snprintf(label, sizeof(label), "%s", cell);
	size_t l = strlen(label);
	while (l && (label[l - 1] == '*' || label[l - 1] == ' '))
		label[--l] = '\0';
	for (int c = 0; c < NCOLS; c++)
		for (int k = 0; labels[c][k]; k++)
			if (strcmp(labels[c][k], label) == 0)
				return c;
	return -1;
}

static const char *method_code(const char *s)
{
	if (!*s || strcmp(s, "现金") == 0 || strcmp(s, "cash") == 0)
		return "cash";
	if (strcmp(s, "转账") == 0 || strcmp(s, "银行转账") == 0 || strcmp(s, "transfer") == 0)
		return "transfer";
	if (strcmp(s, "线上") == 0 || strcmp(s, "网上") == 0 || strcmp(s, "微信") == 0 || strcmp(s, "支付宝") == 0 ||
	    strcmp(s, "online") == 0)
		return "online";
	if (strcmp(s, "扣缴") == 0 || strcmp(s, "代扣") == 0)
		return "deduction"; /* refused by dj_dues_pay (FEE-14) with its reason */
	return NULL;
}

/* The column a payment error belongs to. */
static const char *column_of(const char *field)
{
	if (!field)
		return "";
	if (strcmp(field, "amount_fen") == 0)
		return "金额";
	if (strcmp(field, "paid_on") == 0)
		return "缴费日期";
	if (strcmp(field, "method") == 0)
		return "缴费方式";
	return "";
}

dj_rc dj_dues_import(const struct dj_model_ctx *x, int64_t org_id, const char *month, const char *data, size_t len,
		     bool dry_run, struct dj_import_result *res)
{
	struct dj_org o;
	struct dj_scope sub;
	struct dj_table *t = NULL;
	const char *const *cells;
	size_t n;
	char err[256];
	int col[NCOLS], m;
	bool header = false;
	int64_t *seen = NULL, *seen_row = NULL;
	size_t nseen = 0, cap = 0;
	const struct dj_field *date_field = &dj_dues_payment_entity.fields[dj_model_field(&dj_dues_payment_entity, "paid_on")];
	memset(res, 0, sizeof(*res));
	res->dry_run = dry_run;
	dj_rc rc = dj_org_get(x->c, x->sc, org_id, x->a, &o);
	if (rc)
		return rc;
	if (dj_dues_month_parse(month, &m))
		return DJ_ERR_INVALID;
	if (!x->pii) {
		snprintf(res->fatal, sizeof(res->fatal), "未配置个人信息密钥，无法按身份证号查找党员");
		return DJ_ERR_INVALID;
	}
	dj_scope_set_path(&sub, o.path);
	if (dj_table_open(data, len, &t, err, sizeof(err)) != DJ_OK) {
		snprintf(res->fatal, sizeof(res->fatal), "%s", err);
		return DJ_ERR_INVALID;
	}
	for (int c = 0; c < NCOLS; c++)
		col[c] = -1;
	for (;;) {
		rc = dj_table_next(t, &cells, &n, err, sizeof(err));
		if (rc == DJ_DONE) {
			rc = DJ_OK;
			break;
		}
		if (rc != DJ_ROW) {
			snprintf(res->fatal, sizeof(res->fatal), "%s", err);
			rc = DJ_ERR_INVALID;
			break;
		}
		rc = DJ_OK;
		size_t nonempty = 0;
		for (size_t i = 0; i < n; i++)
			nonempty += cells[i][0] != '\0';
		if (!nonempty)
			continue;
		if (!header) {
			for (size_t i = 0; i < n; i++) {
				int c = header_col(cells[i]);
				if (c >= 0 && col[c] < 0)
					col[c] = (int)i;
			}
			for (int c = 0; c <= C_DATE; c++)
				if (col[c] < 0) {
					snprintf(res->fatal, sizeof(res->fatal), "表头缺少必填列“%s”（应有 姓名、身份证号、金额、缴费日期）",
						 labels[c][0]);
					rc = DJ_ERR_INVALID;
				}
			if (rc)
				break;
			header = true;
			continue;
		}
		int64_t row = (int64_t)dj_table_row(t);
		if (++res->rows_total > DJ_DUES_IMPORT_MAX_ROWS) {
			snprintf(res->fatal, sizeof(res->fatal), "数据行超过上限 %d 行，请按党支部分批导入", DJ_DUES_IMPORT_MAX_ROWS);
			rc = DJ_ERR_TOOBIG;
			break;
		}
		const char *v[NCOLS];
		for (int c = 0; c < NCOLS; c++)
			v[c] = col[c] >= 0 && (size_t)col[c] < n ? cells[col[c]] : "";
		char msg[256];
		struct dj_idnum id;
		int64_t amount = 0, member = 0;
		struct dj_value dv;
		struct dj_model_err me = { 0 };
		if (!v[C_NAME][0]) {
			add_error(res, row, "姓名", "name", "缺少姓名");
			continue;
		}
		if (dj_idnum_parse(v[C_IDNUM], dj_date_today(), &id, msg, sizeof(msg))) {
			add_error(res, row, "身份证号", "id_number", msg);
			continue;
		}
		if (dj_parse_yuan(v[C_AMOUNT], &amount) || amount <= 0) {
			snprintf(msg, sizeof(msg), "金额应为大于 0 的元数，最多两位小数（收到“%s”）", v[C_AMOUNT]);
			add_error(res, row, "金额", "amount_fen", msg);
			continue;
		}
		memset(&dv, 0, sizeof(dv));
		if (!v[C_DATE][0] || dj_model_parse_text(date_field, v[C_DATE], x->a, &dv, &me) || !dv.set) {
			add_error(res, row, "缴费日期", "paid_on", me.msg[0] ? me.msg : "缺少缴费日期");
			continue;
		}
		const char *method = method_code(v[C_METHOD]);
		if (!method) {
			snprintf(msg, sizeof(msg), "缴费方式应为 现金、转账 或 线上（收到“%s”）", v[C_METHOD]);
			add_error(res, row, "缴费方式", "method", msg);
			continue;
		}
		/* The member: by the keyed blind index, inside the chosen subtree; the name must agree. */
		char bidx[DJ_PII_BIDX_HEX + 1], reg_name[160] = "";
		struct dj_stmt *s;
		dj_pii_blind(x->pii, id.number, bidx);
		if ((rc = dj_db_prepare(x->c, "SELECT id, name FROM members WHERE id_number_bidx = ? AND deleted_at IS NULL"
					      " AND org_path >= ? AND org_path < ?", &s)))
			break;
		dj_stmt_bind_text(s, 1, bidx);
		dj_stmt_bind_text(s, 2, sub.org_path);
		dj_stmt_bind_text(s, 3, sub.path_hi);
		if (dj_stmt_step(s) == DJ_ROW) {
			member = dj_stmt_int(s, 0);
			snprintf(reg_name, sizeof(reg_name), "%s", dj_stmt_text(s, 1));
		}
		dj_stmt_reset(s);
		if (!member) {
			add_error(res, row, "身份证号", "id_number", "在所选党组织范围内找不到该身份证号的党员");
			continue;
		}
		if (strcmp(reg_name, v[C_NAME]) != 0) {
			snprintf(msg, sizeof(msg), "姓名“%s”与花名册中该身份证号的党员姓名不符", v[C_NAME]);
			add_error(res, row, "姓名", "name", msg);
			continue;
		}
		size_t k;
		for (k = 0; k < nseen && seen[k] != member; k++)
			;
		if (k < nseen) {
			snprintf(msg, sizeof(msg), "与第 %lld 行是同一名党员；同一月份请合并为一行", (long long)seen_row[k]);
			add_error(res, row, "身份证号", "id_number", msg);
			continue;
		}
		if (nseen == cap) {
			cap = cap ? cap * 2 : 128;
			seen = dj_realloc(seen, cap * sizeof(*seen));
			seen_row = dj_realloc(seen_row, cap * sizeof(*seen_row));
		}
		seen[nseen] = member;
		seen_row[nseen++] = row;
		struct dj_dues_pay p = { month, dv.s, amount, method, "dues", "self", 0, false, v[C_NOTE][0] ? v[C_NOTE] : NULL,
					 "import" };
		int64_t pid;
		memset(&me, 0, sizeof(me));
		rc = dj_dues_pay(x, member, &p, &pid, NULL, &me);
		if (rc == DJ_ERR_INVALID || rc == DJ_ERR_CONFLICT) {
			add_error(res, row, column_of(me.field), me.field, me.msg[0] ? me.msg : dj_rc_message(rc));
			continue; /* the next row's read resets rc */
		}
		if (rc)
			break;
		res->rows_ok++;
	}
	if (!rc && !header) {
		snprintf(res->fatal, sizeof(res->fatal), "文件中没有表头和数据行");
		rc = DJ_ERR_INVALID;
	}
	dj_table_free(t);
	dj_free(seen);
	dj_free(seen_row);
	if (!rc && res->rows_bad)
		rc = DJ_ERR_INVALID;
	return rc;
}
