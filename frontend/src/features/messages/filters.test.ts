import { describe, expect, it } from 'vitest'
import {
  EMPTY_FILTERS,
  eventMayMatch,
  filtersFromQuery,
  filtersToQuery,
  filtersToVariables,
  hasFilters,
  isoToLocalInput,
  localInputToIso,
  matchesFilter,
  type FilterableMessage,
} from './filters'

const message: FilterableMessage = {
  status: 'FAILED',
  taskId: 3,
  templateId: null,
  title: 'Disk almost full',
  text: 'host db-1 at 93%',
  sourceName: 'Ops alerts',
  createdAt: '2025-03-01T10:00:00.000Z',
  deliveries: [{ channelId: 7 }, { channelId: null }],
}

describe('filters ↔ URL query', () => {
  it('round-trips every filter through the query', () => {
    const f = { ...EMPTY_FILTERS, status: 'PARTIAL' as const, taskId: 4, channelId: 9, range: 'custom' as const, since: '2025-03-01T00:00:00.000Z', until: '2025-03-02T00:00:00.000Z', search: 'disk' }
    const query = filtersToQuery(f)
    expect(query).toEqual({ status: 'partial', task: '4', channel: '9', range: 'custom', since: f.since, until: f.until, q: 'disk' })
    expect(filtersFromQuery(query as Record<string, string>)).toEqual(f)
  })

  it('leaves empty filters out of the URL', () => {
    expect(filtersToQuery(EMPTY_FILTERS)).toEqual({})
    expect(hasFilters(EMPTY_FILTERS)).toBe(false)
    expect(hasFilters({ ...EMPTY_FILTERS, search: '  ' })).toBe(false)
    expect(hasFilters({ ...EMPTY_FILTERS, range: '24h' })).toBe(true)
  })

  it('drops malformed values instead of sending them', () => {
    const f = filtersFromQuery({ status: 'exploded', task: 'abc', channel: '-2', range: 'forever', since: 'x', q: ['first', 'second'] })
    expect(f).toEqual({ ...EMPTY_FILTERS, search: 'first' })
  })

  it('keeps since/until only for a custom range', () => {
    const f = filtersFromQuery({ range: '7d', since: '2025-01-01T00:00:00Z' })
    expect(f.range).toBe('7d')
    expect(f.since).toBe('')
  })

  it('prefers a task over a template when a URL names both', () => {
    const f = filtersFromQuery({ task: '1', template: '2' })
    expect([f.taskId, f.templateId]).toEqual([1, null])
    expect(filtersFromQuery({ template: '2' }).templateId).toBe(2)
  })
})

describe('filtersToVariables', () => {
  const now = new Date('2025-03-10T12:00:00.000Z')

  it('anchors relative ranges at now', () => {
    expect(filtersToVariables({ ...EMPTY_FILTERS, range: '24h' }, now)).toEqual({ since: '2025-03-09T12:00:00.000Z' })
    expect(filtersToVariables({ ...EMPTY_FILTERS, range: '1h' }, now).since).toBe('2025-03-10T11:00:00.000Z')
  })

  it('passes ids, status, trimmed search and a custom range', () => {
    const vars = filtersToVariables(
      { ...EMPTY_FILTERS, status: 'FAILED', templateId: 5, channelId: 2, range: 'custom', since: 'a', until: 'b', search: '  x ' },
      now,
    )
    expect(vars).toEqual({ status: 'FAILED', templateId: 5, channelId: 2, since: 'a', until: 'b', search: 'x' })
  })

  it('sends nothing for no filters', () => {
    expect(filtersToVariables(EMPTY_FILTERS, now)).toEqual({})
  })
})

describe('matchesFilter', () => {
  it('admits a message every filter agrees with', () => {
    expect(matchesFilter(message, {})).toBe(true)
    expect(matchesFilter(message, { status: 'FAILED', taskId: 3, channelId: 7, search: 'DISK', since: '2025-03-01T09:00:00Z', until: '2025-03-01T11:00:00Z' })).toBe(true)
  })

  it.each([
    [{ status: 'SUCCEEDED' as const }],
    [{ taskId: 4 }],
    [{ templateId: 3 }],
    [{ channelId: 8 }],
    [{ since: '2025-03-01T10:00:01Z' }],
    [{ until: '2025-03-01T10:00:00Z' }],
    [{ search: 'memory' }],
  ])('refuses a message %j contradicts', (filter) => {
    expect(matchesFilter(message, filter)).toBe(false)
  })

  it('searches title, text and source name', () => {
    expect(matchesFilter(message, { search: 'ops ALERTS' })).toBe(true)
    expect(matchesFilter(message, { search: '93%' })).toBe(true)
  })
})

describe('eventMayMatch', () => {
  it('rules out events of another task or template', () => {
    expect(eventMayMatch({ taskId: 1, templateId: null, status: 'FAILED' }, { taskId: 2 })).toBe(false)
    expect(eventMayMatch({ taskId: null, templateId: 1, status: 'FAILED' }, { templateId: 1 })).toBe(true)
    expect(eventMayMatch({ taskId: 1, templateId: null, status: 'FAILED' }, { status: 'FAILED' })).toBe(true)
  })

  it('rules out a moving delivery when only finished messages are wanted', () => {
    expect(eventMayMatch({ taskId: 1, templateId: null, status: 'SENDING' }, { status: 'FAILED' })).toBe(false)
    expect(eventMayMatch({ taskId: 1, templateId: null, status: 'RETRYING' }, { status: 'SUCCEEDED' })).toBe(false)
    expect(eventMayMatch({ taskId: 1, templateId: null, status: 'SUCCEEDED' }, { status: 'PARTIAL' })).toBe(true)
    expect(eventMayMatch({ taskId: 1, templateId: null, status: 'QUEUED' }, { status: 'QUEUED' })).toBe(true)
    expect(eventMayMatch({ taskId: 1, templateId: null, status: 'SUCCEEDED' }, { status: 'SENDING' })).toBe(true)
  })
})

describe('datetime-local conversion', () => {
  it('round-trips through the local wall clock', () => {
    const iso = localInputToIso('2025-03-01T08:30')
    expect(isoToLocalInput(iso)).toBe('2025-03-01T08:30')
    expect(localInputToIso('')).toBe('')
    expect(isoToLocalInput('nope')).toBe('')
  })
})
