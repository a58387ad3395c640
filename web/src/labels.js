// labels.js — Chinese names for the API's codes (roles, org kinds, sectors, audit actions) and formatters

export const ROLE_LABELS = {
  admin: '系统管理员(业务)',
  org_admin: '组织管理员',
  member: '党员',
  secadmin: '安全管理员',
  auditor: '审计管理员',
}

export const ORG_KIND_LABELS = {
  committee: '党委',
  working_committee: '党工委',
  general_branch: '党总支',
  branch: '党支部',
  joint_branch: '联合党支部',
  group: '党小组',
  temporary: '临时党组织',
  center_household: '党员中心户',
}

export const SECTOR_LABELS = {
  rural: '农村',
  community: '社区',
  government: '机关',
  institution: '事业单位',
  soe: '国有企业',
  private: '非公企业',
  social_org: '社会组织',
  school: '学校',
  hospital: '医院',
}

// Audit action codes written by the server, in the order the filter offers them.
export const AUDIT_ACTION_LABELS = {
  login: '登录',
  logout: '退出登录',
  login_failed: '登录失败',
  'user.create': '创建账号',
  'user.update': '修改账号',
  'user.update_password': '重置密码',
  'org.create': '新建组织',
  'org.update': '修改组织',
  'org.move': '调整隶属关系',
  'committee.create': '换届登记',
  'member.create': '新增党员',
  'member.update': '修改党员信息',
  'member.delete': '删除党员',
  'member.reveal': '查看完整个人信息',
  'member_reward.create': '新增奖惩记录',
  'member_reward.update': '修改奖惩记录',
  'member_reward.delete': '删除奖惩记录',
  'member_position.create': '新增职务变动',
  'member_position.update': '修改职务变动',
  'member_position.delete': '删除职务变动',
  'member_family.create': '新增家庭成员',
  'member_family.update': '修改家庭成员',
  'member_family.delete': '删除家庭成员',
  'member_abroad.create': '新增出国（境）记录',
  'member_abroad.update': '修改出国（境）记录',
  'member_abroad.delete': '删除出国（境）记录',
  'import.members': '导入党员',
  'import.rollback': '撤销导入',
  'export.members': '导出党员名册',
  'meeting.create': '新建会议记录',
  'meeting.update': '修改会议记录',
  'meeting.delete': '删除会议记录',
  'meeting.attendance': '登记出席情况',
  'meeting.vote': '登记表决',
  'meeting.review': '报送/审核会议记录',
  'meeting.checkin_token': '生成签到二维码',
  'meeting.checkin': '扫码签到',
  'meeting.attach': '上传会议附件',
  'rule.param_set': '修改规则参数',
  'dev_case.create': '登记入党申请',
  'dev_case.update': '修改发展案卷',
  'dev.step': '登记发展步骤',
  'dev.step_override': '说明理由后越过规则登记发展步骤',
  'dev.plan': '下达年度发展计划',
  'transfer.issue': '开具组织关系介绍信',
  'transfer.receive': '接收组织关系',
  'transfer.cancel': '撤销组织关系介绍信',
  'dues_base.create': '核定党费基数',
  'dues_payment.create': '登记党费交纳',
  'dues_payment.delete': '作废党费交纳记录',
  'dues_exemption.create': '登记党费减免',
  'dues.bulk_pay': '一键登记党费',
  'dues.cycle_open': '开启党费收缴周期',
  'dues_cycle.close': '党费收缴周期结账',
  'dues_cycle.reopen': '重新打开党费收缴周期',
  'dues.closed_change': '修改已结账月份的党费',
  'dues.sync': '同步党费应交',
}

export const AUDIT_OBJECT_LABELS = {
  session: '会话',
  user: '账号',
  account: '账号',
  org: '党组织',
  member: '党员',
  member_reward: '奖惩情况',
  member_position: '职务变动',
  member_family: '家庭成员',
  member_abroad: '出国（境）情况',
  committee: '班子',
  committee_term: '班子',
  import: '导入批次',
  import_batch: '导入批次',
  export: '导出',
  meeting: '会议记录',
  rule_param: '规则参数',
  dev_case: '发展案卷',
  transfer: '组织关系介绍信',
  dues_bill: '党费应交记录',
  dues_cycle: '党费收缴周期',
}

/** Label for a code from one of the tables above, falling back to the code itself. */
export function label(table, code) {
  if (code === null || code === undefined || code === '') return '—'
  return table[code] || String(code)
}

/** Role and landing page: system roles have their own home (三员分立). */
export function landingPath(role) {
  if (role === 'secadmin') return '/users'
  if (role === 'auditor') return '/audit'
  return '/'
}

function pad(n) {
  return n < 10 ? '0' + n : String(n)
}

/** RFC 3339 time → "YYYY-MM-DD HH:mm:ss" in the browser's time zone; '—' when empty. */
export function formatTime(value) {
  if (!value) return '—'
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  )
}

/** Plain value or '—' for null/empty. */
export function orDash(value) {
  return value === null || value === undefined || value === '' ? '—' : value
}
