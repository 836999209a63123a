/**
 * Runs `run` `delayMs` after the last `schedule` call and hands only the newest answer to
 * `onResult`: an answer that arrives after a later call was made is dropped, so a slow
 * response never overwrites a newer one.
 */
export function debouncedLatest<A, R>(run: (arg: A) => Promise<R>, onResult: (result: R, arg: A) => void, delayMs: number) {
  let timer: ReturnType<typeof setTimeout> | null = null
  let generation = 0
  let pending = false

  async function fire(arg: A): Promise<void> {
    const mine = ++generation
    pending = true
    try {
      const result = await run(arg)
      if (mine === generation) onResult(result, arg)
    } finally {
      if (mine === generation) pending = false
    }
  }

  return {
    schedule(arg: A): void {
      if (timer) clearTimeout(timer)
      generation++ // an answer still on its way is now stale
      timer = setTimeout(() => {
        timer = null
        void fire(arg)
      }, delayMs)
    },
    /** Runs now, without waiting. */
    now(arg: A): Promise<void> {
      if (timer) clearTimeout(timer)
      timer = null
      return fire(arg)
    },
    cancel(): void {
      if (timer) clearTimeout(timer)
      timer = null
      generation++
      pending = false
    },
    /** True while a call is waiting or running. */
    busy(): boolean {
      return timer !== null || pending
    },
  }
}
