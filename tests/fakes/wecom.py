"""An in-process fake of WeCom: the group robot webhook and application messages (vendors.md §2, §2b).

Robot, `POST /cgi-bin/webhook/send?key=`: key known (else 93000), msgtype known (40008), content
present (44004) and within its byte limit (40058, text 2048 / markdown 4096 / markdown_v2 4096),
mention lists of strings, 20/min per key (45009).

App, `GET /cgi-bin/gettoken?corpid&corpsecret`: corpid known (40013), secret right (40001); issues a
token with `expires_in`. `POST /cgi-bin/message/send?access_token=`: token present (41001), known
(40014), not expired (42001); agentid an int of this app (40056); some recipient given (82001);
recipients split into valid / invalid / unlicensed, all invalid → 81013; msgtype text / markdown
(40008) with content (44004, over 2048 bytes truncated as WeCom does).

Errors carry WeCom's "hint / from ip / more info" suffix. Scripts (in order, optionally for one path: `scope=`):
`fail(status, times)`, `hang(seconds)`, `throttle(times, retry_after)` (45009), `answer(errcode)`,
and `expire_tokens()`. `echo_request = True` quotes the request URL in error messages.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.errcode_script import ErrcodeScript
from tests.fakes.local import serve

ROBOT_LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}
ROBOT_TYPES = frozenset(
    {"text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"}
)
APP_CONTENT_BYTES = 2048
ROBOT = "/cgi-bin/webhook/send"
GETTOKEN = "/cgi-bin/gettoken"
APP_SEND = "/cgi-bin/message/send"


@dataclass
class App:
    corp_id: str
    secret: str
    agent_id: int
    users: set[str] = field(default_factory=lambda: {"zhangsan", "lisi", "wangwu"})
    parties: set[str] = field(default_factory=lambda: {"1", "2"})
    tags: set[str] = field(default_factory=lambda: {"10"})
    unlicensed: set[str] = field(default_factory=set)
    expires_in: int = 7200


@dataclass(frozen=True)
class Issued:
    app: App
    expires_at: float


@dataclass(frozen=True)
class Accepted:
    target: str  # robot key or corp id
    msgtype: str
    body: dict[str, Any]
    mentioned: tuple[str, ...] = ()  # robot: who is @'ed
    delivered_to: tuple[str, ...] = ()  # app: valid users / parties / tags


class FakeWeCom(ErrcodeScript):
    THROTTLED = (45009, "api freq out of limit")

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, deque[float]] = {}
        self.apps: dict[str, App] = {}
        self.tokens: dict[str, Issued] = {}
        self.accepted: list[Accepted] = []
        self.requests: list[tuple[str, str]] = []  # (path, raw query)
        self.gettoken_calls: Counter[str] = Counter()
        self.echo_request = False
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def robot(self) -> str:
        key = f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(6)}"
        self.keys[key] = deque()
        return key

    def app(self, **overrides: Any) -> App:
        app = App(f"ww{secrets.token_hex(8)}", secrets.token_urlsafe(32), 1000002, **overrides)
        self.apps[app.corp_id] = app
        return app

    def messages(self, target: str) -> list[Accepted]:
        return [a for a in self.accepted if a.target == target]

    def calls(self, path: str, secret: str) -> int:
        return sum(1 for p, query in self.requests if p == path and secret in query)

    def expire_tokens(self) -> None:
        """Every token issued so far is expired: its next use answers 42001."""
        self.tokens = {t: Issued(i.app, 0.0) for t, i in self.tokens.items()}

    async def start(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(ROBOT, self._handle)
        app.router.add_get(GETTOKEN, self._handle)
        app.router.add_post(APP_SEND, self._handle)
        self._runner, self.base_url = await serve(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append((request.path, request.query_string))
        script = self.take(request.path)
        if script is not None:
            if script.hang:
                await asyncio.sleep(script.hang)
            elif script.status != 200:
                return web.Response(status=script.status, text=f"<html>HTTP {script.status}</html>")
            elif script.errcode:
                return self._error(script.errcode, script.errmsg, request, script.headers)
        handler = {ROBOT: self._robot, GETTOKEN: self._gettoken, APP_SEND: self._app_send}[request.path]
        return await handler(request)

    async def _robot(self, request: web.Request) -> web.Response:
        key = request.query.get("key", "")
        window = self.keys.get(key)
        if window is None:
            return self._error(93000, "invalid webhook url", request)
        now = time.monotonic()
        while window and window[0] < now - 60:
            window.popleft()
        if len(window) >= 20:
            return self._error(*self.THROTTLED, request)
        window.append(now)
        message, problem = await _json(request)
        if problem:
            return self._error(*problem, request)
        msgtype = message.get("msgtype")
        if msgtype not in ROBOT_TYPES:
            return self._error(40008, "invalid message type", request)
        part = message.get(msgtype)
        content = part.get("content") if isinstance(part, dict) else None
        if msgtype in ROBOT_LIMITS:
            if not isinstance(content, str) or not content:
                return self._error(44004, "empty content", request)
            if len(content.encode()) > ROBOT_LIMITS[msgtype]:
                limit = ROBOT_LIMITS[msgtype]
                return self._error(40058, f"{msgtype}.content exceed max length {limit}", request)
        assert isinstance(part, dict)
        lists = [part.get("mentioned_list", []), part.get("mentioned_mobile_list", [])]
        if not all(isinstance(v, list) and all(isinstance(i, str) for i in v) for v in lists):
            return self._error(40058, "invalid mentioned_list", request)
        mentioned: tuple[str, ...] = ()
        if msgtype == "text":  # [doc] only text honours the lists; markdown writes <@userid>
            mentioned = tuple(dict.fromkeys([*lists[0], *lists[1]]))
        elif msgtype == "markdown":
            mentioned = tuple(w.split(">")[0] for w in str(content).split("<@")[1:])
        self.accepted.append(Accepted(key, msgtype, message, mentioned))
        return web.json_response({"errcode": 0, "errmsg": "ok"}, dumps=_dumps)

    async def _gettoken(self, request: web.Request) -> web.Response:
        corp_id, secret = request.query.get("corpid", ""), request.query.get("corpsecret", "")
        self.gettoken_calls[corp_id] += 1
        if not corp_id or not secret:
            return self._error(41002 if not corp_id else 41004, "corpid/corpsecret missing", request)
        app = self.apps.get(corp_id)
        if app is None:
            return self._error(40013, "invalid corpid", request)
        if secret != app.secret:
            return self._error(40001, "invalid credential", request)
        token = secrets.token_urlsafe(48)
        self.tokens[token] = Issued(app, time.time() + app.expires_in)
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": app.expires_in}, dumps=_dumps
        )

    async def _app_send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        if not token:
            return self._error(41001, "access_token missing", request)
        issued = self.tokens.get(token)
        if issued is None:
            return self._error(40014, "invalid access_token", request)
        if issued.expires_at <= time.time():
            return self._error(42001, "access_token expired", request)
        app = issued.app
        message, problem = await _json(request)
        if problem:
            return self._error(*problem, request)
        agent = message.get("agentid")
        if not isinstance(agent, int) or isinstance(agent, bool) or agent != app.agent_id:
            return self._error(40056, "invalid agentid", request)
        wanted = {name: _ids(message.get(name)) for name in ("touser", "toparty", "totag")}
        if not any(wanted.values()):
            return self._error(82001, "All touser & toparty & totag invalid", request)
        everyone = wanted["touser"] == ["@all"]
        invalid_users = [u for u in wanted["touser"] if u not in app.users and not everyone]
        unlicensed = [u for u in wanted["touser"] if u in app.unlicensed]
        invalid = {
            "invaliduser": invalid_users,
            "invalidparty": [p for p in wanted["toparty"] if p not in app.parties],
            "invalidtag": [t for t in wanted["totag"] if t not in app.tags],
            "unlicenseduser": unlicensed,
        }
        valid = [
            *(u for u in wanted["touser"] if u not in invalid_users and u not in unlicensed),
            *(f"party:{p}" for p in wanted["toparty"] if p in app.parties),
            *(f"tag:{t}" for t in wanted["totag"] if t in app.tags),
        ]
        if not valid and not unlicensed:  # unlicensed members exist: listed in a 0 answer, not delivered
            return self._error(81013, "user & party & tag all invalid", request)
        msgtype = message.get("msgtype")
        if msgtype not in ("text", "markdown"):
            return self._error(40008, "invalid message type", request)
        part = message.get(msgtype)
        content = part.get("content") if isinstance(part, dict) else None
        if not isinstance(content, str) or not content:
            return self._error(44004, "empty content", request)
        truncated = content.encode()[:APP_CONTENT_BYTES].decode(errors="ignore")
        stored = message | {msgtype: {"content": truncated}}
        self.accepted.append(Accepted(app.corp_id, msgtype, stored, delivered_to=tuple(valid)))
        answer = {"errcode": 0, "errmsg": "ok", "msgid": secrets.token_hex(8)}
        return web.json_response(answer | {k: "|".join(v) for k, v in invalid.items() if v}, dumps=_dumps)

    def _error(
        self, code: int, message: str, request: web.Request, headers: dict[str, str] | None = None
    ) -> web.Response:
        text = (
            f"{message}, hint: [{secrets.randbelow(10**18)}], from ip: 127.0.0.1, "
            f"more info at https://open.work.weixin.qq.com/devtool/query?e={code}"
        )
        if self.echo_request:
            text += f", request: {request.path_qs}"
        return web.json_response({"errcode": code, "errmsg": text}, headers=headers, dumps=_dumps)


async def _json(request: web.Request) -> tuple[dict[str, Any], tuple[int, str] | None]:
    try:
        message = json.loads(await request.read())
    except ValueError:
        return {}, (40058, "invalid json")
    if not isinstance(message, dict):
        return {}, (40058, "invalid json")
    return message, None


def _ids(value: Any) -> list[str]:
    return [v for v in str(value or "").split("|") if v]


def _dumps(value: Any) -> str:
    """Vendors answer UTF-8 text, not \\u escapes."""
    return json.dumps(value, ensure_ascii=False)
