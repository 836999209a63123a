"""The `SendContext` every sending process builds: its HTTP client, the inbox writer, token store."""

from __future__ import annotations

from functools import partial

import httpx

from schema.channels.base import SendContext, TokenStore
from schema.ports import EventBus
from schema.services.inbox import drop_in_inbox
from schema.settings import Settings


def send_context(
    settings: Settings, http: httpx.AsyncClient, events: EventBus, tokens: TokenStore
) -> SendContext:
    return SendContext(
        http=http,
        drop_in_inbox=partial(drop_in_inbox, events),
        tokens=tokens,
        timeout_seconds=settings.send_timeout_seconds,
        allow_private_targets=settings.allow_private_targets,
    )
