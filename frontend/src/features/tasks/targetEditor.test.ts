import { describe, expect, it } from 'vitest'
import { nextTick, reactive } from 'vue'
import { bindingErrorTarget } from './bindings'
import { useRowProblem } from './targetEditor'

describe('useRowProblem', () => {
  it('keeps an error about one row of its list, with the API message', () => {
    const form = reactive({ bindings: [1, 2, 3] })
    const handle = useRowProblem(() => form.bindings, bindingErrorTarget)
    expect(handle.capture({ message: 'unknown format', code: 'BAD_INPUT', field: 'input.bindings.2.format' })).toBe(true)
    expect(handle.problem.value).toEqual({ index: 2, path: 'format', message: 'unknown format' })
  })

  it('ignores errors about other things, and no error at all', () => {
    const form = reactive({ bindings: [1] })
    const handle = useRowProblem(() => form.bindings, bindingErrorTarget)
    expect(handle.capture({ message: 'too long', code: 'BAD_INPUT', field: 'name' })).toBe(false)
    expect(handle.capture(null)).toBe(false)
    expect(handle.problem.value).toBeNull()
  })

  it('forgets the error when the list is edited or on clear()', async () => {
    const form = reactive({ bindings: [1, 2] })
    const handle = useRowProblem(() => form.bindings, bindingErrorTarget)
    handle.capture({ message: 'x', code: 'BAD_INPUT', field: 'bindings.0' })
    form.bindings = [2]
    await nextTick()
    expect(handle.problem.value).toBeNull()
    handle.capture({ message: 'x', code: 'BAD_INPUT', field: 'bindings.0' })
    handle.clear()
    expect(handle.problem.value).toBeNull()
  })
})
