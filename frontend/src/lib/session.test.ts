import { beforeEach, describe, expect, it } from 'vitest'
import { currentGeneration, signIn, signOut, useSession } from './session'

const admin = { id: 1, username: 'admin', role: 'ADMIN' as const }

describe('session', () => {
  beforeEach(() => {
    localStorage.clear()
    sessionStorage.clear()
    signOut()
  })

  it('keeps nothing in Web Storage: the session is the HttpOnly cookie', () => {
    signIn(admin)
    expect(useSession().isSignedIn.value).toBe(true)
    expect(useSession().isAdmin.value).toBe(true)
    expect(localStorage.length).toBe(0)
    expect(sessionStorage.length).toBe(0)
  })

  it('counts sign-ins, so a socket refused for an older one is told apart', () => {
    const before = currentGeneration()
    signIn(admin)
    const signedIn = currentGeneration()
    signIn(admin) // a password change: a new cookie for the same user
    expect(signedIn).toBeGreaterThan(before)
    expect(currentGeneration()).toBeGreaterThan(signedIn)
    signOut()
    expect(useSession().isSignedIn.value).toBe(false)
    expect(currentGeneration()).toBeGreaterThan(signedIn + 1)
  })
})
