/** The ready-to-paste example shown with a new key: one `sendMessage` call with curl. */

export type ExampleTarget =
  | { kind: 'task'; id: number }
  | { kind: 'template'; id: number; placeholders: { key: string; default: string }[] }

const SEND = 'mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { message { id status } } }'

/** Placeholder the reader must replace when the key may send anywhere and nothing exists yet. */
export const TASK_ID_PLACEHOLDER = 'TASK_ID'

/** Quotes for a POSIX shell: everything inside single quotes, each ' written as '\''. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/** The `input` of sendMessage for this target (template variables filled with their defaults). */
export function exampleInput(target: ExampleTarget | null, words: { title: string; text: string }): Record<string, unknown> {
  if (target?.kind === 'template') {
    const variables = Object.fromEntries(target.placeholders.map((p) => [p.key, p.default || p.key]))
    return { templateId: target.id, variables }
  }
  return { taskId: target ? target.id : TASK_ID_PLACEHOLDER, title: words.title, text: words.text }
}

/** The request body; with no target, the task id is left as a bare TASK_ID for the reader to fill in. */
export function exampleBody(target: ExampleTarget | null, words: { title: string; text: string }): string {
  const body = JSON.stringify({ query: SEND, variables: { input: exampleInput(target, words) } })
  return target ? body : body.replace(`"${TASK_ID_PLACEHOLDER}"`, TASK_ID_PLACEHOLDER)
}

export function curlExample(options: { endpoint: string; key: string; target: ExampleTarget | null; words: { title: string; text: string } }): string {
  return [
    `curl -sS -X POST ${shellQuote(options.endpoint)} \\`,
    `  -H ${shellQuote(`Authorization: Bearer ${options.key}`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(exampleBody(options.target, options.words))}`,
  ].join('\n')
}
