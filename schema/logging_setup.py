"""Logging: plain text or JSON lines, with the trace/message/delivery ids of the work in hand, and
no credential in any line.

`bind_log_context(trace_id=…)` sets ids for the current task (asyncio copies the context into
each new task, so a binding never leaks into other requests or deliveries); every record logged
afterwards in that task carries them.

`RedactFilter` sits on every handler PushNest installs (the root's, and uvicorn's through
`uvicorn_log_config`), so whatever logger a line comes from — httpx's "HTTP Request: POST
https://…?access_token=…", uvicorn's access log of `GET /api/send?key=pn_…`, a traceback — its
URLs' credentials are masked before it is written (schema/channels/masking.py `redact`).
"""

from __future__ import annotations

import copy
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from schema.channels.masking import redact

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


class RedactFilter(logging.Filter):
    """Masks credentials in a record's message, arguments and traceback (see `redact`).

    Arguments are redacted one by one, so formatters that read them (uvicorn's access formatter
    takes the request path from `args`) keep working; a credential that only appears once the
    message is put together (a URL split over arguments) makes the record a plain redacted text.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted(arg) for key, arg in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self._formatter.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.args:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                return True
            if redact(message) != message:
                record.msg, record.args = redact(message), ()
        return True


def _redacted(arg: Any) -> Any:
    if arg is None or isinstance(arg, bool | int | float):
        return arg
    text = arg if isinstance(arg, str) else str(arg)
    masked = redact(text)
    return arg if masked == text else masked


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own text logging config, with `RedactFilter` on each of its handlers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": RedactFilter}
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "redact"]
    return config


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
    handler.addFilter(RedactFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
