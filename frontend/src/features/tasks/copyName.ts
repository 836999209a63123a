type Translate = (key: string, named?: Record<string, unknown>) => string

/** The API's limit on task and template names. */
export const MAX_NAME = 100

/**
 * "<name> (copy)" in the console's language, or "<name> (copy 2)"… for `attempt` > 1 (names are
 * unique per owner), shortening the name so the suffix always fits.
 */
export function copyName(t: Translate, name: string, attempt = 1): string {
  const word = (base: string): string => (attempt > 1 ? t('tasks.copyNameN', { name: base, n: attempt }) : t('tasks.copyName', { name: base }))
  const full = word(name)
  if (full.length <= MAX_NAME) return full
  const suffix = full.length - name.length
  return word(name.slice(0, Math.max(1, MAX_NAME - suffix)).trimEnd())
}

/** Whether an API error says the name is taken (CONFLICT on `name`): the copy tries the next number. */
export function nameTaken(error: { graphQLErrors: { extensions?: Record<string, unknown> }[] } | null | undefined): boolean {
  const ext = error?.graphQLErrors[0]?.extensions
  return ext?.code === 'CONFLICT' && (ext.field === 'name' || ext.field === 'input.name')
}

/** Creates a copy, numbering the name until a free one is found (at most `tries` attempts). */
export async function createCopy<R extends { error?: Parameters<typeof nameTaken>[0] }>(
  t: Translate,
  name: string,
  create: (name: string) => Promise<R>,
  tries = 5,
): Promise<R> {
  let result = await create(copyName(t, name, 1))
  for (let attempt = 2; attempt <= tries && nameTaken(result.error); attempt++) result = await create(copyName(t, name, attempt))
  return result
}
