import { describe, expect, it } from 'vitest'
import { applyInboxEvent, insertNewItems, keepSelected } from './live'

const rows = [
  { id: 5, read: false, title: 'e' },
  { id: 4, read: true, title: 'd' },
  { id: 3, read: false, title: 'c' },
]

describe('applyInboxEvent', () => {
  it('asks to fetch new items that are not shown yet', () => {
    const out = applyInboxEvent(rows, { kind: 'new', itemIds: [7, 6, 5] })
    expect(out.fetchIds).toEqual([7, 6])
    expect(out.items).toBe(rows)
    expect(out.resync).toBe(false)
  })

  it('marks read items read and leaves the others alone', () => {
    const out = applyInboxEvent(rows, { kind: 'read', itemIds: [5, 3, 99] })
    expect(out.items.map((r) => r.read)).toEqual([true, true, true])
    expect(out.items[1]).toBe(rows[1])
    expect(rows[0].read).toBe(false) // not mutated
  })

  it('keeps the same array when nothing shown changes on read', () => {
    expect(applyInboxEvent(rows, { kind: 'read', itemIds: [4, 42] }).items).toBe(rows)
  })

  it('removes deleted items', () => {
    expect(applyInboxEvent(rows, { kind: 'deleted', itemIds: [4, 5] }).items.map((r) => r.id)).toEqual([3])
  })

  it('asks for a resync on a snapshot and ignores unknown kinds', () => {
    expect(applyInboxEvent(rows, { kind: 'snapshot', itemIds: [] }).resync).toBe(true)
    const out = applyInboxEvent(rows, { kind: 'archived', itemIds: [5] })
    expect(out).toEqual({ items: rows, fetchIds: [], resync: false })
  })
})

describe('insertNewItems', () => {
  it('puts announced items on top, newest first, once', () => {
    const fetched = [
      { id: 8, read: false, title: 'h' },
      { id: 7, read: false, title: 'g' },
      { id: 5, read: false, title: 'e' },
    ]
    const out = insertNewItems(rows, fetched, [7, 8, 5])
    expect(out?.map((r) => r.id)).toEqual([8, 7, 5, 4, 3])
  })

  it('does not add fetched items nobody announced', () => {
    const fetched = [
      { id: 9, read: false, title: 'i' },
      { id: 8, read: false, title: 'h' },
    ]
    expect(insertNewItems(rows, fetched, [8])?.map((r) => r.id)).toEqual([8, 5, 4, 3])
  })

  it('returns null when an announced item is not in the fetched page', () => {
    expect(insertNewItems(rows, [{ id: 8, read: false, title: 'h' }], [8, 6])).toBeNull()
  })
})

describe('keepSelected', () => {
  it('drops ids that are no longer shown', () => {
    expect([...keepSelected(new Set([5, 4, 1]), rows)]).toEqual([5, 4])
  })
})
