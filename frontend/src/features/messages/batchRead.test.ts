import { Client, fetchExchange } from '@urql/vue'
import { describe, expect, it } from 'vitest'
import { MAX_IDS_PER_READ, readMessages } from './batchRead'

interface Sent {
  query: string
  variables: { ids: number[]; first: number }
}

/** A real urql client over a fake /graphql that answers `messages(filter: {ids})` from a set of rows. */
function fakeApi(existing: Set<number>, failFor?: number) {
  const sent: Sent[] = []
  const fetch = async (_url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init?.body)) as Sent
    sent.push(body)
    const headers = { 'Content-Type': 'application/json' }
    if (failFor !== undefined && body.variables.ids.includes(failFor)) {
      return new Response(JSON.stringify({ data: null, errors: [{ message: 'down', extensions: { code: 'UNAVAILABLE' } }] }), { headers })
    }
    const edges = body.variables.ids.filter((id) => existing.has(id)).map((id) => ({ node: { __typename: 'Message', id } }))
    return new Response(JSON.stringify({ data: { messages: { __typename: 'MessageConnection', edges } } }), { headers })
  }
  const client = new Client({ url: 'http://pushnest.test/graphql', exchanges: [fetchExchange], fetch, preferGetMethod: false })
  return { client, sent }
}

describe('readMessages', () => {
  it('reads a burst of messages in one messages(ids) query, not one message(id) each', async () => {
    const api = fakeApi(new Set([3, 5, 8]))
    const { messages, error } = await readMessages(api.client, [8, 5, 3, 2])
    expect(api.sent).toHaveLength(1)
    expect(api.sent[0].query).toContain('messages(filter: {ids: $ids}')
    expect(api.sent[0].query).not.toMatch(/message\(id/)
    expect(api.sent[0].variables).toEqual({ ids: [8, 5, 3, 2], first: 4 })
    // 2 was pruned meanwhile: simply not there, and no error.
    expect(messages.map((m) => m.id)).toEqual([8, 5, 3])
    expect(error).toBeNull()
  })

  it('asks for at most the API limit per call', async () => {
    const ids = Array.from({ length: MAX_IDS_PER_READ + 30 }, (_, i) => i + 1)
    const api = fakeApi(new Set(ids))
    const { messages } = await readMessages(api.client, ids)
    expect(api.sent.map((s) => s.variables.ids.length)).toEqual([MAX_IDS_PER_READ, 30])
    expect(messages).toHaveLength(ids.length)
  })

  it('keeps what it could read and passes on the failure', async () => {
    const ids = Array.from({ length: MAX_IDS_PER_READ + 1 }, (_, i) => i + 1)
    const api = fakeApi(new Set(ids), MAX_IDS_PER_READ + 1)
    const { messages, error } = await readMessages(api.client, ids)
    expect(messages).toHaveLength(MAX_IDS_PER_READ)
    expect(error?.graphQLErrors[0]?.extensions?.code).toBe('UNAVAILABLE')
  })

  it('reads nothing for no ids', async () => {
    const api = fakeApi(new Set())
    expect(await readMessages(api.client, [])).toEqual({ messages: [], error: null })
    expect(api.sent).toHaveLength(0)
  })
})
