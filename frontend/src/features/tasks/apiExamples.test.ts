import { describe, expect, it } from 'vitest'
import { buildExample, goString, pythonLiteral, requestBody, sendInput, shellQuote, SEND_MUTATION, type SendTarget } from './apiExamples'

const tricky = `It's "quoted" \\ back\`tick $HOME\nline 2 — 中文`
const task: SendTarget = { mode: 'task', id: 4, title: tricky, text: 'plain' }
const template: SendTarget = { mode: 'template', id: 9, variables: { service: "db's", note: 'a "b"' } }
const endpoint = 'https://push.example.com/graphql'

/** Reads back a POSIX single-quoted word (the way a shell would). */
function unshell(word: string): string {
  let out = ''
  let i = 0
  while (i < word.length) {
    if (word[i] === "'") {
      const close = word.indexOf("'", i + 1)
      out += word.slice(i + 1, close)
      i = close + 1
    } else if (word[i] === '\\') {
      out += word[i + 1]
      i += 2
    } else {
      out += word[i]
      i += 1
    }
  }
  return out
}

describe('sendInput', () => {
  it('sends task content or template variables', () => {
    expect(sendInput(task)).toEqual({ taskId: 4, title: tricky, text: 'plain' })
    expect(sendInput(template)).toEqual({ templateId: 9, variables: { service: "db's", note: 'a "b"' } })
    expect(requestBody(template).query).toBe(SEND_MUTATION)
  })
})

describe('shellQuote', () => {
  it('survives single quotes', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`)
    expect(unshell(shellQuote(tricky))).toBe(tricky)
  })
})

describe('curl', () => {
  it('sends a body that parses back to the same input', () => {
    const code = buildExample('curl', task, { endpoint, apiKey: null })
    const body = JSON.parse(unshell(code.slice(code.indexOf('  -d ') + 5)))
    expect(body).toEqual(requestBody(task))
  })
  it('reads the key from the environment, or uses the real one', () => {
    expect(buildExample('curl', task, { endpoint, apiKey: null })).toContain('"Authorization: Bearer $PUSHNEST_API_KEY"')
    const withKey = buildExample('curl', task, { endpoint, apiKey: 'pn_abc' })
    expect(withKey).toContain(`-H 'Authorization: Bearer pn_abc'`)
    expect(withKey).not.toContain('PUSHNEST_API_KEY')
  })
})

describe('pythonLiteral', () => {
  it('writes Python constants and escaped strings', () => {
    expect(pythonLiteral({ a: true, b: false, c: null, d: 1.5, e: [] })).toBe('{\n    "a": True,\n    "b": False,\n    "c": None,\n    "d": 1.5,\n    "e": [],\n}')
    expect(pythonLiteral('say "hi"\n')).toBe('"say \\"hi\\"\\n"')
  })
})

describe('python', () => {
  it('imports os only when reading the environment', () => {
    expect(buildExample('python', task, { endpoint, apiKey: null })).toContain('os.environ["PUSHNEST_API_KEY"]')
    const withKey = buildExample('python', task, { endpoint, apiKey: 'pn_x' })
    expect(withKey).toContain('API_KEY = "pn_x"')
    expect(withKey).not.toContain('import os')
  })
  it('uses template variables', () => {
    const code = buildExample('python', template, { endpoint, apiKey: null })
    expect(code).toContain('"templateId": 9,')
    expect(code).toContain('"note": "a \\"b\\"",')
  })
})

describe('javascript', () => {
  it('has a body expression that evaluates to the request body', () => {
    const code = buildExample('javascript', task, { endpoint, apiKey: 'pn_k' })
    const start = code.indexOf('JSON.stringify(') + 'JSON.stringify('.length
    const end = code.lastIndexOf('),\n})')
    const value = new Function(`return (${code.slice(start, end)})`)()
    expect(value).toEqual(requestBody(task))
    expect(code).toContain('const apiKey = "pn_k"')
  })
  it('reads process.env without a key', () => {
    expect(buildExample('javascript', template, { endpoint, apiKey: null })).toContain('const apiKey = process.env.PUSHNEST_API_KEY')
  })
})

describe('goString', () => {
  it('uses a raw literal when it can', () => {
    expect(goString('{"a": "b"}')).toBe('`{"a": "b"}`')
  })
  it('falls back to an escaped literal around backticks', () => {
    const literal = goString('a `b` "c"')
    expect(literal.startsWith('"')).toBe(true)
    expect(JSON.parse(literal)).toBe('a `b` "c"')
  })
})

describe('go', () => {
  it('embeds a body that parses back, with a backtick inside', () => {
    const code = buildExample('go', task, { endpoint, apiKey: null })
    const line = code.split('\n').find((l) => l.startsWith('\tbody := '))!
    const body = JSON.parse(JSON.parse(line.slice('\tbody := '.length)))
    expect(body).toEqual(requestBody(task))
    expect(code).toContain('os.Getenv("PUSHNEST_API_KEY")')
    expect(code).toContain('\t"os"')
  })
  it('drops the os import with a real key', () => {
    const code = buildExample('go', template, { endpoint, apiKey: 'pn_z' })
    expect(code).not.toContain('"os"')
    expect(code).toContain('apiKey := "pn_z"')
    expect(code).toContain('body := `{')
  })
})
