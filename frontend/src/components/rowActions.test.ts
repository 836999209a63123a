import { CombinedError } from '@urql/vue'
import { describe, expect, it } from 'vitest'
import { ref } from 'vue'
import { useRowActions } from './rowActions'

const failure = () => new CombinedError({ graphQLErrors: [{ message: 'no task with this id', extensions: { code: 'NOT_FOUND' } }] })

describe('useRowActions', () => {
  it('marks the row busy while its action runs and returns the answer', async () => {
    const rows = useRowActions()
    let finish: (value: { data: string }) => void = () => undefined
    const pending = rows.run(3, () => new Promise<{ data: string }>((resolve) => (finish = resolve)))
    expect(rows.busy.value).toEqual({ 3: true })
    finish({ data: 'ok' })
    expect(await pending).toEqual({ data: 'ok' })
    expect(rows.busy.value).toEqual({ 3: false })
    expect(rows.errors.value).toEqual({})
  })

  it('keeps the error in the row it belongs to until that row succeeds', async () => {
    const rows = useRowActions()
    const error = failure()
    await rows.run(1, async () => ({ error }))
    await rows.run(2, async () => ({ data: true }))
    expect(rows.errors.value).toEqual({ 1: error })
    await rows.run(1, async () => ({ data: true }))
    expect(rows.errors.value).toEqual({})
  })

  it('can use its own busy flags (e.g. "running" next to "busy")', async () => {
    const rows = useRowActions()
    const running = ref<Record<number, boolean>>({})
    let seen: Record<number, boolean> = {}
    await rows.run(5, async () => ((seen = { ...running.value }), { data: 1 }), running)
    expect(seen).toEqual({ 5: true })
    expect(running.value).toEqual({ 5: false })
    expect(rows.busy.value).toEqual({})
  })

  it('clears the busy flag when the action throws', async () => {
    const rows = useRowActions()
    await expect(rows.run(7, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(rows.busy.value).toEqual({ 7: false })
  })

  it('sets and clears an error by hand', () => {
    const rows = useRowActions()
    rows.setError(4, failure())
    expect(Object.keys(rows.errors.value)).toEqual(['4'])
    rows.setError(4, null)
    expect(rows.errors.value).toEqual({})
  })
})
