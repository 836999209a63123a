/** Where the API answers: next to the page, under the server's path prefix (the `<base href>` the
 * server puts into index.html; without one, the page's own address). */
export function apiUrl(path: string, base: string = document.baseURI): string {
  return new URL(path, base).href
}

/** The same address for a WebSocket (`ws:` or `wss:` as the page's scheme). */
export function socketUrl(path: string, base: string = document.baseURI): string {
  const url = new URL(path, base)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return url.href
}

/** PushNest's own icon, the logo when the site has none: relative, so found under the path prefix. */
export const DEFAULT_LOGO = 'favicon.svg'
