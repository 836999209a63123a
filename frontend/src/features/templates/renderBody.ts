import DOMPurify from 'dompurify'
import MarkdownIt from 'markdown-it'
import type { Format } from '@/gql/graphql'

// Raw HTML inside markdown is not rendered: chat vendors do not render it either.
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true })

/** Markdown as HTML, raw HTML in it escaped (shown as text). */
export function markdownHtml(body: string): string {
  return markdown.render(body)
}

/**
 * A preview body as safe HTML for the console: markdown rendered, then everything sanitized
 * (no scripts, handlers or inline styles). Plain text returns null: it is shown as is, in a <pre>.
 */
export function renderBody(format: Format, body: string): string | null {
  if (format === 'TEXT') return null
  const html = format === 'MARKDOWN' ? markdownHtml(body) : body
  return DOMPurify.sanitize(html, { FORBID_TAGS: ['style', 'form', 'input', 'button'], FORBID_ATTR: ['style'] })
}
