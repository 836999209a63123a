import type { CombinedError } from '@urql/vue'

/** A failure the API explained: its words, its stable code and (for bad input) the field it names. */
export interface ApiProblem {
  message: string
  code: string
  field?: string
}

/** Turns an urql error into the API's own words; network failures get one plain sentence. */
export function apiProblem(error: CombinedError | null | undefined): ApiProblem | null {
  if (!error) return null
  const first = error.graphQLErrors[0]
  if (first) {
    const ext = (first.extensions ?? {}) as { code?: string; field?: string }
    return { message: first.message, code: ext.code ?? 'ERROR', field: ext.field ?? undefined }
  }
  if (error.networkError) return { message: 'The server cannot be reached. Check your connection and try again.', code: 'NETWORK' }
  return { message: error.message, code: 'ERROR' }
}

/** The words to show for a failure: the API's own, or the translated "cannot reach the server" sentence. */
export function errorText(error: CombinedError | null | undefined, t: (key: string) => string): string | null {
  const problem = apiProblem(error)
  if (!problem) return null
  return problem.code === 'NETWORK' ? t('common.networkError') : problem.message
}
