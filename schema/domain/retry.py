"""Backoff policy for retrying deliveries, and parsing a server's Retry-After."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

# Honour a server's wish to wait, but never park a delivery for more than a day on its say-so.
MAX_RETRY_AFTER_SECONDS = 86_400.0
# 2**64 times any sane base is far beyond any sane cap; bounding the exponent avoids an
# OverflowError converting a huge integer to float when an attempt counter runs away.
_MAX_EXPONENT = 64
_DELTA_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failed delivery is retried."""

    max_attempts: int
    base_seconds: float
    max_seconds: float

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_seconds <= 0 or self.max_seconds < self.base_seconds:
            raise ValueError("need 0 < base_seconds <= max_seconds")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based), with jitter."""
        exponent = min(max(attempt, 1) - 1, _MAX_EXPONENT)
        cap = min(self.max_seconds, self.base_seconds * 2**exponent)
        # Jitter spreads retries so failures that happened together do not retry together; the
        # lower bound of cap/2 (instead of 0) keeps an unlucky draw from retrying almost at once
        # and hammering an endpoint that has just failed.
        if rng is None:
            return random.uniform(cap / 2, cap)  # noqa: S311 - scheduling jitter, not a secret
        return rng.uniform(cap / 2, cap)

    def exhausted(self, attempt: int) -> bool:
        """True when `attempt` attempts have been made and no more are allowed."""
        return attempt >= self.max_attempts


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait per an HTTP Retry-After value (delta-seconds or HTTP-date), or None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        seconds = float(text)
    else:
        at = _http_date(text)
        if at is None:
            return None
        # A date in the past means "now", not a negative wait.
        seconds = max(0.0, at - now)
    return min(seconds, MAX_RETRY_AFTER_SECONDS)


def _http_date(text: str) -> float | None:
    # parsedate_to_datetime raises on garbage rather than returning None (Python >= 3.10).
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # "-0000" yields a naive datetime; HTTP dates are always GMT, so read it as UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    stamp = moment.timestamp()
    return stamp if math.isfinite(stamp) else None
