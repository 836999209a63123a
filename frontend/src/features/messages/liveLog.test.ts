import { describe, expect, it } from 'vitest'
import { EMPTY_LOG, pickReads, unsettledIds, wantsMessage, withDeliveryEvent, withMessage, withPage, type LogEvent, type LogState, type Row } from './liveLog'

function row(id: number, over: Partial<Row> = {}): Row {
  return {
    id,
    taskId: 1,
    templateId: null,
    sourceName: 'Alerts',
    source: 'graphql',
    title: `Message ${id}`,
    text: 'body',
    markdown: '',
    html: '',
    status: 'SENDING',
    createdAt: `2025-03-01T10:00:${String(id % 60).padStart(2, '0')}.000Z`,
    finishedAt: null,
    deliveries: [
      { id: id * 10, channelId: 7, channelName: 'Ops hook', channelType: 'webhook', status: 'SENDING', attempts: 1, errorClass: '', lastError: '', latencyMs: null },
      { id: id * 10 + 1, channelId: 8, channelName: 'Mail', channelType: 'email', status: 'QUEUED', attempts: 0, errorClass: '', lastError: '', latencyMs: null },
    ],
    ...over,
  }
}

function event(messageId: number, deliveryId: number, over: Partial<LogEvent> = {}): LogEvent {
  return { messageId, deliveryId, taskId: 1, templateId: null, status: 'FAILED', errorClass: 'permanent', error: 'HTTP 400', latencyMs: 120, ...over }
}

function state(rows: Row[], hasNextPage = false): LogState {
  return { rows, endCursor: rows.length ? `c${rows[rows.length - 1].id}` : null, hasNextPage, totalCount: rows.length + (hasNextPage ? 10 : 0) }
}

describe('withPage', () => {
  const page = (ids: number[], hasNextPage: boolean) => ({
    edges: ids.map((id) => ({ node: row(id) })),
    pageInfo: { hasNextPage, endCursor: `c${ids[ids.length - 1]}` },
    totalCount: 5,
  })

  it('replaces the list with a first page and appends later ones without duplicates', () => {
    let s = withPage(state([row(99)]), page([5, 4, 3], true), true)
    expect(s.rows.map((r) => r.id)).toEqual([5, 4, 3])
    s = withPage(s, page([3, 2, 1], false), false)
    expect(s.rows.map((r) => r.id)).toEqual([5, 4, 3, 2, 1])
    expect(s).toMatchObject({ hasNextPage: false, endCursor: 'c1', totalCount: 5 })
  })
})

describe('withDeliveryEvent', () => {
  it('patches only the named delivery and keeps the overall status from the server', () => {
    const before = state([row(2), row(1)])
    const after = withDeliveryEvent(before, event(1, 10))
    const patched = after.rows[1]
    expect(patched.deliveries[0]).toMatchObject({ status: 'FAILED', errorClass: 'permanent', lastError: 'HTTP 400', latencyMs: 120 })
    expect(patched.deliveries[1].status).toBe('QUEUED')
    expect(patched.status).toBe('SENDING')
    expect(after.rows[0]).toBe(before.rows[0])
    expect(before.rows[1].deliveries[0].status).toBe('SENDING') // not mutated
  })

  it('ignores events for rows or deliveries not shown', () => {
    const before = state([row(1)])
    expect(withDeliveryEvent(before, event(2, 20))).toBe(before)
    expect(withDeliveryEvent(before, event(1, 99))).toBe(before)
  })

  it('keeps a known latency when the event carries none', () => {
    const s = withDeliveryEvent(state([row(1)]), event(1, 10, { latencyMs: 50 }))
    expect(withDeliveryEvent(s, event(1, 10, { status: 'RETRYING', latencyMs: null })).rows[0].deliveries[0].latencyMs).toBe(50)
  })
})

describe('wantsMessage', () => {
  it('always re-reads a row that is shown', () => {
    expect(wantsMessage(state([row(1)]), event(1, 10, { taskId: 2 }), { taskId: 1 })).toBe(true)
  })

  it('fetches an unknown message only when the filter and the loaded range allow it', () => {
    const s = state([row(9), row(8)], true)
    expect(wantsMessage(s, event(10, 100), {})).toBe(true)
    expect(wantsMessage(s, event(10, 100, { taskId: 5 }), { taskId: 1 })).toBe(false)
    expect(wantsMessage(s, event(3, 30), {})).toBe(false) // older than what is loaded: a later page
    expect(wantsMessage(state([row(9)], false), event(3, 30), {})).toBe(true) // everything is loaded
  })
})

describe('withMessage', () => {
  it('replaces a shown row with the server version, status included', () => {
    const s = withMessage(state([row(2), row(1)]), row(1, { status: 'PARTIAL' }), { status: 'SENDING' })
    expect(s.rows.map((r) => [r.id, r.status])).toEqual([[2, 'SENDING'], [1, 'PARTIAL']])
    expect(s.totalCount).toBe(2)
  })

  it('prepends a new message that matches the filter', () => {
    const s = withMessage(state([row(2), row(1)]), row(3), {})
    expect(s.rows.map((r) => r.id)).toEqual([3, 2, 1])
    expect(s.totalCount).toBe(3)
  })

  it('puts a message in id order when it is not the newest', () => {
    const s = withMessage(state([row(5), row(1)]), row(3), {})
    expect(s.rows.map((r) => r.id)).toEqual([5, 3, 1])
    expect(withMessage(EMPTY_LOG, row(3), {}).rows.map((r) => r.id)).toEqual([3])
  })

  it('leaves out a new message the filter refuses', () => {
    const before = state([row(1)])
    expect(withMessage(before, row(2, { status: 'SUCCEEDED' }), { status: 'FAILED' })).toBe(before)
    expect(withMessage(before, row(2), { channelId: 99 })).toBe(before)
  })

  it('leaves out a message that belongs to a page not loaded yet', () => {
    const before = state([row(9), row(8)], true)
    expect(withMessage(before, row(4), {})).toBe(before)
  })
})

describe('unsettledIds', () => {
  it('lists rows that can still change', () => {
    const s = state([row(3, { status: 'SUCCEEDED' }), row(2, { status: 'QUEUED' }), row(1, { status: 'PARTIAL' })])
    expect(unsettledIds(s)).toEqual([2])
  })
})

describe('pickReads', () => {
  it('reads every shown row and only the newest unknown messages', () => {
    const s = state([row(5), row(4)])
    expect(pickReads(s, [4, 7, 9, 8, 5], 2)).toEqual({ read: [4, 5, 9, 8], dropped: 1 })
    expect(pickReads(s, [4], 0)).toEqual({ read: [4], dropped: 0 })
  })
})
