"""Message Nest-compatible REST send endpoints: its callers keep their requests and read its answers.

    POST /api/v1/message/send   task mode: token | task_id, title, text, markdown, html, url, mode,
                                at_mobiles, at_user_ids, at_all, recipients (+ idempotency_key)
    POST /api/v2/message/send   template mode: token, title, placeholders, recipients
    GET|POST /api/send          minimal: key or token, title, text, and task_id | template_id, or
                                neither with a key scoped to one task or template

`token` is Message Nest's reversible encoding of a task/template id (`schema.legacy_token`); the
id it names, or `task_id`, is looked up as a `legacy_id` first and then, if all digits, as a
PushNest id.

Who may send: an API key, as `Authorization: Bearer pn_…` or a `key` field, whose owner and scope
decide as for the GraphQL `sendMessage`. Message Nest treated the token as enough; PushNest does
so only for a task or template whose admin turned on `accept_legacy_token` (the token encodes the
id and is no secret), so old scripts keep working while new ones move to keys.

All three follow Message Nest's rules (`SendRequest.message_nest_rules`): v2 sends the call's
title; a placeholder without a value stays as written; recipients no binding takes go to the fixed
receivers with a warning; `mode: "sync"` (v1, /api/send) waits for the outcome. Answers are
Message Nest's: HTTP 200 with `{"code", "msg", "data"}`, `msg` 提交成功 (v1, /api/send),
发送成功/发送失败 (sync; each ends in a fullwidth exclamation mark), "success" (v2); its error
cases (bad input, unknown target) as code 400 in an HTTP 200. `data` carries `hostMessageUrl`
when the send has a public preview link and v2's `token`/`count`, as Message Nest did, plus
PushNest's `message_id`, `status`, `deliveries`, `duplicate` and `warnings`. What Message Nest
never answered keeps its real HTTP status: 401 (no key, and no accepted token), 429, 413, 503, 500.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from schema import legacy_token
from schema.crypto import API_KEY_PREFIX
from schema.errors import (
    BadInput,
    Conflict,
    Forbidden,
    NotFound,
    PushNestError,
    TooManyRequests,
    Unauthenticated,
)
from schema.models import Message, Task, Template, User
from schema.models.messages import MessageStatus
from schema.models.security import KeyScope
from schema.services import messages, public_preview
from schema.services.auth import principal_for
from schema.services.principal import Principal
from schema.services.sending import SendResult, accept_send
from schema.unavailable import unavailable
from server.failsafe import RETRY_AFTER_SECONDS
from server.graphql_view import ip_of, runtime_of
from server.json_body import read_json

log = logging.getLogger("pushnest.rest")

_STATUS: list[tuple[type[PushNestError], int]] = [
    (BadInput, 400),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooManyRequests, 429),
]
# Message Nest answered these with code 400 in an HTTP 200; its callers check `code`, not the status.
_MESSAGE_NEST_CASES = (BadInput, Forbidden, NotFound, Conflict)
# Message Nest's own words, ending in a fullwidth exclamation mark (U+FF01) as its callers compare them.
SUBMITTED, SENT, SEND_FAILED, V2_OK = "提交成功\uff01", "发送成功\uff01", "发送失败\uff01", "success"
# Message Nest's sync mode waited as long as the send took; PushNest waits this long at most, then
# answers "submitted" with the status so far (the send goes on).
SYNC_WAIT_SECONDS = 30.0
_NO_CREDENTIALS = (
    f"send an API key ({API_KEY_PREFIX}…) as 'Authorization: Bearer <key>' or as the 'key' field, "
    "or a Message Nest token of a task or template whose admin accepts it"
)
# accept_send names fields as GraphQL does; these endpoints answer with their own field names.
_V1_FIELDS = {
    "taskId": "task_id",
    "mentionMobiles": "at_mobiles",
    "mentionUserIds": "at_user_ids",
    "mentionAll": "at_all",
    "idempotencyKey": "idempotency_key",
}
_SIMPLE_FIELDS = {"taskId": "task_id", "templateId": "template_id"}
_MAX_ID_DIGITS = 18


@dataclass(frozen=True)
class Answer:
    """A handler's reply: Message Nest's code and msg, and the data."""

    data: dict[str, Any]
    msg: str = "ok"
    code: int = 200


Handler = Callable[[Request, dict[str, Any], "Caller"], Awaitable[Answer]]


class Caller:
    """Who sends: an API key when one was given; otherwise, for the one target the request names,
    that target's Message Nest token if its admin accepts it."""

    def __init__(self, request: Request, key: str | None) -> None:
        self.request = request
        self.key = key
        self._principal: Principal | None = None

    async def key_principal(self) -> Principal | None:
        if self.key is None:
            return None
        if self._principal is None:
            principal = await principal_for(
                runtime_of(self.request), f"Bearer {self.key}", ip_of(self.request)
            )
            if principal.user is None or principal.api_key is None:
                raise principal.auth_error or Unauthenticated("the API key is not valid")
            self._principal = principal
        return self._principal

    async def for_target(
        self, model: type[Task] | type[Template], ref: object, field: str
    ) -> tuple[Principal, int]:
        """The principal and the target id; without a key, a target that is not found or does not
        accept its token is one 401 (nothing about which ids exist leaks to anonymous callers)."""
        principal = await self.key_principal()
        if principal is not None:
            return principal, await _target_id(model, ref, field)
        try:
            target_id = await _target_id(model, ref, field)
        except PushNestError:
            raise await self._refused() from None
        row = await model.get_or_none(id=target_id)
        owner = None if row is None else await User.get_or_none(id=row.owner_id)
        if row is None or owner is None or not owner.is_active or not row.accept_legacy_token:
            raise await self._refused()
        scope = KeyScope.TASK if model is Task else KeyScope.TEMPLATE
        return Principal(user=owner, ip=ip_of(self.request), legacy_target=(scope, target_id)), target_id

    async def _refused(self) -> Unauthenticated | TooManyRequests:
        # Counted like unknown keys: ids are short, so guessing them must be slowed down.
        wait = await runtime_of(self.request).throttles.api_key_failed(ip_of(self.request))
        if wait:
            return TooManyRequests(
                f"too many refused credentials from this address; try again in {wait}s", wait
            )
        return Unauthenticated(_NO_CREDENTIALS)


def _endpoint(handler: Handler, json_only: bool) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            fields = await _fields(request, json_only)
            answer = await handler(request, fields, Caller(request, _presented_key(request, fields)))
            return _reply(answer.code, answer.msg, answer.data, http_status=200)
        except PushNestError as error:
            return _error_reply(error)
        except HTTPException as exc:  # the app's body size limit
            if exc.status_code != 413:
                raise
            return _reply(413, "the request body is too large")
        except ClientDisconnect:
            raise  # nobody to answer; server.failsafe notes it
        except Exception as exc:
            return _unexpected(request, exc)

    return endpoint


async def _fields(request: Request, json_only: bool) -> dict[str, Any]:
    """v1/v2: the JSON body. /api/send: the query string, overlaid by a JSON or form body."""
    if request.method == "GET":
        return dict(request.query_params)
    raw = await request.body()
    fields: dict[str, Any] = {} if json_only else dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not json_only and content_type == "application/x-www-form-urlencoded":
        try:
            return fields | dict(parse_qsl(raw.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            raise BadInput("the form body must be UTF-8") from None
    if not json_only and not raw.strip():
        return fields
    try:
        body = read_json(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise BadInput("body must be a JSON object")
    return fields | body


def _presented_key(request: Request, fields: dict[str, Any]) -> str | None:
    """The API key the caller gave, None if none; anything else given as a credential is refused."""
    header = request.headers.get("authorization", "").strip()
    if not header and fields.get("key") is None:
        return None
    scheme, _, credential = header.partition(" ")
    key = (credential.strip() if scheme.lower() == "bearer" else None) if header else fields.get("key")
    if not isinstance(key, str) or not key.startswith(API_KEY_PREFIX):
        raise Unauthenticated(_NO_CREDENTIALS)
    return key


async def _send(
    request: Request, principal: Principal, data: dict[str, Any], fields: dict[str, str]
) -> SendResult:
    try:
        return await accept_send(runtime_of(request), principal, data)
    except PushNestError as error:
        field = error.details.get("field")
        if isinstance(field, str):
            head, dot, rest = field.partition(".")
            error.details["field"] = fields.get(head, head) + dot + rest
        raise


def _summary(request: Request, result: SendResult, message: Message | None = None) -> dict[str, Any]:
    row = message or result.message
    data: dict[str, Any] = {}
    url = _host_message_url(request, row.preview_key)
    if url is not None:
        data["hostMessageUrl"] = url
    data |= {
        "message_id": row.id,
        "status": row.status.value,
        "deliveries": len(result.deliveries),
        "duplicate": result.duplicate,
    }
    if result.warnings:
        data["warnings"] = list(result.warnings)
    return data


def _host_message_url(request: Request, key: str | None) -> str | None:
    path = public_preview.path_of(key)
    if path is None:
        return None
    # base_url is the application's root, without the Mount of the path prefix.
    prefix = runtime_of(request).settings.path_prefix
    return str(request.base_url).rstrip("/") + prefix + path


async def _target_id(model: type[Task] | type[Template], ref: object, field: str) -> int:
    """A Message Nest id (`legacy_id`) or a PushNest id, as given by the caller."""
    what = "task" if model is Task else "template"
    text = str(ref).strip() if isinstance(ref, str | int) and not isinstance(ref, bool) else ""
    if text and len(text) <= 32:
        row = await model.get_or_none(legacy_id=text)
        if row is not None:
            return int(row.id)
    if text.isascii() and text.isdigit() and len(text) <= _MAX_ID_DIGITS:
        return int(text)
    if not text:
        raise BadInput(f"{field} must be a {what} id", field=field)
    raise NotFound(f"no {what} with this id", field=field)


def _decoded(token: object) -> str:
    if not isinstance(token, str) or not token:
        raise BadInput("token must be a non-empty string", field="token")
    try:
        return legacy_token.decode(token)
    except ValueError as exc:
        raise BadInput(f"token: {exc}", field="token") from None


def _present(data: dict[str, Any]) -> dict[str, Any]:
    # Message Nest's JSON binding treats null as absent.
    return {k: v for k, v in data.items() if v is not None}


async def _send_v1(request: Request, body: dict[str, Any], caller: Caller) -> Answer:
    if body.get("token") is not None:
        principal, task_id = await caller.for_target(Task, _decoded(body["token"]), "token")
        names = _V1_FIELDS | {"taskId": "token"}
    elif body.get("task_id") is not None:
        principal, task_id = await caller.for_target(Task, body["task_id"], "task_id")
        names = _V1_FIELDS
    else:
        raise BadInput("give token or task_id", field="token")
    data = {
        "task_id": task_id,
        "title": body.get("title"),
        "text": body.get("text"),
        "markdown": body.get("markdown"),
        "html": body.get("html"),
        "url": body.get("url"),
        "recipients": body.get("recipients"),
        "mention_mobiles": body.get("at_mobiles"),
        "mention_user_ids": body.get("at_user_ids"),
        "mention_all": body.get("at_all"),
        "idempotency_key": body.get("idempotency_key"),
        "source": _source("rest-v1", principal),
        "message_nest_rules": True,
    }
    result = await _send(request, principal, _present(data), names)
    if body.get("mode") != "sync" or result.duplicate:
        return Answer(_summary(request, result), SUBMITTED)
    return await _waited(request, result)


async def _waited(request: Request, result: SendResult) -> Answer:
    """Message Nest's sync mode: the outcome decides the answer."""
    deliveries = [d.id for d in result.deliveries]
    row = await messages.wait_for_outcome(runtime_of(request), result.message, deliveries, SYNC_WAIT_SECONDS)
    data = _summary(request, result, row)
    if row.status is MessageStatus.SUCCEEDED:
        return Answer(data, SENT)
    if row.status in messages.FINAL_MESSAGE:
        return Answer(data, SEND_FAILED, 400)
    return Answer(data, SUBMITTED)


async def _send_v2(request: Request, body: dict[str, Any], caller: Caller) -> Answer:
    principal, template_id = await caller.for_target(Template, _decoded(body.get("token")), "token")
    data = {
        "template_id": template_id,
        "title": body.get("title"),
        "variables": body.get("placeholders"),
        "recipients": body.get("recipients"),
        "idempotency_key": body.get("idempotency_key"),
        "source": _source("rest-v2", principal),
        "message_nest_rules": True,
    }
    names = {"templateId": "token", "idempotencyKey": "idempotency_key", "variables": "placeholders"}
    result = await _send(request, principal, _present(data), names)
    summary = _summary(request, result)
    return Answer({"token": body["token"], "count": len(result.deliveries), **summary}, V2_OK)


async def _send_simple(request: Request, fields: dict[str, Any], caller: Caller) -> Answer:
    data: dict[str, Any] = {"title": fields.get("title"), "text": fields.get("text")}
    principal = await caller.key_principal()
    if fields.get("token") is not None:
        decoded = _decoded(fields["token"])
        # Message Nest gave tasks and templates tokens alike; an imported id says which it names.
        if await Template.exists(legacy_id=decoded) and not await Task.exists(legacy_id=decoded):
            principal, data["template_id"] = await caller.for_target(Template, decoded, "token")
        else:
            principal, data["task_id"] = await caller.for_target(Task, decoded, "token")
    if fields.get("task_id") is not None:
        principal, data["task_id"] = await caller.for_target(Task, fields["task_id"], "task_id")
    if fields.get("template_id") is not None:
        principal, data["template_id"] = await caller.for_target(
            Template, fields["template_id"], "template_id"
        )
    if principal is None:
        raise Unauthenticated(_NO_CREDENTIALS)
    key = principal.api_key
    if "task_id" not in data and "template_id" not in data:
        if key is not None and key.scope is KeyScope.TASK:
            data["task_id"] = key.task_id
        elif key is not None and key.scope is KeyScope.TEMPLATE:
            data["template_id"] = key.template_id
        else:
            raise BadInput("give task_id or template_id, or use a key scoped to one", field="task_id")
    if "template_id" in data:
        # A template renders its own content (placeholder defaults); title/text are not variables.
        data.pop("title")
        data.pop("text")
    data["source"] = _source("rest-get", principal)
    data["message_nest_rules"] = True
    result = await _send(request, principal, _present(data), _SIMPLE_FIELDS)
    if fields.get("mode") != "sync" or result.duplicate:
        return Answer(_summary(request, result), SUBMITTED)
    return await _waited(request, result)


def _source(name: str, principal: Principal) -> str:
    # The send log tells which callers still use a Message Nest token, so they can be moved to keys.
    return name + "-token" if principal.legacy_target is not None else name


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    outage = unavailable(exc)
    if outage is not None:
        log.warning("REST send failed, a backing service is down: %r", exc)
        return _reply(503, outage.message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    log.error("REST send failed: %s %s", request.method, request.url.path, exc_info=exc)
    return _reply(500, "internal error")


def _reply(
    code: int,
    msg: str,
    data: Any = None,
    headers: dict[str, str] | None = None,
    http_status: int | None = None,
) -> JSONResponse:
    body = {"code": code, "msg": msg, "data": data}
    return JSONResponse(body, status_code=http_status or code, headers=headers)


def _error_reply(error: PushNestError) -> JSONResponse:
    code = next((status for kind, status in _STATUS if isinstance(error, kind)), None)
    if code is None:  # ConfigError or a new kind: not meant for callers
        log.error("unexpected %s in a REST send: %s", type(error).__name__, error.message)
        return _reply(500, "internal error")
    # Message Nest's clients read `msg`; the console's wording hints (reason, args) are not theirs.
    details = {k: v for k, v in error.details.items() if v is not None and k not in ("reason", "args")}
    if isinstance(error, _MESSAGE_NEST_CASES):
        return _reply(400, error.message, details or None, http_status=200)
    headers = None
    if isinstance(error, TooManyRequests):
        headers = {"Retry-After": str(error.retry_after)}
    elif isinstance(error, Unauthenticated):
        headers = {"WWW-Authenticate": "Bearer"}
    return _reply(code, error.message, details or None, headers)


routes: list[BaseRoute] = [
    Route("/api/v1/message/send", _endpoint(_send_v1, json_only=True), methods=["POST"]),
    Route("/api/v2/message/send", _endpoint(_send_v2, json_only=True), methods=["POST"]),
    Route("/api/send", _endpoint(_send_simple, json_only=False), methods=["GET", "POST"]),
]
