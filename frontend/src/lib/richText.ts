import DOMPurify from 'dompurify'
import MarkdownIt from 'markdown-it'
import type { Format } from '@/gql/graphql'

// The one place the console turns message bodies (Markdown, HTML) into HTML for v-html:
// the send log, the inbox reader and list, and the template preview all render through here.

export type BodyFormat = Format

/** What a reader shows: plain text (whitespace kept, never parsed) or sanitised HTML. */
export type RenderedBody = { kind: 'text'; text: string } | { kind: 'html'; html: string }

export interface MarkdownOptions {
  /**
   * Single newlines become line breaks, as chat apps show them (the default). `false` keeps
   * CommonMark's soft breaks (a newline inside a paragraph is a space).
   */
  breaks?: boolean
}

// Raw HTML inside Markdown is never rendered (shown as text, as chat vendors do); bare URLs are linked.
const withBreaks = new MarkdownIt({ html: false, linkify: true, breaks: true })
const softBreaks = new MarkdownIt({ html: false, linkify: true })

// An instance of our own, so these hooks never touch another use of DOMPurify.
const purifier = DOMPurify(window)
purifier.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank')
    node.setAttribute('rel', 'noopener noreferrer')
  }
})

const PURIFY_CONFIG = {
  USE_PROFILES: { html: true },
  // No forms (phishing), no frames or plugins, no <style> or inline styles that could restyle the console.
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'object', 'embed', 'link', 'meta', 'base'],
  FORBID_ATTR: ['style', 'action', 'formaction'],
  ALLOW_DATA_ATTR: false,
}

/** Sanitises HTML: no scripts, no event handlers, no javascript: URLs, no inline styles; links open in a new tab. */
export function sanitizeHtml(html: string): string {
  return purifier.sanitize(html, PURIFY_CONFIG)
}

/** Markdown (raw HTML in it shown as text, bare URLs linked), then sanitised all the same. */
export function renderMarkdown(source: string, options: MarkdownOptions = {}): string {
  const markdown = (options.breaks ?? true) ? withBreaks : softBreaks
  return sanitizeHtml(markdown.render(source))
}

/** A body in its format: Markdown rendered, HTML sanitised, plain text kept as typed. */
export function renderBody(body: string, format: BodyFormat, options: MarkdownOptions = {}): RenderedBody {
  if (format === 'MARKDOWN') return { kind: 'html', html: renderMarkdown(body, options) }
  if (format === 'HTML') return { kind: 'html', html: sanitizeHtml(body) }
  return { kind: 'text', text: body }
}

/** One line of plain text for a list, whatever the format. */
export function previewText(body: string, format: BodyFormat, max = 140): string {
  const rendered = renderBody(body, format)
  // An inert document: nothing in it loads (no image requests just to build a preview).
  let text = rendered.kind === 'text' ? rendered.text : (new DOMParser().parseFromString(rendered.html, 'text/html').body.textContent ?? '')
  text = text.replace(/\s+/g, ' ').trim()
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** A link given with a message, only when it is an http(s) URL (a `javascript:` link is no link). */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null
  try {
    const parsed = new URL(url.trim())
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null
  } catch {
    return null
  }
}
