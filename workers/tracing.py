"""The worker's spans of a send (see schema/telemetry.py): `pushnest.deliver` continues the trace
the API started, from the traceparent stored with the message; `pushnest.send <type>` is the
vendor call inside it. No-ops while OpenTelemetry is off."""

from __future__ import annotations

from contextlib import AbstractContextManager

from schema.telemetry import SpanHandle, span

_FAILED = ("failed", "unknown")


def delivery_span(traceparent: str, message_id: int, delivery_id: int) -> AbstractContextManager[SpanHandle]:
    return span(
        "pushnest.deliver",
        kind="consumer",
        parent=traceparent,
        attributes={"pushnest.message_id": message_id, "pushnest.delivery_id": delivery_id},
    )


def vendor_span(channel_type: str, attempt: int) -> AbstractContextManager[SpanHandle]:
    return span(
        f"pushnest.send {channel_type}",
        kind="client",
        attributes={"pushnest.channel_type": channel_type, "pushnest.attempt": attempt},
    )


def outcome_on_span(handle: SpanHandle, status: str, error_class: str, error: str) -> None:
    """The delivery's new status on its span; a failed or unknown one marks the span as an error."""
    handle.set("pushnest.delivery.status", status)
    if error_class:
        handle.set("pushnest.error_class", error_class)
    if status in _FAILED:
        handle.fail(error[:200])
