import type { DashboardStatsQuery } from '@/gql/graphql'

type Stats = DashboardStatsQuery['stats']
export type ChannelStatRow = Stats['channels'][number]
export type LatencyRow = Stats['latency'][number]

/** "2025-03-01" (a UTC day) → "Mar 1" in the viewer's language, without shifting it by their time zone. */
export function dayLabel(day: string, locale: string): string {
  const date = new Date(`${day}T00:00:00Z`)
  if (Number.isNaN(date.getTime())) return day
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(date)
}

export interface Trend {
  labels: string[]
  sent: number[]
  succeeded: number[]
  failed: number[]
  unknown: number[]
  /** Unknown outcomes get their own line only when there were any. */
  hasUnknown: boolean
}

export function trendOf(daily: Stats['daily'], locale: string): Trend {
  return {
    labels: daily.map((d) => dayLabel(d.day, locale)),
    sent: daily.map((d) => d.sent),
    succeeded: daily.map((d) => d.succeeded),
    failed: daily.map((d) => d.failed),
    unknown: daily.map((d) => d.unknown),
    hasUnknown: daily.some((d) => d.unknown > 0),
  }
}

export interface ChannelBar {
  key: string
  stat: ChannelStatRow
  /** Width of the whole bar, relative to the busiest channel (0–100). */
  width: number
  /** Shares of this channel's own volume (0–100). */
  succeeded: number
  failed: number
  unknown: number
}

/** Channels in the server's order (most traffic first), with bar widths for an inline chart. */
export function channelBars(channels: ChannelStatRow[]): ChannelBar[] {
  const max = Math.max(0, ...channels.map((c) => c.sent))
  const pct = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : 0)
  return channels.map((c) => ({
    key: `${c.channelType}:${c.channelId ?? 'deleted'}`,
    stat: c,
    width: pct(c.sent, max),
    succeeded: pct(c.succeeded, c.sent),
    failed: pct(c.failed, c.sent),
    unknown: pct(c.unknown, c.sent),
  }))
}

export interface Share {
  label: string
  count: number
  percent: number
}

/** Error classes, largest first, each with its share of all failures. */
export function errorShares(classes: Stats['errorClasses']): Share[] {
  const total = classes.reduce((sum, c) => sum + c.count, 0)
  return [...classes]
    .sort((a, b) => b.count - a.count)
    .map((c) => ({ label: c.errorClass, count: c.count, percent: total ? (c.count / total) * 100 : 0 }))
}

/**
 * A percentile as the histogram bucket it falls in ("≤ 50 ms", "50–100 ms", "> 30 s"): the
 * server keeps buckets, not samples, so a single number would claim a precision nobody has.
 */
export function formatLatencyRange(range: { fromMs: number; toMs: number | null } | null, formatMs: (ms: number) => string): string {
  if (!range) return '—'
  if (range.toMs === null) return `> ${formatMs(range.fromMs)}`
  if (range.fromMs === 0) return `≤ ${formatMs(range.toMs)}`
  return `${formatMs(range.fromMs)}–${formatMs(range.toMs)}`
}

/** Latency rows with p99 as the scale of their little range bar (the slowest channel fills it). */
export function latencyScale(rows: LatencyRow[]): number {
  return Math.max(0, ...rows.map((r) => r.p99Ms ?? r.p95Ms ?? r.p50Ms ?? 0))
}

export const DAY_CHOICES = [7, 30] as const
export type DayChoice = (typeof DAY_CHOICES)[number]

/** `?days=` from the URL, or the default 7. */
export function daysFromQuery(value: unknown): DayChoice {
  const n = Number(Array.isArray(value) ? value[0] : value)
  return (DAY_CHOICES as readonly number[]).includes(n) ? (n as DayChoice) : 7
}
