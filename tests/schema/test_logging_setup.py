"""JSON log lines carry the ids of the work in hand (from the context), and the context stays per task."""

from __future__ import annotations

import asyncio
import io
import json
import logging

from schema.logging_setup import (
    ContextFilter,
    JsonFormatter,
    bind_log_context,
    configure_logging,
    current_log_context,
    log_context,
)


def _capture() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("pushnest.test.logging")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_line_has_the_trace_id_from_the_context() -> None:
    logger, stream = _capture()
    with log_context(trace_id="abcdef0123456789", message_id=42, delivery_id=7):
        logger.info("sent %s", "ok")
    logger.warning("outside")
    inside, outside = _lines(stream)
    assert inside["message"] == "sent ok" and inside["level"] == "INFO"
    assert inside["logger"] == "pushnest.test.logging" and "ts" in inside
    assert (inside["trace_id"], inside["message_id"], inside["delivery_id"]) == ("abcdef0123456789", 42, 7)
    assert "trace_id" not in outside and outside["level"] == "WARNING"


def test_exceptions_are_kept_in_the_line() -> None:
    logger, stream = _capture()
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    [line] = _lines(stream)
    assert "ValueError: boom" in str(line["exc_info"])


async def test_bindings_stay_in_their_task() -> None:
    async def one(trace: str) -> dict[str, object]:
        bind_log_context(trace_id=trace)
        await asyncio.sleep(0.01)
        return current_log_context()

    first, second = await asyncio.gather(one("a" * 16), one("b" * 16))
    assert first == {"trace_id": "a" * 16} and second == {"trace_id": "b" * 16}
    assert "trace_id" not in current_log_context()


def test_configure_logging_json_writes_to_the_root_handler(capsys: object) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    try:
        configure_logging("INFO", "json")
        [handler] = root.handlers
        assert isinstance(handler.formatter, JsonFormatter)
        assert root.level == logging.INFO
        configure_logging("DEBUG", "text")
        [handler] = root.handlers
        assert not isinstance(handler.formatter, JsonFormatter)
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)
