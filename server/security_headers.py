"""Security headers on every HTTP answer: the console's CSP, no framing, no sniffing, no referrer.

One policy for the console and the API alike (a JSON answer is never rendered, so the console's
CSP costs it nothing), set unless the endpoint chose its own: GraphiQL's page (built with the
console, served at GET /graphql) gets `GRAPHIQL_CSP`, the same policy with what its editor needs.

    default-src 'self'             nothing from other origins unless listed below
    script-src 'self'              only the built console's own files: no inline script, no eval
    style-src 'self'               its stylesheets; inline style *attributes* in markup are refused
                                   (Vue and reka-ui set styles through the CSSOM, which CSP allows)
    img-src 'self' data: http(s):  the site logo may be any http(s) URL or a data: URL, and message
                                   bodies may show images; images run no code
    connect-src 'self'             the API and its WebSocket (same origin: `ws:`/`wss:` included)
    base-uri 'self'                the console's `<base href>` names the path prefix; an injected
                                   <base> could only point at this origin
    object-src 'none', form-action 'self', frame-ancestors 'none'
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONSOLE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https: http:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# GraphiQL's editor (Monaco) runs its language services in workers of the same build, embeds its
# icon fonts as data: URLs, and styles its lines with inline <style> elements and style attributes
# (it cannot run without 'unsafe-inline' styles, which run no code); still nothing from another
# origin, no inline script, no eval.
GRAPHIQL_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "worker-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONSOLE_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    """Adds `HEADERS` to HTTP answers that do not set them already (WebSockets pass untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
