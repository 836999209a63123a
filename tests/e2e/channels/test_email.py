"""Email over SMTP through the real pipeline, against aiosmtpd servers (tests/fakes/smtp.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import EmailMessage
from typing import Any, cast

import pytest

from tests.conftest import free_port
from tests.e2e.channels.conftest import MESSAGE, SEND, channel_task, send_and_settle
from tests.fakes.smtp import PASSWORD, USER, FakeSmtp, self_signed
from tests.helpers import GraphQLClient, delivery_state


@dataclass(frozen=True)
class Servers:
    plain: FakeSmtp
    starttls: FakeSmtp
    ssl: FakeSmtp
    ca_pem: str

    def by_mode(self, mode: str) -> FakeSmtp:
        server: FakeSmtp = getattr(self, mode)
        return server


@pytest.fixture(scope="module")
def smtp_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    cert, key, pem = self_signed(tmp_path_factory.mktemp("smtp"))
    plain, starttls, ssl = (FakeSmtp(mode, free_port(), cert, key) for mode in ("plain", "starttls", "ssl"))
    servers = Servers(plain, starttls, ssl, pem)
    for server in (servers.plain, servers.starttls, servers.ssl):
        server.start()
    yield servers
    for server in (servers.plain, servers.starttls, servers.ssl):
        server.stop()


@pytest.fixture
def smtp(smtp_servers: Servers) -> Servers:
    for server in (smtp_servers.plain, smtp_servers.starttls, smtp_servers.ssl):
        server.reset()
    return smtp_servers


def config(servers: Servers, mode: str = "ssl", **extra: Any) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": servers.by_mode(mode).port,
        "security": mode,
        "username": USER,
        "password": PASSWORD,
        "from_address": USER,
        "from_name": "通知系统",
        "ca_certificate": servers.ca_pem,
    } | extra


def binding(to: list[str] | None = None, **options: Any) -> dict[str, Any]:
    return {"options": {"to": to or ["ops@example.com"]} | options}


def assert_no_password(message: dict[str, Any], password: str = PASSWORD) -> None:
    assert password not in json.dumps(message)


async def test_html_mail_has_a_text_alternative_and_encoded_subject(
    admin: GraphQLClient, smtp: Servers
) -> None:
    task = await channel_task(admin, "email", config(smtp, "ssl"), binding() | {"format": "HTML"})
    sent = await send_and_settle(
        admin,
        task,
        title="【告警】服务器 CPU 使用率过高",
        markdown="**CPU** at 97%",
        url="https://example.com/a",
    )
    assert sent.delivery["status"] == "SUCCEEDED" and sent.delivery["attempts"] == 1
    [mail] = smtp.ssl.handler.mails
    raw_headers = mail.content.split(b"\r\n\r\n", 1)[0].decode("ascii")  # 7-bit clean headers
    assert "Subject: =?utf-8?" in raw_headers
    parsed = mail.parsed
    assert str(make_header(decode_header(parsed["Subject"]))) == "【告警】服务器 CPU 使用率过高"
    assert parsed["From"].addresses[0].display_name == "通知系统"
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = cast(list[EmailMessage], parsed.get_payload())
    assert text.get_content_type() == "text/plain" and "CPU at 97%" in text.get_content()
    assert "https://example.com/a" in text.get_content()
    assert html.get_content_type() == "text/html" and "<strong>CPU</strong>" in html.get_content()
    assert parsed["Message-ID"].startswith("<pn-d") and parsed["Message-ID"].endswith("@example.com>")
    assert "250" in sent.delivery["history"][0]["vendorResponse"]


async def test_text_mail_over_starttls_is_text_plain(admin: GraphQLClient, smtp: Servers) -> None:
    task = await channel_task(admin, "email", config(smtp, "starttls"), binding() | {"format": "TEXT"})
    sent = await send_and_settle(admin, task, title="Plain", text="hello\nworld")
    assert sent.delivery["status"] == "SUCCEEDED"
    [mail] = smtp.starttls.handler.mails
    assert mail.parsed.get_content_type() == "text/plain"
    assert mail.parsed.get_content().replace("\r\n", "\n").strip() == "hello\nworld"


async def test_to_cc_and_bcc(admin: GraphQLClient, smtp: Servers) -> None:
    options = binding(["a@example.com"], cc=["c@example.com"], bcc=["hidden@example.com"])
    task = await channel_task(admin, "email", config(smtp, "plain"), options | {"acceptsReceivers": True})
    sent = await send_and_settle(admin, task, title="Hi", text="x")
    assert sent.delivery["status"] == "SUCCEEDED"
    [mail] = smtp.plain.handler.mails
    assert mail.mail_from == USER
    assert mail.rcpt_tos == ["a@example.com", "c@example.com", "hidden@example.com"]
    assert mail.parsed["To"] == "a@example.com" and mail.parsed["Cc"] == "c@example.com"
    assert mail.parsed["Bcc"] is None and b"hidden@example.com" not in mail.content


async def test_per_call_receivers_get_one_mail_each(admin: GraphQLClient, smtp: Servers) -> None:
    """No recipient sees another's address (they once all landed in one To)."""
    options = binding(["a@example.com"], cc=["c@example.com"])
    task = await channel_task(admin, "email", config(smtp, "plain"), options | {"acceptsReceivers": True})
    receivers = ["r1@example.com", "r2@example.com", "r3@example.com"]
    sent = await send_and_settle(admin, task, title="Hi", text="x", recipients=receivers)
    deliveries = sent.message["deliveries"]
    assert [d["receivers"] for d in deliveries] == [[r] for r in receivers]
    assert all(d["status"] == "SUCCEEDED" for d in deliveries)
    mails = {m.parsed["To"]: m for m in smtp.plain.handler.mails}
    assert sorted(mails) == receivers
    for receiver, mail in mails.items():
        assert mail.rcpt_tos == [receiver] and mail.parsed["Cc"] is None
        assert not any(other.encode() in mail.content for other in receivers if other != receiver)


async def test_per_call_receivers_as_bcc(admin: GraphQLClient, smtp: Servers) -> None:
    options = binding(receivers_as="bcc")
    task = await channel_task(admin, "email", config(smtp, "plain"), options | {"acceptsReceivers": True})
    receivers = ["r1@example.com", "r2@example.com"]
    sent = await send_and_settle(admin, task, title="Hi", text="x", recipients=receivers)
    assert sent.delivery["status"] == "SUCCEEDED" and sent.delivery["receivers"] == receivers
    [mail] = smtp.plain.handler.mails
    assert mail.rcpt_tos == receivers and mail.parsed["To"] == "undisclosed-recipients:;"
    assert not any(r.encode() in mail.content for r in receivers)


async def test_partly_refused_recipients_are_listed_in_the_receipt(
    admin: GraphQLClient, smtp: Servers
) -> None:
    smtp.plain.handler.reject["gone@example.com"] = "550 5.1.1 User unknown"
    task = await channel_task(
        admin, "email", config(smtp, "plain"), binding(["ok@example.com", "gone@example.com"])
    )
    sent = await send_and_settle(admin, task, text="x")
    assert sent.delivery["status"] == "SUCCEEDED"
    answer = sent.delivery["history"][0]["vendorResponse"]
    assert "accepted 1 of 2" in answer and "gone@example.com (550 5.1.1 User unknown)" in answer
    assert smtp.plain.handler.mails[0].rcpt_tos == ["ok@example.com"]


async def test_all_refused_fails_after_one_attempt(admin: GraphQLClient, smtp: Servers) -> None:
    smtp.plain.handler.reject["gone@example.com"] = "550 5.1.1 User unknown"
    task = await channel_task(admin, "email", config(smtp, "plain"), binding(["gone@example.com"]))
    sent = await send_and_settle(admin, task, text="x")
    delivery = sent.delivery
    assert (
        delivery["status"] == "FAILED" and delivery["attempts"] == 1 and delivery["errorClass"] == "permanent"
    )
    assert "550 5.1.1 User unknown" in delivery["history"][0]["vendorResponse"]
    assert smtp.plain.handler.mails == []


async def test_temporary_4xx_is_retried_then_sent(admin: GraphQLClient, smtp: Servers) -> None:
    smtp.plain.handler.rcpt_faults["busy@example.com"] = ["450 4.2.1 Mailbox busy"]
    smtp.plain.handler.data_faults.append("451 4.3.0 Local error in processing")
    task = await channel_task(admin, "email", config(smtp, "plain"), binding(["busy@example.com"]))
    sent = await send_and_settle(admin, task, text="x")
    delivery = sent.delivery
    assert delivery["status"] == "SUCCEEDED" and delivery["attempts"] == 3
    assert [h["errorClass"] for h in delivery["history"]] == ["retryable", "retryable", ""]
    assert "450 4.2.1 Mailbox busy" in delivery["history"][0]["vendorResponse"]
    assert len(smtp.plain.handler.mails) == 1


async def test_no_answer_after_data_is_unknown_and_keeps_the_message_id(
    admin: GraphQLClient, smtp: Servers
) -> None:
    smtp.plain.handler.data_delays.append(1.5)
    task = await channel_task(admin, "email", config(smtp, "plain"), binding())
    sent = await send_and_settle(admin, task, text="x")
    history = sent.delivery["history"]
    assert history[0]["errorClass"] == "unknown" and history[-1]["outcome"] == "succeeded"
    await asyncio.sleep(0.6)  # the hung DATA may still be queued by the server
    ids = {m.parsed["Message-ID"] for m in smtp.plain.handler.mails}
    assert len(ids) == 1 and ids.pop().startswith("<pn-d")


async def test_too_many_messages_defers_the_delivery(admin: GraphQLClient, smtp: Servers) -> None:
    smtp.plain.handler.data_faults.append("451 4.7.1 Too many messages, slow down")
    task = await channel_task(admin, "email", config(smtp, "plain"), binding())
    data = await admin.call(SEND, {"i": {"taskId": task, "text": "later"}})
    message_id = int(data["sendMessage"]["message"]["id"])
    message = await delivery_state(
        admin, MESSAGE, message_id, lambda m: m["deliveries"][0]["status"] == "RATE_LIMITED", timeout=10
    )
    [delivery] = message["deliveries"]
    assert delivery["errorClass"] == "rate_limited" and "451" in delivery["lastError"]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong_password", "535"),
        ("starttls_skipped", "530 Must issue a STARTTLS command first"),
        ("login_without_tls", "AUTH extension is not supported"),
        ("untrusted_certificate", "not trusted"),
    ],
)
async def test_config_errors_fail_after_one_attempt(
    admin: GraphQLClient, smtp: Servers, case: str, expected: str
) -> None:
    settings = {
        "wrong_password": config(smtp, "ssl", password="not-the-pa55word"),
        "starttls_skipped": config(smtp, "plain", port=smtp.starttls.port, username="", password=""),
        "login_without_tls": config(smtp, "plain", port=smtp.starttls.port),
        "untrusted_certificate": config(smtp, "starttls", ca_certificate=""),
    }[case]
    task = await channel_task(admin, "email", settings, binding())
    sent = await send_and_settle(admin, task, text="x")
    delivery = sent.delivery
    assert (
        delivery["status"] == "FAILED" and delivery["attempts"] == 1 and delivery["errorClass"] == "permanent"
    ), delivery
    assert expected in delivery["lastError"] + delivery["history"][0]["vendorResponse"]
    assert_no_password(sent.message, settings["password"] or PASSWORD)
    assert all(not s.handler.mails for s in (smtp.plain, smtp.starttls, smtp.ssl))


async def test_skip_verify_accepts_a_self_signed_server(admin: GraphQLClient, smtp: Servers) -> None:
    settings = config(smtp, "ssl", ca_certificate="", verify_certificate=False)
    task = await channel_task(admin, "email", settings, binding())
    sent = await send_and_settle(admin, task, text="x")
    assert sent.delivery["status"] == "SUCCEEDED" and len(smtp.ssl.handler.mails) == 1


async def test_connection_refused_is_retried_then_fails(admin: GraphQLClient, smtp: Servers) -> None:
    task = await channel_task(admin, "email", config(smtp, "plain", port=free_port()), binding())
    sent = await send_and_settle(admin, task, text="x")
    delivery = sent.delivery
    assert delivery["status"] == "FAILED" and delivery["attempts"] == 3
    assert {h["errorClass"] for h in delivery["history"]} == {"retryable"}
    assert_no_password(sent.message)
