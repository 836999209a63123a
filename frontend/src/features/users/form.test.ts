import { describe, expect, it } from 'vitest'
import { checkPassword, checkUsername, formatGroups, parseGroups, sameGroups, updateProblemKey } from './form'

describe('checkUsername', () => {
  it('takes 3 to 64 letters, digits and _ . @ -', () => {
    expect(checkUsername('alice')).toBeNull()
    expect(checkUsername('  ops.bot@corp-1  ')).toBeNull()
    expect(checkUsername('ab')?.field).toBe('username')
    expect(checkUsername('has space')?.key).toBe('usernameRule')
    expect(checkUsername('x'.repeat(65))).not.toBeNull()
  })
})

describe('checkPassword', () => {
  it('needs 8 to 256 characters typed the same twice', () => {
    expect(checkPassword('short', 'short')).toEqual({ field: 'password', key: 'passwordRule' })
    expect(checkPassword('long enough', 'long enougH')).toEqual({ field: 'confirm', key: 'passwordMismatch' })
    expect(checkPassword('long enough', 'long enough')).toBeNull()
    expect(checkPassword('x'.repeat(257), 'x'.repeat(257))?.key).toBe('passwordRule')
  })
})

describe('updateProblemKey', () => {
  it('names the last-admin conflict', () => {
    expect(updateProblemKey({ code: 'CONFLICT', field: 'role', message: "'admin' is the last active admin; make another user an admin first" })).toBe('lastAdmin')
    expect(updateProblemKey({ code: 'CONFLICT', field: 'isActive', message: 'x' })).toBe('lastAdmin')
  })

  it('names deactivating yourself', () => {
    expect(updateProblemKey({ code: 'BAD_INPUT', field: 'isActive', message: 'you cannot deactivate your own account' })).toBe('notYourself')
  })

  it('leaves other problems to the API words', () => {
    expect(updateProblemKey({ code: 'BAD_INPUT', field: 'password', message: 'password: too short' })).toBeNull()
    expect(updateProblemKey({ code: 'NOT_FOUND', message: 'no user with this id' })).toBeNull()
    expect(updateProblemKey(null)).toBeNull()
  })
})

describe('parseGroups', () => {
  it('splits on commas and spaces, lower-cases, and keeps each name once, sorted', () => {
    expect(parseGroups(' Ops, dev  ops,,finance，运维 ')).toEqual(['dev', 'finance', 'ops', '运维'])
    expect(parseGroups('   ')).toEqual([])
  })

  it('round-trips through the shown text', () => {
    const groups = ['dev', 'ops']
    expect(parseGroups(formatGroups(groups))).toEqual(groups)
    expect(sameGroups(parseGroups('OPS dev'), groups)).toBe(true)
    expect(sameGroups(['dev'], groups)).toBe(false)
  })
})
