import type { DeliveryStatus } from '@/gql/graphql'

/** What a row of the send log says about a message: its title and the start of its body, as plain text. */
export function excerpt(m: { title: string; text: string; markdown: string; html: string }, max = 140): { title: string; body: string } {
  const body = m.text.trim() ? m.text : m.markdown.trim() ? markdownToText(m.markdown) : htmlToText(m.html)
  return { title: m.title.trim(), body: clip(body.replace(/\s+/g, ' ').trim(), max) }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ', apos: "'" }

export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|nbsp|apos);/g, (_m, name: string) => ENTITIES[name])
}

export function markdownToText(md: string): string {
  return md
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+/gm, '')
    .replace(/[*_~`]+/g, '')
}

/** 850 → "850 ms", 1234 → "1.23 s", 95000 → "1.6 min"; null → "—". */
export function formatMs(ms: number | null | undefined, locale: string): string {
  if (ms === null || ms === undefined) return '—'
  const n = (value: number, digits: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)
  if (ms < 1000) return `${n(ms, 0)} ms`
  if (ms < 60_000) return `${n(ms / 1000, ms < 10_000 ? 2 : 1)} s`
  return `${n(ms / 60_000, 1)} min`
}

/** Where a send stands, counted like the server's SendProgress: unknown outcomes count as failed. */
export interface SendProgress {
  total: number
  succeeded: number
  failed: number
  remaining: number
}

export function progressOf(deliveries: { status: DeliveryStatus }[]): SendProgress {
  const succeeded = deliveries.filter((d) => d.status === 'SUCCEEDED').length
  const failed = deliveries.filter((d) => d.status === 'FAILED' || d.status === 'UNKNOWN').length
  return { total: deliveries.length, succeeded, failed, remaining: deliveries.length - succeeded - failed }
}

/** Bar widths in percent (succeeded, failed), rounded so they never add up past 100. */
export function progressWidths(p: SendProgress): { succeeded: number; failed: number } {
  if (p.total <= 0) return { succeeded: 0, failed: 0 }
  const succeeded = Math.floor((p.succeeded / p.total) * 1000) / 10
  const failed = Math.floor((p.failed / p.total) * 1000) / 10
  return { succeeded, failed }
}

/** Deliveries that `resendFailed` would queue again: failed, or partly refused (to the refused receivers only). */
export function resendable(deliveries: { status: DeliveryStatus }[]): number {
  return deliveries.filter((d) => d.status === 'FAILED' || d.status === 'PARTIAL').length
}

/** Deliveries whose outcome is unknown: resent only when asked (`includeUnknown`), as their receivers may have them. */
export function unknownOutcomes(deliveries: { status: DeliveryStatus }[]): number {
  return deliveries.filter((d) => d.status === 'UNKNOWN').length
}

/** "Mar 1, 10:00:05" — dense enough for a log row; the full date is in the row's tooltip. */
export function formatLogTime(iso: string, locale: string, now: Date = new Date()): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const sameYear = date.getFullYear() === now.getFullYear()
  return new Intl.DateTimeFormat(locale, {
    year: sameYear ? undefined : 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(date)
}

/** Pretty JSON for a variables object; empty objects and null give ''. */
export function prettyJson(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object' && Object.keys(value as object).length === 0) return ''
  return JSON.stringify(value, null, 2)
}
