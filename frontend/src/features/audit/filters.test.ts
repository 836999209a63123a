import { describe, expect, it } from 'vitest'
import { diffRows, emptyFilters, filtersFromQuery, filtersToQuery, filtersToVariables, isoToLocalInput, localInputToIso, showValue } from './filters'

describe('URL ⇄ filters', () => {
  it('round-trips through the query, leaving empty filters out', () => {
    const filters = { ...emptyFilters(), action: 'user.update', actor: 'admin', since: '2024-05-01T08:00:00.000Z' }
    const query = filtersToQuery(filters)
    expect(query).toEqual({ action: 'user.update', actor: 'admin', since: '2024-05-01T08:00:00.000Z' })
    expect(filtersFromQuery(query as Record<string, string>)).toEqual(filters)
  })

  it('takes the first of repeated parameters, trims, and drops unreadable times', () => {
    const filters = filtersFromQuery({ action: ['login', 'x'], objectId: ' 7 ', until: 'not a date', page: '3' })
    expect(filters).toEqual({ ...emptyFilters(), action: 'login', objectId: '7' })
  })
})

describe('filtersToVariables', () => {
  it('sends no filter object when only times are set', () => {
    expect(filtersToVariables({ ...emptyFilters(), until: '2024-05-02T00:00:00Z' })).toEqual({ filter: null, since: null, until: '2024-05-02T00:00:00.000Z' })
  })

  it('maps the form fields onto AuditLogFilter', () => {
    const vars = filtersToVariables({ action: ' api_key.revoke ', actor: 'alice', objectType: 'api_key', objectId: '12', since: '', until: '' })
    expect(vars).toEqual({ filter: { action: 'api_key.revoke', actorName: 'alice', objectType: 'api_key', objectId: '12' }, since: null, until: null })
  })
})

describe('datetime-local conversion', () => {
  it('round-trips a local minute through ISO', () => {
    const iso = localInputToIso('2024-03-10T14:05')
    expect(iso).toMatch(/^2024-03-1\dT\d\d:05:00\.000Z$/)
    expect(isoToLocalInput(iso)).toBe('2024-03-10T14:05')
  })

  it('gives empty strings for empty or bad input', () => {
    expect(localInputToIso('')).toBe('')
    expect(localInputToIso('2024-13-45T99:99')).toBe('')
    expect(isoToLocalInput('garbage')).toBe('')
  })
})

describe('diffRows', () => {
  it('turns {field: [before, after]} into rows', () => {
    expect(diffRows({ role: ['MEMBER', 'ADMIN'], password: ['********', '********'] })).toEqual([
      { field: 'role', before: 'MEMBER', after: 'ADMIN' },
      { field: 'password', before: '********', after: '********' },
    ])
  })

  it('refuses other shapes', () => {
    expect(diffRows({ role: 'ADMIN' })).toBeNull()
    expect(diffRows([1, 2])).toBeNull()
    expect(diffRows(null)).toBeNull()
  })

  it('shows strings plainly and the rest as pretty JSON', () => {
    expect(showValue('abc')).toBe('abc')
    expect(showValue(null)).toBe('—')
    expect(showValue({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}')
  })
})
