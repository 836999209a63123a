import { describe, expect, it } from 'vitest'
import { sessionEnded } from './client'

describe('sessionEnded', () => {
  it('is the server ending the sign-in (4403), not a network drop or a normal close', () => {
    expect(sessionEnded({ code: 4403, reason: 'Forbidden' })).toBe(true)
    expect(sessionEnded({ code: 1006 })).toBe(false)
    expect(sessionEnded({ code: 1000 })).toBe(false)
    expect(sessionEnded(new Error('socket hang up'))).toBe(false)
    expect(sessionEnded(null)).toBe(false)
  })
})
