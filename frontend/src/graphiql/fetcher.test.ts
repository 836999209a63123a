import { describe, expect, it, vi } from 'vitest'
import { authorizationOf, createPushNestFetcher, httpHeaders, isSubscription } from './fetcher'

function setup() {
  const fetchFn = vi.fn(async () => new Response('{"data":{"me":null}}'))
  const sockets: { url: string; authorization: string | undefined; disposed: boolean }[] = []
  const socket = (url: string, authorization: string | undefined) => {
    const made = { url, authorization, disposed: false }
    sockets.push(made)
    return {
      iterate: () => (async function* () { yield { data: { inbox: { kind: 'snapshot' } } } })(),
      dispose: () => { made.disposed = true },
    }
  }
  const fetcher = createPushNestFetcher({ httpUrl: '/graphql', wsUrl: 'ws://here/graphql', fetchFn, socket })
  return { fetcher, fetchFn, sockets }
}

describe('the GraphiQL fetcher', () => {
  it('posts queries with the console marker and the typed Authorization, dropping empty headers', async () => {
    const { fetcher, fetchFn } = setup()
    await fetcher({ query: '{ me { id } }' }, { headers: { Authorization: 'Bearer pn_1', 'X-Empty': '' } })
    const [url, init] = fetchFn.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/graphql')
    expect(init.credentials).toBe('same-origin')
    expect(init.headers).toMatchObject({ Authorization: 'Bearer pn_1', 'x-pushnest-console': '1' })
    expect(init.headers).not.toHaveProperty('X-Empty')
    expect(JSON.parse(String(init.body))).toEqual({ query: '{ me { id } }' })
  })

  it('runs subscriptions over the socket, signed in with the header, one socket per Authorization', async () => {
    const { fetcher, fetchFn, sockets } = setup()
    const sub = { query: 'subscription S { inbox { kind } }' }
    const stream = (await fetcher(sub, { headers: { authorization: 'Bearer a' } })) as AsyncIterable<unknown>
    for await (const value of stream) expect(value).toEqual({ data: { inbox: { kind: 'snapshot' } } })
    await fetcher(sub, { headers: { authorization: 'Bearer a' } })
    expect(sockets).toHaveLength(1)
    await fetcher(sub, { headers: {} }) // no header: the session cookie signs the socket in
    expect(sockets.map((s) => [s.authorization, s.disposed])).toEqual([['Bearer a', true], [undefined, false]])
    expect(sockets[0].url).toBe('ws://here/graphql')
    expect(fetchFn).not.toHaveBeenCalled()
  })

  it('tells subscriptions by the chosen operation, and lets the server report syntax errors', () => {
    const doc = 'query Q { me { id } } subscription S { inbox { kind } }'
    expect(isSubscription({ query: doc, operationName: 'S' })).toBe(true)
    expect(isSubscription({ query: doc, operationName: 'Q' })).toBe(false)
    expect(isSubscription({ query: 'subscription {' })).toBe(false)
  })

  it('reads Authorization in any spelling and ignores blank values', () => {
    expect(authorizationOf({ AUTHORIZATION: ' Bearer x ' })).toBe('Bearer x')
    expect(authorizationOf({ Authorization: '  ' })).toBeUndefined()
    expect(httpHeaders(undefined)).toMatchObject({ accept: 'application/graphql-response+json, application/json' })
  })
})
