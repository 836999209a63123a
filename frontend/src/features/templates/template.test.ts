import { describe, expect, it } from 'vitest'
import type { TemplateDetailFragment } from '@/gql/graphql'
import {
  copyInput,
  exampleVariables,
  formOf,
  formSignature,
  initialSamples,
  insertPlaceholder,
  placeholderErrorTarget,
  placeholderProblems,
  placeholdersIn,
  sampleVariables,
  undeclared,
  updateInput,
} from './template'

const saved: TemplateDetailFragment = {
  id: 3, ownerId: 1, name: 'Alert', description: '', title: '{{service}} is {{ state }}', textBody: 'At {{time}}: {{service}}',
  markdownBody: '', htmlBody: '<b>{{service}}</b>', placeholders: [{ key: 'service', label: 'Service', default: 'api' }, { key: 'state', label: '', default: '' }],
  mentionMobiles: ['138'], mentionUserIds: [], mentionAll: false, enabled: true, acceptLegacyToken: false, legacyToken: null,
  bindings: [{ id: 1, channelId: 2, channelName: 'ops', channelType: 'webhook', format: 'TEXT', options: {}, mentionMobiles: [], mentionUserIds: [], mentionAll: false, acceptsReceivers: false, enabled: true }],
  warnings: [], createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
}

describe('placeholdersIn', () => {
  it('finds keys like the API does, once each, in order', () => {
    expect(placeholdersIn('{{a}} {{ b.c }} {{a}}', '{{d-e}} {{1bad}} {{ }} {x}')).toEqual(['a', 'b.c', 'd-e'])
  })
})

describe('undeclared', () => {
  it('lists used keys missing from the table', () => {
    const form = formOf(saved)
    expect(undeclared(form, form.placeholders)).toEqual(['time'])
  })
})

describe('placeholderProblems', () => {
  it('flags duplicate and invalid keys', () => {
    const problems = placeholderProblems([
      { key: 'a', label: '', default: '' },
      { key: ' a ', label: '', default: '' },
      { key: '9x', label: '', default: '' },
    ])
    expect([...problems.duplicate]).toEqual(['a'])
    expect([...problems.invalid]).toEqual(['9x'])
  })
})

describe('samples', () => {
  it('start from defaults and keep typed values', () => {
    expect(initialSamples(saved.placeholders, { state: 'down' })).toEqual({ service: 'api', state: 'down' })
  })
  it('send only values typed in, so defaults and "missing" come from the API', () => {
    expect(sampleVariables({ service: 'db', state: '', other: 'x' }, ['service', 'state'])).toEqual({ service: 'db' })
  })
  it('fill every key for the API examples', () => {
    expect(exampleVariables(formOf(saved).placeholders, ['service', 'time'], { state: 'down' })).toEqual({ service: 'api', state: 'down', time: '' })
  })
})

describe('form', () => {
  const types = new Map()
  it('round-trips a saved template unchanged', () => {
    expect(formSignature(formOf(saved), types)).toBe(formSignature(formOf(saved), types))
    const input = updateInput(formOf(saved), types)
    expect(input.placeholders).toEqual(saved.placeholders)
    expect(input.bindings).toHaveLength(1)
  })
  it('notices an edit and cleans lists', () => {
    const form = formOf(saved)
    form.mentionMobiles = [' 138 ', '138', '']
    expect(updateInput(form, types).mentionMobiles).toEqual(['138'])
    expect(formSignature(form, types)).toBe(formSignature(formOf(saved), types))
    form.textBody += '!'
    expect(formSignature(form, types)).not.toBe(formSignature(formOf(saved), types))
  })
  it('copies everything but the name', () => {
    const input = copyInput(saved, 'Alert (copy)')
    expect(input.name).toBe('Alert (copy)')
    expect(input.htmlBody).toBe(saved.htmlBody)
    expect(input.placeholders).toEqual(saved.placeholders)
    expect(input.bindings?.[0].channelId).toBe(2)
    expect(input.mentionMobiles).toEqual(['138'])
  })
})

describe('insertPlaceholder', () => {
  it('replaces the selection and puts the caret after the token', () => {
    expect(insertPlaceholder('Hello world', 'name', 6, 11)).toEqual({ text: 'Hello {{name}}', caret: 14 })
    expect(insertPlaceholder('ab', 'k', 99)).toEqual({ text: 'ab{{k}}', caret: 7 })
  })
})

describe('placeholderErrorTarget', () => {
  it('finds the placeholder row an error is about, or the list as a whole', () => {
    expect(placeholderErrorTarget('placeholders.1.key')).toEqual({ index: 1 })
    expect(placeholderErrorTarget('input.placeholders.0')).toEqual({ index: 0 })
    expect(placeholderErrorTarget('placeholders')).toEqual({ index: -1 })
    expect(placeholderErrorTarget('bindings.0.format')).toBeNull()
    expect(placeholderErrorTarget(undefined)).toBeNull()
  })
})
