"""The HTTP-status classification most push vendors share, and keeping secrets out of what is recorded.

Vendors whose status codes carry the outcome (Telegram, Slack, Discord, Bark, ntfy, Gotify, PushMe,
Aliyun's gateway errors) all follow one rule: 2xx answered, 429 throttled (Retry-After or the
vendor's own wait), 408 and 5xx worth another try, any other status final. A vendor's own business
codes inside a 2xx answer are checked by the channel after this.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from schema.channels import masking
from schema.channels.base import ChannelError, ErrorClass
from schema.channels.http import kept, throttle_wait

MASK = "******"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (as is and percent-encoded, as it appears in URLs) replaced by a mask."""
    return masking.scrub(text, secrets, mask=MASK)


def answer_of(response: httpx.Response, secrets: Iterable[str] = ()) -> str:
    """What to keep of a vendor's answer in the attempt row: status and body, secrets masked."""
    return kept(scrub(f"HTTP {response.status_code} {response.text}".strip(), secrets))


def check_status(
    response: httpx.Response,
    detail: str = "",
    *,
    secrets: Iterable[str] = (),
    wait_seconds: float | None = None,
) -> str:
    """Return the kept answer of a 2xx response; raise the classified ChannelError otherwise.

    `detail` is the vendor's own reason (its error message or code), added to the error text;
    `wait_seconds` overrides Retry-After when the vendor says how long to wait in its body.
    """
    secrets = tuple(secrets)
    answer = answer_of(response, secrets)
    status = response.status_code
    if 200 <= status < 300:
        return answer
    message = scrub(f"HTTP {status}: {detail}" if detail else f"HTTP {status}", secrets)
    if status == 429 or (status == 503 and "retry-after" in response.headers):
        wait = wait_seconds if wait_seconds is not None and wait_seconds > 0 else throttle_wait(response)
        raise ChannelError(message, ErrorClass.RATE_LIMITED, wait, answer)
    if status == 408 or status >= 500:
        raise ChannelError(message, ErrorClass.RETRYABLE, vendor_response=answer)
    raise ChannelError(message, ErrorClass.PERMANENT, vendor_response=answer)


def vendor_failure(
    message: str,
    error_class: ErrorClass,
    answer: str,
    *,
    secrets: Iterable[str] = (),
    wait_seconds: float | None = None,
) -> ChannelError:
    """A failure the vendor reported inside a 2xx answer (business code), secrets masked."""
    return ChannelError(scrub(message, tuple(secrets)), error_class, wait_seconds, answer)


def json_of(response: httpx.Response) -> dict[str, Any]:
    """The response body as a JSON object, or {} when it is not one."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
