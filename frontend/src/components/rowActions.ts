import { ref, shallowRef, type Ref } from 'vue'
import type { CombinedError } from '@urql/vue'

/**
 * Per-row state of a list's actions (enable/disable, copy, delete, run…): which rows have an action
 * in flight, and the error each row's last action got, shown in that row rather than as a banner.
 */
export function useRowActions() {
  const busy = ref<Record<number, boolean>>({})
  const errors = shallowRef<Record<number, CombinedError>>({})

  function setError(id: number, error: CombinedError | null | undefined): void {
    const next = { ...errors.value }
    if (error) next[id] = error
    else delete next[id]
    errors.value = next
  }

  /**
   * Runs one row's action: the row is marked busy in `flags` (the shared `busy` unless given) while
   * it runs, and its error becomes what the action answered (none on success).
   */
  async function run<R extends { data?: unknown; error?: CombinedError | null }>(id: number, action: () => Promise<R>, flags: Ref<Record<number, boolean>> = busy): Promise<R> {
    flags.value = { ...flags.value, [id]: true }
    try {
      const result = await action()
      setError(id, result.error)
      return result
    } finally {
      flags.value = { ...flags.value, [id]: false }
    }
  }

  return { busy, errors, setError, run }
}
