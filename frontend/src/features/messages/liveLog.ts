import type { DeliveryStatus, MessageFilterInput, MessageRowFieldsFragment } from '@/gql/graphql'
import { eventMayMatch, matchesFilter } from './filters'

/**
 * The send log as shown: pages loaded so far, kept current by delivery events.
 * Pure functions, so the live behaviour is testable without a socket.
 */
export type Row = MessageRowFieldsFragment

export interface LogState {
  rows: Row[]
  endCursor: string | null
  hasNextPage: boolean
  totalCount: number
}

export interface LogPage {
  edges: { node: Row }[]
  pageInfo: { hasNextPage: boolean; endCursor?: string | null }
  totalCount: number
}

/** The fields of a delivery event the list uses. */
export interface LogEvent {
  messageId: number
  deliveryId: number
  taskId: number | null
  templateId: number | null
  status: DeliveryStatus
  errorClass: string
  error: string
  latencyMs: number | null
}

export const EMPTY_LOG: LogState = { rows: [], endCursor: null, hasNextPage: false, totalCount: 0 }

/** A page from the API: the first one replaces the list, later ones ("Load more") extend it. */
export function withPage(state: LogState, page: LogPage, first: boolean): LogState {
  const incoming = page.edges.map((e) => e.node)
  const seen = new Set(first ? [] : state.rows.map((r) => r.id))
  const rows = first ? incoming : [...state.rows, ...incoming.filter((r) => !seen.has(r.id))]
  return { rows, endCursor: page.pageInfo.endCursor ?? null, hasNextPage: page.pageInfo.hasNextPage, totalCount: page.totalCount }
}

/**
 * Shows a delivery event on the row it belongs to at once: only that delivery's chip changes.
 * The row's overall status is left alone; it comes from the server when the message is re-read.
 */
export function withDeliveryEvent(state: LogState, event: LogEvent): LogState {
  const index = state.rows.findIndex((r) => r.id === event.messageId)
  if (index < 0) return state
  const row = state.rows[index]
  if (!row.deliveries.some((d) => d.id === event.deliveryId)) return state
  const deliveries = row.deliveries.map((d) =>
    d.id === event.deliveryId
      ? { ...d, status: event.status, errorClass: event.errorClass, lastError: event.error, latencyMs: event.latencyMs ?? d.latencyMs }
      : d,
  )
  const rows = state.rows.slice()
  rows[index] = { ...row, deliveries }
  return { ...state, rows }
}

/** Whether an event is worth a `message(id)` read: rows shown always; others only if they may belong here. */
export function wantsMessage(state: LogState, event: LogEvent, filter: MessageFilterInput): boolean {
  if (state.rows.some((r) => r.id === event.messageId)) return true
  return eventMayMatch(event, filter) && fitsLoadedRange(state, event.messageId)
}

/** Newest first: a message older than the last loaded row belongs to a page not loaded yet. */
function fitsLoadedRange(state: LogState, id: number): boolean {
  if (!state.hasNextPage || state.rows.length === 0) return true
  return id > state.rows[state.rows.length - 1].id
}

/**
 * A message as the server just described it: replaces its row, or joins the list in id order
 * (newest first) when the filter admits it and it falls within the pages already loaded.
 */
export function withMessage(state: LogState, message: Row, filter: MessageFilterInput): LogState {
  const index = state.rows.findIndex((r) => r.id === message.id)
  if (index >= 0) {
    const rows = state.rows.slice()
    rows[index] = message
    return { ...state, rows }
  }
  if (!matchesFilter(message, filter) || !fitsLoadedRange(state, message.id)) return state
  const at = state.rows.findIndex((r) => r.id < message.id)
  const rows = state.rows.slice()
  rows.splice(at < 0 ? rows.length : at, 0, message)
  return { ...state, rows, totalCount: state.totalCount + 1 }
}

/**
 * Which of a burst's message ids to read: every row shown, then unknown messages newest first up to
 * `maxNew` (a flood of new sends must not turn into a flood of reads). `dropped` counts the rest.
 */
export function pickReads(state: LogState, ids: number[], maxNew: number): { read: number[]; dropped: number } {
  const shown = new Set(state.rows.map((r) => r.id))
  const known = ids.filter((id) => shown.has(id))
  const unknown = ids.filter((id) => !shown.has(id)).sort((a, b) => b - a)
  return { read: [...known, ...unknown.slice(0, maxNew)], dropped: Math.max(0, unknown.length - maxNew) }
}

/** Ids of rows whose state can still change (re-read after the live connection was lost). */
export function unsettledIds(state: LogState): number[] {
  return state.rows.filter((r) => ['SCHEDULED', 'QUEUED', 'SENDING'].includes(r.status)).map((r) => r.id)
}
