"""State shared by the import steps, and the checked, sealed channel config they write."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from schema.crypto import SecretBox
from schema.errors import PushNestError
from schema.importer.report import ImportReport, Progress
from schema.importer.source import SourceData, text
from schema.models import Channel, Task, Template, User
from schema.services.validation import bad_input

# Message Nest's Docker image runs with TZ=Asia/Shanghai, and its timestamps are in that zone.
MN_TIMEZONE = "Asia/Shanghai"


@dataclass
class ImportRun:
    data: SourceData
    box: SecretBox
    owner: User
    inbox_user: User
    report: ImportReport
    stream: TextIO | None = None
    # PUSHNEST_ALLOW_PRIVATE_TARGETS: otherwise a way aimed at a private address is not imported.
    allow_private_targets: bool = False
    # Message Nest id → the PushNest row it became (or already was).
    channels: dict[str, Channel] = field(default_factory=dict)
    way_types: dict[str, str] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    templates: dict[str, Template] = field(default_factory=dict)
    # Stamped on rows whose own timestamps are missing (and reported).
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def progress(self, label: str, total: int) -> Progress:
        return Progress(label, total, self.stream)


def reason(exc: Exception) -> str:
    """A short, caller-facing reason for a row that failed a check."""
    if isinstance(exc, ValidationError):
        return bad_input(exc, "config").message
    if isinstance(exc, PushNestError):
        return exc.message
    return str(exc) or type(exc).__name__


def ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in Message Nest's own order (creation time, then id), so re-runs see the same order."""
    return sorted(rows, key=lambda r: (text(r, "created_on"), text(r, "id")))


def unique_name(base: str, legacy_id: str, taken: bool, limit: int = 100) -> str:
    """`base`, or `base (legacy_id)` when another row already has that name."""
    base = base.strip()[:limit] or legacy_id
    if not taken:
        return base
    suffix = f" ({legacy_id})"
    return base[: limit - len(suffix)] + suffix


def mn_time(value: Any) -> datetime | None:
    """A Message Nest timestamp as aware UTC; naive values are Asia/Shanghai wall-clock time."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        raw = value.strip().replace("T", " ")
        head, dot, rest = raw.partition(".")
        if dot:  # nanoseconds (Go) → microseconds; keep any zone suffix
            digits = "".join(c for c in rest if c.isdigit())
            zone = rest[len(digits) :].strip()
            raw = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
        raw = raw.removesuffix(" UTC").replace(" +", "+").replace(" -", "-").replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(MN_TIMEZONE))
    return moment.astimezone(UTC)
