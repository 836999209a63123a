import { describe, expect, it } from 'vitest'
import type { DeclaredFieldSpec } from '@/components/declaredFields'
import { buildConfig, configSummary, formFieldOf, parseReceivers, prettyVendorResponse, startValues, validateForm } from './channelForm'

const field = (over: Partial<DeclaredFieldSpec>): DeclaredFieldSpec => ({
  name: 'f', label: 'F', kind: 'STRING', required: false, default: null, help: null, options: [], ...over,
})

// The webhook type as the API declares it (trimmed to what matters here).
const webhook: DeclaredFieldSpec[] = [
  field({ name: 'url', label: 'URL', kind: 'STRING', required: true }),
  field({ name: 'method', label: 'Method', kind: 'SELECT', default: 'POST', options: ['POST', 'PUT', 'PATCH', 'GET'] }),
  field({ name: 'headers', label: 'Headers', kind: 'SECRET_TEXT' }),
  field({ name: 'body_template', label: 'Body template', kind: 'TEXT', default: '' }),
  field({ name: 'signing_secret', label: 'Signing secret', kind: 'SECRET' }),
  field({ name: 'tags', label: 'Tags', kind: 'STRING_LIST', default: [] }),
]
const telegram: DeclaredFieldSpec[] = [
  field({ name: 'bot_token', label: 'Bot token', kind: 'SECRET', required: true }),
  field({ name: 'chat_id', label: 'Chat id', kind: 'STRING', required: true }),
  field({ name: 'message_thread_id', label: 'Thread', kind: 'INTEGER' }),
  field({ name: 'base_url', label: 'Base URL', kind: 'STRING', default: 'https://api.telegram.org' }),
]

describe('startValues', () => {
  it('starts a new channel from the declared defaults', () => {
    const { values, storedSecrets } = startValues(webhook)
    expect(values).toEqual({ url: '', method: 'POST', headers: '', body_template: '', signing_secret: '', tags: [] })
    expect(storedSecrets).toEqual([])
  })

  it('fills an edit from the masked config, secrets blank but remembered as stored', () => {
    const { values, storedSecrets } = startValues(telegram, { bot_token: '********', chat_id: '-100', message_thread_id: null, base_url: 'https://tg.example' })
    expect(values.bot_token).toBe('')
    expect(values.chat_id).toBe('-100')
    expect(values.message_thread_id).toBeNull()
    expect(values.base_url).toBe('https://tg.example')
    expect(storedSecrets).toEqual(['bot_token'])
  })

  it('does not count an unset optional secret as stored', () => {
    expect(startValues(webhook, { url: 'https://x', signing_secret: null }).storedSecrets).toEqual([])
  })

  it('treats multi-line secrets (webhook headers) as write-only too', () => {
    const { values, storedSecrets } = startValues(webhook, { url: 'https://x', headers: '********', signing_secret: null })
    expect(values.headers).toBe('')
    expect(storedSecrets).toEqual(['headers'])
    expect(buildConfig(webhook, values)).not.toHaveProperty('headers')
    expect(validateForm('hook', [field({ name: 'headers', kind: 'SECRET_TEXT', required: true })], values, storedSecrets)).toEqual({})
  })

  it('copies lists so editing does not change the list shown in the table', () => {
    const config = { url: 'https://x', tags: ['a'] }
    const { values } = startValues(webhook, config)
    ;(values.tags as string[]).push('b')
    expect(config.tags).toEqual(['a'])
  })
})

describe('buildConfig', () => {
  it('sends every set value with its JSON type', () => {
    const values = { url: ' https://hook.example/x ', method: 'PUT', headers: 'X-A: 1\nX-B: 2', body_template: '{"t":"{{title}}"}', signing_secret: 's3cret', tags: ['a', ' '] }
    expect(buildConfig(webhook, values)).toEqual({
      url: 'https://hook.example/x', method: 'PUT', headers: 'X-A: 1\nX-B: 2', body_template: '{"t":"{{title}}"}', signing_secret: 's3cret', tags: ['a'],
    })
  })

  it('leaves out a blank secret, so the API keeps the stored one', () => {
    const { values } = startValues(telegram, { bot_token: '********', chat_id: '42', message_thread_id: null, base_url: 'https://api.telegram.org' })
    const config = buildConfig(telegram, values)
    expect(config).not.toHaveProperty('bot_token')
    expect(config).toEqual({ chat_id: '42', base_url: 'https://api.telegram.org' })
  })

  it('leaves out empty optional values instead of sending null', () => {
    const config = buildConfig(telegram, { bot_token: 't', chat_id: '1', message_thread_id: null, base_url: '' })
    expect(config).toEqual({ bot_token: 't', chat_id: '1' })
  })

  it('sends integers as numbers', () => {
    expect(buildConfig(telegram, { bot_token: 't', chat_id: '1', message_thread_id: '7', base_url: '' }).message_thread_id).toBe(7)
  })
})

describe('validateForm', () => {
  it('names the channel name and each required field left empty', () => {
    expect(validateForm(' ', telegram, { bot_token: '', chat_id: '', message_thread_id: null, base_url: '' })).toEqual({ name: 'required', bot_token: 'required', chat_id: 'required' })
  })

  it('accepts a blank required secret when one is stored', () => {
    expect(validateForm('tg', telegram, { bot_token: '', chat_id: '1' }, ['bot_token'])).toEqual({})
  })

  it('refuses a number that is not whole', () => {
    expect(validateForm('tg', telegram, { bot_token: 't', chat_id: '1', message_thread_id: 1.5 })).toEqual({ message_thread_id: 'integer' })
    expect(validateForm('tg', telegram, { bot_token: 't', chat_id: '1', message_thread_id: 'abc' })).toEqual({ message_thread_id: 'integer' })
  })

  it('needs an entry in a required list', () => {
    const fields = [field({ name: 'to', kind: 'STRING_LIST', required: true })]
    expect(validateForm('x', fields, { to: [] })).toEqual({ to: 'required' })
    expect(validateForm('x', fields, { to: ['a@b.c'] })).toEqual({})
  })
})

describe('formFieldOf', () => {
  it('maps the API field path to the declared field', () => {
    expect(formFieldOf('config.bodyTemplate', webhook)).toBe('body_template')
    expect(formFieldOf('config.headers.0', webhook)).toBe('headers')
    expect(formFieldOf('config.url', webhook)).toBe('url')
    expect(formFieldOf('name', webhook)).toBe('name')
  })

  it('returns null for errors about the form as a whole', () => {
    expect(formFieldOf('config', webhook)).toBeNull()
    expect(formFieldOf('config.unknownKey', webhook)).toBeNull()
    expect(formFieldOf(undefined, webhook)).toBeNull()
  })
})

describe('configSummary', () => {
  it('shows required values first and skips defaults and secrets', () => {
    const config = { bot_token: '********', chat_id: '-1001', message_thread_id: 9, base_url: 'https://api.telegram.org' }
    expect(configSummary(telegram, config)).toEqual([
      { label: 'Chat id', value: '-1001' },
      { label: 'Thread', value: '9' },
    ])
  })

  it('shows a changed default and joins lists, never a secret', () => {
    const config = { url: 'https://h', method: 'POST', headers: '********', tags: ['a', 'b'] }
    expect(configSummary(webhook, config, 3)).toEqual([
      { label: 'URL', value: 'https://h' },
      { label: 'Tags', value: 'a, b' },
    ])
  })
})

describe('parseReceivers / prettyVendorResponse', () => {
  it('splits receivers and drops repeats', () => {
    expect(parseReceivers('a@x.io, b@x.io\nA@x.io;a@x.io')).toEqual(['a@x.io', 'b@x.io', 'A@x.io'])
    expect(parseReceivers('  ')).toEqual([])
  })

  it('indents JSON and leaves other text alone', () => {
    expect(prettyVendorResponse('{"errcode":0,"errmsg":"ok"}')).toBe('{\n  "errcode": 0,\n  "errmsg": "ok"\n}')
    expect(prettyVendorResponse('HTTP 502 Bad Gateway')).toBe('HTTP 502 Bad Gateway')
    expect(prettyVendorResponse('{not json')).toBe('{not json')
  })
})
