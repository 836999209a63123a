"""Channel options Message Nest users rely on, through the real pipeline and fake vendors: Bark's
push encryption, ntfy's icon and action buttons, and the in-site inbox's blacklist."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.e2e.channels.conftest import channel_task, send_and_settle
from tests.fakes.simple_vendors import SimpleVendors
from tests.helpers import GraphQLClient, new_member, unique

INBOX = "{ inbox(first: 20) { nodes { title } } }"


@pytest.fixture(scope="module")
async def vendors() -> AsyncIterator[SimpleVendors]:
    fake = SimpleVendors()
    await fake.start()
    yield fake
    await fake.stop()


def bark_decrypt(ciphertext: str, key: str, iv: str) -> dict[str, Any]:
    """What the Bark app does with an encrypted push (AES-CBC, PKCS#7, base64)."""
    decryptor = Cipher(algorithms.AES(key.encode()), modes.CBC(iv.encode())).decryptor()
    padded = decryptor.update(base64.b64decode(ciphertext)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    decoded: dict[str, Any] = json.loads(unpadder.update(padded) + unpadder.finalize())
    return decoded


@pytest.mark.parametrize("key_chars", [16, 24, 32])
async def test_bark_encrypted_push_carries_only_ciphertext(
    admin: GraphQLClient, vendors: SimpleVendors, key_chars: int
) -> None:
    device, key, iv = "bk" + secrets.token_hex(6), secrets.token_hex(key_chars // 2), secrets.token_hex(8)
    vendors.allow("bark", device)
    config = {
        "base_url": vendors.base_url("bark"),
        "device_key": device,
        "group": "ops",
        "encryption_key": key,
        "encryption_iv": iv,
    }
    task = await channel_task(admin, "bark", config)
    sent = await send_and_settle(admin, task, title="Disk 🚨", text="sda1 is full")
    assert sent.delivery["status"] == "SUCCEEDED", sent.delivery
    [got] = vendors.accepted[device]
    assert set(got) == {"device_key", "ciphertext", "iv"} and got["iv"] == iv
    assert "sda1" not in json.dumps(got)
    fields = bark_decrypt(got["ciphertext"], key, iv)
    body = fields.get("body", fields.get("markdown"))
    assert fields["title"] == "Disk 🚨" and body == "sda1 is full" and fields["group"] == "ops"
    assert key not in json.dumps(sent.message)


async def test_bark_refuses_a_key_of_the_wrong_length(admin: GraphQLClient, vendors: SimpleVendors) -> None:
    config = {
        "base_url": vendors.base_url("bark"),
        "device_key": "k",
        "encryption_key": "short",
        "encryption_iv": "x" * 16,
    }
    error = await admin.fails(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": "bark-bad-key", "type": "bark", "config": config}},
    )
    assert error["extensions"]["code"] == "BAD_INPUT" and "short" not in error["message"]


async def test_ntfy_icon_and_actions(admin: GraphQLClient, vendors: SimpleVendors) -> None:
    topic = "alerts-" + secrets.token_hex(4)
    config = {
        "base_url": vendors.base_url("ntfy"),
        "topic": topic,
        "icon": "https://example.com/icon.png",
        "actions": "view, 打开面板, https://example.com/board; http, Close, https://example.com/close",
    }
    task = await channel_task(admin, "ntfy", config)
    sent = await send_and_settle(admin, task, title="Build", text="green")
    assert sent.delivery["status"] == "SUCCEEDED", sent.delivery
    [got] = vendors.accepted[topic]
    assert got["icon"] == "https://example.com/icon.png"
    assert got["actions"] == [
        {"action": "view", "label": "打开面板", "url": "https://example.com/board"},
        {"action": "http", "label": "Close", "url": "https://example.com/close"},
    ]
    error = await admin.fails(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": "ntfy-bad", "type": "ntfy", "config": config | {"actions": "jump, x"}}},
    )
    assert error["extensions"]["code"] == "BAD_INPUT"


async def test_inbox_blacklist_keeps_matching_messages_out(admin: GraphQLClient) -> None:
    member, username = await new_member(admin)
    binding = {"options": {"usernames": [username], "blacklist_regex": r"(?i)heartbeat|^debug:"}}
    task = await channel_task(admin, "inbox", {}, binding)
    skipped = await send_and_settle(admin, task, title="Heartbeat", text="all fine")
    assert skipped.delivery["status"] == "SUCCEEDED"
    assert "blacklist" in skipped.delivery["history"][0]["vendorResponse"]
    kept = await send_and_settle(admin, task, title="Disk full", text="sda1")
    assert kept.delivery["status"] == "SUCCEEDED"
    assert [n["title"] for n in (await member.call(INBOX))["inbox"]["nodes"]] == ["Disk full"]
    channel = await admin.call(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": unique("inbox"), "type": "inbox", "config": {}}},
    )
    bad = {"channelId": channel["createChannel"]["id"], "options": {"blacklist_regex": "("}}
    error = await admin.fails(
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
        {"i": {"name": unique("bad-regex"), "bindings": [bad]}},
    )
    assert error["extensions"]["code"] == "BAD_INPUT" and "regular expression" in error["message"]
