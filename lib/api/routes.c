/* routes.c — the one route table of the JSON API. Access rules live here, next to each route. */
#include "dj/api.h"
#include "api_int.h"
#include "dj/banned.h"

#define BUSINESS (DJ_ROLE_ADMIN | DJ_ROLE_ORG_ADMIN)
#define ANYONE DJ_ROLES_ALL
#define T_SYS "系统"
#define T_SESSION "登录会话"
#define T_ORG "党组织"
#define T_USER "账号管理"
#define T_MEMBER "党员"
#define T_IMPORT "导入导出"
#define T_LIFE "组织生活"
#define T_DEV "发展党员"
#define T_RULES "规则与提醒"
#define T_AUDIT "审计日志"

static const struct dj_route routes[] = {
	{ "GET", "/api/v1/health", api_health, DJ_RT_PUBLIC, 0, T_SYS, "健康检查", NULL },
	{ "GET", "/api/v1/openapi.json", api_openapi, DJ_RT_PUBLIC, 0, T_SYS, "OpenAPI 接口文档", NULL },
	{ "GET", "/metrics", dj_api_metrics, DJ_RT_PUBLIC | DJ_RT_INTERNAL, 0, T_SYS, "Prometheus 指标", NULL },
	{ "POST", "/api/v1/session", api_session_create, DJ_RT_PUBLIC | DJ_RT_NO_CSRF, 0, T_SESSION, "登录",
	  "{\"username\",\"password\"}" },
	{ "GET", "/api/v1/session", api_session_get, 0, ANYONE, T_SESSION, "当前登录用户", NULL },
	{ "DELETE", "/api/v1/session", api_session_delete, 0, ANYONE, T_SESSION, "退出登录", NULL },
	{ "GET", "/api/v1/dashboard", api_dashboard, 0, BUSINESS | DJ_ROLE_MEMBER, T_ORG, "首页统计（本级及下级）", NULL },
	{ "GET", "/api/v1/orgs/{id}", api_org_get, 0, BUSINESS, T_ORG, "党组织详情", NULL },
	{ "GET", "/api/v1/orgs/{id}/children", api_org_children, 0, BUSINESS, T_ORG, "下级党组织（分页）", NULL },
	{ "GET", "/api/v1/meta", api_meta, 0, ANYONE, T_SYS, "实体与字段说明、代码表（供界面生成表单和表格）", NULL },
	{ "GET", "/api/v1/members", api_members_list, 0, BUSINESS | DJ_ROLE_MEMBER, T_MEMBER,
	  "党员列表（org_id、subtree、q、status、category 等筛选，sort、分页）", NULL },
	{ "POST", "/api/v1/members", api_members_create, 0, BUSINESS, T_MEMBER, "新增党员", "member" },
	{ "GET", "/api/v1/members/{id}", api_member_get, 0, BUSINESS | DJ_ROLE_MEMBER, T_MEMBER,
	  "党员详情（reveal=1 显示完整身份证号和电话，记入审计）", NULL },
	{ "PATCH", "/api/v1/members/{id}", api_member_patch, 0, BUSINESS, T_MEMBER, "修改党员信息", "member" },
	{ "DELETE", "/api/v1/members/{id}", api_member_delete, 0, BUSINESS, T_MEMBER, "删除党员（软删除，须填原因）",
	  "{\"reason\"}" },
	{ "GET", "/api/v1/members/{id}/records/{kind}", api_member_records_list, 0, BUSINESS | DJ_ROLE_MEMBER, T_MEMBER,
	  "党员子记录：rewards 奖惩、positions 职务、family 家庭成员、abroad 出国出境", NULL },
	{ "POST", "/api/v1/members/{id}/records/{kind}", api_member_records_create, 0, BUSINESS, T_MEMBER, "新增子记录",
	  "record" },
	{ "PATCH", "/api/v1/members/{id}/records/{kind}/{rid}", api_member_record_patch, 0, BUSINESS, T_MEMBER,
	  "修改子记录", "record" },
	{ "DELETE", "/api/v1/members/{id}/records/{kind}/{rid}", api_member_record_delete, 0, BUSINESS, T_MEMBER,
	  "删除子记录", NULL },
	{ "POST", "/api/v1/orgs", api_org_create, 0, BUSINESS, T_ORG, "新建党组织", "org + parent_id" },
	{ "PATCH", "/api/v1/orgs/{id}", api_org_patch, 0, BUSINESS, T_ORG, "修改党组织", "org" },
	{ "POST", "/api/v1/orgs/{id}/move", api_org_move, 0, BUSINESS, T_ORG, "移动党组织（连同下级和党员）", "{\"parent_id\"}" },
	{ "GET", "/api/v1/orgs/{id}/stats", api_org_stats, 0, BUSINESS, T_ORG,
	  "本级及下级党员统计（as_of=YYYY-MM-DD；年龄段、学历、职业、入党时间）", NULL },
	{ "GET", "/api/v1/orgs/{id}/findings", api_org_findings, 0, BUSINESS, T_ORG,
	  "组织设置检查（ORG-1、2、7、8、9、11）", NULL },
	{ "GET", "/api/v1/orgs/{id}/committees", api_committees_list, 0, BUSINESS, T_ORG, "班子（历届）", NULL },
	{ "POST", "/api/v1/orgs/{id}/committees", api_committees_create, 0, BUSINESS, T_ORG,
	  "换届登记（任期届满日按 ORG-9 计算）", "{\"started_on\",\"term_no\",\"members\":[{\"name\",\"post\"}]}" },
	{ "POST", "/api/v1/import/members", api_import_start, DJ_RT_UPLOAD, BUSINESS, T_IMPORT,
	  "导入党员（请求体为 .xlsx/.csv 文件；org_id、dry_run=1 先检查、filename），返回 202 和 job_id", "file" },
	{ "GET", "/api/v1/import/jobs/{id}", api_import_job, 0, BUSINESS, T_IMPORT, "导入进度与结果", NULL },
	{ "GET", "/api/v1/import/members/template.xlsx", api_import_template, 0, BUSINESS, T_IMPORT, "下载导入模板", NULL },
	{ "GET", "/api/v1/import/batches", api_import_batches, 0, BUSINESS, T_IMPORT, "导入批次（可撤销）", NULL },
	{ "POST", "/api/v1/import/batches/{id}/rollback", api_import_rollback, 0, BUSINESS, T_IMPORT, "撤销整个导入批次", NULL },
	{ "GET", "/api/v1/export/members.xlsx", api_export_members, 0, BUSINESS, T_IMPORT,
	  "导出党员花名册（与列表相同的筛选；reveal=1 导出完整身份证号，记入审计）", NULL },
	{ "GET", "/api/v1/meetings", api_meetings_list, 0, BUSINESS | DJ_ROLE_MEMBER, T_LIFE,
	  "组织生活记录（org_id、subtree、from、to、type、status 筛选）", NULL },
	{ "POST", "/api/v1/meetings", api_meetings_create, 0, BUSINESS, T_LIFE, "新建会议记录（可多种类型）", "meeting" },
	{ "GET", "/api/v1/meetings/{id}", api_meeting_get, 0, BUSINESS | DJ_ROLE_MEMBER, T_LIFE,
	  "会议详情（出席统计、法定人数检查、表决、附件）", NULL },
	{ "PATCH", "/api/v1/meetings/{id}", api_meeting_patch, 0, BUSINESS, T_LIFE, "修改会议记录", "meeting" },
	{ "DELETE", "/api/v1/meetings/{id}", api_meeting_delete, 0, BUSINESS, T_LIFE, "删除会议记录（须填原因）",
	  "{\"reason\"}" },
	{ "GET", "/api/v1/meetings/{id}/attendance", api_meeting_attendance_get, 0, BUSINESS, T_LIFE,
	  "应到人员及出席情况", NULL },
	{ "POST", "/api/v1/meetings/{id}/attendance", api_meeting_attendance_set, 0, BUSINESS, T_LIFE,
	  "登记出席情况", "{\"items\":[{\"member_id\",\"status\",\"late\",\"reason\"}]}" },
	{ "POST", "/api/v1/meetings/{id}/votes", api_meeting_vote, 0, BUSINESS, T_LIFE,
	  "登记表决结果（按 S-1、S-2、VOTE-2 判定）", "{\"subject\",\"kind\",\"yes\",\"no\",\"abstain\"}" },
	{ "POST", "/api/v1/meetings/{id}/review", api_meeting_review, 0, BUSINESS, T_LIFE,
	  "报送（submit）、上级审核通过（accept）或退回（return）", "{\"action\",\"comment\"}" },
	{ "POST", "/api/v1/meetings/{id}/checkin-token", api_meeting_checkin_token, 0, BUSINESS, T_LIFE,
	  "生成签到二维码（5 分钟有效）", NULL },
	{ "POST", "/api/v1/meetings/{id}/checkin", api_meeting_checkin, 0, DJ_ROLE_MEMBER | BUSINESS, T_LIFE,
	  "扫码签到（党员本人）", "{\"token\"}" },
	{ "POST", "/api/v1/meetings/{id}/attachments", api_meeting_attach, DJ_RT_UPLOAD, BUSINESS, T_LIFE,
	  "上传附件（照片或 PDF，≤10 MB；请求体为文件，?filename=）", "file" },
	{ "GET", "/api/v1/meetings/{id}/attachments/{aid}", api_meeting_attachment, 0, BUSINESS | DJ_ROLE_MEMBER, T_LIFE,
	  "下载附件", NULL },
	{ "GET", "/api/v1/rules", api_rules_list, 0, ANYONE, T_RULES, "规则列表（编号、版本、依据）", NULL },
	{ "GET", "/api/v1/rules/params", api_rule_params_get, 0, BUSINESS, T_RULES, "本地规则参数（生效值与修改历史）", NULL },
	{ "PUT", "/api/v1/rules/params", api_rule_params_set, 0, DJ_ROLE_ADMIN, T_RULES, "设置本级及下级的规则参数",
	  "{\"org_id\",\"rule\",\"param\",\"value\",\"note\"}" },
	{ "GET", "/api/v1/findings", api_findings, 0, BUSINESS, T_RULES,
	  "规则检查结果（org_id、subtree、from、to、rule、severity）", NULL },
	{ "GET", "/api/v1/compliance", api_compliance, 0, BUSINESS, T_RULES, "三会一课落实情况看板（org_id、year）", NULL },
	{ "GET", "/api/v1/inbox", api_inbox, 0, BUSINESS, T_RULES, "待办提醒（逾期和 30 天内到期）", NULL },
	{ "POST", "/api/v1/rules/dues/calc", api_dues_calc, 0, ANYONE & ~(unsigned)(DJ_ROLE_SECADMIN | DJ_ROLE_AUDITOR),
	  T_RULES, "党费计算器（dues-2008；不保存）", "{\"category\",\"base_fen\",\"month\"}" },
	{ "POST", "/api/v1/rules/develop/check", api_develop_check, 0, BUSINESS, T_RULES,
	  "发展党员时间线审核（dev-2014 / dev-2026；不保存）", "{\"rule_set\",\"applied_on\",...}" },
	{ "GET", "/api/v1/dev/cases", api_dev_cases_list, 0, BUSINESS, T_DEV, "发展党员案卷（org_id、subtree、stage、status、q）", NULL },
	{ "POST", "/api/v1/dev/cases", api_dev_case_create, 0, BUSINESS, T_DEV, "新建发展案卷（递交入党申请书）",
	  "{\"org_id\",\"name\",\"id_number\",\"applied_on\"}" },
	{ "GET", "/api/v1/dev/cases/{id}", api_dev_case_get, 0, BUSINESS, T_DEV,
	  "案卷详情：各步骤、时间线审核结果、截止日期、可进行的下一步", NULL },
	{ "POST", "/api/v1/dev/cases/{id}/steps", api_dev_step_add, 0, BUSINESS, T_DEV,
	  "登记步骤（违反 DEV 规则时拒绝；系统管理员可填写理由越过，记入审计）",
	  "{\"step\",\"done_on\",\"data\",\"document\",\"override_reason\"}" },
	{ "GET", "/api/v1/dev/board", api_dev_board, 0, BUSINESS, T_DEV, "发展党员看板（各阶段人数、年度计划完成）", NULL },
	{ "PUT", "/api/v1/dev/plans", api_dev_plan_set, 0, BUSINESS, T_DEV, "设置年度发展计划",
	  "{\"org_id\",\"year\",\"quota\"}" },
	{ "GET", "/api/v1/users", api_users_list, 0, DJ_ROLE_SECADMIN, T_USER, "账号列表", NULL },
	{ "POST", "/api/v1/users", api_users_create, 0, DJ_ROLE_SECADMIN, T_USER, "新建账号",
	  "{\"username\",\"password\",\"role\",\"org_id\"}" },
	{ "PATCH", "/api/v1/users/{id}", api_users_patch, 0, DJ_ROLE_SECADMIN, T_USER, "修改账号（停用、重置密码、角色、组织）",
	  "{\"disabled\"?,\"password\"?,\"role\"?,\"org_id\"?}" },
	{ "GET", "/api/v1/audit", api_audit_list, 0, DJ_ROLE_AUDITOR, T_AUDIT, "审计日志（筛选、分页）", NULL },
};

const struct dj_route *dj_api_routes(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}
