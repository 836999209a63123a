"""The one classifier of vendors' HTTP answers, with a hook per vendor for its business codes.

Every HTTP channel ends its send here, so one answer means one thing whoever sent it:

1. The vendor's hook, if it has one, reads the body first (whatever the status: Feishu puts its
   `code` into 4xx answers too). It returns a `Receipt` for an accepted message, raises the
   classified `ChannelError` for a business code (DingTalk 410100, WeCom 45009…), or returns None
   when the body carries no business answer.
2. Otherwise the status decides:
   - 2xx: delivered — unless the vendor always answers with a business code and this one did
     not: then the message arrived but nothing says what happened to it (UNKNOWN).
   - 429: throttled, for the Retry-After the answer gives (else the vendor's usual wait).
   - 408 or 5xx *with* Retry-After: throttled too — the server said when to come back.
   - 501 Not Implemented: permanent (the endpoint does not do this; waiting will not change it).
   - 408 and other 5xx: worth another try.
   - Anything else (3xx, 4xx): permanent.

Secrets are masked with the one masking helper (schema/channels/masking.py) before anything of
the answer is kept; Retry-After is read by the one parser (schema/domain/retry.py via
`schema/channels/http.throttle_wait`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import httpx

from schema.channels.base import ChannelError, ErrorClass, Receipt
from schema.channels.http import DEFAULT_THROTTLE_WAIT, kept, throttle_wait
from schema.channels.masking import scrub

# A vendor's reading of its answer body: a Receipt (accepted), a raised ChannelError (its business
# code refused or throttled it), or None (no business answer in this body).
BusinessCodes = Callable[[httpx.Response, str], Receipt | None]


def answer_of(response: httpx.Response, secrets: Iterable[str] = ()) -> str:
    """What to keep of a vendor's answer in the attempt row: status and body, secrets masked."""
    return kept(scrub(f"HTTP {response.status_code} {response.text}".strip(), secrets))


def classify(
    response: httpx.Response,
    business: BusinessCodes | None = None,
    *,
    secrets: Iterable[str] = (),
    default_wait: float = DEFAULT_THROTTLE_WAIT,
) -> Receipt:
    """The Receipt of an accepted send; raises the classified ChannelError otherwise (see above)."""
    secrets = tuple(secrets)
    answer = answer_of(response, secrets)
    if business is not None:
        try:
            receipt = business(response, answer)
        except ChannelError as exc:
            exc.message = scrub(exc.message, secrets)
            exc.vendor_response = exc.vendor_response or answer
            raise
        if receipt is not None:
            return receipt
    check_status(response, secrets=secrets, default_wait=default_wait)
    if business is not None:
        # Arrived and was answered, but not with anything that says it was accepted.
        raise ChannelError(
            f"unreadable answer (HTTP {response.status_code})", ErrorClass.UNKNOWN, vendor_response=answer
        )
    return Receipt(answer)


def check_status(
    response: httpx.Response,
    detail: str = "",
    *,
    secrets: Iterable[str] = (),
    wait_seconds: float | None = None,
    default_wait: float = DEFAULT_THROTTLE_WAIT,
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
    told_when = "retry-after" in response.headers
    if status == 429 or (told_when and (status == 408 or status >= 500)):
        wait = (
            wait_seconds
            if wait_seconds is not None and wait_seconds > 0
            else throttle_wait(response, default_wait)
        )
        raise ChannelError(message, ErrorClass.RATE_LIMITED, wait, answer)
    if status == 408 or (status >= 500 and status != 501):
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
