import { computed, ref } from 'vue'

export interface SessionUser {
  id: number
  username: string
  role: 'ADMIN' | 'MEMBER'
  /** An imported account: nothing but choosing a new password works until it has. */
  mustChangePassword?: boolean
}

export { CONSOLE_HEADERS } from '@/lib/console-headers'

// The session itself is an HttpOnly cookie the API sets at sign-in: no script here can read it, so
// nothing in Web Storage is worth stealing. The page only knows who is signed in (from the login
// answer or `me`), and counts sign-ins so that a socket refused for an older one is told apart.
const user = ref<SessionUser | null>(null)
const generation = ref(0)

/** The signed-in person, as far as this page knows; `user` is null until sign-in or `me` says. */
export function useSession() {
  return {
    user,
    isSignedIn: computed(() => user.value !== null),
    isAdmin: computed(() => user.value?.role === 'ADMIN'),
  }
}

/** Which sign-in the page is on: it changes with every sign-in and password change. */
export function currentGeneration(): number {
  return generation.value
}

/** After the API set a new session cookie (login, password change). */
export function signIn(who: SessionUser): void {
  user.value = who
  generation.value += 1
}

/** The page forgets the user; the cookie is cleared by the API (`logout`) or has already ended. */
export function signOut(): void {
  user.value = null
  generation.value += 1
}
