import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/vue'
import { createClient as createWSClient, type Client as WSClient } from 'graphql-ws'
import { apiUrl, socketUrl } from '@/lib/apiUrl'
import { CONSOLE_HEADERS, currentGeneration, signOut, useSession } from '@/lib/session'


let onSignedOut: () => void = () => {}
// The sign-in the open socket was opened under: a 4403 for a session we have since replaced (after
// a password change) is no reason to sign out; the reconnect carries the new cookie.
let socketGeneration = -1

/** True when the server closed the socket because its sign-in no longer holds (4403). */
export function sessionEnded(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'code' in event && (event as { code: unknown }).code === 4403
}

/** One socket per tab; it carries every live view. It signs in with the session cookie, which the
 * browser sends with the upgrade (the API checks the page's origin first). */
export const socket: WSClient = createWSClient({
  url: socketUrl('graphql'),
  connectionParams: () => {
    socketGeneration = currentGeneration()
    return {}
  },
  lazy: true,
  retryAttempts: Infinity,
  shouldRetry: (event) => !(sessionEnded(event) && socketGeneration === currentGeneration()),
  keepAlive: 15_000,
  on: {
    closed: (event) => {
      if (sessionEnded(event) && socketGeneration === currentGeneration() && useSession().isSignedIn.value) {
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
  url: apiUrl('graphql'),
  // Lists are small and live views patch them; a document cache with network refresh keeps it simple.
  requestPolicy: 'cache-and-network',
  // The session cookie goes along (same origin); the header lets the API believe it.
  fetchOptions: () => ({ headers: CONSOLE_HEADERS, credentials: 'same-origin' }),
  exchanges: [
    mapExchange({
      onError(error) {
        const expired = error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
        if (expired && useSession().isSignedIn.value) {
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
