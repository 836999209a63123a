import { describe, expect, it } from 'vitest'
import { messageProblems } from '@/components/i18nCheck'
import { en, zh } from './i18n'

// English plurals ("one attempt | {n} attempts") are meant; Chinese needs one form.
const PLURALS = ['send.attempts']

describe('tasks words', () => {
  it('have the same keys and placeholders in both languages, and compile', () => {
    const problems = messageProblems(en, zh).filter((p) => !PLURALS.some((key) => p === `en ${key}: "|" splits the message into plural forms`))
    expect(problems).toEqual([])
  })
})
