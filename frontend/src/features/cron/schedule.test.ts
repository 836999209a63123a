import { describe, expect, it } from 'vitest'
import { checkExpression, describeExpression, formatInZone, isTimeZone, nextRuns, normalizeExpression, timeZoneOptions } from './schedule'

describe('checkExpression', () => {
  it('takes 5 fields and collapses whitespace', () => {
    expect(checkExpression('  0  9 * *   1-5 ')).toEqual({ ok: true, expression: '0 9 * * 1-5' })
    expect(normalizeExpression(' */5\t* * * * ')).toBe('*/5 * * * *')
  })

  it('refuses seconds and short expressions, saying how many fields it got', () => {
    expect(checkExpression('0 0 9 * * *')).toEqual({ ok: false, problem: 'fieldCount', count: 6 })
    expect(checkExpression('0 9 *')).toEqual({ ok: false, problem: 'fieldCount', count: 3 })
    expect(checkExpression('   ')).toEqual({ ok: false, problem: 'empty' })
  })

  it('refuses values out of range', () => {
    const check = checkExpression('61 * * * *')
    expect(check.ok).toBe(false)
    if (!check.ok) expect(check.problem).toBe('invalid')
    expect(checkExpression('0 25 * * *').ok).toBe(false)
  })
})

describe('nextRuns', () => {
  const from = new Date('2026-03-06T12:00:00Z') // a Friday

  it('reads the expression on the job zone wall clock', () => {
    const runs = nextRuns('0 9 * * 1-5', 'Asia/Shanghai', 3, from)
    expect(runs.map((d) => d.toISOString())).toEqual(['2026-03-09T01:00:00.000Z', '2026-03-10T01:00:00.000Z', '2026-03-11T01:00:00.000Z'])
  })

  it('keeps 09:00 local across a DST change', () => {
    const runs = nextRuns('0 9 * * *', 'America/New_York', 3, new Date('2026-03-07T12:00:00Z'))
    // US clocks go forward on 2026-03-08: 09:00 EST is 14:00Z, 09:00 EDT is 13:00Z.
    expect(runs.map((d) => d.toISOString())).toEqual(['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z'])
  })

  it('joins day-of-month and day-of-week with OR, like classic cron and the server', () => {
    const runs = nextRuns('0 0 13 * 5', 'UTC', 3, new Date('2026-03-01T00:00:00Z'))
    // Fridays (6th, 13th, 20th) and the 13th: the 13th is a Friday, so once.
    expect(runs.map((d) => d.toISOString().slice(0, 10))).toEqual(['2026-03-06', '2026-03-13', '2026-03-20'])
  })

  it('gives nothing for a bad expression or zone', () => {
    expect(nextRuns('nope', 'UTC', 5, from)).toEqual([])
    expect(nextRuns('0 9 * * *', 'Mars/Olympus', 5, from)).toEqual([])
  })
})

describe('describeExpression', () => {
  it('reads an expression in English and Chinese', () => {
    expect(describeExpression('0 9 * * 1-5', 'en')).toBe('At 09:00, Monday through Friday')
    expect(describeExpression('0 9 * * 1-5', 'zh')).toContain('星期一至星期五')
    expect(describeExpression('*/15 * * * *', 'en')).toBe('Every 15 minutes')
  })

  it('gives null for what it cannot read', () => {
    expect(describeExpression('0 9 *', 'en')).toBeNull()
  })
})

describe('time zones', () => {
  it('knows IANA names and lists UTC first with saved extras', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true)
    expect(isTimeZone('Europe/Nowhere')).toBe(false)
    const zones = timeZoneOptions(['Etc/GMT+5'])
    expect(zones[0]).toBe('UTC')
    expect(zones).toContain('Asia/Shanghai')
    expect(zones).toContain('Etc/GMT+5')
    expect(new Set(zones).size).toBe(zones.length)
  })

  it('formats a run on the job zone clock', () => {
    const text = formatInZone(new Date('2026-03-09T01:00:00Z'), 'Asia/Shanghai', 'en')
    expect(text).toContain('09:00')
    expect(text).toContain('Mar')
    expect(text).toContain('2026')
    const compact = formatInZone(new Date('2026-03-09T01:00:00Z'), 'Asia/Shanghai', 'en', true)
    expect(compact).toContain('09:00')
    expect(compact).not.toContain('2026')
  })
})

describe('descriptors (as Message Nest took them)', () => {
  const from = new Date('2026-03-06T12:00:00Z')

  it('takes named descriptors and @every with a duration', () => {
    expect(checkExpression(' @Daily ')).toEqual({ ok: true, expression: '@daily' })
    expect(checkExpression('@every  1h30m')).toEqual({ ok: true, expression: '@every 1h30m' })
    expect(checkExpression('@every 30s').ok).toBe(false)
    expect(checkExpression('@every 2 hours').ok).toBe(false)
    expect(checkExpression('@fortnightly').ok).toBe(false)
  })

  it('reads a named descriptor on the job zone wall clock', () => {
    expect(nextRuns('@daily', 'Asia/Shanghai', 1, from).map((d) => d.toISOString())).toEqual(['2026-03-06T16:00:00.000Z'])
    expect(describeExpression('@hourly', 'en')).toBe('Every hour')
  })

  it('counts @every from the previous run, not the clock', () => {
    expect(nextRuns('@every 2h', 'UTC', 2, new Date('2026-03-06T12:02:00Z')).map((d) => d.toISOString())).toEqual(['2026-03-06T14:02:00.000Z', '2026-03-06T16:02:00.000Z'])
    expect(describeExpression('@every 2h', 'en')).toBe('Every 2h, counted from the previous run')
    expect(describeExpression('@every 2h', 'zh')).toContain('每隔 2h')
  })
})
