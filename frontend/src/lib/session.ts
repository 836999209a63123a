import { computed, ref } from 'vue'

const TOKEN_KEY = 'pushnest.token'

export interface SessionUser {
  id: number
  username: string
  role: 'ADMIN' | 'MEMBER'
}

const token = ref<string>(localStorage.getItem(TOKEN_KEY) ?? '')
const user = ref<SessionUser | null>(null)

/** The signed-in person: the JWT lives in localStorage so a reload keeps the session. */
export function useSession() {
  return {
    token,
    user,
    isSignedIn: computed(() => token.value !== ''),
    isAdmin: computed(() => user.value?.role === 'ADMIN'),
  }
}

export function currentToken(): string {
  return token.value
}

export function signIn(newToken: string, who: SessionUser): void {
  token.value = newToken
  user.value = who
  localStorage.setItem(TOKEN_KEY, newToken)
}

export function signOut(): void {
  token.value = ''
  user.value = null
  localStorage.removeItem(TOKEN_KEY)
}
