import type { Fetcher, FetcherOpts, FetcherParams } from '@graphiql/toolkit'
import { getOperationAST, parse, type DocumentNode } from 'graphql'
import { createClient, type Client, type ExecutionResult } from 'graphql-ws'
import { CONSOLE_HEADERS } from '@/lib/console-headers'

// GraphiQL's requests, as the console makes them: queries and mutations over HTTP, subscriptions
// over the same-origin graphql-transport-ws endpoint. The Authorization header typed into
// GraphiQL's header editor goes with both (on the socket, in connection_init's payload, where the
// API reads it); without one, the console's session cookie is used if this browser has one.

interface Socket {
  iterate(params: FetcherParams): AsyncIterable<unknown>
  dispose(): void
}
type SocketFactory = (url: string, authorization: string | undefined) => Socket

export interface FetcherSetup {
  httpUrl: string
  wsUrl: string
  fetchFn?: typeof fetch
  socket?: SocketFactory
}

/** The Authorization value from GraphiQL's headers (any spelling), empty values ignored. */
export function authorizationOf(headers: FetcherOpts['headers']): string | undefined {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'authorization' && typeof value === 'string' && value.trim()) return value.trim()
  }
  return undefined
}

/** Headers for an HTTP request: the user's (empty ones dropped), JSON, and the console's marker. */
export function httpHeaders(headers: FetcherOpts['headers']): Record<string, string> {
  const chosen: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    ...CONSOLE_HEADERS,
  }
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && value !== null && String(value).trim() !== '') chosen[name] = String(value)
  }
  return chosen
}

export function isSubscription(params: FetcherParams, document?: DocumentNode): boolean {
  try {
    return getOperationAST(document ?? parse(params.query), params.operationName ?? undefined)?.operation === 'subscription'
  } catch {
    return false // the server reports the syntax error over HTTP
  }
}

const defaultSocket: SocketFactory = (url, authorization) => {
  const client: Client = createClient({ url, lazy: true, retryAttempts: 0, connectionParams: authorization ? { authorization } : {} })
  return {
    iterate: (params) => client.iterate({ query: params.query, operationName: params.operationName, variables: params.variables }),
    dispose: () => void client.dispose(),
  }
}

export function createPushNestFetcher(setup: FetcherSetup): Fetcher {
  const fetchFn = setup.fetchFn ?? ((input, init) => fetch(input, init))
  const makeSocket = setup.socket ?? defaultSocket
  // One socket per Authorization value: editing the header signs the next subscription in anew.
  let socket: { authorization: string | undefined; client: Socket } | undefined

  function socketFor(authorization: string | undefined): Socket {
    if (socket === undefined || socket.authorization !== authorization) {
      socket?.client.dispose()
      socket = { authorization, client: makeSocket(setup.wsUrl, authorization) }
    }
    return socket.client
  }

  return (params, opts) => {
    if (isSubscription(params, opts?.documentAST)) {
      return socketFor(authorizationOf(opts?.headers)).iterate(params) as AsyncIterable<ExecutionResult>
    }
    return fetchFn(setup.httpUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: httpHeaders(opts?.headers),
      body: JSON.stringify(params),
    }).then((response) => response.json())
  }
}
