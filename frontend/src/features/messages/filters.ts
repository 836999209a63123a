import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { MessageFilterInput, MessageStatus } from '@/gql/graphql'

/** The send log's filters as the page holds them; the URL query is their shareable form. */
export interface LogFilters {
  status: MessageStatus | ''
  taskId: number | null
  templateId: number | null
  channelId: number | null
  range: RangeKey
  /** ISO instants, only read when `range` is 'custom'. */
  since: string
  until: string
  search: string
}

export type RangeKey = '' | '1h' | '24h' | '7d' | '30d' | 'custom'
export const RANGE_KEYS: RangeKey[] = ['', '1h', '24h', '7d', '30d', 'custom']
export const MESSAGE_STATUSES: MessageStatus[] = ['SCHEDULED', 'QUEUED', 'SENDING', 'SUCCEEDED', 'PARTIAL', 'FAILED', 'UNKNOWN']
const RANGE_MS: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 }
const MAX_SEARCH = 200

export const EMPTY_FILTERS: LogFilters = {
  status: '', taskId: null, templateId: null, channelId: null, range: '', since: '', until: '', search: '',
}

function one(value: LocationQuery[string] | undefined): string {
  const raw = Array.isArray(value) ? value[0] : value
  return typeof raw === 'string' ? raw : ''
}

function positiveInt(value: string): number | null {
  return /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : null
}

function isoOrEmpty(value: string): string {
  return value && !Number.isNaN(new Date(value).getTime()) ? new Date(value).toISOString() : ''
}

/** Reads filters from a route query, dropping anything malformed rather than sending it to the API. */
export function filtersFromQuery(query: LocationQuery): LogFilters {
  const status = one(query.status).toUpperCase() as MessageStatus
  const range = one(query.range) as RangeKey
  const taskId = positiveInt(one(query.task))
  return {
    status: MESSAGE_STATUSES.includes(status) ? status : '',
    taskId,
    // A message comes from a task or a template, never both: a task wins if a URL names both.
    templateId: taskId === null ? positiveInt(one(query.template)) : null,
    channelId: positiveInt(one(query.channel)),
    range: RANGE_KEYS.includes(range) ? range : '',
    since: range === 'custom' ? isoOrEmpty(one(query.since)) : '',
    until: range === 'custom' ? isoOrEmpty(one(query.until)) : '',
    search: one(query.q).slice(0, MAX_SEARCH),
  }
}

/** The route query for these filters; empty ones are left out so URLs stay short. */
export function filtersToQuery(f: LogFilters): LocationQueryRaw {
  const query: LocationQueryRaw = {}
  if (f.status) query.status = f.status.toLowerCase()
  if (f.taskId !== null) query.task = String(f.taskId)
  else if (f.templateId !== null) query.template = String(f.templateId)
  if (f.channelId !== null) query.channel = String(f.channelId)
  if (f.range) query.range = f.range
  if (f.range === 'custom' && f.since) query.since = f.since
  if (f.range === 'custom' && f.until) query.until = f.until
  if (f.search.trim()) query.q = f.search.trim()
  return query
}

/** The API's MessageFilterInput; relative ranges are anchored at `now`. */
export function filtersToVariables(f: LogFilters, now: Date = new Date()): MessageFilterInput {
  const input: MessageFilterInput = {}
  if (f.status) input.status = f.status
  if (f.taskId !== null) input.taskId = f.taskId
  else if (f.templateId !== null) input.templateId = f.templateId
  if (f.channelId !== null) input.channelId = f.channelId
  if (f.range in RANGE_MS) input.since = new Date(now.getTime() - RANGE_MS[f.range]).toISOString()
  if (f.range === 'custom') {
    if (f.since) input.since = f.since
    if (f.until) input.until = f.until
  }
  const search = f.search.trim()
  if (search) input.search = search
  return input
}

export function hasFilters(f: LogFilters): boolean {
  return Object.keys(filtersToQuery(f)).length > 0
}

/** What `matchesFilter` needs to know about a message. */
export interface FilterableMessage {
  status: MessageStatus
  taskId: number | null
  templateId: number | null
  title: string
  text: string
  sourceName: string
  createdAt: string
  deliveries: { channelId: number | null }[]
}

/** Whether the server would list this message under `filter` (mirrors services/messages.list_messages). */
export function matchesFilter(m: FilterableMessage, filter: MessageFilterInput): boolean {
  if (filter.status && m.status !== filter.status) return false
  if (filter.taskId != null && m.taskId !== filter.taskId) return false
  if (filter.templateId != null && m.templateId !== filter.templateId) return false
  if (filter.channelId != null && !m.deliveries.some((d) => d.channelId === filter.channelId)) return false
  const created = new Date(m.createdAt).getTime()
  if (filter.since && created < new Date(filter.since).getTime()) return false
  if (filter.until && created >= new Date(filter.until).getTime()) return false
  if (filter.search) {
    const term = filter.search.toLowerCase()
    if (![m.title, m.text, m.sourceName].some((s) => s.toLowerCase().includes(term))) return false
  }
  return true
}

const FINAL_MESSAGE: string[] = ['SUCCEEDED', 'PARTIAL', 'FAILED', 'UNKNOWN']
const MOVING_DELIVERY: string[] = ['QUEUED', 'SENDING', 'RETRYING', 'RATE_LIMITED']

/** A cheap check before fetching a message an event names: can it possibly belong to this list? */
export function eventMayMatch(
  event: { taskId: number | null; templateId: number | null; status: string },
  filter: MessageFilterInput,
): boolean {
  if (filter.taskId != null && event.taskId !== filter.taskId) return false
  if (filter.templateId != null && event.templateId !== filter.templateId) return false
  // A message with a delivery still on its way cannot have finished yet.
  if (filter.status && FINAL_MESSAGE.includes(filter.status) && MOVING_DELIVERY.includes(event.status)) return false
  return true
}

/** `<input type="datetime-local">` value (the viewer's wall clock) for an ISO instant, and back. */
export function isoToLocalInput(iso: string): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export function localInputToIso(value: string): string {
  if (!value) return ''
  const d = new Date(value) // no zone in the string: read as local time
  return Number.isNaN(d.getTime()) ? '' : d.toISOString()
}
