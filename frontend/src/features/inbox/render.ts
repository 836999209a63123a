import DOMPurify from 'dompurify'
import MarkdownIt from 'markdown-it'

export type BodyFormat = 'TEXT' | 'MARKDOWN' | 'HTML'

/** What the reader shows: plain text (whitespace kept, never parsed) or sanitised HTML. */
export type RenderedBody = { kind: 'text'; text: string } | { kind: 'html'; html: string }

const markdown = new MarkdownIt({ html: false, linkify: true })

// An instance of our own, so these hooks never touch another feature's use of DOMPurify.
const purifier = DOMPurify(window)
purifier.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank')
    node.setAttribute('rel', 'noopener noreferrer')
  }
})

const PURIFY_CONFIG = {
  USE_PROFILES: { html: true },
  // No forms (phishing), no frames or plugins, no <style> that could restyle the console.
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'object', 'embed', 'link', 'meta', 'base'],
  FORBID_ATTR: ['action', 'formaction'],
  ALLOW_DATA_ATTR: false,
}

/** Sanitises HTML: no scripts, no event handlers, no javascript: URLs; links open in a new tab. */
export function sanitizeHtml(html: string): string {
  return purifier.sanitize(html, PURIFY_CONFIG)
}

/** Markdown (raw HTML in it shown as text, bare URLs linked), then sanitised all the same. */
export function renderMarkdown(source: string): string {
  return sanitizeHtml(markdown.render(source))
}

export function renderBody(body: string, format: BodyFormat): RenderedBody {
  if (format === 'MARKDOWN') return { kind: 'html', html: renderMarkdown(body) }
  if (format === 'HTML') return { kind: 'html', html: sanitizeHtml(body) }
  return { kind: 'text', text: body }
}

/** One line of plain text for the list, whatever the format. */
export function previewText(body: string, format: BodyFormat, max = 140): string {
  const rendered = renderBody(body, format)
  // An inert document: nothing in it loads (no image requests just to build a preview).
  let text = rendered.kind === 'text' ? rendered.text : (new DOMParser().parseFromString(rendered.html, 'text/html').body.textContent ?? '')
  text = text.replace(/\s+/g, ' ').trim()
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** The item's link, only when it is an http(s) URL (a `javascript:` link is no link). */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null
  try {
    const parsed = new URL(url.trim())
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null
  } catch {
    return null
  }
}
