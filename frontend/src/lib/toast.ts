import { ref } from 'vue'

export interface Toast {
  id: number
  text: string
  tone: 'success' | 'error' | 'info'
}

let nextId = 1
export const toasts = ref<Toast[]>([])

/** A short confirmation in the corner ("Saved"); errors belong next to what failed, not here. */
export function toast(text: string, tone: Toast['tone'] = 'success', ms = 3500): void {
  const id = nextId++
  toasts.value = [...toasts.value, { id, text, tone }]
  setTimeout(() => (toasts.value = toasts.value.filter((t) => t.id !== id)), ms)
}
