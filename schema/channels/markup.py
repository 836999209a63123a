"""Keeping message content from becoming vendor markup: mentions come only from `mentions`.

Vendors parse tags inside message text: Feishu `<at user_id="all">` / `<at id=all>` pings everyone,
a WeCom robot's markdown `<@userid>` pings a member. Whoever wrote the content (a caller's text, a
template variable), PushNest adds mentions itself from the explicit `mentions` input and the
binding; a tag already in the content is made inert (its `<` written as `&lt;`, which the vendors'
markdown shows as `<`) before the channel appends its own.

Template values in markdown bodies are escaped once, at render time (schema/domain/render.py);
Slack (`<!channel>`), Telegram (entities) and Discord (`allowed_mentions`) escape in their own
formats in their modules.
"""

from __future__ import annotations

import re

_FEISHU_AT = re.compile(r"<(\s*/?\s*at\b)", re.IGNORECASE)
_WECOM_AT = re.compile(r"<(@)")


def inert_feishu_mentions(text: str) -> str:
    """`text` with every `<at …>` / `</at>` tag shown as text instead of parsed as a mention."""
    return _FEISHU_AT.sub(r"&lt;\1", text)


def inert_wecom_mentions(text: str) -> str:
    """WeCom robot markdown `<@userid>` shown as text instead of pinging the member."""
    return _WECOM_AT.sub(r"&lt;\1", text)
