import { describe, expect, it } from 'vitest'
import { allFinal, applyEvent, applyRows, messageStatusOf, type DeliveryEvent, type DeliveryRow } from './liveMessage'

const row = (over: Partial<DeliveryRow> = {}): DeliveryRow => ({
  id: 1, channelId: 5, channelName: 'ops', channelType: 'webhook', receivers: [], status: 'QUEUED',
  attempts: 0, errorClass: '', lastError: '', updatedAt: '2026-01-01T00:00:00Z', ...over,
})
const t0 = Date.parse('2026-01-01T00:00:00Z') / 1000
const event = (over: Partial<DeliveryEvent> = {}): DeliveryEvent => ({
  deliveryId: 1, channelId: 5, channelType: 'webhook', status: 'SENDING', attempt: 1, errorClass: '', error: '', at: t0 + 1, ...over,
})

describe('applyEvent', () => {
  it('moves a delivery forward and keeps what the event does not carry', () => {
    const shown = applyRows([], [row({ receivers: ['a@x.io'] })])
    const next = applyEvent(shown, event())
    expect(next[0].status).toBe('SENDING')
    expect(next[0].channelName).toBe('ops')
    expect(next[0].receivers).toEqual(['a@x.io'])
    expect(next[0].attempts).toBe(1)
  })
  it('ignores an event older than what is shown', () => {
    const shown = applyEvent(applyRows([], [row()]), event({ status: 'SUCCEEDED', at: t0 + 5 }))
    expect(applyEvent(shown, event({ status: 'SENDING', at: t0 + 2 }))).toBe(shown)
  })
  it('does not undo a final state with a same-time in-flight one', () => {
    const shown = applyEvent([], event({ status: 'FAILED', error: 'boom', at: t0 + 3 }))
    expect(applyEvent(shown, event({ status: 'SENDING', at: t0 + 3 }))[0].status).toBe('FAILED')
  })
  it('adds a delivery it did not know, in id order', () => {
    const shown = applyRows([], [row({ id: 2 })])
    const next = applyEvent(shown, event({ deliveryId: 1 }))
    expect(next.map((d) => d.id)).toEqual([1, 2])
    expect(next[0].channelName).toBeNull()
  })
  it('keeps the last error while retrying and clears it on success', () => {
    let shown = applyEvent([], event({ status: 'RETRYING', error: 'timeout', at: t0 + 1 }))
    shown = applyEvent(shown, event({ status: 'SENDING', error: '', attempt: 2, at: t0 + 2 }))
    expect(shown[0].lastError).toBe('timeout')
    shown = applyEvent(shown, event({ status: 'SUCCEEDED', error: '', attempt: 2, at: t0 + 3 }))
    expect(shown[0].lastError).toBe('')
  })
})

describe('applyRows', () => {
  it('lets a newer refetch win and an older one only fill in names', () => {
    const live = applyEvent([], event({ status: 'SUCCEEDED', at: t0 + 9 }))
    const merged = applyRows(live, [row({ status: 'SENDING', updatedAt: '2026-01-01T00:00:02Z', receivers: ['r'] })])
    expect(merged[0].status).toBe('SUCCEEDED')
    expect(merged[0].channelName).toBe('ops')
    expect(merged[0].receivers).toEqual(['r'])
    const newer = applyRows(live, [row({ status: 'FAILED', updatedAt: '2026-01-01T00:00:10Z' })])
    expect(newer[0].status).toBe('FAILED')
  })
})

describe('messageStatusOf', () => {
  it('follows the API rule', () => {
    expect(messageStatusOf([])).toBe('FAILED')
    expect(messageStatusOf([{ status: 'QUEUED' }, { status: 'QUEUED' }])).toBe('QUEUED')
    expect(messageStatusOf([{ status: 'QUEUED' }, { status: 'SUCCEEDED' }])).toBe('SENDING')
    expect(messageStatusOf([{ status: 'SUCCEEDED' }, { status: 'SUCCEEDED' }])).toBe('SUCCEEDED')
    expect(messageStatusOf([{ status: 'SUCCEEDED' }, { status: 'UNKNOWN' }])).toBe('PARTIAL')
    expect(messageStatusOf([{ status: 'FAILED' }, { status: 'UNKNOWN' }])).toBe('FAILED')
  })
  it('knows when everything is final', () => {
    expect(allFinal([{ status: 'SUCCEEDED' }, { status: 'RETRYING' }])).toBe(false)
    expect(allFinal([{ status: 'SUCCEEDED' }, { status: 'FAILED' }])).toBe(true)
    expect(allFinal([])).toBe(false)
  })
})
