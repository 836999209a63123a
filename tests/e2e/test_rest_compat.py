"""Message Nest-compatible REST sends: same URLs and fields, an API key (or an accepted Message Nest
token, tests/e2e/test_message_nest_callers.py), Message Nest's envelope."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from tortoise.expressions import Q

from schema import legacy_token
from schema.models import Message, Task, Template
from tests.helpers import GraphQLClient, unique

CREATE_CHANNEL = "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }"
CREATE_TASK = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id name } }"
CREATE_TEMPLATE = "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id name } }"
CREATE_KEY = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }"
REVOKE = "mutation($id: Int!) { revokeApiKey(id: $id) { id } }"
V1, V2, SIMPLE = "/api/v1/message/send", "/api/v2/message/send", "/api/send"


@dataclass
class World:
    http: httpx.AsyncClient
    task_id: int
    task_name: str
    template_id: int
    template_name: str
    key: str
    key_id: int


async def new_key(client: GraphQLClient, scope: str = "ALL", **target: int) -> tuple[str, int]:
    made = await client.call(CREATE_KEY, {"i": {"name": unique("k"), "scope": scope, **target}})
    return made["createApiKey"]["key"], int(made["createApiKey"]["apiKey"]["id"])


async def world(client: GraphQLClient) -> World:
    channel = await client.call(
        CREATE_CHANNEL,
        {"i": {"name": unique("hook"), "type": "webhook", "config": {"url": "https://hooks.example.com/x"}}},
    )
    bindings = [{"channelId": channel["createChannel"]["id"]}]
    task = (await client.call(CREATE_TASK, {"i": {"name": unique("task"), "bindings": bindings}}))[
        "createTask"
    ]
    template = {
        "name": unique("tpl"),
        "title": "Deploy {{service}}",
        "textBody": "{{service}} is {{state}}",
        "placeholders": [{"key": "service"}, {"key": "state"}],
        "bindings": bindings,
    }
    made = (await client.call(CREATE_TEMPLATE, {"i": template}))["createTemplate"]
    key, key_id = await new_key(client)
    return World(client.http, task["id"], task["name"], made["id"], made["name"], key, key_id)


def envelope(response: httpx.Response, code: int, http_status: int | None = None) -> dict[str, Any]:
    """The `{code, msg, data}` answer; v1/v2 answer Message Nest's error cases in an HTTP 200."""
    body: dict[str, Any] = response.json()
    assert response.status_code == (http_status or code), response.text
    assert set(body) == {"code", "msg", "data"} and body["code"] == code, body
    return body


async def test_v1_sends_to_a_task_by_its_numeric_id(admin: GraphQLClient) -> None:
    w = await world(admin)
    response = await w.http.post(
        V1,
        json={
            "task_id": str(w.task_id),
            "title": "Hello",
            "text": "body",
            "at_mobiles": ["13800000000"],
            "html": None,
            "key": w.key,
        },
    )
    body = envelope(response, 200)
    assert body["msg"] == "提交成功！"  # noqa: RUF001 (Message Nest's words)
    data = body["data"]
    assert data["deliveries"] == 1 and data["duplicate"] is False and data["status"] == "queued"
    message = await Message.get(id=data["message_id"])
    assert message.source_name == w.task_name and message.task_id == w.task_id
    assert (message.title, message.text, message.api_key_id) == ("Hello", "body", w.key_id)
    assert message.mentions["mobiles"] == ["13800000000"]


async def test_v1_takes_a_message_nest_token_and_a_bearer_key(admin: GraphQLClient) -> None:
    w = await world(admin)
    response = await w.http.post(
        V1,
        json={"token": legacy_token.encode(str(w.task_id)), "markdown": "**hi**"},
        headers={"Authorization": f"Bearer {w.key}"},
    )
    message = await Message.get(id=envelope(response, 200)["data"]["message_id"])
    assert message.task_id == w.task_id and message.markdown == "**hi**"


async def test_v1_finds_a_task_by_its_message_nest_id(admin: GraphQLClient) -> None:
    w = await world(admin)
    legacy_id = "TK" + secrets.token_hex(5)
    await Task.filter(id=w.task_id).update(legacy_id=legacy_id)
    for target in ({"token": legacy_token.encode(legacy_id)}, {"task_id": legacy_id}):
        response = await w.http.post(V1, json={**target, "text": "old caller", "key": w.key})
        message = await Message.get(id=envelope(response, 200)["data"]["message_id"])
        assert message.task_id == w.task_id


async def test_v1_idempotency_key_returns_the_first_send(admin: GraphQLClient) -> None:
    w = await world(admin)
    payload = {"task_id": w.task_id, "text": "once", "idempotency_key": unique("idem"), "key": w.key}
    first = envelope(await w.http.post(V1, json=payload), 200)["data"]
    again = envelope(await w.http.post(V1, json=payload), 200)["data"]
    assert again["message_id"] == first["message_id"] and again["duplicate"] is True


async def test_v2_renders_the_template_with_placeholders(admin: GraphQLClient) -> None:
    w = await world(admin)
    token = legacy_token.encode(str(w.template_id))
    response = await w.http.post(
        V2,
        json={"token": token, "title": "ignored", "placeholders": {"service": "api", "state": 1}},
        headers={"Authorization": f"Bearer {w.key}"},
    )
    data = envelope(response, 200)["data"]
    assert data["count"] == 1 and data["deliveries"] == 1 and data["token"] == token
    message = await Message.get(id=data["message_id"])
    assert message.template_id == w.template_id and message.source_name == w.template_name
    # Message Nest's v2 sends the call's title as given, not the template's.
    assert (message.title, message.text) == ("ignored", "api is 1")


async def test_v2_finds_a_template_by_its_message_nest_id(admin: GraphQLClient) -> None:
    w = await world(admin)
    legacy_id = "TP" + secrets.token_hex(5)
    await Template.filter(id=w.template_id).update(legacy_id=legacy_id)
    response = await w.http.post(
        V2,
        json={"token": legacy_token.encode(legacy_id), "placeholders": {"service": "db", "state": "down"}},
        headers={"Authorization": f"Bearer {w.key}"},
    )
    message = await Message.get(id=envelope(response, 200)["data"]["message_id"])
    assert message.template_id == w.template_id and "db is down" in message.text


async def test_simple_send_uses_the_keys_task(admin: GraphQLClient) -> None:
    w = await world(admin)
    scoped, _ = await new_key(admin, "TASK", taskId=w.task_id)
    response = await w.http.get(SIMPLE, params={"key": scoped, "title": "t", "text": "from a URL"})
    message = await Message.get(id=envelope(response, 200)["data"]["message_id"])
    assert message.task_id == w.task_id and message.text == "from a URL"
    # The same as a form post, and with an ALL key naming the task.
    response = await w.http.post(SIMPLE, data={"key": w.key, "task_id": str(w.task_id), "text": "form"})
    message = await Message.get(id=envelope(response, 200)["data"]["message_id"])
    assert message.task_id == w.task_id and message.text == "form"
    template_key, _ = await new_key(admin, "TEMPLATE", templateId=w.template_id)
    response = await w.http.post(SIMPLE, json={"key": template_key}, params={})
    # Message Nest's rule: placeholders without a value (and no default) are sent as written.
    message = await Message.get(id=envelope(response, 200)["data"]["message_id"])
    assert message.template_id == w.template_id and message.text == "{{service}} is {{state}}"


async def messages_to(*worlds: World) -> int:
    """Messages sent to these worlds' tasks and templates. Not a global count: cron jobs that other
    tests leave in the shared server fire at minute boundaries and would make it flaky."""
    tasks = [w.task_id for w in worlds]
    templates = [w.template_id for w in worlds]
    return await Message.filter(Q(task_id__in=tasks) | Q(template_id__in=templates)).count()


async def test_bad_calls_are_refused_and_write_nothing(admin: GraphQLClient, member: GraphQLClient) -> None:
    w = await world(admin)
    theirs = await world(member)
    revoked, revoked_id = await new_key(admin)
    await admin.call(REVOKE, {"id": revoked_id})
    good = {"task_id": str(w.task_id), "text": "x"}
    before = await messages_to(w, theirs)
    cases: list[tuple[str, str, dict[str, Any], int, str | None]] = [
        # (method, path, request kwargs, status, field)
        ("POST", V1, {"json": good}, 401, None),
        ("POST", V1, {"json": {**good, "key": revoked}}, 401, None),
        ("POST", V1, {"json": {**good, "key": "pn_forged"}}, 401, None),
        ("POST", V1, {"json": good, "headers": {"Authorization": f"Bearer {admin.token}"}}, 401, None),
        ("POST", V2, {"json": {"token": legacy_token.encode(str(w.template_id))}}, 401, None),
        ("GET", SIMPLE, {"params": {"task_id": str(w.task_id), "text": "x"}}, 401, None),
        ("POST", V1, {"json": {**good, "task_id": "999999999", "key": w.key}}, 404, "task_id"),
        ("POST", V1, {"json": {**good, "task_id": "TKnosuchtask", "key": w.key}}, 404, "task_id"),
        ("POST", V1, {"json": {**good, "task_id": str(theirs.task_id), "key": w.key}}, 404, "task_id"),
        (
            "POST",
            V1,
            {"json": {"token": legacy_token.encode("987654321"), "text": "x", "key": w.key}},
            404,
            "token",
        ),
        ("POST", V1, {"json": {"token": "zz", "text": "x", "key": w.key}}, 400, "token"),
        ("POST", V1, {"json": {"text": "x", "key": w.key}}, 400, "token"),
        ("POST", V1, {"json": {**good, "text": "", "key": w.key}}, 400, "text"),
        ("POST", V1, {"json": {**good, "at_mobiles": "13800000000", "key": w.key}}, 400, "at_mobiles"),
        ("POST", V1, {"content": b"{not json", "headers": {"Authorization": f"Bearer {w.key}"}}, 400, None),
        ("POST", V1, {"json": ["a", "list"], "headers": {"Authorization": f"Bearer {w.key}"}}, 400, None),
        ("POST", V2, {"json": {"placeholders": {}}}, 400, "token"),
        ("GET", SIMPLE, {"params": {"key": w.key, "text": "x"}}, 400, "task_id"),
        ("GET", SIMPLE, {"params": {"key": w.key, "text": "x", "task_id": "abc"}}, 404, "task_id"),
    ]
    for method, path, kwargs, status, field in cases:
        if path == V2 and status != 401:
            kwargs = {**kwargs, "headers": {"Authorization": f"Bearer {w.key}"}}
        response = await w.http.request(method, path, **kwargs)
        if status in (400, 404):
            body = envelope(response, 400, http_status=200)  # as Message Nest answers them
        else:
            body = envelope(response, status)
        assert (body["data"] or {}).get("field") == field, (path, kwargs, body)
        if status == 401:
            assert response.headers["www-authenticate"] == "Bearer"
    assert await messages_to(w, theirs) == before

    # The envelope's message for a body that is not a JSON object, and missing variables named.
    response = await w.http.post(V1, content=b"[1]", headers={"Authorization": f"Bearer {w.key}"})
    assert envelope(response, 400, http_status=200)["msg"] == "body must be a JSON object"
    response = await w.http.post(SIMPLE, content=b"[1]", params={"key": w.key})
    assert envelope(response, 400, http_status=200)["msg"] == "body must be a JSON object"
    assert await messages_to(w, theirs) == before


async def test_a_scoped_key_cannot_send_elsewhere(admin: GraphQLClient) -> None:
    w = await world(admin)
    other = await world(admin)
    scoped, _ = await new_key(admin, "TASK", taskId=w.task_id)
    before = await messages_to(w, other)
    response = await w.http.post(V1, json={"task_id": str(other.task_id), "text": "x", "key": scoped})
    assert envelope(response, 400, http_status=200)["data"] == {"field": "task_id"}
    response = await w.http.post(
        V2,
        json={
            "token": legacy_token.encode(str(w.template_id)),
            "placeholders": {"service": "a", "state": "b"},
        },
        headers={"Authorization": f"Bearer {scoped}"},
    )
    assert envelope(response, 400, http_status=200)["data"] == {"field": "token"}
    assert await messages_to(w, other) == before
