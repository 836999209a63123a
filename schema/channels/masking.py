"""Keeping secrets out of what is recorded, returned or logged, whoever echoed them.

Two ways to find a secret, one module:
- `scrub` masks values known to be secret (a channel's config secrets), as they are and in every
  URL-encoded form: for vendor answers, attempt rows and test results.
- `redact` masks what a URL says is a credential without knowing its value: credential query
  parameters (`access_token=`, `key=`, `corpsecret=`, `sign=`…), token path segments of vendors
  that put them there (Telegram `/bot<token>/`, Feishu/Lark `/hook/<token>`, Slack
  `/services/…`, Discord `/api/webhooks/<id>/<token>`) and URL passwords. The log filter
  (schema/logging_setup.py) runs every log line through it, so a logged URL (httpx's request
  lines, uvicorn's access log, PushNest's own messages) carries no credential.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

from pydantic import SecretStr

MASK = "********"
_MIN_MASKED = 4

# A query parameter whose name says it carries a credential (matched case-insensitively anywhere
# in the name: "corpsecret", "access_token", "X-Api-Key"…). Over-masking a log line costs little.
_CREDENTIAL_NAME = (
    r"[^=&#?;\s\"'<>]*(?:token|secret|key|sign|pass|pwd|auth|credential|ticket|session)[^=&#?;\s\"'<>]*"
)
_VALUE = r"[^&#;\s\"'<>]+"
_REDACTIONS = (
    (re.compile(rf"([?&;]{_CREDENTIAL_NAME}=){_VALUE}", re.IGNORECASE), rf"\g<1>{MASK}"),
    (re.compile(r"(/bot\d+:)[A-Za-z0-9_-]+"), rf"\g<1>{MASK}"),  # Telegram
    (re.compile(r"(/hook/)[^/?#\s\"'<>]+"), rf"\g<1>{MASK}"),  # Feishu, Lark
    (re.compile(r"(/services/)[^?#\s\"'<>]+"), rf"\g<1>{MASK}"),  # Slack
    (re.compile(r"(/api/webhooks/[^/?#\s\"'<>]+/)[^/?#\s\"'<>]+"), rf"\g<1>{MASK}"),  # Discord
    (
        re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/@:\s\"'<>]+:)[^/@\s\"'<>]+(@)", re.IGNORECASE),
        rf"\g<1>{MASK}\g<2>",
    ),
)


def redact(text: str) -> str:
    """`text` with the credentials URLs carry masked (see the module docstring for which)."""
    if "/" not in text and "=" not in text:
        return text  # nothing URL-like: the common case for log lines, kept cheap
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def secret_values(config: Any) -> tuple[str, ...]:
    """The config's secret values, longest first (so a secret containing another is masked whole).

    A config may add parts of its secrets that can be echoed alone (`secret_parts()`: a webhook's
    header values)."""
    values = [
        getattr(config, name).get_secret_value()
        for name, info in type(config).model_fields.items()
        if isinstance(getattr(config, name), SecretStr)
    ]
    parts = getattr(config, "secret_parts", None)
    if callable(parts):
        values += [str(part) for part in parts()]
    return tuple(sorted({v for v in values if len(v) >= _MIN_MASKED}, key=len, reverse=True))


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
