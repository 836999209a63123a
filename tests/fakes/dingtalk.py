"""An in-process fake of the DingTalk custom robot API that checks what DingTalk checks (vendors.md §1).

`POST /robot/send`: access_token known (else 300005), signature when the robot has a secret
(timestamp within 1 h else 310000 "invalid timestamp", HMAC exact else 310000 "sign not match"; the
query is decoded the standard way, so an unencoded `+` fails as it does at DingTalk), 20/min per
robot (410100 for the next 10 minutes), body ≤ 20000 bytes (460101), msgtype known (400105), the
JSON shape per msgtype (40035), keyword in the visible text (310000). Always HTTP 200 with
{"errcode", "errmsg"} unless scripted otherwise. Accepted messages are recorded with the @s that
would really highlight someone (listed in `at` *and* written as @x in the text).

Scripts (consumed in order, optionally for one token: `scope=`): `fail(status, times)`, `hang(seconds)`,
`throttle(times, retry_after)` and `answer(errcode, errmsg, times)`. `echo_request = True` makes
error messages quote the request URL, to prove the sender masks secrets it did not write itself.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from tests.fakes.errcode_script import ErrcodeScript
from tests.fakes.local import serve

MAX_BODY_BYTES = 20000
SKEW_MS = 3_600_000
THROTTLE_SECONDS = 600.0
MORE = ", more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"
_TEXT_FIELDS = {
    "text": ("content",),
    "markdown": ("title", "text"),
    "link": ("title", "text", "messageUrl"),
    "actionCard": ("title", "text"),
    "feedCard": ("links",),
}


def sign(secret: str, timestamp: str) -> str:
    """[doc] Base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}"))."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify(secret: str, raw_query: str, now_ms: int) -> str | None:
    """What DingTalk checks for a signed robot: None if fine, else its errmsg."""
    query = {k: v[0] for k, v in parse_qs(raw_query, keep_blank_values=True).items()}
    timestamp, offered = query.get("timestamp", ""), query.get("sign", "")
    if not timestamp.isdigit() or abs(now_ms - int(timestamp)) > SKEW_MS:
        return "invalid timestamp"
    if not hmac.compare_digest(sign(secret, timestamp).encode(), offered.encode()):
        return "sign not match"
    return None


@dataclass
class Robot:
    token: str
    secret: str | None = None
    keywords: tuple[str, ...] = ()
    per_minute: int = 20
    sent_at: deque[float] = field(default_factory=deque)
    throttled_until: float = 0.0


@dataclass(frozen=True)
class Accepted:
    token: str
    msgtype: str
    body: dict[str, Any]
    visible: str  # the text a reader sees (titles and contents)
    highlighted: tuple[str, ...]  # mobiles / user ids really @'ed ("@all" for isAtAll)
    query: str


class FakeDingTalk(ErrcodeScript):
    THROTTLED = (410100, "发送速度太快而限流")

    def __init__(self) -> None:
        super().__init__()
        self.robots: dict[str, Robot] = {}
        self.accepted: list[Accepted] = []
        self.requests: list[tuple[str, bytes]] = []  # (raw query, body) of every request
        self.echo_request = False
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def robot(self, secret: str | None = None, keywords: tuple[str, ...] = (), per_minute: int = 20) -> Robot:
        robot = Robot(secrets.token_hex(16), secret, keywords, per_minute)
        self.robots[robot.token] = robot
        return robot

    def messages(self, token: str) -> list[Accepted]:
        return [a for a in self.accepted if a.token == token]

    def calls(self, token: str) -> int:
        return sum(1 for query, _ in self.requests if f"access_token={token}" in query)

    async def start(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/robot/send", self._send)
        self._runner, self.base_url = await serve(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _send(self, request: web.Request) -> web.Response:
        raw, body = request.query_string, await request.read()
        self.requests.append((raw, body))
        query = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        token = query.get("access_token", "")
        script = self.take(token)
        if script and script.hang:
            await asyncio.sleep(script.hang)
        elif script and script.status != 200:
            return web.Response(
                status=script.status, text=f"<html>HTTP {script.status}</html>", content_type="text/html"
            )
        robot = self.robots.get(token)
        if robot is None:
            return self._error(300005, "token is not exist", request)
        if robot.secret is not None:
            problem = verify(robot.secret, raw, int(time.time() * 1000))
            if problem:
                return self._error(310000, problem + MORE, request)
        if script and script.errcode:
            return self._error(script.errcode, script.errmsg, request, script.headers)
        if self._too_fast(robot):
            return self._error(*self.THROTTLED, request)
        if len(body) > MAX_BODY_BYTES:
            return self._error(460101, f"message too long, exceed {MAX_BODY_BYTES} bytes", request)
        try:
            message = json.loads(body)
        except ValueError:
            return self._error(40035, "缺少参数 json", request)
        msgtype = message.get("msgtype") if isinstance(message, dict) else None
        if msgtype not in _TEXT_FIELDS:
            return self._error(400105, "不支持的消息类型", request)
        part = message.get(msgtype)
        missing = [f for f in _TEXT_FIELDS[msgtype] if not isinstance(part, dict) or not part.get(f)]
        if (
            msgtype == "actionCard"
            and isinstance(part, dict)
            and not (part.get("singleURL") or part.get("btns"))
        ):
            missing.append("singleURL")
        if missing or not _at_is_valid(message.get("at")):
            return self._error(40035, f"缺少参数 {msgtype}.{(missing or ['at'])[0]}", request)
        assert isinstance(part, dict)
        visible = "\n".join(str(part.get(f, "")) for f in ("title", "content", "text"))
        if robot.keywords and not any(k in visible for k in robot.keywords):
            return self._error(310000, "keywords not in content" + MORE, request)
        self.accepted.append(Accepted(token, msgtype, message, visible, _highlighted(message, visible), raw))
        return web.json_response({"errcode": 0, "errmsg": "ok"}, dumps=_dumps)

    def _too_fast(self, robot: Robot) -> bool:
        now = time.monotonic()
        if robot.throttled_until > now:
            return True
        while robot.sent_at and robot.sent_at[0] < now - 60:
            robot.sent_at.popleft()
        robot.sent_at.append(now)
        if len(robot.sent_at) > robot.per_minute:
            robot.throttled_until = now + THROTTLE_SECONDS
            return True
        return False

    def _error(
        self, code: int, message: str, request: web.Request, headers: dict[str, str] | None = None
    ) -> web.Response:
        if self.echo_request:
            message += f", request: {request.path_qs}"
        return web.json_response({"errcode": code, "errmsg": message}, headers=headers, dumps=_dumps)


def _at_is_valid(at: Any) -> bool:
    if at is None:
        return True
    if not isinstance(at, dict):
        return False
    lists = [at.get("atMobiles", []), at.get("atUserIds", [])]
    return all(isinstance(v, list) and all(isinstance(i, str) for i in v) for v in lists) and isinstance(
        at.get("isAtAll", False), bool
    )


def _highlighted(message: dict[str, Any], visible: str) -> tuple[str, ...]:
    """[doc] only text/markdown @ anyone, and only those listed in `at` and written as @x in the text."""
    at = message.get("at") or {}
    if message["msgtype"] not in ("text", "markdown"):
        return ()
    listed = [*at.get("atMobiles", []), *at.get("atUserIds", [])]
    found = tuple(who for who in listed if f"@{who}" in visible)
    return found + (("@all",) if at.get("isAtAll") else ())


def _dumps(value: Any) -> str:
    """Vendors answer UTF-8 text, not \\u escapes."""
    return json.dumps(value, ensure_ascii=False)
