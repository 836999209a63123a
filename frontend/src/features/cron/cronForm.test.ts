import { describe, expect, it } from 'vitest'
import { buildInput, buildPayload, emptyForm, formFieldOf, formFromJob, validateCron, type CronFormModel } from './cronForm'

const base = (over: Partial<CronFormModel> = {}): CronFormModel => ({ ...emptyForm('Europe/Berlin'), name: 'Daily report', taskId: 3, ...over })

describe('buildInput', () => {
  it('sends a task job with only the content that is filled', () => {
    const model = base({ expression: ' 0  9 * * 1-5 ', content: { title: ' Report ', text: 'All good', markdown: '', html: '  ', url: '' } })
    expect(buildInput(model)).toEqual({
      name: 'Daily report', expression: '0 9 * * 1-5', taskId: 3, templateId: null, timezone: 'Europe/Berlin',
      payload: { title: 'Report', text: 'All good' }, enabled: true,
    })
  })

  it('sends a template job with its variables and no task', () => {
    const model = base({ mode: 'template', templateId: 8, variables: { host: 'db1', empty: '' } })
    const input = buildInput(model)
    expect(input.taskId).toBeNull()
    expect(input.templateId).toBe(8)
    expect(input.payload).toEqual({ variables: { host: 'db1' } })
  })

  it('never mixes task content into a template payload', () => {
    const model = base({ mode: 'template', templateId: 8, content: { title: 't', text: 'x', markdown: '', html: '', url: '' } })
    expect(buildPayload(model)).toEqual({ variables: {} })
  })
})

describe('formFromJob', () => {
  it('reads a task job back', () => {
    const form = formFromJob({ name: 'n', taskId: 1, templateId: null, expression: '0 * * * *', timezone: 'UTC', enabled: false, payload: { title: 'T', markdown: '**m**' } })
    expect(form.mode).toBe('task')
    expect(form.content).toEqual({ title: 'T', text: '', markdown: '**m**', html: '', url: '' })
    expect(form.enabled).toBe(false)
  })

  it('reads a template job back, variables as text', () => {
    const form = formFromJob({ name: 'n', taskId: null, templateId: 4, expression: '0 * * * *', timezone: 'UTC', enabled: true, payload: { variables: { a: 'x', n: 5 } } })
    expect(form.mode).toBe('template')
    expect(form.variables).toEqual({ a: 'x', n: '5' })
  })
})

describe('validateCron', () => {
  it('passes a complete task job', () => {
    expect(validateCron(base({ content: { title: '', text: 'hi', markdown: '', html: '', url: 'https://x.io' } }))).toEqual({})
  })

  it('names every problem', () => {
    const model = base({ name: ' ', taskId: null, expression: '0 0 9 * * *', timezone: 'Nowhere/City', content: { title: 't', text: '', markdown: '', html: '', url: 'ftp://x' } })
    expect(validateCron(model)).toEqual({ name: 'required', target: 'target', expression: 'fieldCount', timezone: 'timezone', body: 'body', url: 'url' })
  })

  it('does not ask a template job for a body', () => {
    expect(validateCron(base({ mode: 'template', templateId: 2 }))).toEqual({})
    expect(validateCron(base({ mode: 'template', templateId: null })).target).toBe('target')
  })
})

describe('formFieldOf', () => {
  it('places API field errors under their input', () => {
    expect(formFieldOf('expression')).toBe('expression')
    expect(formFieldOf('taskId')).toBe('target')
    expect(formFieldOf('templateId')).toBe('target')
    expect(formFieldOf('payload.url')).toBe('url')
    expect(formFieldOf('payload')).toBe('body')
    expect(formFieldOf('payload.variables')).toBe('variables')
    expect(formFieldOf('first')).toBeNull()
    expect(formFieldOf(undefined)).toBeNull()
  })
})
