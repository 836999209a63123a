"""One fake for eight vendors (Telegram, Bark, ntfy, Gotify, PushMe, Aliyun SMS, Slack, Discord).

Each vendor lives under its own prefix (`base_url(vendor)`), checks what the real one checks and
answers with its real error shapes. Credentials are registered per test (`allow`, `aliyun_account`,
…); every request is keyed by the account it names (token, device key, topic, access key id …).

Scripting, per account: `script(account, *replies)` answers the next requests with those replies
(after authentication, before the payload checks), e.g. `throttle(vendor)`, `server_error(vendor)`,
`Reply(delay=5)` to hang. Accepted messages are in `accepted[account]`, as the vendor understood them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import decode_header, make_header
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from aiohttp import web

from tests.fakes.local import serve

_INVALID_JSON = "JSON参数不合法，只接受字符串值"  # noqa: RUF001 - the vendor's own words
VENDORS = ("telegram", "bark", "ntfy", "gotify", "pushme", "aliyun", "slack", "discord")


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = ""  # str as is; anything else as JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def throttle(vendor: str) -> Reply:
    """The vendor's own way of saying "slow down", with a wait of at most a second."""
    wait = {"Retry-After": "1"}
    return {
        "telegram": Reply(429, _tg_error(429, "Too Many Requests: retry after 1", {"retry_after": 1})),
        "ntfy": Reply(429, {"code": 42901, "http": 429, "error": "limit reached: too many requests"}, wait),
        "aliyun": Reply(400, _ali("Throttling.User", "Request was denied due to user flow control.")),
        "slack": Reply(429, "rate_limited", wait),
        "discord": Reply(
            429, {"message": "You are being rate limited.", "retry_after": 0.5, "global": False}, wait
        ),
    }.get(vendor, Reply(429, {"code": 429, "message": "too many requests"}, wait))


def server_error(vendor: str) -> Reply:
    return {
        "telegram": Reply(500, _tg_error(500, "Internal Server Error")),
        "aliyun": Reply(
            500, _ali("InternalError", "The request processing has failed due to some unknown error.")
        ),
        "slack": Reply(500, "rollup_error"),
        "discord": Reply(502, "<html><body>502 Bad Gateway</body></html>"),
    }.get(vendor, Reply(500, {"code": 500, "error": "Internal Server Error"}))


def _tg_error(code: int, description: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description} | (
        {"parameters": parameters} if parameters else {}
    )


def _ali(code: str, message: str) -> dict[str, Any]:
    return {"Code": code, "Message": message, "RequestId": secrets.token_hex(8).upper()}


def aliyun_signature(secret: str, method: str, params: dict[str, str]) -> str:
    """Recomputed independently of the channel: sorted, RFC 3986-encoded, HMAC-SHA1 with secret + "&"."""

    def enc(value: str) -> str:
        return quote(value.encode(), safe="-_.~")

    query = "&".join(f"{enc(k)}={enc(params[k])}" for k in sorted(params) if k != "Signature")
    to_sign = f"{method}&{enc('/')}&{enc(query)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


@dataclass
class AliyunAccount:
    secret: str
    sign_names: set[str]
    templates: dict[str, set[str]]  # template code → its variables


_TG_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote"}
_TG_TAGS |= {"tg-spoiler", "span", "tg-emoji"}


class _TelegramEntities(HTMLParser):
    """What Telegram's HTML parse mode refuses: unknown tags and unbalanced ones."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.error = ""
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TG_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.error = self.error or f'Can\'t find end tag corresponding to start tag "{tag}"'

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _ntfy_actions(header: str) -> list[dict[str, str]] | None:
    """ntfy's short header form ("view, Open, https://…; http, Close, https://…"), as ntfy parses
    it into {action, label, url}; None for what ntfy refuses (an unknown action, more than three)."""
    actions = []
    for item in (a.strip() for a in header.split(";") if a.strip()):
        parts = [p.strip() for p in item.split(",")]
        if parts[0] not in ("view", "http", "broadcast") or len(parts) < 2 or not parts[1]:
            return None
        actions.append({"action": parts[0], "label": parts[1], "url": parts[2] if len(parts) > 2 else ""})
    return actions if len(actions) <= 3 else None


class SimpleVendors:
    def __init__(self) -> None:
        self.accepted: dict[str, list[dict[str, Any]]] = defaultdict(list)
        # Set by every acceptance, so waiting for one needs no polling.
        self._accepted_one = asyncio.Event()
        self.requests: dict[str, int] = defaultdict(int)
        self.known: dict[str, set[str]] = defaultdict(set)  # vendor → accepted credentials
        self.telegram_chats: dict[str, set[str]] = defaultdict(set)  # bot token → chat ids
        self.ntfy_auth: dict[str, str] = {}  # protected topic → the Authorization it needs
        self.aliyun: dict[str, AliyunAccount] = {}
        self.aliyun_nonces: set[str] = set()
        self._scripts: dict[str, list[Reply]] = defaultdict(list)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def base_url(self, vendor: str) -> str:
        return f"{self.url}/{vendor}"

    def allow(self, vendor: str, credential: str) -> None:
        self.known[vendor].add(credential)

    def telegram_bot(self, token: str, chat_id: str) -> None:
        self.allow("telegram", token)
        self.telegram_chats[token].add(chat_id)

    def protect_ntfy(self, topic: str, authorization: str) -> None:
        self.ntfy_auth[topic] = authorization

    def aliyun_account(
        self, key_id: str, secret: str, sign_name: str, templates: dict[str, set[str]]
    ) -> None:
        self.aliyun[key_id] = AliyunAccount(secret, {sign_name}, templates)

    def script(self, account: str, *replies: Reply) -> None:
        self._scripts[account].extend(replies)

    async def start(self) -> None:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        routes = [
            ("POST", "/telegram/bot{token}/sendMessage", self._telegram),
            ("POST", "/bark/push", self._bark),
            ("POST", "/ntfy/{topic}", self._ntfy),
            ("POST", "/gotify/message", self._gotify),
            ("POST", "/pushme/", self._pushme),
            ("*", "/aliyun/", self._aliyun),
            ("POST", "/slack/services/{team}/{bot}/{token}", self._slack),
            ("POST", "/discord/api/webhooks/{id}/{token}", self._discord),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        self._runner, self.url = await serve(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, account: str, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Until `count` messages were accepted for `account` (woken by each), at most `timeout` s."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    self._accepted_one.clear()  # before looking: an acceptance from now on sets it again
                    if len(self.accepted[account]) >= count:
                        break
                    await self._accepted_one.wait()
        except TimeoutError:
            raise AssertionError(f"{account}: {len(self.accepted[account])} of {count} accepted") from None
        return self.accepted[account]

    async def _scripted(self, account: str) -> web.Response | None:
        self.requests[account] += 1
        if not self._scripts[account]:
            return None
        reply = self._scripts[account].pop(0)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return _respond(reply.status, reply.body, reply.headers)

    def _accept(self, account: str, message: dict[str, Any]) -> None:
        self.accepted[account].append(message)
        self._accepted_one.set()

    # --- Telegram: POST /bot<token>/sendMessage, JSON ------------------------------------------
    async def _telegram(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token not in self.known["telegram"]:
            return _respond(401, _tg_error(401, "Unauthorized"))
        if (scripted := await self._scripted(token)) is not None:
            return scripted
        body = await _json(request)
        if body is None:
            return _respond(400, _tg_error(400, "Bad Request: message text is empty"))
        if str(body.get("chat_id")) not in self.telegram_chats[token]:
            return _respond(400, _tg_error(400, "Bad Request: chat not found"))
        text, mode = str(body.get("text") or ""), body.get("parse_mode")
        if mode not in (None, "HTML", "MarkdownV2", "Markdown"):
            return _respond(400, _tg_error(400, f"Bad Request: unsupported parse_mode {mode}"))
        plain = text
        if mode == "HTML":
            parser = _TelegramEntities()
            parser.feed(text)
            parser.close()
            if parser.error or parser.stack:
                error = parser.error or f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
                return _respond(400, _tg_error(400, f"Bad Request: can't parse entities: {error}"))
            plain = "".join(parser.text)
        if not plain.strip():
            return _respond(400, _tg_error(400, "Bad Request: message text is empty"))
        if len(plain) > 4096:
            return _respond(400, _tg_error(400, "Bad Request: message is too long"))
        self._accept(token, body)
        result = {"message_id": len(self.accepted[token]), "date": int(time.time()), "text": plain}
        return _respond(200, {"ok": True, "result": result})

    # --- Bark: POST /push, JSON with device_key --------------------------------------------------
    async def _bark(self, request: web.Request) -> web.Response:
        body = await _json(request) or {}
        key = str(body.get("device_key") or "")
        if not key:
            return _respond(
                400, {"code": 400, "message": "device key is empty", "timestamp": int(time.time())}
            )
        if key not in self.known["bark"]:
            message = f"failed to get device token: failed to get [{key}] device token from database"
            return _respond(400, {"code": 400, "message": message, "timestamp": int(time.time())})
        if (scripted := await self._scripted(key)) is not None:
            return scripted
        aps_size = len(json.dumps({k: v for k, v in body.items() if k != "device_key"}).encode())
        if aps_size > 4096:  # APNs refuses payloads over 4 KB
            return _respond(500, {"code": 500, "message": "push failed: PayloadTooLarge"})
        if body.get("level", "active") not in ("active", "timeSensitive", "passive", "critical"):
            return _respond(400, {"code": 400, "message": "invalid level"})
        self._accept(key, body)
        return _respond(200, {"code": 200, "message": "success", "timestamp": int(time.time())})

    # --- ntfy: POST /<topic>, body = message, headers = the rest ---------------------------------
    async def _ntfy(self, request: web.Request) -> web.Response:
        topic = request.match_info["topic"]
        if not re.fullmatch(r"[-_A-Za-z0-9]{1,64}", topic):
            return _respond(404, {"code": 40401, "http": 404, "error": "page not found"})
        needed, given = self.ntfy_auth.get(topic), request.headers.get("Authorization")
        if needed is not None and given != needed:
            if given is None:
                return _respond(403, {"code": 40301, "http": 403, "error": "forbidden"})
            return _respond(401, {"code": 40101, "http": 401, "error": "unauthorized"})
        if (scripted := await self._scripted(topic)) is not None:
            return scripted
        raw = await request.read()
        if len(raw) > 4096:
            return _respond(413, {"code": 41301, "http": 413, "error": "request entity too large"})
        headers = {k.lower(): str(make_header(decode_header(v))) for k, v in request.headers.items()}
        priority = headers.get("priority", "3")
        if priority not in ("1", "2", "3", "4", "5"):
            return _respond(400, {"code": 40007, "http": 400, "error": "invalid priority"})
        message = {
            "id": secrets.token_hex(6),
            "time": int(time.time()),
            "event": "message",
            "topic": topic,
            "message": raw.decode(),
            "title": headers.get("title", ""),
            "priority": int(priority),
            "tags": [t for t in headers.get("tags", "").split(",") if t],
            "click": headers.get("click", ""),
            "markdown": headers.get("markdown", "").lower() in ("yes", "true", "1"),
            "icon": headers.get("icon", ""),
        }
        actions = _ntfy_actions(headers.get("actions", ""))
        if actions is None:
            return _respond(400, {"code": 40018, "http": 400, "error": "invalid request: actions invalid"})
        message["actions"] = actions
        self._accept(topic, message)
        return _respond(200, message)

    # --- Gotify: POST /message, app token in X-Gotify-Key, ?token= or Bearer ---------------------
    async def _gotify(self, request: web.Request) -> web.Response:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        token = request.headers.get("X-Gotify-Key") or request.query.get("token") or bearer
        if token not in self.known["gotify"]:
            description = "you need to provide a valid access token or user credentials to access this api"
            return _respond(401, {"error": "Unauthorized", "errorCode": 401, "errorDescription": description})
        if (scripted := await self._scripted(token)) is not None:
            return scripted
        body = await _json(request) or {}
        if not isinstance(body.get("message"), str) or not body["message"]:
            description = "Field 'message' is required"
            return _respond(400, {"error": "Bad Request", "errorCode": 400, "errorDescription": description})
        if not isinstance(body.get("priority", 0), int) or not isinstance(body.get("extras", {}), dict):
            description = "json: cannot unmarshal into Go struct field"
            return _respond(400, {"error": "Bad Request", "errorCode": 400, "errorDescription": description})
        self._accept(token, body)
        stored = {"id": len(self.accepted[token]), "appid": 1, "date": datetime.now(UTC).isoformat()} | body
        return _respond(200, stored)

    # --- PushMe: form POST to / (push_key, title, content, type); plain-text answer -------------
    async def _pushme(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        key = str(form.get("push_key") or "")
        if key not in self.known["pushme"]:
            return _respond(200, "push_key is invalid")  # [inf] the reason, still HTTP 200
        if (scripted := await self._scripted(key)) is not None:
            return scripted
        if form.get("type", "text") not in ("text", "markdown", "data", "markdata"):
            return _respond(200, "type is invalid")
        if not str(form.get("content") or form.get("title") or ""):
            return _respond(200, "content is empty")
        self._accept(key, {k: str(v) for k, v in form.items()})
        return _respond(200, "success")

    # --- Aliyun SMS: RPC SendSms, signature v1, GET query or POST form ---------------------------
    async def _aliyun(self, request: web.Request) -> web.Response:
        params = {k: str(v) for k, v in request.query.items()}
        if request.method == "POST":
            params |= {k: str(v) for k, v in (await request.post()).items()}
        account = self.aliyun.get(params.get("AccessKeyId", ""))
        if account is None:
            return _respond(404, _ali("InvalidAccessKeyId.NotFound", "Specified access key is not found."))
        if params.get("SignatureMethod") != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0":
            return _respond(400, _ali("InvalidParameter", "SignatureMethod/SignatureVersion is invalid."))
        expected = aliyun_signature(account.secret, request.method, params)
        if not hmac.compare_digest(expected, params.get("Signature", "")):
            message = "Specified signature is not matched with our calculation."
            return _respond(400, _ali("SignatureDoesNotMatch", message))
        try:
            stamp = datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return _respond(
                400,
                _ali("InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."),
            )
        if abs((datetime.now(UTC) - stamp).total_seconds()) > 900:
            return _respond(
                400, _ali("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
            )
        nonce = params.get("SignatureNonce", "")
        if not nonce or nonce in self.aliyun_nonces:
            return _respond(400, _ali("SignatureNonceUsed", "Specified signature nonce was used already."))
        self.aliyun_nonces.add(nonce)
        if params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
            return _respond(
                400,
                _ali(
                    "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
                ),
            )
        if (scripted := await self._scripted(params["AccessKeyId"])) is not None:
            return scripted
        return _respond(200, self._send_sms(account, params))

    def _send_sms(self, account: AliyunAccount, params: dict[str, str]) -> dict[str, Any]:
        numbers = params.get("PhoneNumbers", "").split(",")
        if len(numbers) > 1000:
            return _ali("isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
        if not all(re.fullmatch(r"(\+?86)?1\d{10}|\+?[1-9]\d{6,14}", n) for n in numbers):
            return _ali("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if params.get("SignName") not in account.sign_names:
            return _ali("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        variables = account.templates.get(params.get("TemplateCode", ""))
        if variables is None:
            return _ali("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            values = json.loads(params.get("TemplateParam", "{}"))
        except ValueError:
            return _ali("isv.INVALID_JSON_PARAM", _INVALID_JSON)
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            return _ali("isv.INVALID_JSON_PARAM", _INVALID_JSON)
        if not variables <= set(values):
            return _ali("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")
        self._accept(params["AccessKeyId"], params)
        return {"Code": "OK", "Message": "OK", "BizId": f"{secrets.randbelow(10**15)}^0", "RequestId": "R1"}

    # --- Slack: POST /services/T/B/X, JSON; plain-text answers ----------------------------------
    async def _slack(self, request: web.Request) -> web.Response:
        team, bot, token = (request.match_info[k] for k in ("team", "bot", "token"))
        path = f"{team}/{bot}/{token}"
        if path not in self.known["slack"]:
            known_hook = any(p.startswith(f"{team}/{bot}/") for p in self.known["slack"])
            return _respond(403, "invalid_token") if known_hook else _respond(404, "no_service")
        if (scripted := await self._scripted(path)) is not None:
            return scripted
        body = await _json(request)
        if body is None:
            return _respond(400, "invalid_payload")
        if not str(body.get("text") or "").strip() and not body.get("blocks"):
            return _respond(400, "no_text")
        self._accept(path, body)
        return _respond(200, "ok")

    # --- Discord: POST /api/webhooks/<id>/<token>[?wait=true], JSON ------------------------------
    async def _discord(self, request: web.Request) -> web.Response:
        hook_id, token = request.match_info["id"], request.match_info["token"]
        if not any(k.startswith(f"{hook_id}/") for k in self.known["discord"]):
            return _respond(404, {"message": "Unknown Webhook", "code": 10015})
        account = f"{hook_id}/{token}"
        if account not in self.known["discord"]:
            return _respond(401, {"message": "Invalid Webhook Token", "code": 50027})
        if (scripted := await self._scripted(account)) is not None:
            return scripted
        body = await _json(request) or {}
        content = str(body.get("content") or "")
        if not content.strip() and not body.get("embeds"):
            return _respond(400, {"message": "Cannot send an empty message", "code": 50006})
        if len(content) > 2000:
            errors = {
                "content": {
                    "_errors": [
                        {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}
                    ]
                }
            }
            return _respond(400, {"code": 50035, "errors": errors, "message": "Invalid Form Body"})
        self._accept(account, body | {"query": dict(request.query)})
        if request.query.get("wait") != "true":
            return web.Response(status=204)
        return _respond(
            200, {"id": str(len(self.accepted[account])), "content": content, "webhook_id": hook_id}
        )


async def _json(request: web.Request) -> dict[str, Any] | None:
    if request.content_type != "application/json":
        return None
    try:
        data = json.loads(await request.read())
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _respond(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    if isinstance(body, str):
        return web.Response(status=status, text=body, headers=headers, content_type="text/plain")
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False),
        headers=headers,
        content_type="application/json",
    )
