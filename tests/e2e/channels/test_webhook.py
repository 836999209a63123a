"""Webhook headers are secrets (issue 11): masked in answers and audit diffs, sealed at rest, kept
on updates that leave them out; form-encoded body templates encode every substituted value."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs

from schema.crypto import SecretBox
from schema.models import AuditLog, Channel
from schema.services.channels import seal_legacy_secrets
from schema.settings import Settings
from tests.e2e.channels.conftest import send_and_settle
from tests.fakes.webhook_sink import WebhookSink
from tests.helpers import GraphQLClient, unique

CREATE = "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id config } }"
UPDATE = "mutation($id: Int!, $i: UpdateChannelInput!) { updateChannel(id: $id, input: $i) { id config } }"
GET = "query($id: Int!) { channel(id: $id) { config } }"
TASK = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"


async def hook_channel(client: GraphQLClient, sink: WebhookSink, **config: Any) -> tuple[int, int, str]:
    """A webhook channel to a fresh sink path and a task bound to it: (channel id, task id, path)."""
    path = f"/secret-headers/{secrets.token_hex(4)}"
    made = await client.call(
        CREATE, {"i": {"name": unique("hook"), "type": "webhook", "config": {"url": sink.url(path)} | config}}
    )
    channel_id = int(made["createChannel"]["id"])
    task = await client.call(TASK, {"i": {"name": unique("t"), "bindings": [{"channelId": channel_id}]}})
    return channel_id, int(task["createTask"]["id"]), path


async def test_headers_are_a_secret_masked_sealed_and_kept(
    admin: GraphQLClient, sink: WebhookSink, runtime_box: Any
) -> None:
    token = "Bearer tok-" + secrets.token_hex(12)
    channel_id, task_id, path = await hook_channel(
        admin, sink, headers=[f"Authorization: {token}", "X-Team: ops"]
    )
    shown = (await admin.call(GET, {"id": channel_id}))["channel"]["config"]
    assert shown["headers"] == "********" and token not in str(shown)
    row = await Channel.get(id=channel_id)
    assert "headers" not in row.config and token not in row.secrets_sealed
    assert runtime_box(row)["headers"] == f"Authorization: {token}\nX-Team: ops"
    created = await AuditLog.get(action="channel.create", object_id=str(channel_id))
    assert created.diff["headers"] == [None, "********"] and token not in str(created.diff)

    # Left out, or sent back as the mask: kept. The receiver still gets them.
    await admin.call(UPDATE, {"id": channel_id, "i": {"config": {"url": sink.url(path), "method": "PUT"}}})
    await admin.call(
        UPDATE, {"id": channel_id, "i": {"config": {"url": sink.url(path), "headers": "********"}}}
    )
    assert runtime_box(await Channel.get(id=channel_id))["headers"].startswith(f"Authorization: {token}")
    sent = await send_and_settle(admin, task_id, title="t", text="hello")
    assert sent.delivery["status"] == "SUCCEEDED", sent.message
    [request] = sink.received[path]
    headers = {name.lower(): value for name, value in request.headers.items()}
    assert headers["authorization"] == token and headers["x-team"] == "ops"

    # Replaced: the audit diff says it changed, never to what.
    await admin.call(
        UPDATE, {"id": channel_id, "i": {"config": {"url": sink.url(path), "headers": "X-Other: 1"}}}
    )
    changed = (
        await AuditLog.filter(action="channel.update", object_id=str(channel_id)).order_by("-id").first()
    )
    assert changed is not None and changed.diff["headers"] == ["********", "********"]
    assert token not in str(await AuditLog.filter(object_id=str(channel_id)).values_list("diff", flat=True))


async def test_an_echoed_header_value_is_masked_in_the_recorded_answer(
    admin: GraphQLClient, sink: WebhookSink
) -> None:
    from tests.fakes.webhook_sink import Reply

    key = "k-" + secrets.token_hex(10)
    _, task_id, path = await hook_channel(admin, sink, headers=[f"X-Api-Key: {key}"])
    sink.script(path, Reply(status=403, body=f'{{"error": "key {key} is not allowed"}}'))
    sent = await send_and_settle(admin, task_id, title="t", text="hello")
    assert key not in str(sent.message) and "is not allowed" in str(sent.message)


async def test_headers_written_before_they_were_secret_are_masked_then_sealed(
    admin: GraphQLClient, sink: WebhookSink, settings: Settings, runtime_box: Any
) -> None:
    """A row from before issue 11 keeps headers in its public config: shown masked, still sent,
    and sealed by the start-up step."""
    token = "Bearer legacy-" + secrets.token_hex(8)
    channel_id, task_id, path = await hook_channel(admin, sink)
    await Channel.filter(id=channel_id).update(
        config={
            "url": sink.url(path),
            "method": "POST",
            "headers": [f"Authorization: {token}"],
            "body_template": "",
            "content_type": "application/json",
        }
    )
    shown = (await admin.call(GET, {"id": channel_id}))["channel"]["config"]
    assert shown["headers"] == "********" and token not in str(shown)
    sent = await send_and_settle(admin, task_id, title="t", text="hello")
    assert sent.delivery["status"] == "SUCCEEDED" and sink.received[path][0].headers["Authorization"] == token

    assert await seal_legacy_secrets(SecretBox(settings.secret_key.get_secret_value())) >= 1
    row = await Channel.get(id=channel_id)
    assert "headers" not in row.config and runtime_box(row)["headers"] == f"Authorization: {token}"
    assert await seal_legacy_secrets(SecretBox(settings.secret_key.get_secret_value())) == 0


async def test_form_encoded_templates_encode_every_value(admin: GraphQLClient, sink: WebhookSink) -> None:
    """`a&role=admin` in a title stays one field; it used to add a `role` field to the form."""
    _, task_id, path = await hook_channel(
        admin,
        sink,
        content_type="application/x-www-form-urlencoded",
        body_template="title={{title}}&text={{text}}&source=pushnest",
    )
    title, text = "a&role=admin", "50% done + more=yes #1 ü"
    sent = await send_and_settle(admin, task_id, title=title, text=text)
    assert sent.delivery["status"] == "SUCCEEDED", sent.message
    form = parse_qs(sink.received[path][0].body.decode(), strict_parsing=True)
    assert form == {"title": [title], "text": [text], "source": ["pushnest"]}
