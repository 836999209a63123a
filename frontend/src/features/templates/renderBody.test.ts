import { describe, expect, it } from 'vitest'
import { markdownHtml, renderBody } from './renderBody'

// DOMPurify's own sanitising is checked in a real browser: under happy-dom its node walk misses
// elements, so a unit test of it here would test happy-dom rather than the sanitiser.

describe('renderBody', () => {
  it('leaves plain text to be shown as is', () => {
    expect(renderBody('TEXT', '<b>x</b>')).toBeNull()
  })
})

describe('markdownHtml', () => {
  it('renders markdown and escapes raw HTML', () => {
    const html = markdownHtml('# Title\n\n**bold** <script>alert(1)</script>\nnext')
    expect(html).toContain('<h1>Title</h1>')
    expect(html).toContain('<strong>bold</strong>')
    expect(html).toContain('&lt;script&gt;')
    expect(html).not.toContain('<script>')
    expect(html).toContain('<br>')
  })
})
