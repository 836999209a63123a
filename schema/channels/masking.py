"""Keeping channel secrets out of what is recorded or returned, whoever echoed them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

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


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Mask secret values (and their URL-encoded forms) that a vendor or a library echoed back."""
    for secret in secrets:
        text = text.replace(secret, MASK).replace(quote(secret, safe=""), MASK)
    return text
