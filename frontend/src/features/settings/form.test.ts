import { describe, expect, it } from 'vitest'
import {
  checkLogoFile,
  checkSiteForm,
  fromConfig,
  LOGO_DATA_URL_MAX_CHARS,
  parseLimit,
  readAsDataUrl,
  retentionChanges,
  retentionFormOf,
  retentionReset,
  siteChanges,
  siteFormOf,
} from './form'

const saved = { title: 'PushNest', logoUrl: null }
const retention = { days: 30, maxMessages: 1000000, inboxDays: 90, daysFromConfig: true, maxMessagesFromConfig: false, inboxDaysFromConfig: true }

describe('siteChanges', () => {
  it('sends nothing when nothing changed', () => {
    expect(siteChanges(saved, siteFormOf(saved))).toEqual({})
  })

  it('sends only the changed fields, trimmed', () => {
    expect(siteChanges(saved, { title: '  Ops Alerts ', logoUrl: '' })).toEqual({ title: 'Ops Alerts' })
    expect(siteChanges(saved, { title: 'PushNest', logoUrl: 'https://cdn.example.com/logo.png' })).toEqual({ logoUrl: 'https://cdn.example.com/logo.png' })
  })

  it('sends "" to remove a logo', () => {
    expect(siteChanges({ title: 'A', logoUrl: 'https://x.example/l.png' }, { title: 'A', logoUrl: '' })).toEqual({ logoUrl: '' })
  })
})

describe('checkSiteForm', () => {
  it('names the field at fault', () => {
    expect(checkSiteForm({ title: '  ', logoUrl: '' })).toEqual({ field: 'title', key: 'titleRequired' })
    expect(checkSiteForm({ title: 'x'.repeat(101), logoUrl: '' })?.key).toBe('titleTooLong')
    expect(checkSiteForm({ title: 'A', logoUrl: 'javascript:alert(1)' })).toEqual({ field: 'logoUrl', key: 'logoScheme' })
    expect(checkSiteForm({ title: 'A', logoUrl: `data:image/png;base64,${'A'.repeat(LOGO_DATA_URL_MAX_CHARS)}` })?.key).toBe('logoTooLarge')
    expect(checkSiteForm({ title: 'A', logoUrl: 'https://cdn.example.com/logo.svg' })).toBeNull()
    expect(checkSiteForm({ title: 'A', logoUrl: 'data:image/png;base64,iVBORw0KGgo=' })).toBeNull()
  })
})

describe('checkLogoFile', () => {
  it('takes images the API accepts, up to 200 KB as a data URL', () => {
    expect(checkLogoFile('image/png', 'data:image/png;base64,AAAA')).toBeNull()
    expect(checkLogoFile('image/svg+xml', 'data:image/svg+xml;base64,AAAA')).toBeNull()
    expect(checkLogoFile('application/pdf', 'data:application/pdf;base64,AAAA')).toBe('logoType')
    expect(checkLogoFile('image/png', 'x'.repeat(LOGO_DATA_URL_MAX_CHARS + 1))).toBe('logoTooLarge')
  })

  it('reads a file into a base64 data URL', async () => {
    const url = await readAsDataUrl(new Blob(['<svg xmlns="http://www.w3.org/2000/svg"/>'], { type: 'image/svg+xml' }))
    expect(url).toMatch(/^data:image\/svg\+xml;base64,/)
    expect(atob(url.split(',')[1])).toBe('<svg xmlns="http://www.w3.org/2000/svg"/>')
  })
})

describe('retention', () => {
  it('parses whole numbers within range only', () => {
    expect(parseLimit(' 0 ', 10)).toBe(0)
    expect(parseLimit('10', 10)).toBe(10)
    expect(parseLimit('11', 10)).toBeNull()
    expect(parseLimit('1.5', 10)).toBeNull()
    expect(parseLimit('-1', 10)).toBeNull()
    expect(parseLimit('', 10)).toBeNull()
    expect(parseLimit(7, 10)).toBe(7)
    expect(parseLimit(-1, 10)).toBeNull()
    expect(parseLimit(2.5, 10)).toBeNull()
  })

  it('sends only changed values under the API field names', () => {
    const form = { ...retentionFormOf(retention), days: '7', inboxDays: '0' }
    expect(retentionChanges(retention, form)).toEqual({ input: { retentionDays: 7, inboxRetentionDays: 0 }, invalid: null })
    expect(retentionChanges(retention, retentionFormOf(retention))).toEqual({ input: {}, invalid: null })
  })

  it('points at the first bad value and sends nothing', () => {
    expect(retentionChanges(retention, { days: '7', maxMessages: 'lots', inboxDays: '40000' })).toEqual({ input: {}, invalid: 'maxMessages' })
    expect(retentionChanges(retention, { days: '7', maxMessages: '5', inboxDays: '40000' }).invalid).toBe('inboxDays')
  })

  it('resets one value with an explicit null', () => {
    expect(retentionReset('maxMessages')).toEqual({ retentionMaxMessages: null })
    expect(retentionReset('days')).toEqual({ retentionDays: null })
  })

  it('knows where each value comes from', () => {
    expect(fromConfig(retention, 'days')).toBe(true)
    expect(fromConfig(retention, 'maxMessages')).toBe(false)
  })
})
