"""Logging: plain text or JSON lines, with the trace/message/delivery ids of the work in hand.

`bind_log_context(trace_id=…)` sets ids for the current task (asyncio copies the context into
each new task, so a binding never leaks into other requests or deliveries); every record logged
afterwards in that task carries them.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

CONTEXT_FIELDS = ("trace_id", "message_id", "delivery_id")
_context: ContextVar[dict[str, Any] | None] = ContextVar("pushnest_log_context", default=None)


def bind_log_context(**ids: Any) -> None:
    """Add ids (trace_id, message_id, delivery_id) to this task's log context; empty values are skipped."""
    current = _context.get() or {}
    _context.set(current | {k: v for k, v in ids.items() if v not in (None, "")})


@contextmanager
def log_context(**ids: Any) -> Iterator[None]:
    """The same, undone on exit."""
    token = _context.set((_context.get() or {}) | {k: v for k, v in ids.items() if v not in (None, "")})
    try:
        yield
    finally:
        _context.reset(token)


def current_log_context() -> dict[str, Any]:
    return dict(_context.get() or {})


class ContextFilter(logging.Filter):
    """Copies the current ids onto each record (explicit `extra=` values win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_context.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value not in (None, ""):
                line[key] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str, fmt: str = "text") -> None:
    """Replace the root handlers with one stderr handler in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
