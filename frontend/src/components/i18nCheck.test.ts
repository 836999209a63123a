import { describe, expect, it } from 'vitest'
import { messageProblems } from './i18nCheck'

describe('messageProblems', () => {
  it('passes matching, compilable messages', () => {
    expect(messageProblems({ a: 'Hi {name}', b: { c: "mail {'@'} x" } }, { a: '你好 {name}', b: { c: "邮件 {'@'} x" } })).toEqual([])
  })

  it('finds missing keys, differing placeholders and messages that do not compile', () => {
    const problems = messageProblems({ a: 'Hi {name}', b: 'x @ y', c: 'one | two', d: 'open {', only: 'x' }, { a: '你好 {n}', b: 'x', c: 'x', d: 'x', extra: 'y' } as never)
    expect(problems).toEqual(
      expect.arrayContaining([
        'zh lacks only',
        'en lacks extra',
        'a: placeholders differ between en and zh',
        'en c: "|" splits the message into plural forms',
        'en d: unbalanced braces',
      ]),
    )
    expect(problems.some((p) => p.startsWith('en b: SyntaxError'))).toBe(true)
  })
})
