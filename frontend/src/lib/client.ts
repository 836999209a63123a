import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/vue'
import { createClient as createWSClient, type Client as WSClient } from 'graphql-ws'
import { currentToken, signOut } from '@/lib/session'

function socketUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${location.host}/graphql`
}

let onSignedOut: () => void = () => {}
// The token the open socket signed in with: a 4403 for a token we have since replaced (after a
// password change) is no reason to sign out; the reconnect carries the new one.
let socketToken = ''

/** True when the server closed the socket because its sign-in no longer holds (4403). */
export function sessionEnded(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'code' in event && (event as { code: unknown }).code === 4403
}

/** One socket per tab; it carries every live view and re-reads the token on each reconnect. */
export const socket: WSClient = createWSClient({
  url: socketUrl(),
  connectionParams: () => {
    socketToken = currentToken()
    return { authorization: `Bearer ${socketToken}` }
  },
  lazy: true,
  retryAttempts: Infinity,
  shouldRetry: (event) => !(sessionEnded(event) && socketToken === currentToken()),
  keepAlive: 15_000,
  on: {
    closed: (event) => {
      if (sessionEnded(event) && socketToken === currentToken() && currentToken()) {
        signOut()
        onSignedOut()
      }
    },
  },
})

/** The router registers where to go when the API says the session is over. */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler
}

export const client = new Client({
  url: '/graphql',
  // Lists are small and live views patch them; a document cache with network refresh keeps it simple.
  requestPolicy: 'cache-and-network',
  fetchOptions: () => {
    const token = currentToken()
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
    return { headers }
  },
  exchanges: [
    mapExchange({
      onError(error) {
        const expired = error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
        if (expired && currentToken()) {
          signOut()
          socket.terminate()
          onSignedOut()
        }
      },
    }),
    cacheExchange,
    fetchExchange,
    subscriptionExchange({
      forwardSubscription: (request) => ({
        subscribe: (sink) => ({ unsubscribe: socket.subscribe({ ...request, query: request.query ?? '' }, sink) }),
      }),
    }),
  ],
})
