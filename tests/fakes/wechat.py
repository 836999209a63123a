"""A fake WeChat Official Account API (vendors.md §3.6): tokens and template messages.

What it checks, like the vendor: grant_type/appid/secret on `/cgi-bin/token` (a new token per call;
the previous one dies after `overlap_seconds`, 0 by default — stricter than the vendor's few minutes),
token presence/validity/expiry on every send, the template id, the template's data keys, the OpenID's
shape and that it follows the account, and the JSON shape. Answers carry real errcodes and errmsg
suffixes (`rid: …`), always with HTTP 200.

Scriptable: `fail(route, *faults)` queues one-shot faults per route ("token" or "send"): an HTTP
status, an errcode, or a delay (hang); `expire_tokens()` ages every issued token out (→ 42001);
`daily_quota` caps successful sends (→ 45009).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.local import serve

_OPENID = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
MESSAGES = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40014: "invalid access_token",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    41001: "access_token missing",
    42001: "access_token expired",
    43004: "require subscribe",
    45009: "reach max api daily quota limit",
    47001: "data format error",
    47003: "argument invalid! data.{key}.value invalid",
}


@dataclass(frozen=True)
class Fault:
    status: int = 200
    errcode: int | None = None
    delay: float = 0.0


@dataclass
class Sent:
    touser: str
    template_id: str
    data: dict[str, Any]
    url: str
    client_msg_id: str
    msgid: int


@dataclass
class FakeWeChat:
    app_id: str = "wx0123456789abcdef"
    app_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    templates: dict[str, set[str]] = field(default_factory=dict)  # template id → data keys
    followers: set[str] = field(default_factory=set)
    expires_in: int = 7200
    overlap_seconds: float = 0.0
    daily_quota: int | None = None
    base_url: str = ""
    token_calls: int = 0
    issued: list[str] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    send_calls: list[dict[str, Any]] = field(default_factory=list)
    _tokens: dict[str, float] = field(default_factory=dict)  # token → dies at (monotonic)
    _faults: dict[str, list[Fault]] = field(default_factory=lambda: defaultdict(list))
    _dedupe: dict[tuple[str, str], int] = field(default_factory=dict)
    _runner: web.AppRunner | None = None

    # --- scripting -------------------------------------------------------------------------------

    def fail(self, route: str, *faults: Fault) -> None:
        self._faults[route].extend(faults)

    def expire_tokens(self) -> None:
        now = time.monotonic()
        self._tokens = {token: min(dies, now - 1) for token, dies in self._tokens.items()}

    def to(self, openid: str) -> list[Sent]:
        return [s for s in self.sent if s.touser == openid]

    # --- server ----------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/template/send", self._send)
        self._runner, self.base_url = await serve(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _fault(self, route: str) -> web.Response | None:
        if not self._faults[route]:
            return None
        fault = self._faults[route].pop(0)
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status != 200:
            return web.Response(
                status=fault.status, text="<html>bad gateway</html>", content_type="text/html"
            )
        return _error(fault.errcode) if fault.errcode is not None else None

    async def _token(self, request: web.Request) -> web.Response:
        self.token_calls += 1
        if (faulty := await self._fault("token")) is not None:
            return faulty
        query = request.query
        if query.get("grant_type") != "client_credential":
            return _error(40002)
        if query.get("appid") != self.app_id:
            return _error(40013)
        if not secrets.compare_digest(query.get("secret", ""), self.app_secret):
            return _error(40125)
        now = time.monotonic()
        # A new token retires every older one after the overlap (vendors.md §0.4).
        self._tokens = {t: min(dies, now + self.overlap_seconds) for t, dies in self._tokens.items()}
        token = secrets.token_urlsafe(48)
        self._tokens[token] = now + self.expires_in
        self.issued.append(token)
        return web.json_response({"access_token": token, "expires_in": self.expires_in})

    def _token_error(self, token: str | None) -> int | None:
        if not token:
            return 41001
        dies = self._tokens.get(token)
        if dies is None:
            return 40001
        return 42001 if dies <= time.monotonic() else None

    async def _send(self, request: web.Request) -> web.Response:
        if (faulty := await self._fault("send")) is not None:
            return faulty
        if (code := self._token_error(request.query.get("access_token"))) is not None:
            return _error(code)
        try:
            body = json.loads(await request.read())
        except ValueError:
            return _error(47001)
        self.send_calls.append(body)
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            return _error(47001)
        touser, template_id = body.get("touser"), body.get("template_id")
        if not isinstance(touser, str) or not isinstance(template_id, str):
            return _error(47001)
        if template_id not in self.templates:
            return _error(40037)
        for key, value in body["data"].items():
            if key not in self.templates[template_id] or not isinstance(value, dict):
                return _error(47003, key=key)
            if not isinstance(value.get("value"), str):
                return _error(47003, key=key)
        if not _OPENID.match(touser):
            return _error(40003)
        if touser not in self.followers:
            return _error(43004)
        client_msg_id = str(body.get("client_msg_id") or "")
        if client_msg_id and (touser, client_msg_id) in self._dedupe:
            # [mem] the same openid + client_msg_id is sent once: answered ok, not sent again.
            return web.json_response(
                {"errcode": 0, "errmsg": "ok", "msgid": self._dedupe[touser, client_msg_id]}
            )
        if self.daily_quota is not None and len(self.sent) >= self.daily_quota:
            return _error(45009)
        msgid = 200228332 + len(self.sent)
        self.sent.append(
            Sent(touser, template_id, body["data"], str(body.get("url", "")), client_msg_id, msgid)
        )
        if client_msg_id:
            self._dedupe[touser, client_msg_id] = msgid
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": msgid})


def _error(code: int, **fields: str) -> web.Response:
    message = MESSAGES.get(code, "unknown error").format(**fields)
    return web.json_response(
        {"errcode": code, "errmsg": f"{message} rid: {secrets.token_hex(4)}-{secrets.token_hex(4)}"}
    )


def openid() -> str:
    """A follower id shaped like the vendor's (28 characters)."""
    return "o" + secrets.token_urlsafe(21)[:27]
