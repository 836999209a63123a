import type { CombinedError } from '@urql/vue'
import { apiProblem } from '@/lib/errors'

/** The API's message when its BAD_INPUT/CONFLICT error names `field` (compared without any `input.` prefix). */
export function fieldMessage(error: CombinedError | null | undefined, field: string): string | null {
  const problem = apiProblem(error)
  if (!problem?.field) return null
  const named = problem.field.replace(/^input\./, '')
  return named === field ? problem.message : null
}

/** True when the error names one of `fields`: the form shows it under that field, not as a banner. */
export function isFieldError(error: CombinedError | null | undefined, fields: string[]): boolean {
  return fields.some((field) => fieldMessage(error, field) !== null)
}
