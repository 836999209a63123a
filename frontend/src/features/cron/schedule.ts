/**
 * Reading cron expressions in the browser: a check before saving, the next runs in the job's IANA
 * time zone, and the expression in words. The server (croniter) stays the judge: it validates on
 * save and its `nextRunAt` is what the list shows; these are previews.
 *
 * croner is set up the way the server reads expressions: exactly 5 fields, day-of-month OR
 * day-of-week when both are given, and a fixed-hour job runs once in a repeated DST hour.
 */
import { Cron } from 'croner'
import cronstrue from 'cronstrue'
import 'cronstrue/locales/zh_CN'

export type ExpressionCheck =
  | { ok: true; expression: string }
  | { ok: false; problem: 'empty' | 'fieldCount' | 'invalid'; count?: number; detail?: string }

/** Whitespace collapsed, as the server stores it. */
export function normalizeExpression(text: string): string {
  return text.trim().split(/\s+/).filter(Boolean).join(' ')
}

function cron(expression: string, timezone?: string): Cron {
  return new Cron(expression, { mode: '5-part', timezone, fixedTimeRule: 'no-wildcard', paused: true })
}

/** Whether `text` is a 5-field expression the server would take (minute hour day-of-month month day-of-week). */
export function checkExpression(text: string): ExpressionCheck {
  const expression = normalizeExpression(text)
  if (!expression) return { ok: false, problem: 'empty' }
  const count = expression.split(' ').length
  if (count !== 5) return { ok: false, problem: 'fieldCount', count }
  try {
    cron(expression)
  } catch (error) {
    return { ok: false, problem: 'invalid', detail: error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error) }
  }
  return { ok: true, expression }
}

/** True when the browser knows `timezone` as an IANA zone name. */
export function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone })
    return true
  } catch {
    return false
  }
}

/** The next `count` runs after `from`, read on the job's wall clock; [] when the expression or zone is not valid. */
export function nextRuns(expression: string, timezone: string, count = 5, from: Date = new Date()): Date[] {
  const check = checkExpression(expression)
  if (!check.ok || !isTimeZone(timezone)) return []
  try {
    return cron(check.expression, timezone).nextRuns(count, from)
  } catch {
    return []
  }
}

/** "At 09:00, Monday through Friday" / "在09:00, 星期一至星期五"; null when it cannot be read. */
export function describeExpression(expression: string, locale: 'en' | 'zh'): string | null {
  const check = checkExpression(expression)
  if (!check.ok) return null
  try {
    return cronstrue.toString(check.expression, {
      locale: locale === 'zh' ? 'zh_CN' : 'en',
      use24HourTimeFormat: true,
      verbose: false,
      throwExceptionOnParseError: true,
    })
  } catch {
    return null
  }
}

/** A run time on the job's own clock, with the zone's short name ("Mon, Dec 1, 2026, 09:00 GMT+8"; compact: "Dec 1, 09:00 GMT+8"). */
export function formatInZone(date: Date, timezone: string, intlLocale: string, compact = false): string {
  return new Intl.DateTimeFormat(intlLocale, {
    timeZone: isTimeZone(timezone) ? timezone : 'UTC',
    weekday: compact ? undefined : 'short',
    year: compact ? undefined : 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(date)
}

/** The browser's own zone, the default for a new job. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/** Every IANA zone the browser knows, plus UTC and any `extra` (a job's saved zone), sorted, no repeats. */
export function timeZoneOptions(extra: readonly string[] = []): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return [...new Set(['UTC', ...known, ...extra.filter(Boolean)])].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)))
}

/** Common schedules offered as one-click starting points. */
export const PRESETS = [
  { key: 'everyHour', expression: '0 * * * *' },
  { key: 'everyDay9', expression: '0 9 * * *' },
  { key: 'weekdays9', expression: '0 9 * * 1-5' },
  { key: 'monday9', expression: '0 9 * * 1' },
  { key: 'monthFirst9', expression: '0 9 1 * *' },
  { key: 'every15', expression: '*/15 * * * *' },
] as const
