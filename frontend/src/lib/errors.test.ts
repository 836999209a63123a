import { CombinedError } from '@urql/vue'
import { describe, expect, it } from 'vitest'
import { apiProblem, errorText } from './errors'

const t = (key: string) => `<${key}>`

describe('errorText', () => {
  it('gives the API its own words, and one translated sentence for a network failure', () => {
    const refused = new CombinedError({ graphQLErrors: [{ message: 'no task with this id', extensions: { code: 'NOT_FOUND' } }] })
    expect(errorText(refused, t)).toBe('no task with this id')
    expect(errorText(new CombinedError({ networkError: new Error('down') }), t)).toBe('<common.networkError>')
    expect(errorText(null, t)).toBeNull()
  })

  it('reads the code and field of a BAD_INPUT error', () => {
    const bad = new CombinedError({ graphQLErrors: [{ message: 'too long', extensions: { code: 'BAD_INPUT', field: 'name' } }] })
    expect(apiProblem(bad)).toEqual({ message: 'too long', code: 'BAD_INPUT', field: 'name' })
  })
})
