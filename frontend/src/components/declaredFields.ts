/**
 * Form values for fields a channel type declares (`ChannelType.configFields` / `bindingFields`):
 * one generic form model instead of a hand-written form per channel.
 */

export type DeclaredFieldKind = 'STRING' | 'SECRET' | 'SECRET_TEXT' | 'TEXT' | 'INTEGER' | 'BOOLEAN' | 'SELECT' | 'STRING_LIST'

/** The shape of a `ChannelField` from the API. */
export interface DeclaredFieldSpec {
  name: string
  label: string
  kind: DeclaredFieldKind | string
  required: boolean
  default?: unknown
  help?: string | null
  options: readonly string[]
  /** How to show each SELECT option, by value (e.g. translated names); an option without one is shown as its value. */
  optionLabels?: Readonly<Record<string, string>>
}

export type DeclaredValues = Record<string, unknown>

/** Write-only fields: the API shows a stored value only as a mask, and a blank one keeps it. */
export function isSecret(field: Pick<DeclaredFieldSpec, 'kind'>): boolean {
  return field.kind === 'SECRET' || field.kind === 'SECRET_TEXT'
}

/** Fields that take several lines (shown across the form's full width). */
export function isWide(field: Pick<DeclaredFieldSpec, 'kind'>): boolean {
  return field.kind === 'TEXT' || field.kind === 'SECRET_TEXT' || field.kind === 'STRING_LIST'
}

/** A deep copy of JSON data; unlike structuredClone it also takes Vue's reactive proxies. */
export function jsonCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T)
}

/** The value a fresh form starts with: the declared default, or an empty value of the right kind. */
export function emptyValue(field: DeclaredFieldSpec): unknown {
  if (field.default !== undefined && field.default !== null) return jsonCopy(field.default)
  switch (field.kind) {
    case 'BOOLEAN':
      return false
    case 'STRING_LIST':
      return []
    case 'INTEGER':
      return null
    case 'SELECT':
      return field.required && field.options.length ? field.options[0] : null
    default:
      return ''
  }
}

/** Values for every declared field: what `given` holds, else the default. Unknown keys are kept. */
export function initialValues(fields: readonly DeclaredFieldSpec[], given: DeclaredValues | null | undefined = {}): DeclaredValues {
  const values: DeclaredValues = { ...(given ?? {}) }
  for (const field of fields) {
    if (values[field.name] === undefined || values[field.name] === null) values[field.name] = emptyValue(field)
  }
  return values
}

/**
 * What to send: strings trimmed, list entries trimmed and blanks dropped, numbers parsed, and an
 * empty optional string or number sent as null (the API's "not set") rather than "".
 */
export function normalizeValues(fields: readonly DeclaredFieldSpec[], values: DeclaredValues): DeclaredValues {
  const out: DeclaredValues = {}
  for (const field of fields) {
    const value = values[field.name]
    out[field.name] = normalizeOne(field, value)
  }
  return out
}

function normalizeOne(field: DeclaredFieldSpec, value: unknown): unknown {
  switch (field.kind) {
    case 'BOOLEAN':
      return Boolean(value)
    case 'STRING_LIST':
      return Array.isArray(value) ? value.map((v) => String(v).trim()).filter((v) => v !== '') : []
    case 'INTEGER': {
      if (value === null || value === undefined || value === '') return null
      const parsed = typeof value === 'number' ? value : Number(String(value).trim())
      return Number.isFinite(parsed) ? parsed : value
    }
    case 'SELECT':
      return value === '' || value === undefined ? null : value
    case 'TEXT':
    case 'SECRET':
    case 'SECRET_TEXT':
      // Secrets and long texts are kept as typed: whitespace may be part of them.
      if (value === null || value === undefined) return null
      return value === '' && !field.required ? null : value
    default: {
      if (value === null || value === undefined) return null
      const text = String(value).trim()
      return text === '' && !field.required ? null : text
    }
  }
}

/** Required fields left empty, by name. */
export function missingRequired(fields: readonly DeclaredFieldSpec[], values: DeclaredValues): string[] {
  return fields
    .filter((field) => field.required && field.kind !== 'BOOLEAN')
    .filter((field) => {
      const value = values[field.name]
      if (Array.isArray(value)) return value.length === 0
      return value === null || value === undefined || String(value).trim() === ''
    })
    .map((field) => field.name)
}

/** Splits pasted or typed text into list entries (comma, semicolon, newline or tab separated). */
export function splitEntries(text: string): string[] {
  return text
    .split(/[,;\n\t]+/)
    .map((part) => part.trim())
    .filter((part) => part !== '')
}
