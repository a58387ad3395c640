/* rc.c — result codes: their HTTP status, API code and default Chinese message, in one table. */
#include "dj/rc.h"
#include "dj/banned.h"

static const struct {
	int status;
	const char *code;
	const char *msg;
} rc_table[] = {
	[DJ_OK] = { 200, "ok", "成功" },
	[DJ_ROW] = { 200, "ok", "成功" },
	[DJ_DONE] = { 200, "ok", "成功" },
	[DJ_ERR_NOMEM] = { 503, "out_of_memory", "服务器内存不足，请稍后重试" },
	[DJ_ERR_INVALID] = { 422, "invalid", "输入数据不符合要求" },
	[DJ_ERR_BADREQ] = { 400, "bad_request", "请求格式错误" },
	[DJ_ERR_TOOBIG] = { 413, "too_large", "请求内容过大" },
	[DJ_ERR_NOTFOUND] = { 404, "not_found", "对象不存在或不在您的管理范围内" },
	[DJ_ERR_CONFLICT] = { 409, "conflict", "数据冲突（可能已存在或状态已改变）" },
	[DJ_ERR_UNAUTH] = { 401, "unauthorized", "请先登录" },
	[DJ_ERR_FORBIDDEN] = { 403, "forbidden", "没有权限执行此操作" },
	[DJ_ERR_LOCKED] = { 423, "account_locked", "账号已被锁定，请稍后再试" },
	[DJ_ERR_METHOD] = { 405, "method_not_allowed", "不支持该请求方法" },
	[DJ_ERR_BUSY] = { 503, "busy", "系统繁忙，请稍后重试" },
	[DJ_ERR_READONLY] = { 503, "storage_unavailable", "存储暂不可写（磁盘已满或只读），数据未保存，请联系管理员" },
	[DJ_ERR_IO] = { 500, "io_error", "读写文件失败" },
	[DJ_ERR_DB] = { 500, "database_error", "数据库错误" },
	[DJ_ERR_CORRUPT] = { 500, "integrity_error", "数据完整性校验失败" },
	[DJ_ERR_INTERNAL] = { 500, "internal_error", "服务器内部错误" },
};

int dj_rc_http_status(dj_rc rc)
{
	if ((unsigned)rc >= sizeof(rc_table) / sizeof(rc_table[0]))
		return 500;
	return rc_table[rc].status;
}

const char *dj_rc_code(dj_rc rc)
{
	if ((unsigned)rc >= sizeof(rc_table) / sizeof(rc_table[0]))
		return "internal_error";
	return rc_table[rc].code;
}

const char *dj_rc_message(dj_rc rc)
{
	if ((unsigned)rc >= sizeof(rc_table) / sizeof(rc_table[0]))
		return "服务器内部错误";
	return rc_table[rc].msg;
}
