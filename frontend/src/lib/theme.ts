import { ref, watchEffect } from 'vue'

export type ThemePreference = 'light' | 'dark' | 'auto'
const THEME_KEY = 'pushnest.theme'
const media = window.matchMedia('(prefers-color-scheme: dark)')

const preference = ref<ThemePreference>((localStorage.getItem(THEME_KEY) as ThemePreference | null) ?? 'auto')
const systemDark = ref(media.matches)
media.addEventListener('change', (event) => (systemDark.value = event.matches))

watchEffect(() => {
  const dark = preference.value === 'dark' || (preference.value === 'auto' && systemDark.value)
  document.documentElement.classList.toggle('dark', dark)
})

/** Light, dark or follow the system; remembered per browser. */
export function useTheme() {
  function setTheme(value: ThemePreference): void {
    preference.value = value
    localStorage.setItem(THEME_KEY, value)
  }
  return { preference, setTheme }
}
