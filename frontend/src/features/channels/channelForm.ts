/**
 * The channel form, built from the type's declared `configFields`: start values, the `config` JSON
 * for createChannel/updateChannel, client-side checks and where the API's field errors belong.
 *
 * Secrets are write-only: the API shows a stored secret as a mask (or null), the form starts them
 * blank, and a blank secret is left out of `config`, which the API reads as "keep the stored one".
 */
import { initialValues, isSecret, normalizeValues, splitEntries, type DeclaredFieldSpec, type DeclaredValues } from '@/components/declaredFields'

export type FieldProblem = 'required' | 'integer'

export interface ChannelFormStart {
  values: DeclaredValues
  /** Secret fields that have a stored value (blank means keep it). */
  storedSecrets: string[]
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

/** Values for a new channel (declared defaults) or for editing one (its masked config, secrets blank). */
export function startValues(fields: readonly DeclaredFieldSpec[], maskedConfig?: unknown): ChannelFormStart {
  const config = asObject(maskedConfig)
  const given: DeclaredValues = {}
  const storedSecrets: string[] = []
  for (const field of fields) {
    if (!(field.name in config)) continue
    if (isSecret(field)) {
      if (config[field.name] !== null && config[field.name] !== undefined && config[field.name] !== '') storedSecrets.push(field.name)
      given[field.name] = ''
    } else {
      given[field.name] = Array.isArray(config[field.name]) ? [...(config[field.name] as unknown[])] : config[field.name]
    }
  }
  return { values: initialValues(fields, given), storedSecrets }
}

/**
 * The `config` to send. Empty optional values are left out, so the type's default applies (the API
 * refuses null for a text field); a blank secret is left out, so a stored one is kept.
 */
export function buildConfig(fields: readonly DeclaredFieldSpec[], values: DeclaredValues): Record<string, unknown> {
  const normalized = normalizeValues(fields, values)
  const config: Record<string, unknown> = {}
  for (const field of fields) {
    const value = normalized[field.name]
    if (value === null || value === undefined) continue
    if (isSecret(field) && value === '') continue
    config[field.name] = value
  }
  return config
}

function isBlank(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0
  return value === null || value === undefined || String(value).trim() === ''
}

/** Problems the form can see before asking the API, by field name (`name` is the channel's name). */
export function validateForm(
  name: string,
  fields: readonly DeclaredFieldSpec[],
  values: DeclaredValues,
  storedSecrets: readonly string[] = [],
): Record<string, FieldProblem> {
  const problems: Record<string, FieldProblem> = {}
  if (name.trim() === '') problems.name = 'required'
  for (const field of fields) {
    const value = values[field.name]
    if (field.kind === 'BOOLEAN') continue
    if (field.kind === 'INTEGER' && !isBlank(value) && !Number.isInteger(typeof value === 'number' ? value : Number(String(value).trim()))) {
      problems[field.name] = 'integer'
    } else if (field.required && isBlank(value) && !(isSecret(field) && storedSecrets.includes(field.name))) {
      problems[field.name] = 'required'
    }
  }
  return problems
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

/**
 * Which input a BAD_INPUT/CONFLICT error belongs under: "name", a declared field ("config.bodyTemplate"
 * or "config.headers.0" → "body_template" / "headers"), or null when it is about the form as a whole.
 */
export function formFieldOf(apiField: string | null | undefined, fields: readonly DeclaredFieldSpec[]): string | null {
  if (!apiField) return null
  const path = apiField.replace(/^input\./, '').split('.')
  if (path[0] === 'name' && path.length === 1) return 'name'
  if (path[0] !== 'config' || path.length < 2) return null
  const key = path[1]
  return fields.find((field) => field.name === key || camel(field.name) === key)?.name ?? null
}

export interface SummaryItem {
  label: string
  value: string
}

/**
 * A short line about a channel for the list: its first few set, non-secret values (URLs, ids, hosts).
 * Secrets are never shown; the API sends only masks anyway.
 */
export function configSummary(fields: readonly DeclaredFieldSpec[], maskedConfig: unknown, max = 2): SummaryItem[] {
  const config = asObject(maskedConfig)
  const items: SummaryItem[] = []
  const shown = fields.filter((field) => field.kind === 'STRING' || field.kind === 'SELECT' || field.kind === 'INTEGER' || field.kind === 'STRING_LIST')
  // Required values say most about a channel (host, chat id, topic); defaults like a vendor's base URL say least.
  const ordered = [...shown.filter((field) => field.required), ...shown.filter((field) => !field.required)]
  for (const field of ordered) {
    if (items.length >= max) break
    const value = config[field.name]
    if (isBlank(value)) continue
    if (!field.required && JSON.stringify(value) === JSON.stringify(field.default)) continue
    items.push({ label: field.label, value: Array.isArray(value) ? value.join(', ') : String(value) })
  }
  return items
}

/** Receivers typed for a test send: comma, semicolon or newline separated. */
export function parseReceivers(text: string): string[] {
  return [...new Set(splitEntries(text))]
}

/** A vendor's answer made readable: JSON indented, anything else as it came. */
export function prettyVendorResponse(text: string): string {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return text
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2)
  } catch {
    return text
  }
}
