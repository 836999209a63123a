import { createI18n } from 'vue-i18n'
import { en, zh } from './messages'

export type Locale = 'en' | 'zh'
export const LOCALES: { key: Locale; label: string }[] = [
  { key: 'en', label: 'English' },
  { key: 'zh', label: '中文' },
]
const LOCALE_KEY = 'pushnest.locale'

function initialLocale(): Locale {
  const saved = localStorage.getItem(LOCALE_KEY)
  if (saved === 'en' || saved === 'zh') return saved
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: { en, zh },
})

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  localStorage.setItem(LOCALE_KEY, locale)
  document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en'
}

/** The BCP 47 tag for Intl formatting of dates and numbers. */
export function intlLocale(): string {
  return i18n.global.locale.value === 'zh' ? 'zh-CN' : 'en'
}
