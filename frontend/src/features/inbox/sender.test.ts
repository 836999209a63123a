import { describe, expect, it } from 'vitest'
import { senderWords } from './sender'

describe('senderWords', () => {
  it('names the user, and the API key when one sent it', () => {
    expect(senderWords({ username: 'alice', apiKeyName: null })).toEqual({ key: 'from', values: { name: 'alice' } })
    expect(senderWords({ username: 'alice', apiKeyName: 'deploy-bot' })).toEqual({ key: 'fromKey', values: { name: 'alice', key: 'deploy-bot' } })
  })

  it('says so when no sender was recorded (imported items)', () => {
    expect(senderWords(null)).toEqual({ key: 'unknownSender', values: {} })
  })
})
