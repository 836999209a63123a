import type { CreateTemplateInput, PlaceholderInput, TemplateDetailFragment, UpdateTemplateInput } from '@/gql/graphql'
import { bindingInputs, draftFromBinding, inputsOfSaved, type BindingChannelType, type BindingDraft } from '@/features/tasks/bindings'

/** The API's placeholder syntax: `{{ key }}` with a key of letters, digits, `_`, `.` and `-`. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*\}\}/g
export const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/

/** The distinct placeholder keys used in `texts`, in first-seen order (as the API finds them). */
export function placeholdersIn(...texts: string[]): string[] {
  const seen = new Set<string>()
  for (const text of texts) for (const match of text.matchAll(PLACEHOLDER)) seen.add(match[1])
  return [...seen]
}

export interface PlaceholderRow {
  key: string
  label: string
  default: string
}

export type Bodies = { title: string; textBody: string; markdownBody: string; htmlBody: string }

/** Keys the bodies use that the placeholders table does not declare. */
export function undeclared(bodies: Bodies, placeholders: PlaceholderRow[]): string[] {
  const declared = new Set(placeholders.map((p) => p.key.trim()))
  return placeholdersIn(bodies.title, bodies.textBody, bodies.markdownBody, bodies.htmlBody).filter((key) => !declared.has(key))
}

/** Declared keys that appear more than once, or that are not valid keys. */
export function placeholderProblems(placeholders: PlaceholderRow[]): { duplicate: Set<string>; invalid: Set<string> } {
  const counts = new Map<string, number>()
  for (const p of placeholders) counts.set(p.key.trim(), (counts.get(p.key.trim()) ?? 0) + 1)
  return {
    duplicate: new Set([...counts].filter(([key, n]) => key && n > 1).map(([key]) => key)),
    invalid: new Set(placeholders.map((p) => p.key.trim()).filter((key) => !KEY_PATTERN.test(key))),
  }
}

export function placeholderInputs(placeholders: PlaceholderRow[]): PlaceholderInput[] {
  return placeholders.map((p) => ({ key: p.key.trim(), label: p.label, default: p.default }))
}

/** The placeholder a BAD_INPUT field such as `placeholders.1.key` is about (-1: the list as a whole). */
export function placeholderErrorTarget(field: string | null | undefined): { index: number } | null {
  const match = /^(?:input\.)?placeholders(?:\.(\d+))?/.exec(field ?? '')
  if (!match) return null
  return { index: match[1] === undefined ? -1 : Number(match[1]) }
}

/**
 * The variables a preview or test send uses: every sample value typed in. A key left empty is
 * not sent, so the API falls back to the declared default (or lists the key as missing).
 */
export function sampleVariables(samples: Record<string, string>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of keys) if (samples[key] !== undefined && samples[key] !== '') out[key] = samples[key]
  return out
}

/** Variables for the API examples: every key, with its sample, else its default, else "". */
export function exampleVariables(placeholders: PlaceholderRow[], used: string[], samples: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  const defaults = new Map(placeholders.map((p) => [p.key.trim(), p.default]))
  for (const key of [...placeholders.map((p) => p.key.trim()), ...used]) {
    if (!key || key in out) continue
    out[key] = samples[key] || defaults.get(key) || ''
  }
  return out
}

/** Starting sample values: each placeholder's default, keeping what was already typed for a key. */
export function initialSamples(placeholders: PlaceholderRow[], current: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of placeholders) out[p.key] = current[p.key] ?? p.default
  return out
}

/** Everything the template page edits. */
export interface TemplateForm extends Bodies {
  name: string
  description: string
  enabled: boolean
  placeholders: PlaceholderRow[]
  mentionMobiles: string[]
  mentionUserIds: string[]
  mentionAll: boolean
  bindings: BindingDraft[]
}

export function formOf(template: TemplateDetailFragment): TemplateForm {
  return {
    name: template.name,
    description: template.description,
    enabled: template.enabled,
    title: template.title,
    textBody: template.textBody,
    markdownBody: template.markdownBody,
    htmlBody: template.htmlBody,
    placeholders: template.placeholders.map((p) => ({ key: p.key, label: p.label, default: p.default })),
    mentionMobiles: [...template.mentionMobiles],
    mentionUserIds: [...template.mentionUserIds],
    mentionAll: template.mentionAll,
    bindings: template.bindings.map(draftFromBinding),
  }
}

function cleanList(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter(Boolean))]
}

/** The `UpdateTemplateInput` for the whole form. */
export function updateInput(form: TemplateForm, types: Map<string, BindingChannelType>): UpdateTemplateInput {
  return {
    name: form.name,
    description: form.description,
    enabled: form.enabled,
    title: form.title,
    textBody: form.textBody,
    markdownBody: form.markdownBody,
    htmlBody: form.htmlBody,
    placeholders: placeholderInputs(form.placeholders),
    mentionMobiles: cleanList(form.mentionMobiles),
    mentionUserIds: cleanList(form.mentionUserIds),
    mentionAll: form.mentionAll,
    bindings: bindingInputs(form.bindings, types),
  }
}

/** A `CreateTemplateInput` copying a saved template (content, placeholders, mentions, bindings). */
export function copyInput(template: TemplateDetailFragment, name: string): CreateTemplateInput {
  return {
    name,
    description: template.description,
    enabled: template.enabled,
    title: template.title,
    textBody: template.textBody,
    markdownBody: template.markdownBody,
    htmlBody: template.htmlBody,
    placeholders: placeholderInputs(template.placeholders),
    mentionMobiles: [...template.mentionMobiles],
    mentionUserIds: [...template.mentionUserIds],
    mentionAll: template.mentionAll,
    bindings: inputsOfSaved(template.bindings),
  }
}

/** Stable JSON of what a save would send: equal strings mean nothing changed. */
export function formSignature(form: TemplateForm, types: Map<string, BindingChannelType>): string {
  return JSON.stringify(updateInput(form, types))
}

/** Inserts `{{key}}` into `text` at the selection, returning the new text and caret position. */
export function insertPlaceholder(text: string, key: string, start: number, end: number = start): { text: string; caret: number } {
  const token = `{{${key}}}`
  const from = Math.max(0, Math.min(start, text.length))
  const to = Math.max(from, Math.min(end, text.length))
  return { text: text.slice(0, from) + token + text.slice(to), caret: from + token.length }
}
