import { describe, expect, it } from 'vitest'
import { CombinedError } from '@urql/vue'
import { GraphQLError } from 'graphql'
import { fieldMessage, isFieldError } from './fieldError'

const bad = (field: string) => new CombinedError({ graphQLErrors: [new GraphQLError('name: too long', { extensions: { code: 'BAD_INPUT', field } })] })

describe('fieldMessage', () => {
  it('gives the message for the field the API named, with or without an input. prefix', () => {
    expect(fieldMessage(bad('name'), 'name')).toBe('name: too long')
    expect(fieldMessage(bad('input.name'), 'name')).toBe('name: too long')
    expect(fieldMessage(bad('name'), 'scope')).toBeNull()
    expect(fieldMessage(null, 'name')).toBeNull()
  })

  it('tells the form whether a banner is needed', () => {
    expect(isFieldError(bad('taskId'), ['name', 'taskId'])).toBe(true)
    expect(isFieldError(new CombinedError({ networkError: new Error('down') }), ['name'])).toBe(false)
  })
})
