"""Message Nest-compatible REST send endpoints, so old callers only change their URL and add a key.

    POST /api/v1/message/send   task mode: token | task_id, title, text, markdown, html, url, mode,
                                at_mobiles, at_user_ids, at_all, recipients (+ idempotency_key)
    POST /api/v2/message/send   template mode: token, placeholders, recipients (title is ignored:
                                a PushNest template owns its title)
    GET|POST /api/send          minimal: key, title, text, and task_id | template_id, or neither
                                with a key scoped to one task or template

`token` is Message Nest's reversible encoding of a task/template id (`schema.legacy_token`); the
id it names, or `task_id`, is looked up as a `legacy_id` first and then, if all digits, as a
PushNest id. `mode` is accepted and ignored: every send is queued.

The deliberate difference: Message Nest treats the token as enough to send, so anyone who knows
an id can send. PushNest requires an API key on every call, as `Authorization: Bearer pn_…` or a
`key` field (JSON/form body, or the query string of GET /api/send); the key's owner and scope
decide what it may send to, exactly as for the GraphQL `send` mutation.

Replies are always `{"code", "msg", "data"}` and, unlike Message Nest, the HTTP status equals
`code` (200, 400, 401, 403, 404, 409, 413, 429; 503 while the database or Redis is down; 500 for
a bug, without details).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
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
from schema.models import Task, Template
from schema.models.security import KeyScope
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

Handler = Callable[[Request, dict[str, Any], Principal], Awaitable[dict[str, Any]]]


def _endpoint(handler: Handler, json_only: bool) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            fields = await _fields(request, json_only)
            principal = await _principal(request, fields)
            return _reply(200, "ok", await handler(request, fields, principal))
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


async def _principal(request: Request, fields: dict[str, Any]) -> Principal:
    header = request.headers.get("authorization", "").strip()
    scheme, _, credential = header.partition(" ")
    key = (credential.strip() if scheme.lower() == "bearer" else None) if header else fields.get("key")
    if not isinstance(key, str) or not key.startswith(API_KEY_PREFIX):
        raise Unauthenticated(
            f"send an API key ({API_KEY_PREFIX}…) as 'Authorization: Bearer <key>' or as the 'key' field"
        )
    principal = await principal_for(runtime_of(request), f"Bearer {key}", ip_of(request))
    if principal.user is None or principal.api_key is None:
        raise principal.auth_error or Unauthenticated("the API key is not valid")
    return principal


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


def _summary(result: SendResult) -> dict[str, Any]:
    return {
        "message_id": result.message.id,
        "status": result.message.status.value,
        "deliveries": len(result.deliveries),
        "duplicate": result.duplicate,
    }


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


async def _send_v1(request: Request, body: dict[str, Any], principal: Principal) -> dict[str, Any]:
    if body.get("token") is not None:
        task_id = await _target_id(Task, _decoded(body["token"]), "token")
        names = _V1_FIELDS | {"taskId": "token"}
    elif body.get("task_id") is not None:
        task_id = await _target_id(Task, body["task_id"], "task_id")
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
        "source": "rest-v1",
    }
    return _summary(await _send(request, principal, _present(data), names))


async def _send_v2(request: Request, body: dict[str, Any], principal: Principal) -> dict[str, Any]:
    template_id = await _target_id(Template, _decoded(body.get("token")), "token")
    data = {
        "template_id": template_id,
        "variables": body.get("placeholders"),
        "recipients": body.get("recipients"),
        "idempotency_key": body.get("idempotency_key"),
        "source": "rest-v2",
    }
    names = {"templateId": "token", "idempotencyKey": "idempotency_key"}
    result = await _send(request, principal, _present(data), names)
    return {**_summary(result), "token": body["token"], "count": len(result.deliveries)}


async def _send_simple(request: Request, fields: dict[str, Any], principal: Principal) -> dict[str, Any]:
    data: dict[str, Any] = {"title": fields.get("title"), "text": fields.get("text"), "source": "rest-get"}
    key = principal.api_key
    if fields.get("task_id") is not None:
        data["task_id"] = await _target_id(Task, fields["task_id"], "task_id")
    if fields.get("template_id") is not None:
        data["template_id"] = await _target_id(Template, fields["template_id"], "template_id")
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
    return _summary(await _send(request, principal, _present(data), _SIMPLE_FIELDS))


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    outage = unavailable(exc)
    if outage is not None:
        log.warning("REST send failed, a backing service is down: %r", exc)
        return _reply(503, outage.message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    log.error("REST send failed: %s %s", request.method, request.url.path, exc_info=exc)
    return _reply(500, "internal error")


def _reply(code: int, msg: str, data: Any = None, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "msg": msg, "data": data}, status_code=code, headers=headers)


def _error_reply(error: PushNestError) -> JSONResponse:
    code = next((status for kind, status in _STATUS if isinstance(error, kind)), None)
    if code is None:  # ConfigError or a new kind: not meant for callers
        log.error("unexpected %s in a REST send: %s", type(error).__name__, error.message)
        return _reply(500, "internal error")
    # Message Nest's clients read `msg`; the console's wording hints (reason, args) are not theirs.
    details = {k: v for k, v in error.details.items() if v is not None and k not in ("reason", "args")}
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
