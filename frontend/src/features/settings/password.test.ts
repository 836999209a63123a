import { describe, expect, it } from 'vitest'
import { passwordIssue } from './password'

describe('passwordIssue', () => {
  it('checks in the order a person fills the form', () => {
    expect(passwordIssue('', 'new-password', 'new-password')).toEqual({ field: 'current', key: 'currentRequired' })
    expect(passwordIssue('old-password', 'short', 'short')).toEqual({ field: 'new', key: 'tooShort' })
    expect(passwordIssue('old-password', 'old-password', 'old-password')).toEqual({ field: 'new', key: 'same' })
    expect(passwordIssue('old-password', 'new-password', 'new-passw0rd')).toEqual({ field: 'confirm', key: 'mismatch' })
    expect(passwordIssue('old-password', 'new-password', 'new-password')).toBeNull()
  })
})
