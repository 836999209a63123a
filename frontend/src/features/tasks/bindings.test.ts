import { describe, expect, it } from 'vitest'
import {
  bindingErrorTarget,
  bindingInput,
  bindingsSignature,
  draftFromBinding,
  inputsOfSaved,
  mentionSummary,
  newDraft,
  type BindingChannelType,
} from './bindings'

const dingtalk: BindingChannelType = {
  key: 'dingtalk',
  label: 'DingTalk robot',
  formats: ['MARKDOWN', 'TEXT'],
  mentions: ['ALL', 'MOBILES', 'USER_IDS'],
  supportsReceivers: false,
  receiverKind: null,
  maxBodyBytes: 20000,
  bindingFields: [{ name: 'msgtype', label: 'Message type', kind: 'SELECT', required: false, default: 'auto', help: null, options: ['auto', 'markdown', 'text'] }],
}
const email: BindingChannelType = {
  key: 'email',
  label: 'Email',
  formats: ['HTML', 'TEXT'],
  mentions: [],
  supportsReceivers: true,
  receiverKind: 'email',
  maxBodyBytes: null,
  bindingFields: [
    { name: 'to', label: 'To', kind: 'STRING_LIST', required: false, default: [], help: null, options: [] },
    { name: 'subject', label: 'Subject', kind: 'STRING', required: false, default: null, help: null, options: [] },
  ],
}
const channel = (type: string) => ({ id: 7, ownerId: 1, name: 'ops', type, enabled: true })

describe('newDraft', () => {
  it('starts from the type: first format, declared defaults, receivers on when supported', () => {
    const draft = newDraft(channel('dingtalk'), dingtalk)
    expect(draft.format).toBe('MARKDOWN')
    expect(draft.options).toEqual({ msgtype: 'auto' })
    expect(draft.acceptsReceivers).toBe(false)
    expect(newDraft(channel('email'), email).acceptsReceivers).toBe(true)
  })
  it('gives every draft its own key', () => {
    expect(newDraft(channel('email'), email).key).not.toBe(newDraft(channel('email'), email).key)
  })
})

describe('bindingInput', () => {
  it('leaves out what the type cannot do', () => {
    const draft = { ...newDraft(channel('email'), email), format: 'MARKDOWN' as const, mentionMobiles: ['138'], mentionAll: true }
    const input = bindingInput(draft, email)
    expect(input.format).toBe('HTML')
    expect(input.mentionMobiles).toEqual([])
    expect(input.mentionAll).toBe(false)
    expect(input.acceptsReceivers).toBe(true)
  })
  it('never asks for per-call receivers on a type without them', () => {
    const draft = { ...newDraft(channel('dingtalk'), dingtalk), acceptsReceivers: true }
    expect(bindingInput(draft, dingtalk).acceptsReceivers).toBe(false)
  })
  it('cleans mention lists and normalizes options', () => {
    const draft = {
      ...newDraft(channel('email'), email),
      options: { to: [' a@x.io ', ''], subject: '  ' },
    }
    expect(bindingInput(draft, email).options).toEqual({ to: ['a@x.io'], subject: null })
    const ding = { ...newDraft(channel('dingtalk'), dingtalk), mentionMobiles: [' 1380 ', '1380', ''], mentionUserIds: ['u1'] }
    const input = bindingInput(ding, dingtalk)
    expect(input.mentionMobiles).toEqual(['1380'])
    expect(input.mentionUserIds).toEqual(['u1'])
  })
})

describe('saved bindings', () => {
  const saved = {
    id: 3, channelId: 9, channelName: 'mail', channelType: 'email', format: 'TEXT' as const,
    options: { to: ['a@x.io'] }, mentionMobiles: [], mentionUserIds: [], mentionAll: false, acceptsReceivers: true, enabled: false,
  }
  it('round-trip to the same input', () => {
    expect(inputsOfSaved([saved])).toEqual([
      { channelId: 9, format: 'TEXT', options: { to: ['a@x.io'] }, mentionMobiles: [], mentionUserIds: [], mentionAll: false, acceptsReceivers: true, enabled: false },
    ])
  })
  it('do not share option objects with the draft', () => {
    const draft = draftFromBinding(saved)
    ;(draft.options.to as string[]).push('b@x.io')
    draft.options.extra = 1
    expect(saved.options).toEqual({ to: ['a@x.io'] })
  })
  it('have a signature that changes with an edit', () => {
    const types = new Map([['email', email]])
    const a = [draftFromBinding(saved)]
    const b = [{ ...draftFromBinding(saved), enabled: true }]
    expect(bindingsSignature(a, types)).toBe(bindingsSignature([draftFromBinding(saved)], types))
    expect(bindingsSignature(a, types)).not.toBe(bindingsSignature(b, types))
  })
})

describe('bindingErrorTarget', () => {
  it('finds the binding an API error names', () => {
    expect(bindingErrorTarget('bindings.2.format')).toEqual({ index: 2, path: 'format' })
    expect(bindingErrorTarget('input.bindings.0.options.to')).toEqual({ index: 0, path: 'options.to' })
    expect(bindingErrorTarget('bindings.1')).toEqual({ index: 1, path: '' })
    expect(bindingErrorTarget('bindings')).toBeNull()
    expect(bindingErrorTarget('name')).toBeNull()
    expect(bindingErrorTarget(null)).toBeNull()
  })
})

describe('mentionSummary', () => {
  it('lists @all first, then mobiles and user ids', () => {
    expect(mentionSummary({ mentionAll: true, mentionMobiles: ['138'], mentionUserIds: ['bob'] })).toEqual(['@all', '@138', '@bob'])
    expect(mentionSummary({ mentionAll: false, mentionMobiles: [], mentionUserIds: [] })).toEqual([])
  })
})
