"""A fake Feishu / Lark custom bot endpoint (vendors.md §6.9).

What it checks, like the vendor: the hook token in the path (unknown → 19001), the body size (≤ 20 KB)
and JSON shape per msg_type (→ 9499), a signed bot's body `timestamp` (seconds, within 1 h) and `sign`
(→ 19021), the bot's keywords in text/title values but never in links (→ 19024), and 5/s + 100/min
per bot (→ 11232). Errors come back with HTTP 200 and the real codes; success carries both the
legacy `StatusCode` and the new `code` fields.

Scriptable: `fail(token, *faults)` queues one-shot faults (an HTTP status, a code, or a delay = hang).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.local import serve

MAX_BODY_BYTES = 20 * 1024
SIGN_WINDOW_SECONDS = 3600
MESSAGES = {
    9499: "Bad Request",
    11232: "frequency limited psm[lark.oapi.app_platform_runtime]appID[1500]",
    19001: "param invalid: incoming webhook access token invalid",
    19021: "sign match fail or timestamp is not within one hour from current time",
    19024: "Key Words Not Found",
}
_POST_TAGS = {"text": ("text",), "a": ("text", "href"), "at": ("user_id",), "img": ("image_key",)}


@dataclass(frozen=True)
class Fault:
    status: int = 200
    code: int | None = None
    delay: float = 0.0


@dataclass
class Bot:
    secret: str | None = None
    keywords: tuple[str, ...] = ()
    received: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    calls: deque[float] = field(default_factory=deque)


def expected_sign(secret: str, timestamp: str) -> str:
    """What the vendor computes: HMAC-SHA256 keyed with "{timestamp}\\n{secret}" over nothing, Base64."""
    return base64.b64encode(
        hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    ).decode()


def verify_sign(secret: str, body: dict[str, Any], now: float | None = None) -> bool:
    timestamp, offered = str(body.get("timestamp", "")), body.get("sign")
    if not timestamp.isdigit() or not isinstance(offered, str):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > SIGN_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(expected_sign(secret, timestamp), offered)


def shape_ok(body: dict[str, Any]) -> bool:
    """The JSON shape each msg_type needs (interactive carries `card`, the others `content`)."""
    kind = body.get("msg_type")
    content = body.get("content")
    if kind == "text":
        return isinstance(content, dict) and isinstance(content.get("text"), str) and bool(content["text"])
    if kind == "post":
        post = content.get("post") if isinstance(content, dict) else None
        if not isinstance(post, dict) or not post:
            return False
        return all(_post_locale_ok(locale) for locale in post.values())
    if kind == "interactive":
        card = body.get("card")
        elements = (
            card.get("elements", card.get("body", {}).get("elements")) if isinstance(card, dict) else None
        )
        return isinstance(elements, list) and all(isinstance(e, dict) and "tag" in e for e in elements)
    return False


def _post_locale_ok(locale: Any) -> bool:
    if not isinstance(locale, dict) or not isinstance(locale.get("content"), list):
        return False
    for paragraph in locale["content"]:
        if not isinstance(paragraph, list):
            return False
        for element in paragraph:
            needed = _POST_TAGS.get(str(element.get("tag"))) if isinstance(element, dict) else None
            if needed is None or not all(isinstance(element.get(k), str) for k in needed):
                return False
    return True


def checked_texts(value: Any, key: str = "") -> list[str]:
    """Every text/title-like string the keyword check looks at (links are not looked at)."""
    if isinstance(value, dict):
        return [t for k, v in value.items() if k not in ("href", "url", "tag") for t in checked_texts(v, k)]
    if isinstance(value, list):
        return [t for v in value for t in checked_texts(v, key)]
    return [value] if isinstance(value, str) and key in ("text", "title", "content") else []


class FakeFeishu:
    def __init__(self) -> None:
        self.bots: dict[str, Bot] = {}
        self.requests: dict[str, list[bytes]] = defaultdict(list)
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    def add_bot(self, token: str, secret: str | None = None, keywords: tuple[str, ...] = ()) -> Bot:
        self.bots[token] = Bot(secret, keywords)
        return self.bots[token]

    def fail(self, token: str, *faults: Fault) -> None:
        self.bots[token].faults.extend(faults)

    async def start(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/open-apis/bot/v2/hook/{token}", self._hook)
        self._runner, self.base_url = await serve(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _hook(self, request: web.Request) -> web.Response:
        token, raw = request.match_info["token"], await request.read()
        self.requests[token].append(raw)
        bot = self.bots.get(token)
        if bot is None:
            return _answer(19001)
        if bot.faults:
            fault = bot.faults.pop(0)
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status != 200:
                return web.Response(status=fault.status, text="upstream error", content_type="text/plain")
            if fault.code is not None:
                return _answer(fault.code)
        if len(raw) > MAX_BODY_BYTES:
            return _answer(9499)
        try:
            body = json.loads(raw)
        except ValueError:
            return _answer(9499)
        if not isinstance(body, dict) or not shape_ok(body):
            return _answer(9499)
        if bot.secret is not None and not verify_sign(bot.secret, body):
            return _answer(19021)
        if bot.keywords and not any(k in t for t in checked_texts(body) for k in bot.keywords):
            return _answer(19024)
        if self._throttled(bot):
            return _answer(11232)
        bot.received.append(body)
        return web.json_response(
            {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"}
        )

    @staticmethod
    def _throttled(bot: Bot) -> bool:
        now = time.monotonic()
        while bot.calls and bot.calls[0] <= now - 60:
            bot.calls.popleft()
        if len(bot.calls) >= 100 or sum(1 for t in bot.calls if t > now - 1) >= 5:
            return True
        bot.calls.append(now)
        return False


def _answer(code: int) -> web.Response:
    return web.json_response({"code": code, "msg": MESSAGES.get(code, "error"), "data": {}})
