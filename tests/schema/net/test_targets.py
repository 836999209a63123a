"""Save-time checks of a config's declared targets, and the one-resolution socket connect (SMTP)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from schema.channels.registry import all_channel_types, get_channel_type
from schema.net.targets import TargetRefused, check_config, connect_public, declared_targets, public_addresses
from tests.fakes.dns import FakeDns
from tests.fakes.private_listener import PrivateListener
from tests.schema.channels.test_declarations import VALID_CONFIGS

PUBLIC = "93.184.216.34"


@pytest.fixture
async def internal() -> AsyncIterator[PrivateListener]:
    listener = await PrivateListener().start()
    yield listener
    await listener.stop()


def test_every_channel_that_connects_somewhere_declares_it() -> None:
    """The policy finds targets by declaration, so a channel cannot forget to be checked."""
    declared = {
        ct.key: [name for name, _ in declared_targets(ct.config_model.model_validate(VALID_CONFIGS[ct.key]))]
        for ct in all_channel_types()
    }
    assert declared.pop("inbox") == []
    assert declared.pop("email") == ["host"]
    assert declared.pop("webhook") == ["url"]
    assert all(names == ["base_url"] for names in declared.values()), declared


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "10.0.0.5", "[::1]", "[::ffff:169.254.169.254]", "[64:ff9b::a9fe:a9fe]", "localhost"],
)
async def test_a_private_literal_or_a_name_resolving_to_one_is_refused_naming_the_field(host: str) -> None:
    config = get_channel_type("ntfy").config_model.model_validate(
        {"topic": "t", "base_url": f"http://{host}"}
    )
    with pytest.raises(TargetRefused) as caught:
        await check_config(config)
    assert caught.value.field == "base_url"


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "0177.0.0.1", "127.1"])
async def test_numeric_host_forms_are_read_as_the_system_reads_them(host: str) -> None:
    """inet_aton's forms: decimal, hex, octal and short dotted all mean 127.0.0.1."""
    config = get_channel_type("email").config_model.model_validate(
        {"host": host, "from_address": "a@example.com"}
    )
    with pytest.raises(TargetRefused):
        await check_config(config)


async def test_a_name_that_does_not_resolve_passes_at_save_time() -> None:
    """DNS may not know it yet; the send-time guard judges what it resolves to then."""
    dns = FakeDns({})
    config = get_channel_type("gotify").config_model.model_validate(
        {"base_url": "https://gotify.internal.test", "app_token": "t0k3n"}
    )
    await check_config(config, dns)
    assert dns.lookups["gotify.internal.test"] == 1


async def test_one_private_answer_refuses_the_name() -> None:
    dns = FakeDns({"mixed.test": [[PUBLIC, "10.0.0.1"]], "fine.test": [[PUBLIC]]})
    with pytest.raises(TargetRefused):
        await public_addresses("mixed.test", 443, dns)
    assert await public_addresses("fine.test", 443, dns) == [PUBLIC]


async def test_a_templated_webhook_host_is_left_to_send_time() -> None:
    config = get_channel_type("webhook").config_model.model_validate({"url": "http://{{title}}.example/x"})
    assert declared_targets(config) == []


async def test_smtp_connects_once_to_the_judged_address(internal: PrivateListener) -> None:
    """Judged public, then the name "rebinds" to the internal service: the connect does not ask again."""
    dns = FakeDns({"smtp.rebind.test": [[PUBLIC], ["127.0.0.1"]]})
    with contextlib.suppress(OSError):  # the public address is not reachable from here: fine
        (await connect_public("smtp.rebind.test", internal.port, 0.3, False, dns)).close()
    assert dns.lookups["smtp.rebind.test"] == 1 and internal.connections == 0
    with pytest.raises(TargetRefused):
        await connect_public("smtp.rebind.test", internal.port, 0.3, False, dns)  # now it says 127.0.0.1
    assert internal.connections == 0


async def test_smtp_reaches_a_private_server_only_when_allowed(internal: PrivateListener) -> None:
    with pytest.raises(TargetRefused):
        await connect_public("127.0.0.1", internal.port, 1.0, allow_private=False)
    assert internal.connections == 0
    sock = await connect_public("127.0.0.1", internal.port, 1.0, allow_private=True)
    sock.close()
