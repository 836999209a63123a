import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBatcher } from './batcher'

describe('createBatcher', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('hands over a burst of keys once, without repeats', async () => {
    const flush = vi.fn()
    const b = createBatcher(flush, 200)
    b.add(1)
    b.add(2)
    b.add(1)
    expect(flush).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(200)
    expect(flush).toHaveBeenCalledTimes(1)
    expect(flush).toHaveBeenCalledWith([1, 2])
  })

  it('does not postpone forever under a steady stream', async () => {
    const flush = vi.fn()
    const b = createBatcher(flush, 200)
    for (let i = 0; i < 10; i++) {
      b.add(7)
      await vi.advanceTimersByTimeAsync(50)
    }
    expect(flush.mock.calls.length).toBeGreaterThanOrEqual(2)
  })

  it('waits for a running hand-over before the next', async () => {
    let release: () => void = () => {}
    const flush = vi.fn(() => new Promise<void>((resolve) => (release = resolve)))
    const b = createBatcher(flush, 100)
    b.add(1)
    await vi.advanceTimersByTimeAsync(100)
    b.add(2)
    await vi.advanceTimersByTimeAsync(500)
    expect(flush).toHaveBeenCalledTimes(1)
    release()
    await vi.advanceTimersByTimeAsync(100)
    expect(flush).toHaveBeenCalledTimes(2)
    expect(flush).toHaveBeenLastCalledWith([2])
  })

  it('forgets pending keys once stopped', async () => {
    const flush = vi.fn()
    const b = createBatcher(flush, 100)
    b.add(1)
    b.stop()
    b.add(2)
    await vi.advanceTimersByTimeAsync(1000)
    expect(flush).not.toHaveBeenCalled()
  })
})
