"""Placeholders: both spellings, defaults, missing keys, one-pass substitution, HTML escaping."""

from __future__ import annotations

import pytest

from schema.domain.render import missing, placeholders_in, render, resolve_variables, stringify


def test_placeholders_in_finds_both_spellings_once_in_first_seen_order() -> None:
    found = placeholders_in("Hi {{name}}, {{ order.id }}", "{{name}} again, {{  total-sum }}")
    assert found == ["name", "order.id", "total-sum"]


def test_placeholders_in_ignores_invalid_keys() -> None:
    assert placeholders_in("{{1abc}} {{}} {{ a b }} {single}") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "1"),
        (2.5, "2.5"),
        (True, "true"),
        (False, "false"),
        (None, ""),
        ({"a": 1}, '{"a":1}'),
        (["中", 2], '["中",2]'),
        ("as is", "as is"),
    ],
)
def test_stringify(value: object, expected: str) -> None:
    assert stringify(value) == expected


def test_defaults_apply_only_when_absent_and_non_empty() -> None:
    declared = [
        {"key": "name", "label": "Name", "default": "friend"},
        {"key": "city", "label": "City", "default": "Paris"},
        {"key": "empty", "label": "Empty", "default": ""},
    ]
    values = resolve_variables(declared, {"name": "Ada"})
    assert values == {"name": "Ada", "city": "Paris"}


def test_explicit_empty_value_beats_default() -> None:
    values = resolve_variables([{"key": "name", "label": "Name", "default": "friend"}], {"name": ""})
    assert values == {"name": ""}


def test_extra_given_keys_are_kept_and_stringified() -> None:
    values = resolve_variables([], {"count": 3, "ok": True, "nothing": None})
    assert values == {"count": "3", "ok": "true", "nothing": ""}


def test_missing_lists_unvalued_placeholders_sorted() -> None:
    texts = ["{{ zeta }} {{alpha}}", "{{known}} {{beta}} {{alpha}}"]
    assert missing(texts, {"known": "x"}) == ["alpha", "beta", "zeta"]
    assert missing(texts, {"known": "", "alpha": "", "beta": "", "zeta": ""}) == []


def test_render_substitutes_both_spellings() -> None:
    assert render("{{a}}+{{ a }}={{  b }}", {"a": "1", "b": "2"}) == "1+1=2"


def test_render_leaves_unknown_placeholders() -> None:
    assert render("Hi {{ name }}, {{unknown}}", {"name": "Ada"}) == "Hi Ada, {{unknown}}"


def test_render_does_not_expand_placeholders_inside_values() -> None:
    values = {"a": "{{b}}", "b": "secret"}
    assert render("{{a}} and {{b}}", values) == "{{b}} and secret"


def test_render_escapes_values_but_not_template() -> None:
    out = render("<b>{{x}}</b>", {"x": "<script>alert('1')</script>"}, escape_html=True)
    assert out == "<b>&lt;script&gt;alert(&#x27;1&#x27;)&lt;/script&gt;</b>"


def test_render_without_escaping_keeps_values_raw() -> None:
    assert render("<b>{{x}}</b>", {"x": "<i>"}) == "<b><i></b>"
