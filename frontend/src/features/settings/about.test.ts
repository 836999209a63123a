import { describe, expect, it } from 'vitest'
import { mebibytes, uptimeParts } from './about'

describe('about panel figures', () => {
  it('splits an uptime into days, hours and minutes', () => {
    expect(uptimeParts(0)).toEqual({ d: 0, h: 0, m: 0 })
    expect(uptimeParts(59)).toEqual({ d: 0, h: 0, m: 0 })
    expect(uptimeParts(2 * 86_400 + 3 * 3600 + 4 * 60 + 5)).toEqual({ d: 2, h: 3, m: 4 })
    expect(uptimeParts(-3)).toEqual({ d: 0, h: 0, m: 0 })
  })

  it('shows memory in MiB', () => {
    expect(mebibytes(5 * 1_048_576 + 300_000)).toBe(5.3)
    expect(mebibytes(123.6 * 1_048_576)).toBe(124)
  })
})
