"""What a claimed row needs to be sent: its message's content, its binding and its channel.

A message's content never changes after it was accepted, so it is read once per message and kept
(bounded, least recently used out first); many rows of a burst share a message, and a retry finds
it again. Bindings and channels can be edited or switched off at any time, so they are read with
every claim: one query each for the whole claim, never a join per row.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise import connections
from tortoise.models import Model

from schema.db import statement
from schema.models import Binding, Channel
from workers.claims import Claimed

_MESSAGE_COLUMNS = (
    "id",
    "owner_id",
    "task_id",
    "template_id",
    "title",
    "text",
    "markdown",
    "html",
    "url",
    "mentions",
    "trace_id",
    "traceparent",
)
M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """A message's content and attribution, as a send and its statistics need them."""

    id: int
    owner_id: int
    task_id: int | None
    template_id: int | None
    title: str
    text: str
    markdown: str
    html: str
    url: str
    mentions: dict[str, Any]
    trace_id: str
    # The accept span's W3C traceparent (OpenTelemetry on), or "": see schema/telemetry.py.
    traceparent: str = ""


@dataclass(slots=True)
class Job:
    """One claimed row with everything its send reads."""

    row: Claimed
    message: MessageFacts
    binding: Binding | None
    channel: Channel | None


class Contents:
    def __init__(self, max_messages: int = 20_000) -> None:
        self._messages: OrderedDict[int, MessageFacts] = OrderedDict()
        self._max = max_messages

    async def jobs(self, rows: list[Claimed]) -> list[Job]:
        """The rows with their message, binding and channel; rows whose message is gone are left out
        (the message was deleted with its deliveries, so there is nothing left to send)."""
        messages, bindings, channels = await asyncio.gather(
            self._messages_of({r.message_id for r in rows}),
            _by_id(Binding, {r.binding_id for r in rows}),
            _by_id(Channel, {r.channel_id for r in rows}),
        )
        return [
            Job(r, messages[r.message_id], bindings.get(r.binding_id), channels.get(r.channel_id))
            for r in rows
            if r.message_id in messages
        ]

    async def _messages_of(self, ids: set[int]) -> dict[int, MessageFacts]:
        found = {i: self._messages[i] for i in ids if i in self._messages}
        for i in found:
            self._messages.move_to_end(i)
        missing = ids - found.keys()
        if missing:
            for facts in await _read_messages(sorted(missing)):
                found[facts.id] = self._messages[facts.id] = facts
            while len(self._messages) > self._max:
                self._messages.popitem(last=False)
        return found


async def _read_messages(ids: list[int]) -> list[MessageFacts]:
    """By hand: the ORM's value conversion of wide text rows showed in the worker's profile."""
    conn = connections.get("default")
    sql = f"SELECT {', '.join(_MESSAGE_COLUMNS)} FROM messages WHERE id IN ({', '.join(['?'] * len(ids))})"  # noqa: S608 - fixed names
    _, rows = await conn.execute_query(statement(conn, sql), ids)
    facts = []
    for row in rows:
        values = dict(row)
        mentions = values["mentions"]
        values["mentions"] = (
            json.loads(mentions) if isinstance(mentions, str | bytes) else dict(mentions or {})
        )
        facts.append(MessageFacts(**values))
    return facts


async def _by_id(model: type[M], ids: Iterable[int | None]) -> dict[int | None, M]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {row.pk: row for row in await model.filter(id__in=wanted)}
