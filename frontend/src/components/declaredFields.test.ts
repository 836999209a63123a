import { describe, expect, it } from 'vitest'
import { emptyValue, initialValues, missingRequired, normalizeValues, splitEntries, type DeclaredFieldSpec } from './declaredFields'

const field = (over: Partial<DeclaredFieldSpec>): DeclaredFieldSpec => ({
  name: 'f', label: 'F', kind: 'STRING', required: false, default: null, help: null, options: [], ...over,
})

describe('emptyValue', () => {
  it('uses the declared default, copied', () => {
    const list = ['a']
    const value = emptyValue(field({ kind: 'STRING_LIST', default: list }))
    expect(value).toEqual(['a'])
    expect(value).not.toBe(list)
  })
  it('gives an empty value of the right kind', () => {
    expect(emptyValue(field({ kind: 'BOOLEAN' }))).toBe(false)
    expect(emptyValue(field({ kind: 'STRING_LIST' }))).toEqual([])
    expect(emptyValue(field({ kind: 'INTEGER' }))).toBeNull()
    expect(emptyValue(field({ kind: 'SELECT', options: ['x', 'y'], required: true }))).toBe('x')
    expect(emptyValue(field({ kind: 'SELECT', options: ['x', 'y'] }))).toBeNull()
    expect(emptyValue(field({ kind: 'TEXT' }))).toBe('')
  })
})

describe('initialValues', () => {
  it('keeps given values and fills the rest', () => {
    const fields = [field({ name: 'to', kind: 'STRING_LIST' }), field({ name: 'msgtype', kind: 'SELECT', default: 'auto', options: ['auto', 'text'] })]
    expect(initialValues(fields, { to: ['x@y.z'], extra: 1 })).toEqual({ to: ['x@y.z'], msgtype: 'auto', extra: 1 })
    expect(initialValues(fields, null)).toEqual({ to: [], msgtype: 'auto' })
  })
})

describe('normalizeValues', () => {
  const fields = [
    field({ name: 'name', kind: 'STRING' }),
    field({ name: 'code', kind: 'STRING', required: true }),
    field({ name: 'port', kind: 'INTEGER' }),
    field({ name: 'list', kind: 'STRING_LIST' }),
    field({ name: 'on', kind: 'BOOLEAN' }),
    field({ name: 'secret', kind: 'SECRET' }),
    field({ name: 'pick', kind: 'SELECT', options: ['a'] }),
  ]
  it('trims, parses and turns empty optional values into null', () => {
    const out = normalizeValues(fields, { name: '  ', code: ' c ', port: '25', list: [' a ', '', 'b'], on: 1, secret: ' s ', pick: '' })
    expect(out).toEqual({ name: null, code: 'c', port: 25, list: ['a', 'b'], on: true, secret: ' s ', pick: null })
  })
  it('keeps a required empty string so the API can name the field', () => {
    expect(normalizeValues(fields, { code: '' }).code).toBe('')
  })
  it('passes an unparsable number through for the API to refuse', () => {
    expect(normalizeValues(fields, { port: 'abc' }).port).toBe('abc')
    expect(normalizeValues(fields, { port: '' }).port).toBeNull()
  })
  it('drops undeclared keys', () => {
    expect(Object.keys(normalizeValues(fields, { stray: 1 }))).not.toContain('stray')
  })
})

describe('missingRequired', () => {
  it('names required fields left empty', () => {
    const fields = [field({ name: 'a', required: true }), field({ name: 'b', required: true, kind: 'STRING_LIST' }), field({ name: 'c' })]
    expect(missingRequired(fields, { a: ' ', b: [] })).toEqual(['a', 'b'])
    expect(missingRequired(fields, { a: 'x', b: ['y'] })).toEqual([])
  })
})

describe('splitEntries', () => {
  it('splits on commas, semicolons and new lines', () => {
    expect(splitEntries('a@x.io, b@x.io;\nc@x.io ,,')).toEqual(['a@x.io', 'b@x.io', 'c@x.io'])
  })
})
