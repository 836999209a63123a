"""JSON log lines carry the ids of the work in hand (from the context), and the context stays per task."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import httpx

from schema.logging_setup import (
    ContextFilter,
    JsonFormatter,
    RedactFilter,
    bind_log_context,
    configure_logging,
    current_log_context,
    log_context,
    uvicorn_log_config,
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


def _redacting(logger_name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactFilter())
    logger = logging.getLogger(logger_name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_httpx_request_lines_lose_their_credentials() -> None:
    """httpx logs "HTTP Request: %s %s ..." with an httpx.URL argument at INFO."""
    logger, stream = _redacting("pushnest.test.httpx")
    url = httpx.URL("https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=S3cr3t-value")
    logger.info('HTTP Request: %s %s "%s %d %s"', "GET", url, "HTTP/1.1", 200, "OK")
    assert "S3cr3t-value" not in stream.getvalue() and "corpsecret=********" in stream.getvalue()


def test_uvicorns_access_formatter_still_works_on_redacted_records() -> None:
    from uvicorn.logging import AccessFormatter

    logger, stream = _redacting("pushnest.test.access")
    logger.handlers[0].setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
    logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/api/send?key=pn_secret&t=1", "1.1", 200)
    assert stream.getvalue().strip() == '127.0.0.1:5000 - "GET /api/send?key=********&t=1 HTTP/1.1" 200 OK'


def test_a_url_split_over_arguments_and_tracebacks_are_redacted() -> None:
    logger, stream = _redacting("pushnest.test.split")
    logger.warning("calling %s?access_token=%s", "https://vendor/send", "tok-123")
    try:
        raise RuntimeError("failed: https://api.telegram.org/bot1:AAsecret/sendMessage")
    except RuntimeError:
        logger.exception("send failed")
    out = stream.getvalue()
    assert "tok-123" not in out and "AAsecret" not in out and "bot1:********" in out


def test_every_handler_pushnest_installs_redacts() -> None:
    config = uvicorn_log_config()
    assert config["handlers"] and all("redact" in h["filters"] for h in config["handlers"].values())
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    try:
        configure_logging("INFO")
        assert all(any(isinstance(f, RedactFilter) for f in h.filters) for h in root.handlers)
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)
