/**
 * The console's channel-type words against the channel types the backend declares.
 *
 * catalog.fixture.json lists every type with its config and binding field names, the fields that
 * have help text and the SELECT options (those two as "config.<name>" / "binding.<name>", since a
 * type may use one name in both). After adding or changing a channel type in
 * schema/channels/, regenerate it from the repository root with `make channel-catalog` (a Python
 * test, tests/schema/channels/test_catalog_fixture.py, fails while it is stale), and add the
 * Chinese words for it to catalogWords.ts (this test fails until you do).
 */
import { describe, expect, it } from 'vitest'
import { messageProblems } from '@/components/i18nCheck'
import declared from './catalog.fixture.json'
import { enCatalog, zhCatalog, type CatalogField, type ChannelCatalog } from './catalogWords'
import { en, zh } from './i18n'

interface DeclaredType {
  key: string
  configFields: string[]
  bindingFields: string[]
  /** "config.<name>" / "binding.<name>" of fields the API gives help for. */
  withHelp: string[]
  /** SELECT options by "config.<name>" / "binding.<name>". */
  options: Record<string, string[]>
}
const types = declared as DeclaredType[]

type Section = 'fields' | 'bindingFields'
// The catalog's section, the fixture's list of names and the fixture's prefix for the same fields.
const SECTIONS: [Section, keyof Pick<DeclaredType, 'configFields' | 'bindingFields'>, string][] = [
  ['fields', 'configFields', 'config'],
  ['bindingFields', 'bindingFields', 'binding'],
]

/** Every entry a catalog names that the backend does not declare. */
function unknownEntries(catalog: ChannelCatalog): string[] {
  const problems: string[] = []
  for (const [key, entry] of Object.entries(catalog)) {
    const type = types.find((item) => item.key === key)
    if (!type) {
      problems.push(`unknown type ${key}`)
      continue
    }
    for (const [section, names, prefix] of SECTIONS) {
      for (const [name, field] of Object.entries(entry[section] ?? {})) {
        if (!type[names].includes(name)) {
          problems.push(`${key}.${section}.${name}: no such field`)
          continue
        }
        if (field.help !== undefined && !type.withHelp.includes(`${prefix}.${name}`)) problems.push(`${key}.${section}.${name}.help: the API has no help here`)
        for (const option of Object.keys(field.options ?? {})) {
          if (!(type.options[`${prefix}.${name}`] ?? []).includes(option)) problems.push(`${key}.${section}.${name}.options.${option}: no such option`)
        }
      }
    }
  }
  return problems
}

/** Flattens a catalog to its message keys. */
function keysOf(catalog: ChannelCatalog): string[] {
  const out: string[] = []
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') out.push(path)
    else for (const [key, inner] of Object.entries(value as object)) walk(inner, path ? `${path}.${key}` : key)
  }
  walk(catalog, '')
  return out.sort()
}

describe('channel catalog fixture', () => {
  it('lists the 16 channel types', () => {
    expect(types.map((type) => type.key)).toEqual([
      'email', 'dingtalk', 'wecom_robot', 'wechat_oa', 'webhook', 'inbox', 'wecom_app', 'feishu',
      'telegram', 'bark', 'ntfy', 'gotify', 'pushme', 'aliyun_sms', 'slack', 'discord',
    ])
  })
})

describe('Chinese channel catalog', () => {
  it('names only types, fields and options the backend declares', () => {
    expect(unknownEntries(zhCatalog)).toEqual([])
  })

  it('has a label and description for every type the backend declares', () => {
    const missing = types.filter((type) => !zhCatalog[type.key]?.label || !zhCatalog[type.key]?.description).map((type) => type.key)
    expect(missing).toEqual([])
  })

  it('has a label for every field, and help wherever the API has help', () => {
    const missing: string[] = []
    for (const type of types) {
      for (const [section, names, prefix] of SECTIONS) {
        for (const name of type[names]) {
          const field: CatalogField | undefined = zhCatalog[type.key]?.[section]?.[name]
          if (!field?.label) missing.push(`${type.key}.${section}.${name}.label`)
          if (type.withHelp.includes(`${prefix}.${name}`) && !field?.help) missing.push(`${type.key}.${section}.${name}.help`)
        }
      }
    }
    expect(missing).toEqual([])
  })

  it('names every option of a field whose options it names', () => {
    const missing: string[] = []
    for (const type of types) {
      for (const [section, , prefix] of SECTIONS) {
        for (const [name, field] of Object.entries(zhCatalog[type.key]?.[section] ?? {})) {
          if (!field.options) continue
          for (const option of type.options[`${prefix}.${name}`] ?? []) if (!field.options[option]) missing.push(`${type.key}.${section}.${name}.options.${option}`)
        }
      }
    }
    expect(missing).toEqual([])
  })

  it('catches an entry for a field that does not exist', () => {
    const broken: ChannelCatalog = { ...zhCatalog, telegram: { ...zhCatalog.telegram, fields: { ...zhCatalog.telegram.fields, chat_name: { label: '群名' } } }, pigeon: { label: '信鸽' } }
    expect(unknownEntries(broken)).toEqual(['telegram.fields.chat_name: no such field', 'unknown type pigeon'])
  })
})

describe('English channel catalog', () => {
  it('names only types, fields and options the backend declares', () => {
    expect(unknownEntries(enCatalog)).toEqual([])
  })

  it('has nothing the Chinese catalog lacks', () => {
    const zhKeys = new Set(keysOf(zhCatalog))
    expect(keysOf(enCatalog).filter((key) => !zhKeys.has(key))).toEqual([])
  })
})

describe('channels words', () => {
  it('have the same keys and placeholders in both languages, and compile', () => {
    // The catalog is checked above: English has entries only where the API's words need help.
    const { catalog: enCatalogWords, ...enRest } = en
    const { catalog: zhCatalogWords, ...zhRest } = zh
    expect(messageProblems(enRest, zhRest)).toEqual([])
    // Compiling: each language's catalog against itself, so only syntax problems are reported.
    expect(messageProblems(enCatalogWords as never, enCatalogWords as never)).toEqual([])
    expect(messageProblems(zhCatalogWords as never, zhCatalogWords as never)).toEqual([])
  })
})
