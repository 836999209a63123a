import { describe, expect, it } from 'vitest'
import { copyName, createCopy, MAX_NAME, nameTaken } from './copyName'

const t = (key: string, named?: Record<string, unknown>): string => (key.endsWith('N') ? `${named?.name} (copy ${named?.n})` : `${named?.name} (copy)`)
const conflict = { graphQLErrors: [{ extensions: { code: 'CONFLICT', field: 'name' } }] }

describe('copyName', () => {
  it('adds the suffix, numbered after the first try', () => {
    expect(copyName(t, 'Deploys')).toBe('Deploys (copy)')
    expect(copyName(t, 'Deploys', 3)).toBe('Deploys (copy 3)')
  })
  it('shortens a long name so the result fits the API limit', () => {
    const long = 'x'.repeat(99)
    const copy = copyName(t, long, 2)
    expect(copy.length).toBeLessThanOrEqual(MAX_NAME)
    expect(copy.endsWith(' (copy 2)')).toBe(true)
  })
})

describe('createCopy', () => {
  it('tries the next number while the name is taken', async () => {
    const taken = new Set(['A (copy)', 'A (copy 2)'])
    const tried: string[] = []
    const result = await createCopy(t, 'A', async (name) => {
      tried.push(name)
      return taken.has(name) ? { error: conflict } : { error: undefined, name }
    })
    expect(tried).toEqual(['A (copy)', 'A (copy 2)', 'A (copy 3)'])
    expect(result).toEqual({ error: undefined, name: 'A (copy 3)' })
  })
  it('stops at another error', async () => {
    let calls = 0
    const other = { graphQLErrors: [{ extensions: { code: 'BAD_INPUT', field: 'bindings.0.channelId' } }] }
    const result = await createCopy(t, 'A', async () => {
      calls++
      return { error: other }
    })
    expect(calls).toBe(1)
    expect(result.error).toBe(other)
  })
  it('gives up after a few tries', async () => {
    let calls = 0
    await createCopy(t, 'A', async () => ({ error: (calls++, conflict) }), 4)
    expect(calls).toBe(4)
  })
})

describe('nameTaken', () => {
  it('recognises only a name conflict', () => {
    expect(nameTaken(conflict)).toBe(true)
    expect(nameTaken({ graphQLErrors: [{ extensions: { code: 'BAD_INPUT', field: 'name' } }] })).toBe(false)
    expect(nameTaken(null)).toBe(false)
  })
})
