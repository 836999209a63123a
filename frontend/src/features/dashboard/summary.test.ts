import { describe, expect, it } from 'vitest'
import { channelBars, dayLabel, daysFromQuery, errorShares, formatLatencyRange, latencyScale, trendOf, type ChannelStatRow, type LatencyRow } from './summary'

const day = (d: string, sent: number, succeeded: number, failed: number, unknown = 0) => ({ day: d, sent, succeeded, failed, unknown, successRate: null })

describe('dayLabel', () => {
  it('formats a UTC day without moving it into the viewer time zone', () => {
    expect(dayLabel('2025-03-01', 'en')).toBe('Mar 1')
    expect(dayLabel('2025-12-31', 'en')).toBe('Dec 31')
    expect(dayLabel('bad', 'en')).toBe('bad')
  })
})

describe('trendOf', () => {
  it('splits days into series and adds unknown only when present', () => {
    const t = trendOf([day('2025-03-01', 3, 2, 1), day('2025-03-02', 5, 5, 0)], 'en')
    expect(t).toEqual({ labels: ['Mar 1', 'Mar 2'], sent: [3, 5], succeeded: [2, 5], failed: [1, 0], unknown: [0, 0], hasUnknown: false })
    expect(trendOf([day('2025-03-01', 1, 0, 0, 1)], 'en').hasUnknown).toBe(true)
  })
})

describe('channelBars', () => {
  const ch = (id: number | null, sent: number, succeeded: number, failed: number, unknown = 0): ChannelStatRow => ({
    channelType: 'webhook', channelId: id, channelName: id ? `hook ${id}` : null, sent, succeeded, failed, unknown, successRate: sent ? succeeded / sent : null,
  })

  it('scales bars to the busiest channel and splits each by outcome', () => {
    const bars = channelBars([ch(1, 200, 150, 40, 10), ch(2, 50, 50, 0), ch(null, 0, 0, 0)])
    expect(bars.map((b) => b.width)).toEqual([100, 25, 0])
    expect(bars[0]).toMatchObject({ succeeded: 75, failed: 20, unknown: 5, key: 'webhook:1' })
    expect(bars[2]).toMatchObject({ succeeded: 0, key: 'webhook:deleted' })
  })

  it('keeps the server order', () => {
    expect(channelBars([ch(2, 1, 1, 0), ch(1, 9, 9, 0)]).map((b) => b.stat.channelId)).toEqual([2, 1])
  })
})

describe('errorShares', () => {
  it('sorts classes by count with their share', () => {
    const shares = errorShares([{ errorClass: 'retryable', count: 1 }, { errorClass: 'permanent', count: 3 }])
    expect(shares).toEqual([{ label: 'permanent', count: 3, percent: 75 }, { label: 'retryable', count: 1, percent: 25 }])
    expect(errorShares([])).toEqual([])
  })
})

describe('latencyScale', () => {
  it('uses the slowest percentile known', () => {
    const row = (p50: number | null, p95: number | null, p99: number | null): LatencyRow => ({ channelType: 'x', channelId: 1, channelName: 'x', samples: 1, p50Ms: p50, p95Ms: p95, p99Ms: p99, p50Range: null, p95Range: null, p99Range: null })
    expect(latencyScale([row(10, 20, 30), row(5, 80, null)])).toBe(80)
    expect(latencyScale([])).toBe(0)
  })
})

describe('daysFromQuery', () => {
  it('accepts 7 or 30 and falls back to 7', () => {
    expect(daysFromQuery('30')).toBe(30)
    expect(daysFromQuery(['30'])).toBe(30)
    expect(daysFromQuery('365')).toBe(7)
    expect(daysFromQuery(undefined)).toBe(7)
  })
})

describe('formatLatencyRange', () => {
  const ms = (n: number): string => `${n} ms`
  it('shows the bucket a percentile falls in, not an invented value', () => {
    expect(formatLatencyRange({ fromMs: 0, toMs: 50 }, ms)).toBe('≤ 50 ms')
    expect(formatLatencyRange({ fromMs: 50, toMs: 100 }, ms)).toBe('50 ms–100 ms')
    expect(formatLatencyRange({ fromMs: 30000, toMs: null }, ms)).toBe('> 30000 ms')
    expect(formatLatencyRange(null, ms)).toBe('—')
  })
})
