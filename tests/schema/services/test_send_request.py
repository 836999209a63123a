"""A send's `send_at` must name a moment: without a UTC offset it is refused for every caller."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from schema.errors import BadInput
from schema.services.send_request import SendRequest
from schema.services.validation import parse


def test_a_naive_send_at_is_bad_input() -> None:
    with pytest.raises(BadInput) as refused:
        parse(SendRequest, {"task_id": 1, "send_at": datetime(2030, 1, 1, 9)})
    assert refused.value.field == "sendAt"


@pytest.mark.parametrize("zone", [UTC, timezone(timedelta(hours=8))])
def test_an_aware_send_at_is_kept(zone: timezone) -> None:
    moment = datetime(2030, 1, 1, 9, tzinfo=zone)
    assert parse(SendRequest, {"task_id": 1, "send_at": moment}).send_at == moment
