/// <reference types="node" />
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { curlExample, exampleBody, exampleInput, shellQuote } from './curl'

const words = { title: 'Hello', text: "It's working" }

/** What a real shell makes of a quoted word: sh prints it back exactly as it understood it. */
function throughShell(quoted: string): string {
  return execFileSync('sh', ['-c', `printf '%s' ${quoted}`]).toString()
}

describe('shellQuote', () => {
  it('survives a real shell unchanged, quotes and all', () => {
    for (const value of ["plain", "it's", "a 'b' \"c\" $HOME `id` \\n", '{"x":"y\'z"}']) {
      expect(throughShell(shellQuote(value))).toBe(value)
    }
  })
})

describe('exampleInput', () => {
  it('sends to the task with a title and text', () => {
    expect(exampleInput({ kind: 'task', id: 7 }, words)).toEqual({ taskId: 7, title: 'Hello', text: "It's working" })
  })

  it('fills template variables with their defaults, or their names', () => {
    const input = exampleInput({ kind: 'template', id: 3, placeholders: [{ key: 'service', default: 'db' }, { key: 'level', default: '' }] }, words)
    expect(input).toEqual({ templateId: 3, variables: { service: 'db', level: 'level' } })
  })
})

describe('exampleBody', () => {
  it('is JSON a GraphQL server accepts', () => {
    const body = JSON.parse(exampleBody({ kind: 'task', id: 2 }, words))
    expect(body.query).toContain('sendMessage(input: $input)')
    expect(body.variables.input.taskId).toBe(2)
  })

  it('leaves a bare TASK_ID to fill in when there is no target', () => {
    const body = exampleBody(null, words)
    expect(body).toContain('"taskId":TASK_ID,')
    expect(() => JSON.parse(body.replace('TASK_ID', '5'))).not.toThrow()
  })
})

describe('curlExample', () => {
  it('carries the key and a body the shell passes through intact', () => {
    const text = curlExample({ endpoint: 'https://push.example.com/graphql', key: 'pn_abc', target: { kind: 'task', id: 4 }, words })
    expect(text).toContain("'Authorization: Bearer pn_abc'")
    expect(text.split('\n')[0]).toBe("curl -sS -X POST 'https://push.example.com/graphql' \\")
    const quotedBody = text.split('\n')[3].replace(/^ {2}-d /, '')
    expect(JSON.parse(throughShell(quotedBody))).toEqual(JSON.parse(exampleBody({ kind: 'task', id: 4 }, words)))
  })
})
