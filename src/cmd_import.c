/* cmd_import.c — `dangjian import members` and `dangjian export members` from the shell, with a
 * progress bar on stderr for large files. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "dj/audit.h"
#include "dj/io.h"
#include "dj/import.h"
#include "dj/member.h"
#include "dj/schema.h"
#include "dj/slice.h"
#include "cli.h"
#include "dj/banned.h"

static const char usage_import[] =
	"用法：dangjian import members --db PATH --org ORG_ID --file F.xlsx|F.csv [--dry-run]\n"
	"\n按导入模板的中文表头导入党员（.xlsx，或 UTF-8/GBK 编码的 .csv）。先逐行检查，有错误的行\n"
	"全部列出（行号、列、原因）且不写入任何数据；全部通过才在一个事务中导入，并记为一个可撤销的批次。\n"
	"--dry-run 只检查不导入。退出码：0 成功，1 有错误。\n";
static const char usage_export[] =
	"用法：dangjian export members --db PATH --org ORG_ID --out F.xlsx [--reveal]\n"
	"\n导出该组织及下级组织的党员花名册。身份证号和电话默认脱敏；--reveal 导出完整信息（记入审计）。\n";

struct run {
	struct dj_db *db;
	struct dj_pii *pii;
	struct dj_scope sc;
	struct dj_actor who;
	int64_t org;
	char *data;
	size_t len;
	const char *file;
	bool dry;
	struct dj_import_progress prog;
	struct dj_import_result res;
	dj_rc rc;
	volatile int finished;
};

static void *work(void *arg)
{
	struct run *r = arg;
	r->rc = dj_import_members(r->db, r->pii, &r->sc, &r->who, r->org, r->data, r->len, r->file, r->dry, &r->prog, &r->res);
	r->finished = 1;
	return NULL;
}

static void bar(const struct run *r, bool tty)
{
	static const char *const phase[] = { "读取", "检查", "写入", "完成" };
	int ph = atomic_load(&r->prog.phase);
	long long done = atomic_load(&r->prog.processed), total = atomic_load(&r->prog.total);
	if (!tty)
		return;
	if (total > 0) {
		int w = 30, fill = (int)(done * w / (total ? total : 1));
		fprintf(stderr, "\r%s [", phase[ph < 0 || ph > 3 ? 0 : ph]);
		for (int i = 0; i < w; i++)
			fputc(i < fill ? '#' : '.', stderr);
		fprintf(stderr, "] %lld/%lld 行   ", done, total);
	} else {
		fprintf(stderr, "\r%s %lld 行   ", phase[ph < 0 || ph > 3 ? 0 : ph], done);
	}
	fflush(stderr);
}

int cmd_import(int argc, char **argv)
{
	struct run r;
	pthread_t th;
	int code = 1;
	if (cli_help(argc, argv, usage_import))
		return 0;
	memset(&r, 0, sizeof(r));
	if (argc < 2 || strcmp(argv[1], "members") != 0)
		return cli_usage_error(usage_import, "目前支持导入 members（党员）");
	const char *path = cli_opt(argc, argv, "--db"), *org = cli_opt(argc, argv, "--org");
	r.file = cli_opt(argc, argv, "--file");
	if (!path || !org || !r.file)
		return cli_usage_error(usage_import, "缺少 --db、--org 或 --file");
	if (dj_parse_int_str(org, 1, INT64_MAX, &r.org))
		return cli_usage_error(usage_import, "--org 应为组织 id");
	r.dry = cli_flag(argc, argv, "--dry-run");
	if (dj_io_read_file(r.file, (size_t)2 << 30, &r.data, &r.len)) {
		fprintf(stderr, "错误：无法读取文件 %s\n", r.file);
		return 1;
	}
	if (cli_open_db(path, &r.db) || cli_open_pii(path, 0, &r.pii))
		goto out;
	cli_root_scope(&r.sc);
	r.who = cli_actor();
	if (pthread_create(&th, NULL, work, &r)) {
		fprintf(stderr, "错误：无法启动导入\n");
		goto out;
	}
	bool tty = isatty(STDERR_FILENO);
	while (!r.finished) {
		bar(&r, tty);
		usleep(100000);
	}
	pthread_join(th, NULL);
	bar(&r, tty);
	if (tty)
		fputc('\n', stderr);
	if (r.res.fatal[0])
		fprintf(stderr, "错误：%s\n", r.res.fatal);
	for (size_t i = 0; i < r.res.n_errors; i++)
		fprintf(stderr, "第 %lld 行：%s\n", (long long)r.res.errors[i].row, r.res.errors[i].message);
	if (r.res.rows_bad > (int64_t)r.res.n_errors)
		fprintf(stderr, "……另有 %lld 行错误未列出\n", (long long)(r.res.rows_bad - (int64_t)r.res.n_errors));
	printf("共 %lld 行，通过 %lld 行，错误 %lld 行；%s\n", (long long)r.res.rows_total, (long long)r.res.rows_ok,
	       (long long)r.res.rows_bad,
	       r.rc ? "未导入任何数据" : r.dry ? "检查通过（--dry-run 未写入）" : "已全部导入");
	if (!r.rc && !r.dry)
		printf("导入批次：%lld（可用网页“撤销导入”整批撤销）\n", (long long)r.res.batch_id);
	code = r.rc ? 1 : 0;
out:
	dj_import_result_release(&r.res);
	dj_free(r.data);
	dj_pii_free(r.pii);
	dj_db_close(r.db);
	return code;
}

struct out_ctx {
	struct dj_xlsx_out *x;
	int64_t rows;
};

static dj_rc out_row(void *arg, const char *const *cells, size_t n)
{
	struct out_ctx *o = arg;
	o->rows++;
	return dj_xlsx_row(o->x, cells, n, 0);
}

int cmd_export(int argc, char **argv)
{
	struct dj_db *db = NULL;
	struct dj_pii *pii = NULL;
	struct dj_db_conn *c = NULL;
	struct dj_scope sc;
	struct dj_actor who = cli_actor();
	struct dj_arena a = DJ_ARENA_INIT;
	struct dj_list_query q;
	struct out_ctx o = { NULL, 0 };
	const char *head[64];
	size_t n = 0;
	int code = 1;
	if (cli_help(argc, argv, usage_export))
		return 0;
	if (argc < 2 || strcmp(argv[1], "members") != 0)
		return cli_usage_error(usage_export, "目前支持导出 members（党员）");
	const char *path = cli_opt(argc, argv, "--db"), *org = cli_opt(argc, argv, "--org"), *out = cli_opt(argc, argv, "--out");
	memset(&q, 0, sizeof(q));
	q.subtree = true;
	q.sort_field = -1;
	if (!path || !org || !out || dj_parse_int_str(org, 1, INT64_MAX, &q.org_id))
		return cli_usage_error(usage_export, "缺少或错误的 --db、--org、--out");
	bool reveal = cli_flag(argc, argv, "--reveal");
	if (cli_open_db(path, &db) || cli_open_pii(path, 0, &pii))
		goto out;
	cli_root_scope(&sc);
	if (dj_xlsx_create(out, "党员花名册", &o.x)) {
		fprintf(stderr, "错误：无法写入 %s\n", out);
		goto out;
	}
	for (size_t f = 0; f < dj_member_entity.nfields && n < 64; f++)
		if (dj_member_entity.fields[f].flags & DJ_FF_LIST)
			head[n++] = dj_member_entity.fields[f].label;
	dj_rc rc = dj_xlsx_row(o.x, head, n, 1);
	if (!rc)
		rc = dj_db_begin(db, &c);
	if (!rc) {
		struct dj_model_ctx x = { c, &sc, &who, pii, &a };
		rc = dj_model_export(&x, &dj_member_entity, &q, reveal, out_row, &o);
		if (!rc) {
			char after[160];
			snprintf(after, sizeof(after), "{\"rows\":%lld,\"org_id\":%lld,\"reveal\":%s,\"via\":\"cli\"}",
				 (long long)o.rows, (long long)q.org_id, reveal ? "true" : "false");
			struct dj_audit_entry e = { "export.members", "member", 0, "/", NULL, after };
			rc = dj_audit_append(c, &who, &e);
		}
		if (rc)
			dj_db_rollback(c);
		else
			rc = dj_db_commit(c);
	}
	dj_rc rc2 = dj_xlsx_close(o.x);
	if (rc || rc2) {
		fprintf(stderr, "错误：导出失败：%s\n", dj_rc_message(rc ? rc : rc2));
		unlink(out);
		goto out;
	}
	printf("已导出 %lld 名党员到 %s\n", (long long)o.rows, out);
	code = 0;
out:
	dj_arena_release(&a);
	dj_pii_free(pii);
	dj_db_close(db);
	return code;
}
