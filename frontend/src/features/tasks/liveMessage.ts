import type { DeliveryStatus, MessageStatus } from '@/gql/graphql'

/** What a delivery row read from the API and a delivery's live state both carry. */
interface DeliveryFields {
  id: number
  channelId: number | null
  channelName: string | null
  channelType: string
  receivers: string[]
  status: DeliveryStatus
  attempts: number
  errorClass: string
  lastError: string
}

/** One delivery of a sent message as the console shows it while it travels. */
export interface LiveDelivery extends DeliveryFields {
  /** When this state was reached, in epoch milliseconds (orders a query row against an event). */
  at: number
}

/** A delivery row from `message(id)` / `sendMessage`. */
export interface DeliveryRow extends DeliveryFields {
  updatedAt: string
}

/** A `messageEvents` event (its `at` is epoch seconds). */
export interface DeliveryEvent {
  deliveryId: number
  channelId: number | null
  channelType: string
  status: DeliveryStatus
  attempt: number
  errorClass: string
  error: string
  at: number
}

const FINAL: ReadonlySet<DeliveryStatus> = new Set(['SUCCEEDED', 'FAILED', 'UNKNOWN'])

export function isFinal(status: DeliveryStatus): boolean {
  return FINAL.has(status)
}

/** Whether `next` may replace `current`: newer wins, and a final state is never undone by an older or equal one. */
function supersedes(current: LiveDelivery | undefined, nextAt: number, nextStatus: DeliveryStatus): boolean {
  if (!current) return true
  if (nextAt > current.at) return true
  if (nextAt < current.at) return false
  return !isFinal(current.status) || isFinal(nextStatus)
}

/** Merges rows read from the API (e.g. a refetch) into what is shown. */
export function applyRows(current: LiveDelivery[], rows: DeliveryRow[]): LiveDelivery[] {
  const byId = new Map(current.map((d) => [d.id, d]))
  for (const row of rows) {
    const at = Date.parse(row.updatedAt)
    const known = byId.get(row.id)
    if (supersedes(known, at, row.status)) {
      byId.set(row.id, {
        id: row.id,
        channelId: row.channelId,
        channelName: row.channelName,
        channelType: row.channelType,
        receivers: [...row.receivers],
        status: row.status,
        attempts: row.attempts,
        errorClass: row.errorClass,
        lastError: row.lastError,
        at,
      })
    } else if (known) {
      // An older row still knows names and receivers an event does not carry.
      byId.set(row.id, { ...known, channelName: known.channelName ?? row.channelName, receivers: known.receivers.length ? known.receivers : [...row.receivers] })
    }
  }
  return [...byId.values()].sort((a, b) => a.id - b.id)
}

/** Applies one live event; events out of order (older than what is shown) are ignored. */
export function applyEvent(current: LiveDelivery[], event: DeliveryEvent): LiveDelivery[] {
  const at = Math.round(event.at * 1000)
  const known = current.find((d) => d.id === event.deliveryId)
  if (!supersedes(known, at, event.status)) return current
  const next: LiveDelivery = {
    id: event.deliveryId,
    channelId: event.channelId,
    channelName: known?.channelName ?? null,
    channelType: event.channelType,
    receivers: known?.receivers ?? [],
    status: event.status,
    attempts: Math.max(event.attempt, known?.attempts ?? 0),
    errorClass: event.errorClass,
    lastError: event.error || (event.status === 'SUCCEEDED' ? '' : (known?.lastError ?? '')),
    at,
  }
  const others = current.filter((d) => d.id !== event.deliveryId)
  return [...others, next].sort((a, b) => a.id - b.id)
}

/** The message's status from its deliveries (the API's rule: queued → sending → succeeded / partial / failed). */
export function messageStatusOf(deliveries: Pick<LiveDelivery, 'status'>[]): MessageStatus {
  if (!deliveries.length) return 'FAILED'
  if (!deliveries.every((d) => isFinal(d.status))) {
    return deliveries.some((d) => d.status !== 'QUEUED') ? 'SENDING' : 'QUEUED'
  }
  const succeeded = deliveries.filter((d) => d.status === 'SUCCEEDED').length
  if (succeeded === deliveries.length) return 'SUCCEEDED'
  return succeeded ? 'PARTIAL' : 'FAILED'
}

/** True once every delivery has a final state. */
export function allFinal(deliveries: Pick<LiveDelivery, 'status'>[]): boolean {
  return deliveries.length > 0 && deliveries.every((d) => isFinal(d.status))
}
