import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { messageProblems } from '@/components/i18nCheck'
import { en, zh } from './i18n'

const PLURALS = ['warningCount']

describe('templates words', () => {
  it('have the same keys and placeholders in both languages, and compile', () => {
    const problems = messageProblems(en, zh).filter((p) => !PLURALS.some((key) => p === `en ${key}: "|" splits the message into plural forms`))
    expect(problems).toEqual([])
  })

  it('show {{key}} literally', () => {
    const i18n = createI18n({ legacy: false, locale: 'en', messages: { en: { templates: en } } })
    expect(i18n.global.t('templates.placeholders.none')).toBe('No placeholders yet. Write {{key}} in the content or add one here.')
    expect(i18n.global.t('templates.mentions.heading')).toBe('@-mentions')
  })
})
