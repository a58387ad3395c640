// orgs.js — organization names by id (cached, for member rows that carry only org_id) and the tree's refresh signal
import { reactive } from 'vue'
import { api } from './api.js'

// id -> name ('' while loading, null when unknown / out of scope)
const names = reactive({})
const pending = new Map()

/** Remember organizations already loaded elsewhere (tree nodes, children lists). */
export function rememberOrgs(list) {
  for (const o of list || []) if (o && o.id != null && o.name) names[o.id] = o.short_name || o.name
}

/** Reactive name of an organization; starts loading it when not known yet. */
export function orgName(id) {
  if (id === null || id === undefined || id === '') return ''
  if (id in names) return names[id] || ''
  fetchOrg(id)
  return ''
}

/** Load one organization (cached); resolves to the org or null. */
export function fetchOrg(id) {
  if (pending.has(id)) return pending.get(id)
  names[id] = names[id] || ''
  const p = api
    .get(`/orgs/${id}`, undefined, { quiet: true })
    .then((o) => {
      names[id] = o.short_name || o.name
      return o
    })
    .catch(() => {
      names[id] = null
      return null
    })
  pending.set(id, p)
  return p
}

/** Forget cached names (after an edit renames an organization). */
export function forgetOrg(id) {
  delete names[id]
  pending.delete(id)
}

/**
 * The side tree listens to this: bumping `version` reloads it, expanded along `expandPath`
 * (the ids from the root to the organization on screen), after a create / edit / move.
 */
export const orgTreeState = reactive({ version: 0, expandPath: [] })

export function refreshOrgTree(expandPath) {
  if (Array.isArray(expandPath)) orgTreeState.expandPath = expandPath
  orgTreeState.version++
}

/** Ids along a materialized path like "/1/2/5/". */
export function pathIds(path) {
  return String(path || '')
    .split('/')
    .filter(Boolean)
    .map(Number)
}
