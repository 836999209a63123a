import { createI18n } from 'vue-i18n'

type Tree = { [key: string]: string | Tree }

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [p, v] of leaves(value, path)) out.set(p, v)
  }
  return out
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

/**
 * For a feature's i18n.ts (a test helper): the problems vue-i18n would only show at run time —
 * keys missing in one language, {placeholders} that differ, and messages that do not compile
 * (a bare @ starts a linked message, | splits plurals, an unclosed { swallows the rest).
 */
export function messageProblems(en: Tree, zh: Tree): string[] {
  const problems: string[] = []
  const enLeaves = leaves(en)
  const zhLeaves = leaves(zh)
  for (const key of enLeaves.keys()) if (!zhLeaves.has(key)) problems.push(`zh lacks ${key}`)
  for (const key of zhLeaves.keys()) if (!enLeaves.has(key)) problems.push(`en lacks ${key}`)
  const i18n = createI18n({ legacy: false, locale: 'en', missingWarn: false, fallbackWarn: false, messages: { en: { x: en }, zh: { x: zh } } })
  for (const [locale, tree] of [['en', enLeaves], ['zh', zhLeaves]] as const) {
    for (const [key, text] of tree) {
      if (text.includes('|')) problems.push(`${locale} ${key}: "|" splits the message into plural forms`)
      if ((text.match(/\{/g) ?? []).length !== (text.match(/\}/g) ?? []).length) problems.push(`${locale} ${key}: unbalanced braces`)
      const params = Object.fromEntries(placeholders(text).map((name) => [name, `<${name}>`]))
      try {
        i18n.global.locale.value = locale
        i18n.global.t(`x.${key}`, params)
      } catch (error) {
        problems.push(`${locale} ${key}: ${String(error).split('\n')[0]}`)
      }
    }
  }
  for (const [key, text] of enLeaves) {
    const other = zhLeaves.get(key)
    if (other !== undefined && placeholders(text).join() !== placeholders(other).join()) problems.push(`${key}: placeholders differ between en and zh`)
  }
  return problems
}
