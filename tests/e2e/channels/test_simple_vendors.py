"""Eight HTTP push vendors through the real pipeline against one fake (tests/fakes/simple_vendors.py).

One table: per vendor, how to make an account on the fake (with the PushNest config for it), how
to make a wrong one, and what the vendor must have received for the standard message. Every vendor
then runs the same cases: delivered, a 5xx retried, throttled and retried, a bad credential final
after one attempt, and the credential never showing in errors or recorded answers.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.e2e.channels.conftest import MESSAGE, SEND, Sent, channel_task, send_and_settle
from tests.fakes.simple_vendors import Reply, SimpleVendors, server_error, throttle
from tests.helpers import GraphQLClient, delivery_state

TITLE = "Deploy 🚀"
MARKDOWN = "**v1.2** is live & <ok>"
TEXT = "v1.2 is live & <ok>"
URL = "https://example.com/r/1"
PHONES = ["13800000000", "13900000001"]


@dataclass(frozen=True)
class Account:
    config: dict[str, Any]
    key: str  # how the fake files this account's requests
    secret: str  # must never appear in errors or recorded answers


@dataclass(frozen=True)
class Vendor:
    name: str
    type_key: str
    account: Callable[[SimpleVendors], Account]  # a registered account
    wrong: Callable[[SimpleVendors], Account]  # same shape, credential the vendor refuses
    check: Callable[[dict[str, Any]], None]  # the accepted standard message
    refusal: str  # the vendor's words for the wrong credential, kept in the history
    binding: dict[str, Any] = field(default_factory=dict)
    send: dict[str, Any] = field(default_factory=dict)  # extra send fields


def _token(prefix: str = "") -> str:
    return prefix + secrets.token_hex(8)


def _telegram(vendors: SimpleVendors, known: bool = True) -> Account:
    token = f"{secrets.randbelow(10**9)}:AA{_token()}"
    if known:
        vendors.telegram_bot(token, "-1001234567890")
    config = {"base_url": vendors.base_url("telegram"), "bot_token": token, "chat_id": "-1001234567890"}
    return Account(config, token, token)


def _check_telegram(got: dict[str, Any]) -> None:
    assert got["parse_mode"] == "HTML" and got["chat_id"] == "-1001234567890"
    assert got["text"] == f"<b>{TITLE}</b>\n\n<strong>v1.2</strong> is live &amp; &lt;ok&gt;\n\n{URL}"
    assert got["disable_web_page_preview"] is True


def _bark(vendors: SimpleVendors, known: bool = True) -> Account:
    key = _token("bk")
    if known:
        vendors.allow("bark", key)
    config = {
        "base_url": vendors.base_url("bark"),
        "device_key": key,
        "group": "ops",
        "level": "timeSensitive",
    }
    return Account(config, key, key)


def _check_bark(got: dict[str, Any]) -> None:
    assert got["title"] == TITLE and got["markdown"] == MARKDOWN and "body" not in got
    assert got["url"] == URL and got["group"] == "ops" and got["level"] == "timeSensitive"
    assert got["isArchive"] == 1


def _ntfy(vendors: SimpleVendors, known: bool = True) -> Account:
    topic, token = _token("alerts-"), _token("tk_")
    vendors.protect_ntfy(topic, f"Bearer {token}")
    sent_token = token if known else _token("tk_")
    config = {
        "base_url": vendors.base_url("ntfy"),
        "topic": topic,
        "access_token": sent_token,
        "priority": 4,
        "tags": ["warning", "rocket"],
    }
    return Account(config, topic, sent_token)


def _check_ntfy(got: dict[str, Any]) -> None:
    assert got["title"] == TITLE and got["message"] == MARKDOWN and got["markdown"] is True
    assert got["priority"] == 4 and got["tags"] == ["warning", "rocket"] and got["click"] == URL


def _gotify(vendors: SimpleVendors, known: bool = True) -> Account:
    token = _token("A")
    if known:
        vendors.allow("gotify", token)
    return Account({"base_url": vendors.base_url("gotify"), "app_token": token, "priority": 7}, token, token)


def _check_gotify(got: dict[str, Any]) -> None:
    assert got["title"] == TITLE and got["message"] == MARKDOWN and got["priority"] == 7
    assert got["extras"] == {
        "client::display": {"contentType": "text/markdown"},
        "client::notification": {"click": {"url": URL}},
    }


def _pushme(vendors: SimpleVendors, known: bool = True) -> Account:
    key = _token("pm")
    if known:
        vendors.allow("pushme", key)
    return Account({"base_url": vendors.base_url("pushme"), "push_key": key}, key, key)


def _check_pushme(got: dict[str, Any]) -> None:
    assert got == {"push_key": got["push_key"], "title": TITLE, "content": MARKDOWN, "type": "markdown"}


def _aliyun(vendors: SimpleVendors, known: bool = True) -> Account:
    key_id, secret = _token("LTAI"), _token()
    vendors.aliyun_account(key_id, secret, "PushNest", {"SMS_100001": {"content", "title"}})
    config = {
        "base_url": vendors.base_url("aliyun"),
        "access_key_id": key_id,
        "access_key_secret": secret if known else _token(),
        "sign_name": "PushNest",
        "template_code": "SMS_100001",
        "title_param": "title",
    }
    return Account(config, key_id, config["access_key_secret"])


def _check_aliyun(got: dict[str, Any]) -> None:
    assert got["PhoneNumbers"] == ",".join(PHONES) and got["SignName"] == "PushNest"
    assert got["TemplateCode"] == "SMS_100001" and got["Format"] == "JSON"
    assert json.loads(got["TemplateParam"]) == {"content": TEXT, "title": TITLE}
    assert got["OutId"].startswith("pn-d") and got["SignatureNonce"].startswith(got["OutId"] + "-1-")


def _slack(vendors: SimpleVendors, known: bool = True) -> Account:
    team, bot, token = _token("T"), _token("B"), _token()
    vendors.allow("slack", f"{team}/{bot}/{token}")
    path = f"{team}/{bot}/{token if known else _token()}"
    return Account({"base_url": vendors.base_url("slack"), "webhook_path": path}, path, path.split("/")[-1])


def _check_slack(got: dict[str, Any]) -> None:
    assert got == {"text": f"*{TITLE}*\n*v1.2* is live &amp; &lt;ok&gt;\n<{URL}>"}


def _discord(vendors: SimpleVendors, known: bool = True) -> Account:
    hook_id, token = str(secrets.randbelow(10**18)), _token("dt")
    vendors.allow("discord", f"{hook_id}/{token}")
    config = {
        "base_url": vendors.base_url("discord"),
        "webhook_id": hook_id,
        "webhook_token": token if known else _token("dt"),
        "username": "PushNest",
    }
    return Account(config, f"{hook_id}/{token}", config["webhook_token"])


def _check_discord(got: dict[str, Any]) -> None:
    assert got["content"] == f"**{TITLE}**\n{MARKDOWN}\n{URL}" and got["username"] == "PushNest"
    assert got["allowed_mentions"] == {"parse": []} and got["query"] == {"wait": "true"}


def _wrong(make: Callable[[SimpleVendors, bool], Account]) -> Callable[[SimpleVendors], Account]:
    return lambda vendors: make(vendors, False)


VENDORS = [
    Vendor("telegram", "telegram", _telegram, _wrong(_telegram), _check_telegram, "Unauthorized"),
    Vendor("bark", "bark", _bark, _wrong(_bark), _check_bark, "failed to get device token"),
    Vendor("ntfy", "ntfy", _ntfy, _wrong(_ntfy), _check_ntfy, "unauthorized"),
    Vendor("gotify", "gotify", _gotify, _wrong(_gotify), _check_gotify, "valid access token"),
    Vendor("pushme", "pushme", _pushme, _wrong(_pushme), _check_pushme, "push_key is invalid"),
    Vendor(
        "aliyun",
        "aliyun_sms",
        _aliyun,
        _wrong(_aliyun),
        _check_aliyun,
        "SignatureDoesNotMatch",
        binding={"acceptsReceivers": True, "options": {"phone_numbers": ["13700000002"]}},
        send={"recipients": PHONES},
    ),
    Vendor("slack", "slack", _slack, _wrong(_slack), _check_slack, "invalid_token"),
    Vendor("discord", "discord", _discord, _wrong(_discord), _check_discord, "Invalid Webhook Token"),
]
EACH = pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.name)


@pytest.fixture(scope="session")
async def vendors() -> AsyncIterator[SimpleVendors]:
    fake = SimpleVendors()
    await fake.start()
    yield fake
    await fake.stop()


async def _send(admin: GraphQLClient, vendor: Vendor, account: Account, **fields: Any) -> Sent:
    task_id = await channel_task(admin, vendor.type_key, account.config, vendor.binding)
    content = {"title": TITLE, "markdown": MARKDOWN, "text": TEXT, "url": URL} | vendor.send
    return await send_and_settle(admin, task_id, **(content | fields))


def _outcomes(sent: Sent) -> list[str]:
    return [h["outcome"] for h in sent.delivery["history"]]


def _assert_masked(sent: Sent, secret: str) -> None:
    delivery = sent.delivery
    recorded = [delivery["lastError"] or ""]
    recorded += [f"{h['error'] or ''} {h['vendorResponse'] or ''}" for h in delivery["history"]]
    assert all(secret not in text for text in recorded), recorded


@EACH
async def test_delivered_with_the_vendor_payload(
    admin: GraphQLClient, vendors: SimpleVendors, vendor: Vendor
) -> None:
    account = vendor.account(vendors)
    sent = await _send(admin, vendor, account)
    assert sent.message["status"] == "SUCCEEDED", sent.delivery
    assert sent.delivery["attempts"] == 1 and _outcomes(sent) == ["succeeded"]
    [got] = vendors.accepted[account.key]
    vendor.check(got)
    _assert_masked(sent, account.secret)


@EACH
async def test_a_server_error_is_retried(
    admin: GraphQLClient, vendors: SimpleVendors, vendor: Vendor
) -> None:
    account = vendor.account(vendors)
    vendors.script(account.key, server_error(vendor.name))
    sent = await _send(admin, vendor, account)
    assert sent.message["status"] == "SUCCEEDED", sent.delivery
    assert sent.delivery["attempts"] == 2 and _outcomes(sent) == ["retrying", "succeeded"]
    assert sent.delivery["history"][0]["errorClass"] == "retryable"
    assert vendors.requests[account.key] == 2 and len(vendors.accepted[account.key]) == 1
    _assert_masked(sent, account.secret)


@EACH
async def test_throttling_waits_then_delivers(
    admin: GraphQLClient, vendors: SimpleVendors, vendor: Vendor
) -> None:
    account = vendor.account(vendors)
    vendors.script(account.key, throttle(vendor.name))
    sent = await _send(admin, vendor, account)
    assert sent.message["status"] == "SUCCEEDED", sent.delivery
    assert _outcomes(sent) == ["rate_limited", "succeeded"]
    assert sent.delivery["history"][0]["errorClass"] == "rate_limited"
    assert len(vendors.accepted[account.key]) == 1
    _assert_masked(sent, account.secret)


@EACH
async def test_a_refused_credential_fails_at_once(
    admin: GraphQLClient, vendors: SimpleVendors, vendor: Vendor
) -> None:
    account = vendor.wrong(vendors)
    sent = await _send(admin, vendor, account)
    delivery = sent.delivery
    assert sent.message["status"] == "FAILED" and delivery["status"] == "FAILED"
    assert delivery["attempts"] == 1 and delivery["errorClass"] == "permanent"
    [attempt] = delivery["history"]
    assert vendor.refusal in attempt["error"] + attempt["vendorResponse"], attempt
    assert vendor.refusal in delivery["lastError"] or vendor.refusal in attempt["vendorResponse"]
    _assert_masked(sent, account.secret)


async def test_a_hung_vendor_is_unknown_then_retried(admin: GraphQLClient, vendors: SimpleVendors) -> None:
    vendor = VENDORS[3]  # gotify
    account = vendor.account(vendors)
    vendors.script(account.key, Reply(delay=2.5))  # PUSHNEST_SEND_TIMEOUT_SECONDS=1
    sent = await _send(admin, vendor, account)
    assert sent.message["status"] == "SUCCEEDED" and _outcomes(sent) == ["retrying", "succeeded"]
    assert sent.delivery["history"][0]["errorClass"] == "unknown"


async def test_aliyun_daily_limit_defers_the_delivery(admin: GraphQLClient, vendors: SimpleVendors) -> None:
    """isv.BUSINESS_LIMIT_CONTROL comes as HTTP 200; the minute limit parks the delivery for a minute."""
    vendor = VENDORS[5]
    account = vendor.account(vendors)
    limited = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1", "RequestId": "R"}
    vendors.script(account.key, Reply(200, limited))
    task_id = await channel_task(admin, vendor.type_key, account.config, vendor.binding)
    data = await admin.call(SEND, {"i": {"taskId": task_id, "text": TEXT} | vendor.send})
    message_id = int(data["sendMessage"]["message"]["id"])

    def tried(message: dict[str, Any]) -> bool:
        [delivery] = message["deliveries"]
        return bool(delivery["history"]) and delivery["status"] not in ("QUEUED", "SENDING")

    message = await delivery_state(admin, MESSAGE, message_id, tried, timeout=10)
    [delivery] = message["deliveries"]
    assert delivery["status"] == "RATE_LIMITED" and delivery["errorClass"] == "rate_limited", delivery
    assert "isv.BUSINESS_LIMIT_CONTROL" in delivery["lastError"]
    assert message["status"] not in ("SUCCEEDED", "FAILED")
