import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { debouncedLatest } from './latest'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

describe('debouncedLatest', () => {
  it('runs once, with the last argument, after the delay', async () => {
    const run = vi.fn(async (n: number) => n * 2)
    const seen: number[] = []
    const d = debouncedLatest(run, (r) => seen.push(r), 300)
    d.schedule(1)
    d.schedule(2)
    await vi.advanceTimersByTimeAsync(299)
    expect(run).not.toHaveBeenCalled()
    expect(d.busy()).toBe(true)
    await vi.advanceTimersByTimeAsync(1)
    expect(run).toHaveBeenCalledTimes(1)
    expect(seen).toEqual([4])
    expect(d.busy()).toBe(false)
  })

  it('drops an answer overtaken by a newer call', async () => {
    const slow = deferred<string>()
    const fast = deferred<string>()
    const answers = [slow, fast]
    const seen: string[] = []
    const d = debouncedLatest(() => answers.shift()!.promise, (r) => seen.push(r), 10)
    d.schedule(1)
    await vi.advanceTimersByTimeAsync(10)
    d.schedule(2)
    await vi.advanceTimersByTimeAsync(10)
    fast.resolve('new')
    await vi.advanceTimersByTimeAsync(0)
    slow.resolve('old')
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toEqual(['new'])
  })

  it('can run at once and be cancelled', async () => {
    const seen: number[] = []
    const d = debouncedLatest(async (n: number) => n, (r) => seen.push(r), 300)
    await d.now(5)
    expect(seen).toEqual([5])
    d.schedule(6)
    d.cancel()
    await vi.advanceTimersByTimeAsync(500)
    expect(seen).toEqual([5])
  })
})
