// Applied before the first paint so a dark-mode user never sees a white flash. A file rather than
// an inline script: the console's Content-Security-Policy runs no inline script.
try {
  const pref = localStorage.getItem('pushnest.theme') || 'auto'
  const dark = pref === 'dark' || (pref === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches)
  document.documentElement.classList.toggle('dark', dark)
} catch {
  // storage or matchMedia unavailable: the app applies the theme once it starts
}
