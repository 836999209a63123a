"""The worker → subscribers contract: typed events and the streams they travel on."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Protocol

DELIVERY_STREAM = "pushnest:events:deliveries"
INBOX_STREAM = "pushnest:events:inbox"
# API process → API processes: what their per-process caches must forget (schema/services/caches.py).
CHANGES_STREAM = "pushnest:events:changes"


class _MessageFacts(Protocol):
    # Read-only members: models and frozen dataclasses (the worker's message cache) both fit.
    @property
    def id(self) -> int: ...
    @property
    def owner_id(self) -> int: ...
    @property
    def task_id(self) -> int | None: ...
    @property
    def template_id(self) -> int | None: ...


class _DeliveryFacts(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def channel_id(self) -> int | None: ...
    @property
    def channel_type(self) -> str: ...


@dataclass(frozen=True)
class DeliveryEvent:
    """A delivery changed state (queued, sending, retrying, rate_limited, succeeded, failed, unknown)."""

    message_id: int
    delivery_id: int
    owner_id: int
    task_id: int | None
    template_id: int | None
    channel_id: int | None
    channel_type: str
    status: str
    attempt: int
    error_class: str = ""
    error: str = ""
    latency_ms: int | None = None
    at: float = 0.0

    @classmethod
    def about(
        cls,
        message: _MessageFacts,
        delivery: _DeliveryFacts,
        *,
        status: str,
        attempt: int,
        at: float,
        **extra: Any,
    ) -> DeliveryEvent:
        """The event for one delivery of a message (the API announcing it, or a worker moving it)."""
        return cls(
            message_id=message.id,
            delivery_id=delivery.id,
            owner_id=message.owner_id,
            task_id=message.task_id,
            template_id=message.template_id,
            channel_id=delivery.channel_id,
            channel_type=delivery.channel_type,
            status=status,
            attempt=attempt,
            at=at,
            **extra,
        )

    def to_json(self) -> str:
        # Every field is a plain value: the instance's own dict serialises the same as asdict(),
        # without asdict's recursive copy (two events per delivery on the worker's hot path).
        return json.dumps(self.__dict__, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> DeliveryEvent:
        data: dict[str, Any] = json.loads(raw)
        return cls(**data)


@dataclass(frozen=True)
class InboxEvent:
    """A user's inbox changed: a new item, or read state changed; carries the new unread count."""

    user_id: int
    kind: str  # "new" | "read" | "deleted"
    item_ids: tuple[int, ...]
    unread_count: int
    at: float = 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> InboxEvent:
        data: dict[str, Any] = json.loads(raw)
        data["item_ids"] = tuple(data["item_ids"])
        return cls(**data)


@dataclass(frozen=True)
class ChangeEvent:
    """Something every API process may hold in a cache changed: "callers" (an API key revoked, a
    password, role or account changed) or "targets" (a task, template, binding or channel)."""

    what: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> ChangeEvent:
        data: dict[str, Any] = json.loads(raw)
        return cls(what=str(data["what"]))
