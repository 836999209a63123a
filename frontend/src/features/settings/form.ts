import type { UpdateSiteSettingsInput } from '@/gql/graphql'

/** The API's limits (UpdateSiteSettingsInput). */
export const TITLE_MAX = 100
export const LOGO_DATA_URL_MAX_CHARS = 200 * 1024
export const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/svg+xml', 'image/x-icon', 'image/vnd.microsoft.icon']
export const RETENTION_DAYS_MAX = 36500
export const RETENTION_MESSAGES_MAX = 2147483647

export interface SavedSite {
  title: string
  logoUrl: string | null
}

/** The title/logo form; `logoUrl` "" means no logo. */
export interface SiteForm {
  title: string
  logoUrl: string
}

export type SiteIssue = { field: 'title' | 'logoUrl'; key: 'titleRequired' | 'titleTooLong' | 'logoScheme' | 'logoTooLarge' }

export function siteFormOf(saved: SavedSite): SiteForm {
  return { title: saved.title, logoUrl: saved.logoUrl ?? '' }
}

export function checkSiteForm(form: SiteForm): SiteIssue | null {
  const title = form.title.trim()
  if (!title) return { field: 'title', key: 'titleRequired' }
  if (title.length > TITLE_MAX) return { field: 'title', key: 'titleTooLong' }
  const logo = form.logoUrl.trim()
  if (logo && !/^https?:\/\/\S+$/i.test(logo) && !/^data:image\//i.test(logo)) return { field: 'logoUrl', key: 'logoScheme' }
  if (/^data:/i.test(logo) && logo.length > LOGO_DATA_URL_MAX_CHARS) return { field: 'logoUrl', key: 'logoTooLarge' }
  return null
}

/** Only what changed (fields left out keep their value); a removed logo is sent as "". */
export function siteChanges(saved: SavedSite, form: SiteForm): UpdateSiteSettingsInput {
  const input: UpdateSiteSettingsInput = {}
  const title = form.title.trim()
  if (title !== saved.title) input.title = title
  const logo = form.logoUrl.trim()
  if (logo !== (saved.logoUrl ?? '')) input.logoUrl = logo
  return input
}

/** Why an image file cannot be the logo, or null when it can (the data URL is what gets stored). */
export function checkLogoFile(type: string, dataUrl: string): 'logoType' | 'logoTooLarge' | null {
  if (!LOGO_TYPES.includes(type.toLowerCase())) return 'logoType'
  if (dataUrl.length > LOGO_DATA_URL_MAX_CHARS) return 'logoTooLarge'
  return null
}

export function readAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result))
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'))
    reader.readAsDataURL(file)
  })
}

export type RetentionKey = 'days' | 'maxMessages' | 'inboxDays'

export interface SavedRetention {
  days: number
  maxMessages: number
  inboxDays: number
  daysFromConfig: boolean
  maxMessagesFromConfig: boolean
  inboxDaysFromConfig: boolean
}

/** As typed; an <input type="number"> gives numbers once edited (Vue casts them), strings before. */
export type RetentionForm = Record<RetentionKey, string | number>

/** Which input field of UpdateSiteSettingsInput each retention value is written to. */
export const RETENTION_INPUT: Record<RetentionKey, 'retentionDays' | 'retentionMaxMessages' | 'inboxRetentionDays'> = {
  days: 'retentionDays',
  maxMessages: 'retentionMaxMessages',
  inboxDays: 'inboxRetentionDays',
}
export const RETENTION_MAX: Record<RetentionKey, number> = { days: RETENTION_DAYS_MAX, maxMessages: RETENTION_MESSAGES_MAX, inboxDays: RETENTION_DAYS_MAX }
export const RETENTION_KEYS: RetentionKey[] = ['days', 'maxMessages', 'inboxDays']

export function retentionFormOf(saved: SavedRetention): RetentionForm {
  return { days: String(saved.days), maxMessages: String(saved.maxMessages), inboxDays: String(saved.inboxDays) }
}

/** A whole number in 0..max, or null. */
export function parseLimit(value: string | number, max: number): number | null {
  const text = String(value).trim()
  if (!/^\d+$/.test(text)) return null
  const number = Number(text)
  return number <= max ? number : null
}

/**
 * The retention values that changed, or the first field that is not a whole number in range.
 * A value typed equal to the config value still counts as an override; "reset" is its own action.
 */
export function retentionChanges(saved: SavedRetention, form: RetentionForm): { input: UpdateSiteSettingsInput; invalid: RetentionKey | null } {
  const input: UpdateSiteSettingsInput = {}
  for (const key of RETENTION_KEYS) {
    const value = parseLimit(form[key], RETENTION_MAX[key])
    if (value === null) return { input: {}, invalid: key }
    if (value !== saved[key]) input[RETENTION_INPUT[key]] = value
  }
  return { input, invalid: null }
}

/** Resetting one value to the config: an explicit null for that field. */
export function retentionReset(key: RetentionKey): UpdateSiteSettingsInput {
  return { [RETENTION_INPUT[key]]: null }
}

/** Whether a retention value comes from the config. */
export function fromConfig(saved: SavedRetention, key: RetentionKey): boolean {
  return key === 'days' ? saved.daysFromConfig : key === 'maxMessages' ? saved.maxMessagesFromConfig : saved.inboxDaysFromConfig
}
