"""GET /preview/{key}: an inbox item's public preview page, for anyone who has the link.

Rendered here, as plain HTML with no script at all, so the page works without the console and
without a session. Bodies are made safe before they are written: Markdown through the converter
that escapes raw HTML, anything else as escaped text (an imported HTML body is shown as its text).
The page's own CSP allows no script, no frame, no form and nothing from elsewhere but images;
answers are never cached (a revoked link stops at once) and ask not to be indexed.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from schema.domain.bodies import html_to_text, markdown_to_html, text_to_html
from schema.models import InboxItem
from schema.services import public_preview

PREVIEW_CSP = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src https: data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
_HEADERS = {
    "Content-Security-Policy": PREVIEW_CSP,
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.6;color:#1f2937}h1{font-size:1.4rem}time{color:#6b7280;font-size:.85rem}"
    "pre{white-space:pre-wrap}img{max-width:100%}"
    "@media (prefers-color-scheme:dark){body{background:#111827;color:#e5e7eb}}"
)


def _body_html(item: InboxItem) -> str:
    if item.format == "markdown":
        return markdown_to_html(item.body)
    text = html_to_text(item.body) if item.format == "html" else item.body
    return f"<p>{text_to_html(text)}</p>"


def _page(title: str, inner: str) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>{inner}</body></html>"
    )


async def preview_page(request: Request) -> HTMLResponse:
    item = await public_preview.find(request.path_params["key"])
    if item is None:
        inner = "<h1>Not found</h1><p>This preview link does not exist or was revoked.</p>"
        return HTMLResponse(_page("Not found", inner), status_code=404, headers=_HEADERS)
    title = item.title or "Message"
    inner = (
        f'<article data-format="{html.escape(item.format)}"><h1>{html.escape(title)}</h1>'
        f'<time datetime="{item.created_at.isoformat()}">{item.created_at:%Y-%m-%d %H:%M:%S %Z}</time>'
        f"<div>{_body_html(item)}</div></article>"
    )
    return HTMLResponse(_page(title, inner), headers=_HEADERS)


routes: list[BaseRoute] = [Route(public_preview.PREVIEW_PATH + "{key}", preview_page, methods=["GET"])]
