/**
 * Reading cron expressions in the browser: a check before saving, the next runs in the job's IANA
 * time zone, and the expression in words. The server (croniter) stays the judge: it validates on
 * save and its `nextRunAt` is what the list shows; these are previews.
 *
 * croner is set up the way the server reads expressions: exactly 5 fields, day-of-month OR
 * day-of-week when both are given, and a fixed-hour job runs once in a repeated DST hour.
 * Descriptors are read as Message Nest's scheduler (robfig/cron) and the server read them: a named
 * one (`@daily`) is a 5-field expression under another name; `@every 2h` is an interval counted
 * from the previous run, so its next runs here count from now.
 */
import { Cron } from 'croner'
import cronstrue from 'cronstrue'
import 'cronstrue/locales/zh_CN'

export type ExpressionCheck =
  | { ok: true; expression: string }
  | { ok: false; problem: 'empty' | 'fieldCount' | 'invalid'; count?: number; detail?: string }

/** Whitespace collapsed (descriptors in lower case), as the server stores it. */
export function normalizeExpression(text: string): string {
  const collapsed = text.trim().split(/\s+/).filter(Boolean).join(' ')
  return collapsed.startsWith('@') ? collapsed.toLowerCase() : collapsed
}

/** Named descriptors and the 5-field expressions they stand for (schema/domain/cron_descriptors.py). */
const NAMED: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000 }
const MIN_EVERY_MS = 60_000
const MAX_EVERY_MS = 366 * 24 * 3_600_000

/** The interval of `@every <duration>` in ms (h, m, s units as Go writes them); a string says why not. */
export function everyInterval(expression: string): number | string | null {
  const [head, ...rest] = normalizeExpression(expression).split(' ')
  if (head !== '@every') return null
  const duration = rest.join('')
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)]
  if (!duration || parts.map((p) => p[0]).join('') !== duration) return 'give a duration such as 2h, 30m or 1h30m'
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]], 0)
  if (ms < MIN_EVERY_MS || ms > MAX_EVERY_MS) return 'between 1 minute and 366 days'
  return ms
}

/** The 5-field expression to compute with: a named descriptor's, or the expression itself. */
function fieldsOf(expression: string): string {
  return NAMED[expression] ?? expression
}

function cron(expression: string, timezone?: string): Cron {
  return new Cron(expression, { mode: '5-part', timezone, fixedTimeRule: 'no-wildcard', paused: true })
}

/** Whether `text` is a 5-field expression the server would take (minute hour day-of-month month day-of-week). */
export function checkExpression(text: string): ExpressionCheck {
  const expression = normalizeExpression(text)
  if (!expression) return { ok: false, problem: 'empty' }
  if (expression.startsWith('@')) {
    if (NAMED[expression]) return { ok: true, expression }
    const every = everyInterval(expression)
    if (typeof every === 'number') return { ok: true, expression }
    return { ok: false, problem: 'invalid', detail: every ?? `use ${Object.keys(NAMED).join(', ')} or @every <duration>` }
  }
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
  const every = everyInterval(check.expression)
  if (typeof every === 'number') return Array.from({ length: count }, (_, i) => new Date(from.getTime() + (i + 1) * every))
  try {
    return cron(fieldsOf(check.expression), timezone).nextRuns(count, from)
  } catch {
    return []
  }
}

/** "At 09:00, Monday through Friday" / "在09:00, 星期一至星期五"; null when it cannot be read. */
export function describeExpression(expression: string, locale: 'en' | 'zh'): string | null {
  const check = checkExpression(expression)
  if (!check.ok) return null
  if (typeof everyInterval(check.expression) === 'number') {
    const duration = check.expression.slice('@every '.length)
    return locale === 'zh' ? `每隔 ${duration}（从上次运行起算）` : `Every ${duration}, counted from the previous run`
  }
  try {
    return cronstrue.toString(fieldsOf(check.expression), {
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
