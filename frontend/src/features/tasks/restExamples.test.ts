import { describe, expect, it } from 'vitest'
import { buildRestExample, encodeLegacyToken, REST_LANGS, restBody, restPath, type RestTarget } from './restExamples'

const task: RestTarget = { mode: 'task', id: 4, title: "It's done", text: 'v1.2 "live"' }
const template: RestTarget = { mode: 'template', id: 9, title: 'Release', placeholders: { service: "db's" } }
const origin = 'https://push.example.com'

describe('encodeLegacyToken', () => {
  it('encodes ids as Message Nest did (schema/legacy_token.py makes the same tokens)', () => {
    // Computed with schema.legacy_token.encode.
    expect(encodeLegacyToken('TKabcdefghij')).toBe('f9eaf6ddd9d9dddd21212d2d29')
    expect(encodeLegacyToken('9')).toBe('3947')
  })
})

describe('restBody', () => {
  it('uses the token alone while it is accepted, the id with a key otherwise', () => {
    expect(restBody(task, { origin, legacyToken: 'abcd', apiKey: null })).toEqual({ token: 'abcd', title: "It's done", text: 'v1.2 "live"' })
    expect(restBody(task, { origin, legacyToken: null, apiKey: null })).toEqual({ task_id: '4', title: "It's done", text: 'v1.2 "live"' })
    expect(restBody(template, { origin, legacyToken: null, apiKey: null })).toEqual({ token: encodeLegacyToken('9'), title: 'Release', placeholders: { service: "db's" } })
    expect(restPath(task)).toBe('/api/v1/message/send')
    expect(restPath(template)).toBe('/api/v2/message/send')
  })
})

describe('buildRestExample', () => {
  it('has every language, with a key only when the token is not accepted', () => {
    for (const lang of REST_LANGS) {
      const withToken = buildRestExample(lang, task, { origin, legacyToken: 'abcd', apiKey: null })
      expect(withToken).toContain('abcd')
      expect(withToken).not.toContain('Bearer')
      expect(withToken).not.toContain('PUSHNEST_API_KEY')
      const withKey = buildRestExample(lang, task, { origin, legacyToken: null, apiKey: 'pn_secret' })
      expect(withKey).toContain('pn_secret')
      expect(withKey).not.toContain('abcd')
    }
  })

  it('keeps quotes intact in every language', () => {
    expect(buildRestExample('php', task, { origin, legacyToken: 'abcd', apiKey: null })).toContain(`It\\'s done`)
    expect(buildRestExample('java', task, { origin, legacyToken: 'abcd', apiKey: null })).toContain('\\"text\\":')
    expect(buildRestExample('curl', task, { origin, legacyToken: 'abcd', apiKey: null })).toContain(`It'\\''s done`)
    expect(buildRestExample('shell', task, { origin, legacyToken: 'abcd', apiKey: null })).toContain(`--data-urlencode 'token=abcd'`)
  })
})
