"""Events on the wire: a delivery event serialises to exactly its fields and reads back equal."""

from __future__ import annotations

import json
from dataclasses import asdict

from schema.events import DeliveryEvent


def test_a_delivery_event_round_trips_with_every_field() -> None:
    event = DeliveryEvent(
        message_id=1,
        delivery_id=2,
        owner_id=3,
        task_id=None,
        template_id=4,
        channel_id=5,
        channel_type="webhook",
        status="retrying",
        attempt=2,
        error_class="retryable",
        error="HTTP 500",
        latency_ms=12,
        at=1.5,
    )
    assert json.loads(event.to_json()) == asdict(event)
    assert DeliveryEvent.from_json(event.to_json()) == event
