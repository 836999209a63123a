import type { CombinedError } from '@urql/vue'
import { i18n, intlLocale } from '@/i18n'
import { channelText } from '@/features/channels/channelText'
import { formatNumber } from '@/lib/format'

/** A failure the API explained: its words, its stable code and (for bad input) the field it names. */
export interface ApiProblem {
  message: string
  code: string
  field?: string
  /** The rule that refused it (`extensions.reason`), when the API names one. */
  reason?: string
}

interface Extensions {
  code?: string
  field?: string | null
  reason?: string | null
  args?: unknown
}

/** Turns an urql error into words: the console's own for a reason it knows, else the API's English;
 * network failures get one plain sentence. */
export function apiProblem(error: CombinedError | null | undefined): ApiProblem | null {
  if (!error) return null
  const first = error.graphQLErrors[0]
  if (first) {
    const ext = (first.extensions ?? {}) as Extensions
    const field = ext.field ?? undefined
    const message = ext.reason ? reasonText(ext.reason, ext.args, field) ?? first.message : first.message
    return { message, code: ext.code ?? 'ERROR', field, reason: ext.reason ?? undefined }
  }
  if (error.networkError) return { message: 'The server cannot be reached. Check your connection and try again.', code: 'NETWORK' }
  return { message: error.message, code: 'ERROR' }
}

/**
 * `errors.<reason>` in the console's language with the API's args (numbers in the reader's
 * format, a channel type by its name); null when the console has no words for this reason yet.
 */
export function reasonText(reason: string, args: unknown, field?: string): string | null {
  const { t, te } = i18n.global
  const key = `errors.${reason}`
  if (!te(key)) return null
  const given = (args && typeof args === 'object' ? args : {}) as Record<string, unknown>
  const values: Record<string, unknown> = { ...given, field: field?.replace(/^input\./, '') ?? '' }
  for (const [name, value] of Object.entries(given)) {
    if (typeof value === 'number') values[name] = formatNumber(value, intlLocale())
  }
  if (typeof given.channelType === 'string') {
    values.type = channelText({ t: (k) => t(k), te: (k) => te(k) }).typeLabel(given.channelType, typeof given.channelLabel === 'string' ? given.channelLabel : null)
  }
  return t(key, values)
}

/** The words to show for a failure: the console's or the API's, or the translated "cannot reach the server" sentence. */
export function errorText(error: CombinedError | null | undefined, t: (key: string) => string): string | null {
  const problem = apiProblem(error)
  if (!problem) return null
  return problem.code === 'NETWORK' ? t('common.networkError') : problem.message
}
