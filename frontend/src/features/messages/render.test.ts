import { describe, expect, it } from 'vitest'
import { prettyJson, renderMarkdown } from './render'

// sanitizeHtml is checked in a real browser: DOMPurify does not sanitise under happy-dom (its node walk
// finds nothing there), so a unit test here would prove nothing.

describe('render', () => {
  it('renders Markdown and keeps raw HTML inert', () => {
    const html = renderMarkdown('**bold** <img src=x onerror=alert(1)>')
    expect(html).toContain('<strong>bold</strong>')
    expect(html).not.toContain('<img')
  })

  it('pretty-prints non-empty variables only', () => {
    expect(prettyJson({})).toBe('')
    expect(prettyJson(null)).toBe('')
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}')
  })
})
