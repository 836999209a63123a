"""`testChannel`: send one real message through a channel now and report the vendor's answer."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial

from pydantic import ValidationError

from schema.channels.base import ChannelError, ErrorClass, Mentions, Outgoing, SendContext
from schema.channels.masking import scrub, secret_values
from schema.channels.registry import get_channel_type
from schema.errors import BadInput
from schema.services import audit
from schema.services.channels import get_channel, open_config_with_box, refuse_private_targets
from schema.services.inbox import drop_in_inbox
from schema.services.inbox_access import INBOX_TYPE, Sender, check_receivers
from schema.services.principal import Principal
from schema.services.runtime import Runtime

MAX_TEST_RECEIVERS = 10


@dataclass(frozen=True)
class TestResult:
    ok: bool
    error_class: str
    message: str
    vendor_response: str
    latency_ms: int


async def test_channel(
    runtime: Runtime, principal: Principal, channel_id: int, receivers: list[str]
) -> TestResult:
    """Send a short test message; nothing is queued or retried, the answer comes back at once."""
    user = principal.require_user()
    channel = await get_channel(principal, channel_id)
    kind = get_channel_type(channel.type)
    if kind.send is None or runtime.send_context is None:
        raise BadInput(
            f"{kind.label} cannot send from this process",
            field="id",
            reason="cannot_send_here",
            args={"channelType": kind.key, "channelLabel": kind.label},
        )
    if len(receivers) > MAX_TEST_RECEIVERS:
        raise BadInput(
            f"at most {MAX_TEST_RECEIVERS} receivers for a test",
            field="receivers",
            reason="too_many_test_receivers",
            args={"max": MAX_TEST_RECEIVERS},
        )
    context = runtime.send_context
    if kind.key == INBOX_TYPE:
        receivers = receivers or [user.username]  # an inbox test lands in the tester's own inbox
        # Unknown and out-of-reach names get one answer: a test must not tell who has an account.
        await check_receivers(user, receivers, "receivers")
        context = replace(context, drop_in_inbox=partial(drop_in_inbox, runtime.events, sender=Sender(user)))
    try:
        config = open_config_with_box(runtime.secret_box, channel)
    except (ValidationError, ValueError) as exc:
        return TestResult(False, ErrorClass.PERMANENT.value, f"the saved config is not valid: {exc}", "", 0)
    # Refused before anything is sent; the guarded client refuses it again at connect time.
    await refuse_private_targets(
        config, runtime.settings.allow_private_targets or channel.allow_private_targets
    )
    ctx = context.for_channel(channel.allow_private_targets, config)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    text = f"This is a test message from PushNest for channel “{channel.name}”, sent {now}."
    outgoing = Outgoing(
        message_id=0,
        delivery_id=0,
        attempt=1,
        title="PushNest test message",
        body=text,
        format=kind.formats[0],
        text=text,
        url="",
        receivers=tuple(receivers),
        mentions=Mentions(),
        options={},
        idempotency_key=f"pn-test-{channel.id}-{int(time.time())}",
    )
    result = await _send(kind.send, outgoing, config, runtime, ctx, secret_values(config))
    await audit.record(principal, "channel.test", "channel", channel.id, {"ok": [None, result.ok]})
    return result


async def _send(
    send: object,
    outgoing: Outgoing,
    config: object,
    runtime: Runtime,
    ctx: SendContext,
    hidden: tuple[str, ...],
) -> TestResult:
    assert callable(send)
    started = time.perf_counter()
    timeout = runtime.settings.send_timeout_seconds + 5
    try:
        receipt = await asyncio.wait_for(send(outgoing, config, ctx), timeout)
    except ChannelError as exc:
        return TestResult(
            False,
            exc.error_class.value,
            scrub(exc.message, hidden),
            scrub(exc.vendor_response, hidden),
            _ms(started),
        )
    except TimeoutError:
        return TestResult(False, ErrorClass.UNKNOWN.value, "no answer in time", "", _ms(started))
    return TestResult(True, "", "sent", scrub(receipt.vendor_response, hidden), _ms(started))


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
