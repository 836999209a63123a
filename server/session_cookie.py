"""The console's session cookie over HTTP: set, cleared, and when a request may use it.

`pushnest_session` is HttpOnly (no script in the page reads it, so an XSS cannot carry the session
away), SameSite=Strict (other sites' pages never send it), Secure when the console is reached over
HTTPS, and sent only to /graphql (under the path prefix, when one is set). A cookie is sent by the browser on its own, so it is believed
only together with a defence against cross-site requests:

- HTTP: the request carries `X-PushNest-Console: 1`. Another site's page can only add such a
  header through a CORS preflight, which this server never approves. And when the browser names
  the page's origin, it must be this one or one in PUSHNEST_ALLOWED_ORIGINS.
- WebSocket upgrades cannot carry custom headers; there Strawberry has already refused foreign
  origins before any of this runs, so the cookie stands in for the token in `connection_init`.

Bearer tokens and API keys in `Authorization` are unaffected and win over a cookie.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.requests import HTTPConnection
from starlette.responses import Response
from strawberry.http.websocket_origin import is_same_origin, normalize_origin

from schema.settings import Settings
from server.client_ip import from_trusted_proxy

COOKIE = "pushnest_session"
CONSOLE_HEADER = "x-pushnest-console"
PATH = "/graphql"


def cookie_token(conn: HTTPConnection) -> str:
    """The session token the browser sent in the cookie ("" if none)."""
    return conn.cookies.get(COOKIE, "")


class HttpSessionCookie:
    """`schema.graphql.context.SessionCookie` for one HTTP request and its answer."""

    def __init__(self, request: HTTPConnection, response: Response, settings: Settings) -> None:
        self._request = request
        self._response = response
        self._max_age = settings.jwt_ttl_minutes * 60
        self._secure = _reached_over_https(request, settings)
        self._refusal = _refusal(request, settings.allowed_origins)
        self._path = settings.path_prefix + PATH

    @property
    def usable(self) -> bool:
        return not self._refusal

    @property
    def refusal(self) -> str:
        return self._refusal

    def keep(self, token: str) -> None:
        self._response.set_cookie(
            COOKIE,
            token,
            max_age=self._max_age,
            path=self._path,
            secure=self._secure,
            httponly=True,
            samesite="strict",
        )

    def clear(self) -> None:
        self._response.delete_cookie(
            COOKIE, path=self._path, secure=self._secure, httponly=True, samesite="strict"
        )


def _refusal(request: HTTPConnection, allowed_origins: Collection[str]) -> str:
    """Why this request may not use a session cookie ("" when it may)."""
    if request.headers.get(CONSOLE_HEADER) != "1":
        return "a session cookie counts only with the header 'X-PushNest-Console: 1'"
    origin = request.headers.get("origin")
    if origin is None or origin_allowed(origin, request.headers.get("host"), allowed_origins):
        return ""
    return "a session cookie does not count for requests from another site"


def origin_allowed(origin: str, host: str | None, allowed_origins: Collection[str]) -> bool:
    """The same rule Strawberry applies to WebSocket handshakes: this host, or a listed origin."""
    if is_same_origin(origin, host):
        return True
    normalized = normalize_origin(origin)
    allowed = {normalize_origin(item) for item in allowed_origins}
    return normalized is not None and normalized in allowed


def _reached_over_https(request: HTTPConnection, settings: Settings) -> bool:
    if request.url.scheme in ("https", "wss"):
        return True
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return forwarded == "https" and from_trusted_proxy(peer, settings.trusted_proxies)
