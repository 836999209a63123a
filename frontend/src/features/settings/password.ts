export type PasswordIssue = { field: 'current' | 'new' | 'confirm'; key: 'currentRequired' | 'tooShort' | 'same' | 'mismatch' }

/** What is wrong with a password change before it is sent (the API checks the current password). */
export function passwordIssue(current: string, next: string, confirm: string): PasswordIssue | null {
  if (!current) return { field: 'current', key: 'currentRequired' }
  if (next.length < 8 || next.length > 256) return { field: 'new', key: 'tooShort' }
  if (next === current) return { field: 'new', key: 'same' }
  if (next !== confirm) return { field: 'confirm', key: 'mismatch' }
  return null
}
