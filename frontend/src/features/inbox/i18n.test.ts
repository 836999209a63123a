import { expect, it } from 'vitest'
import { messageProblems } from '@/components/i18nCheck'
import { en, zh } from './i18n'

it('has the same keys and placeholders in en and zh, and every message compiles', () => {
  expect(messageProblems(en, zh)).toEqual([])
})
