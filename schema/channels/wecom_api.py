"""What WeCom's robot webhook and its application API answer alike (vendors.md §2, §2b).

Both answer HTTP 200 with `{"errcode", "errmsg"}`, share the codes for "busy" (-1, 45033) and
"too fast" (45009, a one-minute window), and put secrets in the query (`key=`, `access_token=`).
Shared here so neither channel module imports the other's helpers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from schema.channels.base import ChannelError, ErrorClass, Receipt
from schema.channels.http import throttle_wait
from schema.channels.http_status import classify, json_of
from schema.channels.masking import scrub

# [obs]/[lib] the codes WeCom answers for "try again" and "too fast" (robot and app alike).
RETRYABLE_CODES = frozenset({-1, 45033})
THROTTLED_CODE = 45009
THROTTLE_SECONDS = 60.0  # [obs] a 20/min window: wait for it to roll


def errcode_answer(response: httpx.Response, secrets: Iterable[str]) -> tuple[dict[str, Any], str]:
    """WeCom's JSON answer (errcode an int) and its kept, masked text; anything that is not such an
    answer is classified by the one rule (schema/channels/http_status.py) and raised."""
    found: dict[str, Any] = {}

    def read(answered: httpx.Response, answer: str) -> Receipt | None:
        data = json_of(answered)
        try:
            data["errcode"] = int(data["errcode"])
        except (KeyError, TypeError, ValueError):
            return None
        found.update(data)
        return Receipt(answer) if answered.status_code == 200 else None

    receipt = classify(response, read, secrets=secrets, default_wait=THROTTLE_SECONDS)
    return found, receipt.vendor_response


def error_text(data: dict[str, Any], secrets: Iterable[str]) -> str:
    return scrub(f"WeCom errcode {data['errcode']}: {str(data.get('errmsg', ''))[:300]}", secrets)


def business_failure(
    response: httpx.Response, data: dict[str, Any], answer: str, message: str
) -> ChannelError:
    """The classified failure for a non-zero errcode both APIs share the meaning of."""
    code = data["errcode"]
    if code == THROTTLED_CODE:
        return ChannelError(
            message, ErrorClass.RATE_LIMITED, throttle_wait(response, THROTTLE_SECONDS), answer
        )
    if code in RETRYABLE_CODES:
        return ChannelError(message, ErrorClass.RETRYABLE, vendor_response=answer)
    # 93000 bad key / robot removed, 93004 disabled, 93008 not in the group, 40008 / 40058 / 44004 /
    # 40035 / 42027-42049 bad message, 40007 / 41006 media, app permission codes, unknown: final.
    return ChannelError(message, ErrorClass.PERMANENT, vendor_response=answer)
