import '@/lib/testing/browserDom'
import { describe, expect, it } from 'vitest'
import { previewText, renderBody, renderMarkdown, safeHref, sanitizeHtml } from './richText'

function parse(html: string): HTMLElement {
  return new DOMParser().parseFromString(`<div id="root">${html}</div>`, 'text/html').getElementById('root') as HTMLElement
}

function allAttributes(root: HTMLElement): string[] {
  return [...root.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => `${a.name}=${a.value}`))
}

describe('sanitizeHtml', () => {
  it('removes <script> elements and their code', () => {
    const html = sanitizeHtml('<p>hi</p><script>alert(1)</script><SCRIPT>steal(document.cookie)</SCRIPT>')
    const root = parse(html)
    expect(root.querySelector('script')).toBeNull()
    expect(html.toLowerCase()).not.toContain('<script')
    expect(html).not.toContain('alert(1)')
    expect(html).not.toContain('steal(')
    expect(root.querySelector('p')?.textContent).toBe('hi')
  })

  it('removes event handlers such as onerror=', () => {
    const html = sanitizeHtml('<img src="https://example.com/a.png" onerror="alert(1)"><div onclick="steal()" onmouseover="x()">x</div>')
    const root = parse(html)
    expect(html).not.toMatch(/onerror|onclick|onmouseover/i)
    expect(allAttributes(root).some((a) => a.startsWith('on'))).toBe(false)
    expect(root.querySelector('img')?.getAttribute('src')).toBe('https://example.com/a.png')
  })

  it('removes javascript: URLs (any case, with whitespace or entities)', () => {
    const html = sanitizeHtml(
      '<a href="javascript:alert(1)">a</a><a href=" JaVaScRiPt:alert(2)">b</a><a href="jav&#x09;ascript:alert(3)">c</a><img src="javascript:alert(4)">',
    )
    const root = parse(html)
    expect(html.toLowerCase()).not.toContain('javascript:')
    for (const a of root.querySelectorAll('a')) expect(a.getAttribute('href')).toBeNull()
    expect(root.querySelectorAll('a')).toHaveLength(3)
  })

  it('opens links in a new tab without giving the page an opener', () => {
    const root = parse(sanitizeHtml('<a href="https://example.com/x" target="_self">x</a>'))
    const a = root.querySelector('a') as HTMLAnchorElement
    expect(a.getAttribute('href')).toBe('https://example.com/x')
    expect(a.getAttribute('target')).toBe('_blank')
    expect(a.getAttribute('rel')).toBe('noopener noreferrer')
  })

  it('drops forms, frames and style sheets', () => {
    const root = parse(sanitizeHtml('<form action="/collect"><input name="password"></form><iframe srcdoc="&lt;b&gt;x&lt;/b&gt;"></iframe><style>body{display:none}</style><b>ok</b>'))
    expect(root.querySelector('form, input, iframe, style')).toBeNull()
    expect(root.querySelector('b')?.textContent).toBe('ok')
  })

  it('drops inline styles, data attributes and form actions', () => {
    const root = parse(sanitizeHtml('<p style="position:fixed;inset:0" data-x="1">hi</p><a href="https://example.com" formaction="https://evil.example">a</a>'))
    expect(root.querySelector('p')?.textContent).toBe('hi')
    expect(allAttributes(root).some((a) => /^(style|data-x|formaction)=/.test(a))).toBe(false)
  })
})

describe('renderMarkdown', () => {
  it('renders markdown and links bare URLs', () => {
    const root = parse(renderMarkdown('# Deploy\n\n**v1.2** is live: https://example.com/releases', { breaks: false }))
    expect(root.querySelector('h1')?.textContent).toBe('Deploy')
    expect(root.querySelector('strong')?.textContent).toBe('v1.2')
    const a = root.querySelector('a') as HTMLAnchorElement
    expect(a.getAttribute('href')).toBe('https://example.com/releases')
    expect(a.getAttribute('rel')).toBe('noopener noreferrer')
    expect(a.getAttribute('target')).toBe('_blank')
  })

  it('shows raw HTML as text instead of running it', () => {
    const html = renderMarkdown('hello <script>alert(1)</script> <img src=x onerror=alert(1)>')
    const root = parse(html)
    expect(root.querySelector('script, img')).toBeNull()
    expect(allAttributes(root).some((a) => a.startsWith('onerror'))).toBe(false)
    expect(root.textContent).toContain('<script>alert(1)</script>')
  })

  it('does not make javascript: links', () => {
    const html = renderMarkdown('[click](javascript:alert(1)) and [ok](https://example.com)')
    const root = parse(html)
    const hrefs = [...root.querySelectorAll('a')].map((a) => a.getAttribute('href'))
    expect(hrefs).toEqual(['https://example.com'])
    expect(html).not.toMatch(/href="javascript:/i)
  })

  it('renders Markdown and keeps raw HTML inert', () => {
    const html = renderMarkdown('**bold** <img src=x onerror=alert(1)>')
    expect(html).toContain('<strong>bold</strong>')
    expect(html).not.toContain('<img')
  })

  it('renders markdown and escapes raw HTML, single newlines as line breaks', () => {
    const html = renderMarkdown('# Title\n\n**bold** <script>alert(1)</script>\nnext')
    expect(html).toContain('<h1>Title</h1>')
    expect(html).toContain('<strong>bold</strong>')
    expect(html).toContain('&lt;script&gt;')
    expect(html).not.toContain('<script>')
    expect(html).toContain('<br>')
  })

  it('keeps single newlines soft when asked (the inbox)', () => {
    const html = renderMarkdown('one\ntwo', { breaks: false })
    expect(html).not.toContain('<br>')
    expect(parse(html).textContent).toContain('one\ntwo')
  })
})

describe('renderBody', () => {
  it('keeps TEXT as text, never parsed', () => {
    expect(renderBody('a  <b>b</b>\n  c', 'TEXT')).toEqual({ kind: 'text', text: 'a  <b>b</b>\n  c' })
    expect(renderBody('<b>x</b>', 'TEXT')).toEqual({ kind: 'text', text: '<b>x</b>' })
  })

  it('renders MARKDOWN, with line breaks unless asked not to', () => {
    expect(renderBody('a\nb', 'MARKDOWN')).toEqual({ kind: 'html', html: '<p>a<br>\nb</p>\n' })
    expect(renderBody('a\nb', 'MARKDOWN', { breaks: false })).toEqual({ kind: 'html', html: '<p>a\nb</p>\n' })
  })

  it('sanitises HTML bodies', () => {
    const rendered = renderBody('<p onclick="x()">hi</p><script>alert(1)</script>', 'HTML')
    expect(rendered.kind).toBe('html')
    expect(rendered.kind === 'html' && rendered.html).toBe('<p>hi</p>')
  })
})

describe('previewText', () => {
  it('gives plain text for every format, shortened', () => {
    expect(previewText('**bold** and `code`', 'MARKDOWN')).toBe('bold and code')
    expect(previewText('<p>one</p>\n<p>two</p><script>alert(1)</script>', 'HTML')).toBe('one two')
    expect(previewText('x'.repeat(200), 'TEXT', 10)).toBe(`${'x'.repeat(9)}…`)
  })
})

describe('safeHref', () => {
  it('keeps http(s) links only', () => {
    expect(safeHref('https://example.com/a?b=1')).toBe('https://example.com/a?b=1')
    expect(safeHref('javascript:alert(1)')).toBeNull()
    expect(safeHref(' JAVASCRIPT:alert(1)')).toBeNull()
    expect(safeHref('data:text/html,<script>alert(1)</script>')).toBeNull()
    expect(safeHref('')).toBeNull()
    expect(safeHref('not a url')).toBeNull()
  })
})
