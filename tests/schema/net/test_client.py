"""The guarded HTTP client: the address it connects to is the one the policy judged.

Each test points the client at an internal service on 127.0.0.1 that records connections: a
refused target leaves it untouched. A fake DNS stands in for the resolver where a name must
answer something particular (a private address, or a public one and then a private one).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from schema.channels.base import ChannelError, ErrorClass, SendContext
from schema.channels.http import call
from schema.channels.registry import get_channel_type
from schema.net.client import OutboundClients, outbound_clients
from schema.net.targets import TargetRefused, check_config
from schema.settings import Settings, load_settings
from schema.token_store import MemoryTokenStore
from tests.fakes.dns import FakeDns
from tests.fakes.http_proxy import HttpProxy
from tests.fakes.private_listener import INTERNAL_BODY, PrivateListener
from tests.fakes.webhook_sink import Reply, WebhookSink

PUBLIC = "93.184.216.34"


def guarded_settings(tmp_path: Path, allow: bool = False) -> Settings:
    env = {"PUSHNEST_DATA_DIR": str(tmp_path), "PUSHNEST_ALLOW_PRIVATE_TARGETS": str(allow).lower()}
    return load_settings(env, config_file=tmp_path / "absent.ini")


@pytest.fixture
async def internal() -> AsyncIterator[PrivateListener]:
    listener = await PrivateListener().start()
    yield listener
    await listener.stop()


@pytest.fixture
async def local_sink() -> AsyncIterator[WebhookSink]:
    sink = WebhookSink()
    await sink.start()
    yield sink
    await sink.stop()


async def clients_with(tmp_path: Path, dns: FakeDns | None = None) -> OutboundClients:
    return outbound_clients(guarded_settings(tmp_path), (lambda: dns) if dns else None)


def context(clients: OutboundClients) -> SendContext:
    async def no_inbox(drop: Any) -> int:
        return 0

    return SendContext(
        http=clients.guarded, drop_in_inbox=no_inbox, tokens=MemoryTokenStore(), open_http=clients.open
    )


async def refused(ctx: SendContext, url: str) -> ChannelError:
    with pytest.raises(ChannelError) as caught:
        await call(ctx, "POST", url, json={"text": "hello"})
    error = caught.value
    assert error.error_class is ErrorClass.PERMANENT and error.message.startswith("refused:"), error.message
    assert "internal" not in error.message + error.vendor_response
    return error


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[64:ff9b::7f00:1]", "localhost"]
)
async def test_private_targets_are_refused_before_connecting(
    tmp_path: Path, internal: PrivateListener, host: str
) -> None:
    clients = await clients_with(tmp_path)
    try:
        await refused(context(clients), internal.url(host))
    finally:
        await clients.aclose()
    assert internal.connections == 0


async def test_a_name_rebound_after_the_save_time_check_is_refused_at_send_time(
    tmp_path: Path, internal: PrivateListener
) -> None:
    """Public when saved, 127.0.0.1 when sent: the connect is judged on its own lookup."""
    dns = FakeDns({"hook.rebind.test": [[PUBLIC], ["127.0.0.1"]]})
    config = get_channel_type("webhook").config_model.model_validate(
        {"url": internal.url("hook.rebind.test", "/in")}
    )
    await check_config(config, dns)  # passes: the name said PUBLIC
    clients = await clients_with(tmp_path, dns)
    try:
        await refused(context(clients), internal.url("hook.rebind.test", "/in"))
    finally:
        await clients.aclose()
    assert internal.connections == 0 and dns.lookups["hook.rebind.test"] == 2


async def test_an_allowed_channel_reaches_a_private_target_through_the_open_client(
    tmp_path: Path, internal: PrivateListener
) -> None:
    clients = await clients_with(tmp_path)
    try:
        ctx = context(clients)
        await refused(ctx, internal.url())
        response = await call(ctx.allowing_private(), "GET", internal.url())
        assert response.text == INTERNAL_BODY
        assert ctx.allowing_private(False) is ctx
    finally:
        await clients.aclose()
    assert internal.connections == 1


async def test_the_operator_setting_makes_both_clients_open(tmp_path: Path) -> None:
    clients = outbound_clients(guarded_settings(tmp_path, allow=True))
    try:
        assert clients.guarded is clients.open
    finally:
        await clients.aclose()


async def test_aiohttp_connects_to_the_resolved_address_and_keeps_the_host(
    tmp_path: Path, local_sink: WebhookSink
) -> None:
    """Pins what the guard relies on: the connector's resolver decides the address, the URL's name
    stays in the Host header (and in TLS SNI, same code path)."""
    port = local_sink.base_url.rsplit(":", 1)[1]
    dns = FakeDns({"vendor.test": [["127.0.0.1"]]})
    clients = await clients_with(tmp_path, dns)
    try:
        response = await clients.open.get(f"http://vendor.test:{port}/pin")
    finally:
        await clients.aclose()
    assert response.status_code == 200 and dns.lookups["vendor.test"] == 1
    assert local_sink.received["/pin"][0].headers["Host"] == f"vendor.test:{port}"


async def test_aiohttp_never_asks_the_resolver_about_a_written_out_address(
    tmp_path: Path, internal: PrivateListener
) -> None:
    """Pins why the guard has a middleware too: `TCPConnector` skips the resolver for IP literals."""
    dns = FakeDns({})
    clients = await clients_with(tmp_path, dns)
    try:
        await clients.open.get(internal.url())
    finally:
        await clients.aclose()
    assert internal.connections == 1 and not dns.lookups


async def test_redirects_are_not_followed(
    tmp_path: Path, internal: PrivateListener, local_sink: WebhookSink
) -> None:
    local_sink.script("/moved", Reply(status=302, headers={"Location": internal.url()}))
    clients = await clients_with(tmp_path)
    try:
        response = await call(context(clients).allowing_private(), "POST", local_sink.url("/moved"))
    finally:
        await clients.aclose()
    assert response.status_code == 302 and internal.connections == 0


@pytest.mark.parametrize("url", ["http://2130706433:9/", "http://0177.0.0.1:9/", "http://127.1:9/"])
async def test_non_canonical_addresses_fail_permanently(tmp_path: Path, url: str) -> None:
    clients = await clients_with(tmp_path)
    try:
        with pytest.raises(ChannelError) as caught:
            await call(context(clients).allowing_private(), "GET", url)
    finally:
        await clients.aclose()
    assert caught.value.error_class is ErrorClass.PERMANENT


@pytest.fixture
async def proxy() -> AsyncIterator[HttpProxy]:
    server = HttpProxy(credentials="pxuser:px-secret")
    await server.start()
    yield server
    await server.stop()


def through(ctx: SendContext, proxy_url: str, credentials: str = "pxuser:px-secret") -> SendContext:
    config = get_channel_type("webhook").config_model.model_validate(
        {"url": "https://hook.example.com/in", "proxy_url": proxy_url, "proxy_credentials": credentials}
    )
    return ctx.for_channel(False, config)


@pytest.mark.parametrize("host", ["127.0.0.1", "proxy.internal.test"])
async def test_a_private_proxy_is_refused_like_a_private_target(
    tmp_path: Path, proxy: HttpProxy, host: str
) -> None:
    """The proxy is a place PushNest connects to: written out or by name, it obeys the policy."""
    dns = FakeDns({"proxy.internal.test": [["127.0.0.1"]]})
    clients = await clients_with(tmp_path, dns)
    try:
        ctx = through(context(clients), f"http://{host}:{proxy.port}")
        with pytest.raises(ChannelError) as caught:
            await call(ctx, "POST", "http://93.184.216.34/in", json={"text": "hello"})
    finally:
        await clients.aclose()
    assert caught.value.error_class is ErrorClass.PERMANENT and caught.value.message.startswith("refused:")
    assert host.partition(":")[0] in caught.value.message and proxy.seen == [] and proxy.refused == 0
    config = get_channel_type("telegram").config_model.model_validate(
        {"bot_token": "1:x", "chat_id": "1", "proxy_url": f"http://{host}:{proxy.port}"}
    )
    with pytest.raises(TargetRefused) as saved:
        await check_config(config, dns)
    assert saved.value.field == "proxy_url"


async def test_an_allowed_channel_sends_through_its_proxy_with_credentials(
    tmp_path: Path, proxy: HttpProxy, local_sink: WebhookSink
) -> None:
    clients = await clients_with(tmp_path)
    try:
        ctx = through(context(clients), proxy.url).allowing_private()
        assert ctx.proxy == proxy.url
        direct_ctx = ctx.for_channel(
            True, get_channel_type("webhook").config_model.model_validate({"url": "https://x.test"})
        )
        assert direct_ctx.proxy == proxy.url  # a context keeps its proxy; for_channel sets, never clears
        response = await call(ctx, "POST", local_sink.url("/via-proxy"), json={"text": "hello"})
        assert response.status_code == 200
        wrong = through(context(clients), proxy.url, "pxuser:wrong").allowing_private()
        refused_by_proxy = await call(wrong, "POST", local_sink.url("/via-proxy"), json={"text": "again"})
    finally:
        await clients.aclose()
    assert proxy.seen == [f"POST {local_sink.url('/via-proxy')}"] and proxy.refused == 1
    assert refused_by_proxy.status_code == 407
    assert [r.body for r in local_sink.received["/via-proxy"]] == [b'{"text":"hello"}']
