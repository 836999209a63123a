/** How the inbox list follows the `inbox` subscription without reloading. */

export interface InboxRowLike {
  id: number
  read: boolean
}

export interface InboxEventLike {
  kind: string
  itemIds: number[]
}

export interface InboxEventOutcome<T> {
  items: T[]
  /** New items not on screen yet: fetch them and put them at the top. */
  fetchIds: number[]
  /** Changes may have been missed (a reconnect): read the list again. */
  resync: boolean
}

/** Applies one event to the rows on screen. `readAt` is the time shown for rows marked read. */
export function applyInboxEvent<T extends InboxRowLike>(items: T[], event: InboxEventLike): InboxEventOutcome<T> {
  const ids = new Set(event.itemIds)
  switch (event.kind) {
    case 'new': {
      const shown = new Set(items.map((item) => item.id))
      return { items, fetchIds: event.itemIds.filter((id) => !shown.has(id)), resync: false }
    }
    case 'read':
      return {
        items: items.some((item) => ids.has(item.id) && !item.read) ? items.map((item) => (ids.has(item.id) && !item.read ? { ...item, read: true } : item)) : items,
        fetchIds: [],
        resync: false,
      }
    case 'deleted':
      return { items: items.filter((item) => !ids.has(item.id)), fetchIds: [], resync: false }
    case 'snapshot':
      return { items, fetchIds: [], resync: true }
    default:
      return { items, fetchIds: [], resync: false }
  }
}

/**
 * Puts the fetched newest items that were announced (`wanted`) above the rows on screen, newest
 * first. Returns null when some announced item was not in the fetched page (more arrived than one
 * page holds): then the caller reads the list again.
 */
export function insertNewItems<T extends InboxRowLike>(items: T[], fetched: T[], wanted: number[]): T[] | null {
  const byId = new Map(fetched.map((item) => [item.id, item]))
  const shown = new Set(items.map((item) => item.id))
  const missing = wanted.filter((id) => !shown.has(id))
  if (missing.some((id) => !byId.has(id))) return null
  const fresh = missing.map((id) => byId.get(id) as T).sort((a, b) => b.id - a.id)
  return [...fresh, ...items]
}

/** The selection after rows went away: ids no longer shown are dropped. */
export function keepSelected(selected: ReadonlySet<number>, items: InboxRowLike[]): Set<number> {
  const shown = new Set(items.map((item) => item.id))
  return new Set([...selected].filter((id) => shown.has(id)))
}
