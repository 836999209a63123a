import type { ApiProblem } from '@/lib/errors'

/** The API's rules for accounts, checked before sending so mistakes are named at once. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]{3,64}$/
export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 256

/**
 * Group names as typed in one field ("ops, Dev  finance") → as the API keeps them: split on
 * commas and white space, lower case, each once, sorted. The API checks their count and length.
 */
export function parseGroups(text: string): string[] {
  const names = text.split(/[\s,，]+/).map((name) => name.toLowerCase()).filter(Boolean)
  return [...new Set(names)].sort()
}

export function formatGroups(groups: readonly string[]): string {
  return groups.join(', ')
}

export function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i])
}

export type UserField = 'username' | 'password' | 'confirm'
export type FormIssue = { field: UserField; key: 'usernameRule' | 'passwordRule' | 'passwordMismatch' }

export function checkUsername(username: string): FormIssue | null {
  return USERNAME_PATTERN.test(username.trim()) ? null : { field: 'username', key: 'usernameRule' }
}

export function checkPassword(password: string, confirm: string): FormIssue | null {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) return { field: 'password', key: 'passwordRule' }
  if (password !== confirm) return { field: 'confirm', key: 'passwordMismatch' }
  return null
}

/**
 * The words for a failed change: the API refuses to demote or deactivate the last active admin
 * (CONFLICT) and to deactivate yourself (BAD_INPUT on isActive); those get a sentence of ours,
 * in the viewer's language. Anything else is shown in the API's words.
 */
export function updateProblemKey(problem: ApiProblem | null): 'lastAdmin' | 'notYourself' | null {
  if (!problem) return null
  if (problem.code === 'CONFLICT' && (problem.field === 'role' || problem.field === 'isActive' || /last active admin/i.test(problem.message))) return 'lastAdmin'
  if (problem.code === 'BAD_INPUT' && problem.field === 'isActive') return 'notYourself'
  return null
}
