/**
 * Collects keys (message ids) named by a burst of events and hands them over together, at most
 * once per `delayMs`, never while the previous hand-over is still running: a message re-read
 * once per burst instead of once per event.
 */
export interface Batcher {
  add(key: number): void
  /** Drops pending keys and stops; later adds are ignored. */
  stop(): void
}

export function createBatcher(flush: (keys: number[]) => PromiseLike<unknown> | void, delayMs = 300): Batcher {
  const pending = new Set<number>()
  let timer: ReturnType<typeof setTimeout> | null = null
  let running = false
  let stopped = false

  function schedule(): void {
    if (timer !== null || running || stopped || pending.size === 0) return
    timer = setTimeout(run, delayMs)
  }

  async function run(): Promise<void> {
    timer = null
    const keys = [...pending]
    pending.clear()
    running = true
    try {
      await flush(keys)
    } finally {
      running = false
      schedule()
    }
  }

  return {
    add(key) {
      if (stopped) return
      pending.add(key)
      schedule()
    },
    stop() {
      stopped = true
      pending.clear()
      if (timer !== null) clearTimeout(timer)
      timer = null
    },
  }
}
