// router.js — routes, the roles allowed on each page and the login guard
import { createRouter, createWebHistory } from 'vue-router'
import { session, restoreSession } from './session.js'
import { landingPath } from './labels.js'
import Layout from './components/Layout.vue'
import Login from './views/Login.vue'

const BUSINESS = ['admin', 'org_admin', 'member']
const ORGS = ['admin', 'org_admin']

const routes = [
  { path: '/login', name: 'login', component: Login, meta: { public: true, title: '登录' } },
  // Opened on a phone from a meeting's QR code: a page of its own, outside the shell.
  {
    path: '/checkin/:id(\\d+)',
    name: 'checkin',
    component: () => import('./views/Checkin.vue'),
    meta: { title: '扫码签到', roles: BUSINESS },
  },
  {
    path: '/',
    component: Layout,
    children: [
      {
        path: '',
        name: 'dashboard',
        component: () => import('./views/Dashboard.vue'),
        meta: { title: '首页', roles: BUSINESS },
      },
      {
        path: 'orgs/:id(\\d+)',
        name: 'org',
        component: () => import('./views/OrgDetail.vue'),
        meta: { title: '组织详情', roles: ORGS },
      },
      {
        path: 'members',
        name: 'members',
        component: () => import('./views/Members.vue'),
        meta: { title: '党员管理', roles: ORGS },
      },
      {
        path: 'members/:id(\\d+)',
        name: 'member',
        component: () => import('./views/MemberDetail.vue'),
        meta: { title: '党员信息', roles: ORGS },
      },
      {
        path: 'import',
        name: 'import',
        component: () => import('./views/Import.vue'),
        meta: { title: '党员导入', roles: ORGS },
      },
      {
        path: 'meetings',
        name: 'meetings',
        component: () => import('./views/Meetings.vue'),
        meta: { title: '组织生活', roles: BUSINESS },
      },
      {
        path: 'meetings/:id(\\d+)',
        name: 'meeting',
        component: () => import('./views/MeetingDetail.vue'),
        meta: { title: '会议详情', roles: BUSINESS },
      },
      {
        path: 'compliance',
        name: 'compliance',
        component: () => import('./views/Compliance.vue'),
        meta: { title: '三会一课看板', roles: ORGS },
      },
      {
        path: 'inbox',
        name: 'inbox',
        component: () => import('./views/Inbox.vue'),
        meta: { title: '待办提醒', roles: ORGS },
      },
      {
        path: 'rules',
        name: 'rules',
        component: () => import('./views/Rules.vue'),
        meta: { title: '规则', roles: ORGS },
      },
      {
        path: 'develop',
        name: 'develop',
        component: () => import('./views/Develop.vue'),
        meta: { title: '发展党员', roles: ORGS },
      },
      {
        path: 'develop/:id(\\d+)',
        name: 'dev-case',
        component: () => import('./views/DevCase.vue'),
        meta: { title: '发展案卷', roles: ORGS },
      },
      {
        path: 'transfers',
        name: 'transfers',
        component: () => import('./views/Transfers.vue'),
        meta: { title: '组织关系转接', roles: ORGS },
      },
      {
        path: 'dues',
        name: 'dues',
        component: () => import('./views/Dues.vue'),
        meta: { title: '党费管理', roles: ORGS },
      },
      {
        path: 'dues/calc',
        name: 'dues-calc',
        component: () => import('./views/DuesCalc.vue'),
        meta: { title: '党费计算器', roles: BUSINESS },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('./views/Users.vue'),
        meta: { title: '账号管理', roles: ['secadmin'] },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('./views/Audit.vue'),
        meta: { title: '审计日志', roles: ['auditor'] },
      },
      {
        path: ':rest(.*)*',
        name: 'notfound',
        component: () => import('./views/NotFound.vue'),
        meta: { title: '页面不存在' },
      },
    ],
  },
]

const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  const user = await restoreSession()
  if (to.meta.public) {
    // Already logged in: the login page has nothing to do.
    return user ? landingPath(user.role) : true
  }
  if (!user) {
    const redirect = to.fullPath !== '/' ? to.fullPath : undefined
    return { name: 'login', query: redirect ? { redirect } : {} }
  }
  const roles = to.meta.roles
  if (roles && !roles.includes(user.role)) {
    const home = landingPath(user.role)
    return to.path === home ? true : home
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 党建工作平台` : '党建工作平台'
})

export default router
