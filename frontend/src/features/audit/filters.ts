import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { AuditLogFilter } from '@/gql/graphql'

/** The audit filters as the form holds them; `since`/`until` are ISO instants ("" = no bound). */
export interface AuditFilters {
  action: string
  actor: string
  objectType: string
  objectId: string
  since: string
  until: string
}

const KEYS: (keyof AuditFilters)[] = ['action', 'actor', 'objectType', 'objectId', 'since', 'until']

export function emptyFilters(): AuditFilters {
  return { action: '', actor: '', objectType: '', objectId: '', since: '', until: '' }
}

function one(value: LocationQuery[string] | undefined): string {
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : ''
}

/** Reads the filters from the URL (unknown or repeated parameters are ignored; bad times dropped). */
export function filtersFromQuery(query: LocationQuery): AuditFilters {
  const filters = emptyFilters()
  for (const key of KEYS) filters[key] = one(query[key]).trim()
  for (const key of ['since', 'until'] as const) if (filters[key] && Number.isNaN(Date.parse(filters[key]))) filters[key] = ''
  return filters
}

/** The URL query for these filters: empty ones are left out, so a clear URL means no filter. */
export function filtersToQuery(filters: AuditFilters): LocationQueryRaw {
  const query: LocationQueryRaw = {}
  for (const key of KEYS) {
    const value = filters[key].trim()
    if (value) query[key] = value
  }
  return query
}

/** The auditLogs variables: exact-match fields in `filter` (null when none), the time range beside it. */
export function filtersToVariables(filters: AuditFilters): { filter: AuditLogFilter | null; since: string | null; until: string | null } {
  const filter: AuditLogFilter = {}
  if (filters.action.trim()) filter.action = filters.action.trim()
  if (filters.actor.trim()) filter.actorName = filters.actor.trim()
  if (filters.objectType.trim()) filter.objectType = filters.objectType.trim()
  if (filters.objectId.trim()) filter.objectId = filters.objectId.trim()
  return {
    filter: Object.keys(filter).length ? filter : null,
    since: filters.since ? new Date(filters.since).toISOString() : null,
    until: filters.until ? new Date(filters.until).toISOString() : null,
  }
}

const pad = (n: number) => String(n).padStart(2, '0')

/** ISO instant → the value of an <input type="datetime-local"> in the viewer's time zone. */
export function isoToLocalInput(iso: string): string {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return ''
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** An <input type="datetime-local"> value (viewer's time zone) → ISO instant; "" when empty or bad. */
export function localInputToIso(value: string): string {
  if (!value) return ''
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? '' : date.toISOString()
}

/** `{field: [before, after]}` as rows, or null when the diff has another shape (then show it raw). */
export function diffRows(diff: unknown): { field: string; before: unknown; after: unknown }[] | null {
  if (!diff || typeof diff !== 'object' || Array.isArray(diff)) return null
  const entries = Object.entries(diff as Record<string, unknown>)
  if (!entries.every(([, pair]) => Array.isArray(pair) && pair.length === 2)) return null
  return entries.map(([field, pair]) => ({ field, before: (pair as unknown[])[0], after: (pair as unknown[])[1] }))
}

/** A value as the diff shows it: strings as they are, everything else as pretty JSON. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return '—'
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2)
}
