"""Body choice per format, Markdown/HTML/text conversions, and UTF-8 size limits."""

from __future__ import annotations

import pytest

from schema.channels.base import Format
from schema.domain.bodies import (
    Content,
    TooLarge,
    body_for,
    check_fits,
    html_to_text,
    markdown_to_html,
    markdown_to_text,
    text_of,
    text_to_html,
    utf8_len,
)

SAMPLE_MD = """# Release 2.0

Read the [notes](https://example.com/notes) or visit <https://example.com>.

- fast
- *safe*

1. install
2. run

```
pip install  pushnest
  --upgrade
```



Done.
"""


def test_markdown_to_text_keeps_structure() -> None:
    assert markdown_to_text(SAMPLE_MD) == (
        "Release 2.0\n"
        "\n"
        "Read the notes (https://example.com/notes) or visit https://example.com.\n"
        "\n"
        "- fast\n"
        "- safe\n"
        "\n"
        "1. install\n"
        "2. run\n"
        "\n"
        "pip install  pushnest\n"
        "  --upgrade\n"
        "\n"
        "Done."
    )


def test_markdown_to_text_nested_and_loose_lists() -> None:
    md = "- one\n  - inner\n- [two](https://t.example)\n\n5. five\n6. six\n"
    assert markdown_to_text(md) == "- one\n  - inner\n- two (https://t.example)\n\n5. five\n6. six"


def test_html_to_text_drops_script_and_style_and_unescapes() -> None:
    html = "<style>p{color:red}</style><p>Tom &amp; Jerry &lt;3</p><script>alert('x')</script><p>end</p>"
    assert html_to_text(html) == "Tom & Jerry <3\n\nend"


def test_html_to_text_keeps_link_urls_only_when_useful() -> None:
    html = (
        '<p>See <a href="https://x.example/a?b=1&amp;c=2">docs</a>, '
        '<a href="https://same.example">https://same.example</a>, '
        '<a href="mailto:me@x.example">me@x.example</a>, '
        '<a href="javascript:evil()">click</a> and <a href="/relative">here</a>.</p>'
    )
    assert html_to_text(html) == (
        "See docs (https://x.example/a?b=1&c=2), https://same.example, me@x.example, click and here."
    )


def test_html_to_text_blocks_whitespace_and_pre() -> None:
    html = (
        "\n<div>  first\n   line </div><div>second<br>third</div>"
        "<h2>Title</h2><ol><li>a</li><li>b</li></ol><pre>  keep\n     spacing</pre><hr>tail\n"
    )
    assert html_to_text(html) == (
        "first line\nsecond\nthird\n\nTitle\n\n1. a\n2. b\n\n  keep\n     spacing\n\ntail"
    )


def test_html_to_text_table_rows_are_lines() -> None:
    html = "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>"
    assert html_to_text(html) == "a b\nc d"


def test_markdown_to_html_escapes_raw_html() -> None:
    out = markdown_to_html('Hi <img src=x onerror="alert(1)"> **there**')
    assert "<img" not in out
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in out
    assert "<strong>there</strong>" in out


def test_markdown_to_html_does_not_linkify_bare_urls() -> None:
    assert markdown_to_html("go to https://example.com now") == "<p>go to https://example.com now</p>\n"


def test_text_to_html_escapes_and_keeps_lines() -> None:
    assert text_to_html('a < b & "c"\nnext') == "a &lt; b &amp; &quot;c&quot;<br>\nnext"


TEXT, MD, HTML = "plain *text*", "**bold** [l](https://l.example)", "<p>hyper &amp; text</p>"


@pytest.mark.parametrize(
    ("fmt", "content", "expected"),
    [
        (Format.TEXT, Content(text=TEXT, markdown=MD, html=HTML), TEXT),
        (Format.TEXT, Content(markdown=MD, html=HTML), "bold l (https://l.example)"),
        (Format.TEXT, Content(text="  \n", html=HTML), "hyper & text"),
        (Format.MARKDOWN, Content(text=TEXT, markdown=MD, html=HTML), MD),
        (Format.MARKDOWN, Content(text=TEXT, html=HTML), TEXT),
        (Format.MARKDOWN, Content(markdown=" ", html=HTML), "hyper & text"),
        (Format.HTML, Content(text=TEXT, markdown=MD, html=HTML), HTML),
        (
            Format.HTML,
            Content(text=TEXT, markdown=MD),
            '<p><strong>bold</strong> <a href="https://l.example">l</a></p>\n',
        ),
        (Format.HTML, Content(text="a<b\nc"), "a&lt;b<br>\nc"),
        (Format.TEXT, Content(title="only a title"), ""),
        (Format.MARKDOWN, Content(), ""),
        (Format.HTML, Content(html="\t"), ""),
    ],
)
def test_body_for(fmt: Format, content: Content, expected: str) -> None:
    assert body_for(fmt, content) == expected


def test_text_of_matches_text_format() -> None:
    content = Content(markdown="# Hi\n\nthere")
    assert text_of(content) == body_for(Format.TEXT, content) == "Hi\n\nthere"


def test_content_is_empty_ignores_title_and_whitespace() -> None:
    assert Content(title="t", text=" ", markdown="\n", html="\t").is_empty()
    assert not Content(html="<p>x</p>").is_empty()
    assert not Content(markdown="x").is_empty()
    assert not Content(text="x").is_empty()


def test_utf8_len_counts_bytes() -> None:
    assert utf8_len("中文") == 6
    assert utf8_len("ab") == 2
    assert utf8_len("é🙂") == 6


def test_check_fits_accepts_up_to_the_limit_and_no_limit() -> None:
    check_fits("中文", 6)
    check_fits("x" * 1_000_000, None)


def test_check_fits_raises_too_large_with_sizes() -> None:
    with pytest.raises(TooLarge) as caught:
        check_fits("中" * 8_338 + "x", 20_000)
    assert caught.value.size == 25_015
    assert caught.value.limit == 20_000
    assert str(caught.value) == "body is 25,015 bytes; the limit is 20,000 bytes (UTF-8)"
