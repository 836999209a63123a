"""Choosing and converting message bodies per channel format, and checking their size."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from schema.channels.base import Format

# Built once: a MarkdownIt instance holds no per-render state, and building one compiles its rules.
# The text converter may see raw HTML (it is stripped to text anyway); the HTML converter must not
# pass caller-written markup through, so raw HTML is escaped there.
_MD_FOR_TEXT = MarkdownIt("commonmark")
_MD_FOR_HTML = MarkdownIt("commonmark", {"html": False, "linkify": False})

_SKIPPED = frozenset({"script", "style", "head", "title"})
# Paragraph-level blocks are separated by a blank line; line-level ones by a single newline.
_PARAGRAPH_BLOCKS = frozenset(
    {"p", "ul", "ol", "table", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_LINE_BLOCKS = frozenset({"div", "br", "li", "tr"})
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_WHITESPACE = re.compile(r"\s+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Content:
    """A message's title and the bodies its author supplied, any of which may be empty."""

    title: str = ""
    text: str = ""
    markdown: str = ""
    html: str = ""

    def is_empty(self) -> bool:
        """True when no body has anything but whitespace (the title alone is not a message)."""
        return not (self.text.strip() or self.markdown.strip() or self.html.strip())


@dataclass
class _List:
    ordered: bool
    next_number: int


class _TextExtractor(HTMLParser):
    """Collects readable text from HTML, keeping structure as line breaks and link targets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0
        self._lists: list[_List] = []
        self._links: list[tuple[str, int]] = []
        # A list-item marker is written with the item's first text, so a <p> inside a loose
        # list item does not leave the marker alone on its own line.
        self._pending_marker = ""

    def text(self) -> str:
        """The collected text, with blank lines trimmed and runs of blank lines collapsed."""
        lines = [line.rstrip() for line in "".join(self._parts).split("\n")]
        return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
            return
        if tag in ("ul", "ol"):
            self._break(2 if not self._lists else 1)
            self._lists.append(_List(tag == "ol", _start_number(attrs)))
        elif tag == "li":
            self._start_item()
        elif tag in _PARAGRAPH_BLOCKS:
            self._break(2)
        elif tag in _LINE_BLOCKS:
            self._break(1)
        self._start_inline(tag, dict(attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # "<x/>" opens and closes at once; both sides are idempotent breaks for void elements like
        # <br/>, and closing keeps the stacks balanced for a stray "<a/>" or "<script/>".
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
            self._break(2)
        elif tag == "a" and self._links:
            self._end_link()
        elif tag in ("ul", "ol"):
            if self._lists:
                self._lists.pop()
            self._break(1 if self._lists else 2)
        elif tag in _PARAGRAPH_BLOCKS:
            self._break(2)
        elif tag in _LINE_BLOCKS:
            self._break(1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._pre_depth:
            self._write(data)
            return
        collapsed = _WHITESPACE.sub(" ", data)
        # A space at the start of a line, or after another space, is markup indentation.
        if self._at_line_start() or self._ends_with_space():
            collapsed = collapsed.lstrip(" ")
        if collapsed:
            self._write(collapsed)

    def _start_inline(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag == "pre":
            self._pre_depth += 1
        elif tag == "a":
            # The list marker belongs before the link, not inside its label.
            self._flush_marker()
            self._links.append((attrs.get("href") or "", len(self._parts)))
        elif tag == "img" and attrs.get("alt"):
            self.handle_data(attrs["alt"] or "")
        elif tag in ("td", "th") and not self._at_line_start():
            self._write(" ")

    def _start_item(self) -> None:
        self._break(1)
        current = self._lists[-1] if self._lists else _List(False, 1)
        indent = "  " * max(0, len(self._lists) - 1)
        if current.ordered:
            self._pending_marker = f"{indent}{current.next_number}. "
            current.next_number += 1
        else:
            self._pending_marker = f"{indent}- "

    def _end_link(self) -> None:
        href, start = self._links.pop()
        label = "".join(self._parts[start:]).strip()
        if not href.lower().startswith(_LINK_SCHEMES) or href in (label, f"mailto:{label}"):
            return
        self._write(f" ({href})" if label else href)

    def _write(self, chunk: str) -> None:
        if self._pending_marker and chunk.strip():
            self._flush_marker()
            chunk = chunk.lstrip(" ")
        self._parts.append(chunk)

    def _flush_marker(self) -> None:
        if self._pending_marker:
            self._parts.append(self._pending_marker)
            self._pending_marker = ""

    def _break(self, newlines: int) -> None:
        # While a list marker waits for its text, a block opening inside the item adds no break.
        if self._pending_marker or not self._parts:
            return
        tail = self._trailing_newlines()
        if tail < newlines:
            self._parts.append("\n" * (newlines - tail))

    def _trailing_newlines(self) -> int:
        tail = self._tail()
        return len(tail) - len(tail.rstrip("\n"))

    def _at_line_start(self) -> bool:
        return not self._parts or self._tail().endswith("\n")

    def _tail(self, size: int = 4) -> str:
        # Only the last few characters matter, and joining everything per call would be quadratic.
        chunks: list[str] = []
        length = 0
        for part in reversed(self._parts):
            chunks.append(part)
            length += len(part)
            if length >= size:
                break
        return "".join(reversed(chunks))

    def _ends_with_space(self) -> bool:
        return bool(self._parts) and self._parts[-1].endswith(" ")


def _start_number(attrs: list[tuple[str, str | None]]) -> int:
    start = dict(attrs).get("start") or "1"
    return int(start) if start.isdigit() else 1


def html_to_text(html: str) -> str:
    """Convert HTML to readable plain text: structure as line breaks, link targets kept."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return extractor.text()


def markdown_to_text(md: str) -> str:
    """Convert Markdown to readable plain text by way of HTML."""
    return html_to_text(_render(_MD_FOR_TEXT, md))


def markdown_to_html(md: str) -> str:
    """Convert Markdown to HTML, escaping any raw HTML so caller text cannot inject markup."""
    return _render(_MD_FOR_HTML, md)


def _render(parser: MarkdownIt, md: str) -> str:
    # MarkdownIt.render is typed Any because a custom renderer may return anything; ours is the
    # stock HTML renderer, which returns str.
    return str(parser.render(md))


def text_to_html(text: str) -> str:
    """Escape plain text for HTML, keeping its line breaks."""
    return htmllib.escape(text, quote=True).replace("\n", "<br>\n")


def body_for(fmt: Format, content: Content) -> str:
    """The body to send in `fmt`: the author's own body in that format, else the best conversion."""
    text, markdown, html = (_present(content.text), _present(content.markdown), _present(content.html))
    if fmt is Format.TEXT:
        return text or (markdown and markdown_to_text(markdown)) or (html and html_to_text(html))
    if fmt is Format.MARKDOWN:
        # Plain text is valid Markdown, so it is preferred over a lossy HTML conversion.
        return markdown or text or (html and html_to_text(html))
    return html or (markdown and markdown_to_html(markdown)) or (text and text_to_html(text))


def _present(body: str) -> str:
    # A whitespace-only body counts as absent, so a lower-priority body is used instead.
    return body if body.strip() else ""


def text_of(content: Content) -> str:
    """The plain-text body of `content` (for inbox previews, SMS and search)."""
    return body_for(Format.TEXT, content)


def utf8_len(value: str) -> int:
    """The size of `value` in bytes when encoded as UTF-8, which is what channel limits count."""
    return len(value.encode("utf-8"))


class TooLarge(Exception):
    """A body is bigger than the channel accepts."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"body is {size:,} bytes; the limit is {limit:,} bytes (UTF-8)")
        self.size = size
        self.limit = limit


def check_fits(body: str, limit: int | None) -> None:
    """Raise TooLarge when `body` exceeds `limit` UTF-8 bytes; a None limit means no limit."""
    if limit is None:
        return
    size = utf8_len(body)
    if size > limit:
        raise TooLarge(size, limit)
