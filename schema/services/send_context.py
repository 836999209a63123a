"""The `SendContext` every sending process builds: its HTTP clients, the inbox writer, token store."""

from __future__ import annotations

from functools import partial

from schema.channels.base import SendContext, TokenStore
from schema.net.client import OutboundClients
from schema.ports import EventBus
from schema.services.inbox import drop_in_inbox
from schema.settings import Settings


def send_context(
    settings: Settings, clients: OutboundClients, events: EventBus, tokens: TokenStore
) -> SendContext:
    """The guarded client by default; the open one only through `allowing_private()` (or for every
    send when the operator allowed private targets, in which case both are the same client)."""
    return SendContext(
        http=clients.guarded,
        drop_in_inbox=partial(drop_in_inbox, events),
        tokens=tokens,
        timeout_seconds=settings.send_timeout_seconds,
        allow_private_targets=settings.allow_private_targets,
        open_http=clients.open,
    )
