"""A channel's own HTTP(S) proxy through the real pipeline: Telegram, the WeCom app (its token
fetch too) and a plain HTTP channel send through a real local proxy that asks for credentials,
and a wrong credential fails without the credential showing anywhere."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator

import pytest

from tests.e2e.channels.conftest import channel_task, send_and_settle
from tests.fakes.http_proxy import HttpProxy
from tests.fakes.simple_vendors import SimpleVendors
from tests.fakes.wecom import APP_SEND, FakeWeCom
from tests.helpers import GraphQLClient

CREDENTIALS = "px:" + secrets.token_hex(6)


@pytest.fixture(scope="module")
async def proxy() -> AsyncIterator[HttpProxy]:
    server = HttpProxy(CREDENTIALS)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(scope="module")
async def vendors() -> AsyncIterator[SimpleVendors]:
    fake = SimpleVendors()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture(scope="module")
async def wecom() -> AsyncIterator[FakeWeCom]:
    fake = FakeWeCom()
    await fake.start()
    yield fake
    await fake.stop()


def proxied(proxy: HttpProxy, credentials: str = CREDENTIALS) -> dict[str, str]:
    return {"proxy_url": proxy.url, "proxy_credentials": credentials}


async def test_telegram_through_its_proxy(
    admin: GraphQLClient, vendors: SimpleVendors, proxy: HttpProxy
) -> None:
    token = f"{secrets.randbelow(10**9)}:AA{secrets.token_hex(8)}"
    vendors.telegram_bot(token, "-100200")
    config = {"base_url": vendors.base_url("telegram"), "bot_token": token, "chat_id": "-100200"}
    task = await channel_task(admin, "telegram", config | proxied(proxy))
    sent = await send_and_settle(admin, task, title="Via proxy", text="hello")
    assert sent.delivery["status"] == "SUCCEEDED", sent.delivery
    assert f"POST {vendors.base_url('telegram')}/bot{token}/sendMessage" in proxy.seen
    assert len(vendors.accepted[token]) == 1


async def test_wecom_app_token_and_send_through_its_proxy(
    admin: GraphQLClient, wecom: FakeWeCom, proxy: HttpProxy
) -> None:
    app = wecom.app()
    config = {
        "base_url": wecom.base_url,
        "corp_id": app.corp_id,
        "corp_secret": app.secret,
        "agent_id": app.agent_id,
    }
    binding = {"options": {"touser": ["zhangsan"]}}
    task = await channel_task(admin, "wecom_app", config | proxied(proxy), binding)
    sent = await send_and_settle(admin, task, text="disk full")
    assert sent.delivery["status"] == "SUCCEEDED", sent.delivery
    through = [s for s in proxy.seen if wecom.base_url in s]
    assert any("/cgi-bin/gettoken" in s for s in through) and any(APP_SEND in s for s in through)
    assert len(wecom.messages(app.corp_id)) == 1


async def test_a_wrong_proxy_credential_fails_and_stays_secret(
    admin: GraphQLClient, vendors: SimpleVendors, proxy: HttpProxy
) -> None:
    key = "A" + secrets.token_hex(8)
    vendors.allow("gotify", key)
    wrong = "px:" + secrets.token_hex(6)
    config = {"base_url": vendors.base_url("gotify"), "app_token": key} | proxied(proxy, wrong)
    task = await channel_task(admin, "gotify", config)
    refused_before = proxy.refused
    sent = await send_and_settle(admin, task, title="x", text="y")
    assert sent.delivery["status"] == "FAILED" and "407" in sent.delivery["history"][0]["vendorResponse"]
    assert proxy.refused > refused_before and vendors.accepted[key] == []
    assert wrong.partition(":")[2] not in json.dumps(sent.message)
    channels = await admin.call("{ channels { nodes { name config } } }")
    assert wrong.partition(":")[2] not in json.dumps(channels)
