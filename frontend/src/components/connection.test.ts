import { describe, expect, it } from 'vitest'
import { mergeById } from './connection'

describe('mergeById', () => {
  it('appends new rows and replaces rows already shown, keeping their place', () => {
    const current = [{ id: 3, v: 'a' }, { id: 2, v: 'b' }]
    const merged = mergeById(current, [{ id: 2, v: 'B' }, { id: 1, v: 'c' }])
    expect(merged).toEqual([{ id: 3, v: 'a' }, { id: 2, v: 'B' }, { id: 1, v: 'c' }])
    expect(current[1].v).toBe('b')
  })
})
