/**
 * The words shown for channel types and their declared fields. The API sends them in English (from
 * the backend's channel declarations); the console shows its own translation from
 * `channels.catalog.<type>` (see catalogWords.ts) when the current language has one, and the API's
 * text otherwise — so a new channel type still shows up, in English, before it is translated.
 */
import { useI18n } from 'vue-i18n'
import type { DeclaredFieldSpec } from '@/components/declaredFields'

/** The two vue-i18n functions the lookups need (`useI18n()` or `i18n.global` give them). */
export interface Translator {
  t: (key: string) => string
  te: (key: string) => boolean
}

/** Config fields live under `fields`, binding fields under `bindingFields` (a name may be in both). */
export type FieldSection = 'config' | 'binding'

type FieldText = Pick<DeclaredFieldSpec, 'name' | 'label'> & { help?: string | null }

interface TypeText {
  key: string
  label: string
  description?: string
  configFields?: readonly DeclaredFieldSpec[]
  bindingFields?: readonly DeclaredFieldSpec[]
}

const typePath = (type: string) => `channels.catalog.${type}`
const fieldPath = (type: string, section: FieldSection, field: string) =>
  `${typePath(type)}.${section === 'binding' ? 'bindingFields' : 'fields'}.${field}`

export function channelText({ t, te }: Translator) {
  const pick = (key: string, fallback: string): string => (te(key) ? t(key) : fallback)

  /** A type's name; `fallback` is the API's label (else the key itself is shown). */
  function typeLabel(type: string, fallback?: string | null): string {
    return pick(`${typePath(type)}.label`, fallback || type)
  }

  function typeDescription(type: string, fallback?: string | null): string {
    return pick(`${typePath(type)}.description`, fallback ?? '')
  }

  function fieldLabel(type: string, field: FieldText, section: FieldSection = 'config'): string {
    return pick(`${fieldPath(type, section, field.name)}.label`, field.label)
  }

  /** Help under a field; null when neither the translation nor the API has any. */
  function fieldHelp(type: string, field: FieldText, section: FieldSection = 'config'): string | null {
    const key = `${fieldPath(type, section, field.name)}.help`
    return te(key) ? t(key) : (field.help ?? null)
  }

  /** How a SELECT option is shown; the value itself when there is no name for it. */
  function optionLabel(type: string, fieldName: string, option: string, section: FieldSection = 'config'): string {
    return pick(`${fieldPath(type, section, fieldName)}.options.${option}`, option)
  }

  /** The field with its label, help and option names in the current language (name, kind… unchanged). */
  function translateField<F extends DeclaredFieldSpec>(type: string, field: F, section: FieldSection = 'config'): F {
    const optionLabels = field.options.length
      ? Object.fromEntries(field.options.map((option) => [option, optionLabel(type, field.name, option, section)]))
      : field.optionLabels
    return { ...field, label: fieldLabel(type, field, section), help: fieldHelp(type, field, section), optionLabels }
  }

  /** A `ChannelType` as the API gives it, with every word in the current language. */
  function translateType<T extends TypeText>(type: T): T {
    const out: T = { ...type, label: typeLabel(type.key, type.label) }
    if (type.description !== undefined) out.description = typeDescription(type.key, type.description)
    if (type.configFields) out.configFields = type.configFields.map((field) => translateField(type.key, field, 'config')) as T['configFields']
    if (type.bindingFields) out.bindingFields = type.bindingFields.map((field) => translateField(type.key, field, 'binding')) as T['bindingFields']
    return out
  }

  return { typeLabel, typeDescription, fieldLabel, fieldHelp, optionLabel, translateField, translateType }
}

export type ChannelText = ReturnType<typeof channelText>

/** `channelText` for a component, following the language the console is shown in. */
export function useChannelText(): ChannelText {
  const { t, te } = useI18n()
  return channelText({ t: (key) => t(key), te: (key) => te(key) })
}
