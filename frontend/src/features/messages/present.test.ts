import { describe, expect, it } from 'vitest'
import { excerpt, formatLogTime, formatMs, htmlToText, markdownToText, prettyJson, progressOf, progressWidths, resendable, unknownOutcomes } from './present'

describe('excerpt', () => {
  it('prefers the plain text body and clips it', () => {
    const e = excerpt({ title: ' Deploy ', text: 'a'.repeat(20), markdown: '# no', html: '' }, 10)
    expect(e).toEqual({ title: 'Deploy', body: 'aaaaaaaaa…' })
  })

  it('falls back to markdown, then HTML, as plain text', () => {
    expect(excerpt({ title: '', text: ' ', markdown: '## Build **green**\n- see [log](http://x)', html: '' }).body).toBe('Build green see log')
    expect(excerpt({ title: '', text: '', markdown: '', html: '<p>Tom &amp; <b>Jerry</b></p><script>x()</script>' }).body).toBe('Tom & Jerry')
  })

  it('strips markup helpers directly', () => {
    expect(htmlToText('a<br/>b').replace(/\s+/g, ' ')).toBe('a b')
    expect(markdownToText('> quoted `code`')).toBe('quoted code')
  })
})

describe('formatMs', () => {
  it('picks a readable unit', () => {
    expect(formatMs(null, 'en')).toBe('—')
    expect(formatMs(850.4, 'en')).toBe('850 ms')
    expect(formatMs(1234, 'en')).toBe('1.23 s')
    expect(formatMs(95_000, 'en')).toBe('1.6 min')
  })
})

describe('progress', () => {
  const ds = (...statuses: Parameters<typeof progressOf>[0][number]['status'][]) => statuses.map((status) => ({ status }))

  it('counts unknown outcomes as failed, like the server', () => {
    expect(progressOf(ds('SUCCEEDED', 'FAILED', 'UNKNOWN', 'RETRYING', 'QUEUED'))).toEqual({ total: 5, succeeded: 1, failed: 2, remaining: 2 })
    expect(resendable(ds('SUCCEEDED', 'FAILED', 'UNKNOWN', 'PARTIAL'))).toBe(2)
    expect(unknownOutcomes(ds('SUCCEEDED', 'FAILED', 'UNKNOWN', 'UNKNOWN'))).toBe(2)
  })

  it('gives bar widths that never pass 100%', () => {
    expect(progressWidths({ total: 3, succeeded: 2, failed: 1, remaining: 0 })).toEqual({ succeeded: 66.6, failed: 33.3 })
    expect(progressWidths({ total: 0, succeeded: 0, failed: 0, remaining: 0 })).toEqual({ succeeded: 0, failed: 0 })
  })
})

describe('formatLogTime', () => {
  it('leaves out the year only for this year', () => {
    const now = new Date('2025-06-01T00:00:00Z')
    expect(formatLogTime('2025-03-01T10:00:05Z', 'en', now)).not.toMatch(/2025/)
    expect(formatLogTime('2024-03-01T10:00:05Z', 'en', now)).toMatch(/2024/)
    expect(formatLogTime('garbage', 'en', now)).toBe('garbage')
  })
})

describe('prettyJson', () => {
  it('pretty-prints non-empty variables only', () => {
    expect(prettyJson({})).toBe('')
    expect(prettyJson(null)).toBe('')
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}')
  })
})
