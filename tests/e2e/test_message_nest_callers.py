"""Message Nest's callers, replayed unchanged: its documented v1/v2 requests, its console's example
calls and a GET, against tasks and templates with Message Nest ids (as the importer leaves them);
answered as Message Nest answers and delivered. The token alone works only where an admin turned
on `acceptLegacyToken`; public preview links of inbox items (`hostMessageUrl`) and their revocation.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx

from schema import legacy_token
from schema.models import InboxItem, Message, Task, Template
from tests.fakes.webhook_sink import Reply, WebhookSink
from tests.helpers import GraphQLClient, new_member, unique

V1, V2, SIMPLE = "/api/v1/message/send", "/api/v2/message/send", "/api/send"
SUBMITTED, SENT, FAILED = "提交成功！", "发送成功！", "发送失败！"  # noqa: RUF001 (Message Nest's words)
CREATE_CHANNEL = "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }"
CREATE_TASK = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"
CREATE_TEMPLATE = "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }"
SWITCH_TASK = """mutation($id: Int!, $on: Boolean!) {
  updateTask(id: $id, input: {acceptLegacyToken: $on}) { acceptLegacyToken legacyToken } }"""
SWITCH_TEMPLATE = """mutation($id: Int!, $on: Boolean!) {
  updateTemplate(id: $id, input: {acceptLegacyToken: $on}) { acceptLegacyToken legacyToken } }"""
AUDIT = """query($t: String, $o: String) { auditLogs(first: 9, filter: {objectType: $t, objectId: $o}) {
  nodes { action actorName diff } } }"""
INBOX = "{ inbox(first: 50) { nodes { id messageId title previewUrl } } }"
REVOKE = "mutation($id: Int!) { revokeInboxPreview(id: $id) { id previewUrl } }"


@dataclass
class Hook:
    """A webhook channel posting to its own path on the sink."""

    id: int
    path: str


async def hook(client: GraphQLClient, sink: WebhookSink) -> Hook:
    path = f"/mn/{secrets.token_hex(4)}"
    made = await client.call(
        CREATE_CHANNEL,
        {"i": {"name": unique("hook"), "type": "webhook", "config": {"url": sink.url(path)}}},
    )
    return Hook(int(made["createChannel"]["id"]), path)


async def mn_task(client: GraphQLClient, *bindings: dict[str, Any]) -> tuple[int, str]:
    """A task with a Message Nest id ("TK…"), as the importer leaves one."""
    made = await client.call(CREATE_TASK, {"i": {"name": unique("task"), "bindings": list(bindings)}})
    task_id, legacy_id = int(made["createTask"]["id"]), "TK" + secrets.token_hex(5)
    await Task.filter(id=task_id).update(legacy_id=legacy_id)
    return task_id, legacy_id


async def mn_template(client: GraphQLClient, channel_id: int, **fields: Any) -> tuple[int, str]:
    template = {
        "name": unique("tpl"),
        "title": "{{title}}",
        "textBody": "{{name}} deployed {{version}}",
        "placeholders": [{"key": "name"}, {"key": "version", "default": "v1"}],
        "bindings": [{"channelId": channel_id, "format": "TEXT"}],
    } | fields
    made = await client.call(CREATE_TEMPLATE, {"i": template})
    template_id, legacy_id = int(made["createTemplate"]["id"]), "TP" + secrets.token_hex(5)
    await Template.filter(id=template_id).update(legacy_id=legacy_id)
    return template_id, legacy_id


def answer(response: httpx.Response, code: int, msg: str) -> dict[str, Any]:
    """Message Nest's answer: HTTP 200 with the code in the body."""
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, response.text
    assert (body["code"], body["msg"]) == (code, msg), body
    return body["data"] or {}


async def settled(message_id: int) -> Message:
    """The message once every delivery is final (waits on the database, the source of truth)."""
    deadline = time.monotonic() + 20
    while True:
        message = await Message.get(id=message_id)
        if message.status.value in ("succeeded", "partial", "failed"):
            return message
        assert time.monotonic() < deadline, message.status
        await asyncio.sleep(0.05)


def posted(request: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(request.body)["data"]
    return data


async def test_only_an_admin_turns_the_token_on_and_it_is_audited(admin: GraphQLClient) -> None:
    member, _ = await new_member(admin)
    channel = (
        await member.call(CREATE_CHANNEL, {"i": {"name": unique("c"), "type": "inbox", "config": {}}})
    )["createChannel"]["id"]
    task_id, legacy_id = await mn_task(member, {"channelId": channel})
    error = await member.fails(SWITCH_TASK, {"id": task_id, "on": True})
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert not (await Task.get(id=task_id)).accept_legacy_token

    switched = (await admin.call(SWITCH_TASK, {"id": task_id, "on": True}))["updateTask"]
    assert switched == {"acceptLegacyToken": True, "legacyToken": legacy_token.encode(legacy_id)}
    # The owner sees the token to move away from; renaming keeps the switch.
    task = await member.call("query($id: Int!) { task(id: $id) { legacyToken } }", {"id": task_id})
    assert task["task"]["legacyToken"] == legacy_token.encode(legacy_id)
    await member.call(
        'mutation($id: Int!) { updateTask(id: $id, input: {name: "renamed"}) { id } }', {"id": task_id}
    )
    assert (await Task.get(id=task_id)).accept_legacy_token

    off = (await admin.call(SWITCH_TASK, {"id": task_id, "on": False}))["updateTask"]
    assert off == {"acceptLegacyToken": False, "legacyToken": None}
    entries = (await admin.call(AUDIT, {"t": "task", "o": str(task_id)}))["auditLogs"]["nodes"]
    switches = [e["diff"]["accept_legacy_token"] for e in entries if "accept_legacy_token" in e["diff"]]
    assert switches == [[True, False], [False, True], [None, False]]  # newest first; the last: created
    assert entries[0]["actorName"] == "admin"


async def test_documented_v1_requests_work_with_the_token_once_accepted(
    admin: GraphQLClient, anonymous: GraphQLClient, sink: WebhookSink
) -> None:
    target = await hook(admin, sink)
    task_id, legacy_id = await mn_task(admin, {"channelId": target.id})
    token = legacy_token.encode(legacy_id)
    # Message Nest's docs: POST /api/v1/message/send with the token and the content, nothing else.
    documented = {"token": token, "title": "消息标题", "text": "Hello World!"}
    http = anonymous.http

    refused = await http.post(V1, json=documented)
    assert refused.status_code == 401 and refused.json()["code"] == 401  # off: as before
    assert await Message.filter(task_id=task_id).count() == 0

    await admin.call(SWITCH_TASK, {"id": task_id, "on": True})
    data = answer(await http.post(V1, json=documented), 200, SUBMITTED)
    assert "hostMessageUrl" not in data  # no inbox binding asked for a public link
    [request] = await sink.wait_for(target.path, 1)
    assert posted(request)["title"] == "消息标题" and posted(request)["body"] == "Hello World!"
    message = await Message.get(id=data["message_id"])
    assert (message.task_id, message.api_key_id, message.source) == (task_id, None, "rest-v1-token")

    # Its console's example call: every optional field, the task id instead of the token, a
    # Python-requests-style body (a JSON string with its content type).
    example = {
        "task_id": legacy_id,
        "title": "message title",
        "text": "Hello World!",
        "html": "<h1>Hello</h1>",
        "markdown": "**Hello**",
        "url": "https://example.com",
        "at_mobiles": ["13800000000"],
        "at_user_ids": ["uid1"],
        "at_all": False,
    }
    response = await http.post(V1, content=json.dumps(example), headers={"Content-Type": "application/json"})
    answer(response, 200, SUBMITTED)
    # And a GET with the token in the query string.
    response = await http.get(SIMPLE, params={"token": token, "title": "from curl", "text": "GET works"})
    assert response.status_code == 200 and response.json()["code"] == 200, response.text
    requests = await sink.wait_for(target.path, 3)
    assert sorted(posted(r)["title"] for r in requests) == ["from curl", "message title", "消息标题"]
    assert await settled(data["message_id"])

    # The token of one task never reaches another, even of the same owner.
    other_id, other_legacy = await mn_task(admin, {"channelId": target.id})
    response = await http.post(V1, json={**documented, "token": legacy_token.encode(other_legacy)})
    assert response.status_code == 401
    response = await http.post(V1, json={**documented, "token": legacy_token.encode("TKnosuchtask")})
    assert response.status_code == 401  # unknown and refused look alike to anonymous callers
    assert await Message.filter(task_id=other_id).count() == 0


async def test_v2_sends_the_callers_title_and_leaves_unfilled_placeholders(
    admin: GraphQLClient, anonymous: GraphQLClient, sink: WebhookSink
) -> None:
    target = await hook(admin, sink)
    template_id, legacy_id = await mn_template(
        admin, target.id, textBody="{{name}} deployed {{version}} {{extra}}"
    )
    token = legacy_token.encode(legacy_id)
    documented = {"token": token, "title": "Release", "placeholders": {"name": "api"}}
    assert (await anonymous.http.post(V2, json=documented)).status_code == 401
    switched = (await admin.call(SWITCH_TEMPLATE, {"id": template_id, "on": True}))["updateTemplate"]
    assert switched["legacyToken"] == token

    data = answer(await anonymous.http.post(V2, json=documented), 200, "success")
    assert (data["token"], data["count"]) == (token, 1)
    [request] = await sink.wait_for(target.path, 1)
    # The call's title, as given; the default filled in; a placeholder without one sent as written.
    assert posted(request)["title"] == "Release" and posted(request)["body"] == "api deployed v1 {{extra}}"

    # GraphQL keeps the strict rules: the same send is refused there, naming what is missing.
    error = await admin.fails(
        "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }",
        {"i": {"templateId": template_id, "variables": {"name": "api"}}},
    )
    assert error["extensions"]["code"] == "BAD_INPUT" and error["extensions"]["missing"] == ["extra", "title"]

    # A GET with a template's token alone: the template renders itself with its defaults.
    defaults = [{"key": "name", "default": "api"}, {"key": "version", "default": "v1"}]
    template_id, legacy_id = await mn_template(admin, target.id, title="Nightly", placeholders=defaults)
    await admin.call(SWITCH_TEMPLATE, {"id": template_id, "on": True})
    response = await anonymous.http.get(SIMPLE, params={"token": legacy_token.encode(legacy_id)})
    assert response.status_code == 200 and response.json()["code"] == 200, response.text
    message = await Message.get(id=response.json()["data"]["message_id"])
    assert message.template_id == template_id and message.source == "rest-get-token"


async def test_recipients_for_a_fixed_task_go_to_its_receivers_with_a_warning(
    admin: GraphQLClient, sink: WebhookSink
) -> None:
    target = await hook(admin, sink)
    task_id, legacy_id = await mn_task(admin, {"channelId": target.id})
    await admin.call(SWITCH_TASK, {"id": task_id, "on": True})
    body = {"token": legacy_token.encode(legacy_id), "text": "to whom?", "recipients": ["a@example.com"]}
    data = answer(await admin.http.post(V1, json=body), 200, SUBMITTED)
    assert data["warnings"] == [
        "recipients were given, but no enabled binding takes per-call recipients: "
        "sent to the fixed receivers instead"
    ]
    [request] = await sink.wait_for(target.path, 1)
    assert posted(request)["body"] == "to whom?"


async def test_sync_mode_waits_and_answers_the_outcome(admin: GraphQLClient, sink: WebhookSink) -> None:
    good, bad = await hook(admin, sink), await hook(admin, sink)
    sink.script(bad.path, Reply(status=400, body='{"error":"no"}'))
    for target, code, msg in ((good, 200, SENT), (bad, 400, FAILED)):
        task_id, legacy_id = await mn_task(admin, {"channelId": target.id})
        await admin.call(SWITCH_TASK, {"id": task_id, "on": True})
        body = {"token": legacy_token.encode(legacy_id), "text": "wait for me", "mode": "sync"}
        data = answer(await admin.http.post(V1, json=body), code, msg)
        assert data["status"] == ("succeeded" if code == 200 else "failed")


async def test_public_preview_links_of_inbox_items(admin: GraphQLClient, anonymous: GraphQLClient) -> None:
    me = (await admin.call("{ me { username } }"))["me"]["username"]
    inbox = (await admin.call(CREATE_CHANNEL, {"i": {"name": unique("in"), "type": "inbox", "config": {}}}))[
        "createChannel"
    ]["id"]
    public = {
        "channelId": inbox,
        "format": "MARKDOWN",
        "options": {"usernames": [me], "public_preview": True},
    }
    task_id, legacy_id = await mn_task(admin, public)
    await admin.call(SWITCH_TASK, {"id": task_id, "on": True})
    markdown = "**bold** <script>alert(1)</script> [x](javascript:alert(1))"
    body = {"token": legacy_token.encode(legacy_id), "title": "<b>T</b>", "text": "t", "markdown": markdown}
    data = answer(await anonymous.http.post(V1, json=body), 200, SUBMITTED)
    url = data["hostMessageUrl"]
    assert url.startswith(str(anonymous.http.base_url).rstrip("/") + "/preview/")
    key = url.rsplit("/", 1)[1]
    assert len(key) >= 43  # 256 random bits
    assert (await settled(data["message_id"])).status.value == "succeeded"

    page = await anonymous.http.get(url)  # no session: anyone with the link
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src" not in page.headers["content-security-policy"]  # no script at all
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert "<strong>bold</strong>" in page.text and "&lt;b&gt;T&lt;/b&gt;" in page.text
    assert "<script>" not in page.text and 'href="javascript' not in page.text, page.text

    items = [i for i in (await admin.call(INBOX))["inbox"]["nodes"] if i["messageId"] == data["message_id"]]
    [item] = items
    assert item["previewUrl"] == f"/preview/{key}"
    # Only the recipient revokes; then the link is gone for good, and the revocation is audited.
    member, _ = await new_member(admin)
    assert (await member.fails(REVOKE, {"id": item["id"]}))["extensions"]["code"] == "NOT_FOUND"
    revoked = (await admin.call(REVOKE, {"id": item["id"]}))["revokeInboxPreview"]
    assert revoked["previewUrl"] is None
    assert (await anonymous.http.get(url)).status_code == 404
    assert await Message.filter(preview_key=key).count() == 0
    entries = (await admin.call(AUDIT, {"t": "inbox_item", "o": str(item["id"])}))["auditLogs"]["nodes"]
    assert [e["action"] for e in entries] == ["inbox.preview_revoke"]

    # A binding that did not opt in gives no link.
    private = {"channelId": inbox, "format": "MARKDOWN", "options": {"usernames": [me]}}
    task_id, legacy_id = await mn_task(admin, private)
    await admin.call(SWITCH_TASK, {"id": task_id, "on": True})
    data = answer(
        await anonymous.http.post(V1, json={**body, "token": legacy_token.encode(legacy_id)}), 200, SUBMITTED
    )
    assert "hostMessageUrl" not in data
    await settled(data["message_id"])
    assert await InboxItem.filter(message_id=data["message_id"], preview_key__isnull=False).count() == 0
    assert (await anonymous.http.get("/preview/" + "x" * 43)).status_code == 404


async def test_guessed_tokens_are_throttled_per_address(
    admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    """Ids are short, so tokens can be guessed: refused ones count like unknown API keys (30 per
    address, then 429), and a token that is accepted still works from elsewhere."""
    ip = f"198.19.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}"
    guesses = [legacy_token.encode(f"TK{secrets.token_hex(5)}") for _ in range(35)]
    answers = [
        await anonymous.http.post(V1, json={"token": g, "text": "x"}, headers={"X-Forwarded-For": ip})
        for g in guesses
    ]
    assert [r.status_code for r in answers].count(401) == 30
    assert [r.status_code for r in answers][30:] == [429] * 5
    assert int(answers[-1].headers["Retry-After"]) > 0
