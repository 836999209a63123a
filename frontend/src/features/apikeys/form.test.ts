import { describe, expect, it } from 'vitest'
import { createKeyInput, emptyKeyForm, missingField } from './form'

describe('createKeyInput', () => {
  it('sends no target for an ALL key, even if one was picked before', () => {
    expect(createKeyInput({ name: '  ci  ', scope: 'ALL', taskId: 3, templateId: 4 })).toEqual({ name: 'ci', scope: 'ALL', taskId: null, templateId: null })
  })

  it('sends only the task for a TASK key and only the template for a TEMPLATE key', () => {
    expect(createKeyInput({ name: 'a', scope: 'TASK', taskId: 3, templateId: 4 })).toEqual({ name: 'a', scope: 'TASK', taskId: 3, templateId: null })
    expect(createKeyInput({ name: 'a', scope: 'TEMPLATE', taskId: 3, templateId: 4 })).toEqual({ name: 'a', scope: 'TEMPLATE', taskId: null, templateId: 4 })
  })
})

describe('missingField', () => {
  it('points at what is missing', () => {
    expect(missingField(emptyKeyForm())).toBe('name')
    expect(missingField({ name: 'x', scope: 'TASK', taskId: null, templateId: 1 })).toBe('taskId')
    expect(missingField({ name: 'x', scope: 'TEMPLATE', taskId: 1, templateId: null })).toBe('templateId')
    expect(missingField({ name: 'x', scope: 'ALL', taskId: null, templateId: null })).toBeNull()
  })
})

describe('an expiry', () => {
  it('is the start of the chosen day in this time zone, and left out when none is chosen', () => {
    const input = createKeyInput({ name: 'a', scope: 'ALL', taskId: null, templateId: null, expiresOn: '2031-03-04' })
    expect(input.expiresAt).toBe(new Date(2031, 2, 4).toISOString())
    expect(createKeyInput(emptyKeyForm())).not.toHaveProperty('expiresAt')
  })
})
