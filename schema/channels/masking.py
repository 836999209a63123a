"""Keeping channel secrets out of what is recorded or returned, whoever echoed them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

from pydantic import SecretStr

MASK = "********"
_MIN_MASKED = 4


def secret_values(config: Any) -> tuple[str, ...]:
    """The config's secret values, longest first (so a secret containing another is masked whole)."""
    values = [
        getattr(config, name).get_secret_value()
        for name, info in type(config).model_fields.items()
        if isinstance(getattr(config, name), SecretStr)
    ]
    return tuple(sorted((v for v in values if len(v) >= _MIN_MASKED), key=len, reverse=True))


def scrub(text: str, secrets: Iterable[str], mask: str = MASK) -> str:
    """Mask secret values, as they are and in every URL-encoded form, wherever they were echoed."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        forms = {
            secret,
            *(encode(secret, safe=safe) for encode in (quote, quote_plus) for safe in ("", "/", "/:")),
        }
        for form in forms:
            text = text.replace(form, mask)
    return text
