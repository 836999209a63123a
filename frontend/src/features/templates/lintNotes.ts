/**
 * Lint findings as the API sends them (a stable `code`, its `args`, English `message`) in the
 * console's language: `templates.notes.<code>` with the arguments filled in; a code this console
 * does not know yet shows the API's English.
 */
import { formatNumber } from '@/lib/format'

export interface LintNote {
  code: string
  message: string
  args: unknown
}

export interface NoteWords {
  t: (key: string, values?: Record<string, unknown>) => string
  te: (key: string) => boolean
  typeLabel: (type: string) => string
  locale: string
}

export function noteText(note: LintNote, words: NoteWords): string {
  const key = `templates.notes.${note.code}`
  if (!words.te(key)) return note.message
  const args = (note.args && typeof note.args === 'object' ? note.args : {}) as Record<string, unknown>
  const values: Record<string, unknown> = { ...args }
  if (typeof args.channelType === 'string') values.channel = words.typeLabel(args.channelType)
  if (typeof args.format === 'string') values.format = words.t(`messages.formats.${args.format.toUpperCase()}`)
  for (const name of ['size', 'limit', 'chars']) {
    if (typeof args[name] === 'number') values[name] = formatNumber(args[name] as number, words.locale)
  }
  return words.t(key, values)
}
