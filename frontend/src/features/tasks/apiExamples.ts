/**
 * Ready-to-paste code that sends to a task or template through the GraphQL `sendMessage`
 * mutation with an API key. The content travels as GraphQL variables (JSON), so the only escaping
 * each language needs is its own string/literal syntax around that JSON.
 */

export type ExampleLang = 'curl' | 'python' | 'javascript' | 'go'
export const EXAMPLE_LANGS: ExampleLang[] = ['curl', 'python', 'javascript', 'go']

/** The environment variable the examples read when no real key is filled in. */
export const KEY_ENV = 'PUSHNEST_API_KEY'

export const SEND_MUTATION =
  'mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { duplicate message { id status } } }'

export type SendTarget =
  | { mode: 'task'; id: number; title: string; text: string }
  | { mode: 'template'; id: number; variables: Record<string, string> }

export interface ExampleOptions {
  /** Where the API answers, e.g. `location.origin + '/graphql'`. */
  endpoint: string
  /** A real key to fill in; null makes the examples read $PUSHNEST_API_KEY. */
  apiKey: string | null
}

/** The `SendMessageInput` the examples send. */
export function sendInput(target: SendTarget): Record<string, unknown> {
  if (target.mode === 'task') return { taskId: target.id, title: target.title, text: target.text }
  return { templateId: target.id, variables: { ...target.variables } }
}

/** The HTTP body: the mutation and its variables. */
export function requestBody(target: SendTarget): { query: string; variables: { input: Record<string, unknown> } } {
  return { query: SEND_MUTATION, variables: { input: sendInput(target) } }
}

/** Text inside single quotes for a POSIX shell: a ' closes, adds an escaped ', and reopens. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`
}

/** A JSON value as a Python literal (True/False/None; JSON string escapes are valid Python). */
export function pythonLiteral(value: unknown, indent = 0): string {
  const pad = ' '.repeat(indent + 4)
  const end = ' '.repeat(indent)
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'None'
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) {
    if (!value.length) return '[]'
    return `[\n${value.map((v) => `${pad}${pythonLiteral(v, indent + 4)},`).join('\n')}\n${end}]`
  }
  const entries = Object.entries(value as Record<string, unknown>)
  if (!entries.length) return '{}'
  return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pythonLiteral(v, indent + 4)},`).join('\n')}\n${end}}`
}

/**
 * A Go string literal holding `text`: a raw `…` literal when it can be (readable), else an
 * interpreted "…" literal (JSON's escapes \" \\ \n \t \uXXXX are all valid Go escapes).
 */
export function goString(text: string): string {
  if (!text.includes('`') && !text.includes('\r')) return `\`${text}\``
  return JSON.stringify(text).replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029')
}

function indentLines(text: string, by: string): string {
  return text.split('\n').map((line, i) => (i === 0 ? line : by + line)).join('\n')
}

function curl(target: SendTarget, opts: ExampleOptions): string {
  const auth = opts.apiKey ? shellQuote(`Authorization: Bearer ${opts.apiKey}`) : `"Authorization: Bearer $${KEY_ENV}"`
  const body = JSON.stringify(requestBody(target), null, 2)
  return [
    `curl -sS ${shellQuote(opts.endpoint)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H ${auth} \\`,
    `  -d ${shellQuote(body)}`,
  ].join('\n')
}

function python(target: SendTarget, opts: ExampleOptions): string {
  const key = opts.apiKey ? JSON.stringify(opts.apiKey) : `os.environ[${JSON.stringify(KEY_ENV)}]`
  const imports = opts.apiKey ? 'import httpx' : 'import os\n\nimport httpx'
  return [
    imports,
    '',
    `API_KEY = ${key}`,
    '',
    'response = httpx.post(',
    `    ${JSON.stringify(opts.endpoint)},`,
    '    headers={"Authorization": f"Bearer {API_KEY}"},',
    `    json=${indentLines(pythonLiteral(requestBody(target), 4), '')},`,
    ')',
    'response.raise_for_status()',
    'print(response.json())',
  ].join('\n')
}

function javascript(target: SendTarget, opts: ExampleOptions): string {
  const key = opts.apiKey ? JSON.stringify(opts.apiKey) : `process.env.${KEY_ENV}`
  const body = indentLines(JSON.stringify(requestBody(target), null, 2), '  ')
  return [
    `const apiKey = ${key}`,
    '',
    `const response = await fetch(${JSON.stringify(opts.endpoint)}, {`,
    "  method: 'POST',",
    "  headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },",
    `  body: JSON.stringify(${body}),`,
    '})',
    'console.log(JSON.stringify(await response.json(), null, 2))',
  ].join('\n')
}

function go(target: SendTarget, opts: ExampleOptions): string {
  const key = opts.apiKey ? JSON.stringify(opts.apiKey) : `os.Getenv(${JSON.stringify(KEY_ENV)})`
  const body = goString(JSON.stringify(requestBody(target), null, 2))
  const imports = ['"fmt"', '"io"', '"net/http"', ...(opts.apiKey ? [] : ['"os"']), '"strings"']
  return [
    'package main',
    '',
    'import (',
    ...imports.map((name) => `\t${name}`),
    ')',
    '',
    'func main() {',
    `\tapiKey := ${key}`,
    `\tbody := ${indentLines(body, '')}`,
    `\treq, err := http.NewRequest("POST", ${JSON.stringify(opts.endpoint)}, strings.NewReader(body))`,
    '\tif err != nil {',
    '\t\tpanic(err)',
    '\t}',
    '\treq.Header.Set("Content-Type", "application/json")',
    '\treq.Header.Set("Authorization", "Bearer "+apiKey)',
    '\tresp, err := http.DefaultClient.Do(req)',
    '\tif err != nil {',
    '\t\tpanic(err)',
    '\t}',
    '\tdefer resp.Body.Close()',
    '\tanswer, _ := io.ReadAll(resp.Body)',
    '\tfmt.Println(resp.Status, string(answer))',
    '}',
  ].join('\n')
}

const BUILDERS: Record<ExampleLang, (target: SendTarget, opts: ExampleOptions) => string> = { curl, python, javascript, go }

/** The example in one language. */
export function buildExample(lang: ExampleLang, target: SendTarget, opts: ExampleOptions): string {
  return BUILDERS[lang](target, opts)
}
