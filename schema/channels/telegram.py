"""Telegram Bot API sendMessage to a chat, group or channel.

Markdown and HTML bodies are sent with parse_mode HTML after reducing them to the tags Telegram
accepts (an unsupported tag makes Telegram refuse the whole message): headings become bold,
paragraphs and list items become line breaks, other tags are dropped and text is escaped.
Plain text is sent without a parse mode, so nothing in it is interpreted.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import Field, SecretStr, field_validator

from schema.channels.base import (
    BaseUrl,
    ChannelType,
    ErrorClass,
    Format,
    HttpChannelConfig,
    Outgoing,
    RateLimit,
    Receipt,
    SendContext,
)
from schema.channels.http import call
from schema.channels.http_status import check_status, json_of, vendor_failure
from schema.domain.bodies import markdown_to_html

_CHAT_ID = re.compile(r"^(-?\d+|@[A-Za-z0-9_]{4,})$")


class Config(HttpChannelConfig):
    """A bot and the chat it posts to."""

    base_url: BaseUrl = Field(default="https://api.telegram.org", title="API base URL")
    bot_token: SecretStr = Field(title="Bot token", description="From @BotFather, like 123456:ABC-DEF…")
    chat_id: str = Field(title="Chat ID", description="Numeric id (groups: -100…) or @channelname")
    message_thread_id: int | None = Field(default=None, ge=1, title="Topic (thread) ID")
    disable_web_page_preview: bool = Field(default=True, title="Disable link previews")
    disable_notification: bool = Field(default=False, title="Send silently")

    @field_validator("chat_id")
    @classmethod
    def _chat_id(cls, value: str) -> str:
        if not _CHAT_ID.match(value):
            raise ValueError("must be a numeric chat id or @channelname")
        return value


# [mem] the entities Telegram's HTML parse mode accepts; anything else is an error.
_KEPT = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "blockquote", "tg-spoiler"}
)
_RENAMED = {"h1": "b", "h2": "b", "h3": "b", "h4": "b", "h5": "b", "h6": "b"}
_SKIPPED = frozenset({"script", "style", "head", "title"})
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source"})
_PARAGRAPHS = frozenset(
    {"p", "ul", "ol", "table", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_LINES = frozenset({"div", "tr", "li"})
_LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")
_SPACES = re.compile(r"\s+")


class _TelegramHtml(HTMLParser):
    """Rewrites HTML into Telegram's subset, with structure kept as line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._tail = ""  # the last text written (tags excluded), for whitespace decisions
        self._open: list[tuple[str, str]] = []  # (source tag, emitted tag or "")
        self._skip = 0
        self._pre = 0
        self._lists: list[list[int]] = []  # per open list: [next number] (0 = bullets)
        self._pending = 0  # line breaks owed before the next text or opening tag

    def result(self) -> str:
        while self._open:
            self._close_top()
        return "".join(self._out).strip()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip += 1
        if self._skip:
            return
        values = dict(attrs)
        if tag in _PARAGRAPHS or tag in _LINES:
            self._break(2 if tag in _PARAGRAPHS and not (tag in ("ul", "ol") and self._lists) else 1)
        if tag == "br":
            self._text("\n")
        elif tag == "img" and values.get("alt"):
            self.handle_data(values["alt"] or "")
        elif tag in ("td", "th") and not self._at_line_start():
            self._text(" ")
        elif tag in ("ul", "ol"):
            self._lists.append([1 if tag == "ol" else 0])
        elif tag == "li":
            counter = self._lists[-1] if self._lists else [0]
            indent = "  " * max(0, len(self._lists) - 1)
            self._text(f"{indent}{counter[0]}. " if counter[0] else f"{indent}• ")
            counter[0] += 1 if counter[0] else 0
        if tag == "pre":
            self._pre += 1
        if tag not in _VOID:
            self._open.append((tag, self._emit_open(tag, values)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip or tag in _VOID or all(source != tag for source, _ in self._open):
            return
        while self._open[-1][0] != tag:
            self._close_top()
        self._close_top()
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        if tag in _PARAGRAPHS or tag in _LINES:
            self._break(1 if tag in _LINES or (tag in ("ul", "ol") and self._lists) else 2)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if not self._pre:
            data = _SPACES.sub(" ", data)
            if self._at_line_start():
                data = data.lstrip(" ")
        if data:
            self._text(html.escape(data, quote=False), raw=data)

    def _emit_open(self, tag: str, values: dict[str, str | None]) -> str:
        name = _RENAMED.get(tag, tag)
        href = values.get("href") or ""
        keep = name in _KEPT or (tag == "a" and href.lower().startswith(_LINK_SCHEMES))
        if keep or (tag == "span" and values.get("class") == "tg-spoiler"):
            self._flush()
        if name in _KEPT:
            language = values.get("class") or ""
            if name == "code" and self._pre and language.startswith("language-"):
                self._out.append(f'<code class="{html.escape(language)}">')
            else:
                self._out.append(f"<{name}>")
            return name
        if tag == "a" and href.lower().startswith(_LINK_SCHEMES):
            self._out.append(f'<a href="{html.escape(href)}">')
            return "a"
        if tag == "span" and values.get("class") == "tg-spoiler":
            self._out.append("<tg-spoiler>")
            return "tg-spoiler"
        return ""

    def _close_top(self) -> None:
        _, emitted = self._open.pop()
        if emitted:
            self._out.append(f"</{emitted}>")

    def _text(self, escaped: str, raw: str | None = None) -> None:
        self._flush()
        self._out.append(escaped)
        self._tail = (self._tail + (escaped if raw is None else raw))[-4:]

    def _at_line_start(self) -> bool:
        return not self._tail or self._pending > 0 or self._tail.endswith(("\n", " "))

    def _break(self, newlines: int) -> None:
        if self._tail:
            self._pending = max(self._pending, newlines)

    def _flush(self) -> None:
        have = len(self._tail) - len(self._tail.rstrip("\n"))
        if self._pending > have:
            if self._out and self._out[-1].endswith(" ") and not self._pre:
                self._out[-1] = self._out[-1].rstrip(" ")  # no trailing space before a break
            self._out.append("\n" * (self._pending - have))
            self._tail = (self._tail + "\n" * (self._pending - have))[-4:]
        self._pending = 0


def telegram_html(source: str) -> str:
    """HTML reduced to what Telegram's HTML parse mode accepts."""
    parser = _TelegramHtml()
    parser.feed(source)
    parser.close()
    return parser.result()


def message_text(outgoing: Outgoing) -> tuple[str, str | None]:
    """The text to send and its parse mode: the title in bold above the body, the link below."""
    if outgoing.format is Format.TEXT:
        parts = [outgoing.title, outgoing.body, outgoing.url]
        return "\n\n".join(p for p in parts if p.strip()), None
    body = markdown_to_html(outgoing.body) if outgoing.format is Format.MARKDOWN else outgoing.body
    parts = [
        f"<b>{html.escape(outgoing.title, quote=False)}</b>" if outgoing.title.strip() else "",
        telegram_html(body),
        html.escape(outgoing.url, quote=False),
    ]
    return "\n\n".join(p for p in parts if p.strip()), "HTML"


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    token = config.bot_token.get_secret_value()
    text, parse_mode = message_text(outgoing)
    payload: dict[str, Any] = {
        "chat_id": config.chat_id,
        "text": text,
        "disable_web_page_preview": config.disable_web_page_preview,
        "disable_notification": config.disable_notification,
    }
    if parse_mode:
        payload["parse_mode"] = parse_mode
    if config.message_thread_id is not None:
        payload["message_thread_id"] = config.message_thread_id
    url = f"{config.base_url}/bot{quote(token, safe=':')}/sendMessage"
    response = await call(ctx, "POST", url, json=payload)
    return classify(response, token)


def classify(response: httpx.Response, token: str) -> Receipt:
    """[mem] `ok` decides; 429 carries parameters.retry_after; 400/401/403/404 are final."""
    data = json_of(response)
    parameters = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
    detail = str(data.get("description") or "")
    if parameters and parameters.get("migrate_to_chat_id"):
        detail += f" (the group is now chat {parameters['migrate_to_chat_id']}: update the chat id)"
    retry_after = parameters.get("retry_after") if parameters else None
    wait = float(retry_after) if isinstance(retry_after, int | float) else None
    answer = check_status(response, detail, secrets=(token,), wait_seconds=wait)
    if data.get("ok") is True:
        return Receipt(answer)
    code = data.get("error_code")
    error_class = ErrorClass.PERMANENT
    if code == 429:
        error_class = ErrorClass.RATE_LIMITED
    elif isinstance(code, int) and code >= 500:
        error_class = ErrorClass.RETRYABLE
    raise vendor_failure(
        f"Telegram: {detail or 'the answer is not ok'}",
        error_class,
        answer,
        secrets=(token,),
        wait_seconds=(wait or 1.0) if error_class is ErrorClass.RATE_LIMITED else None,
    )


CHANNEL_TYPE = ChannelType(
    key="telegram",
    label="Telegram bot",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.HTML, Format.TEXT),
    # [lib] 4096 characters; as UTF-8 bytes this is a conservative bound.
    max_body_bytes=4096,
    rate_limit=RateLimit(1, 1),  # [inf] about one message per second per chat
    description="Bot messages to a chat, group or channel.",
    send=send,
)
