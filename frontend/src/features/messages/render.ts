import DOMPurify from 'dompurify'
import MarkdownIt from 'markdown-it'

const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true })

/** A message's Markdown body as safe HTML (raw HTML in it is shown as text, not run). */
export function renderMarkdown(source: string): string {
  return DOMPurify.sanitize(markdown.render(source))
}

/** A message's HTML body with scripts, handlers and other active content removed. */
export function sanitizeHtml(source: string): string {
  return DOMPurify.sanitize(source, { FORBID_TAGS: ['style', 'form', 'input', 'button'] })
}

/** Pretty JSON for a variables object; empty objects and null give ''. */
export function prettyJson(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object' && Object.keys(value as object).length === 0) return ''
  return JSON.stringify(value, null, 2)
}
