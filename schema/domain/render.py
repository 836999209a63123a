"""Template placeholders: find them, resolve their values, and substitute them in one pass."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*\}\}")


def placeholders_in(*texts: str) -> list[str]:
    """Return the distinct placeholder keys used in `texts`, in first-seen order."""
    # A dict keeps insertion order, so it doubles as an ordered set.
    seen: dict[str, None] = {}
    for text in texts:
        for match in PLACEHOLDER.finditer(text):
            seen.setdefault(match.group(1), None)
    return list(seen)


def stringify(value: object) -> str:
    """Turn a variable value into the text substituted for its placeholder."""
    if value is None:
        return ""
    # bool is checked before int because bool is a subclass of int and str(True) is "True".
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def resolve_variables(declared: Sequence[Mapping[str, Any]], given: Mapping[str, object]) -> dict[str, str]:
    """Stringify the given values and fill absent declared keys from their non-empty defaults."""
    values = {key: stringify(value) for key, value in given.items()}
    for variable in declared:
        key = str(variable.get("key", ""))
        default = stringify(variable.get("default"))
        # A given value always wins, even an empty one: the caller said so explicitly.
        if key and key not in given and default:
            values[key] = default
    return values


def missing(texts: Sequence[str], values: Mapping[str, str]) -> list[str]:
    """Return the placeholder keys used in `texts` that have no value, sorted."""
    return sorted(key for key in placeholders_in(*texts) if key not in values)


def render(
    template: str, values: Mapping[str, str], escape_html: bool = False, escape_markup: bool = False
) -> str:
    """Substitute known placeholders in one pass; unknown ones are left untouched.

    `escape_html`: values in an HTML body. `escape_markup`: values in a markdown body, whose
    vendors render embedded HTML and tags (DingTalk `<img onerror>`, Feishu `<at id=all>`): `&`,
    `<` and `>` become entities, which markdown shows as the characters themselves."""

    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            return match.group(0)
        value = values[key]
        # Only values are escaped: the template is trusted markup written by the owner.
        if escape_html:
            return html.escape(value, quote=True)
        return html.escape(value, quote=False) if escape_markup else value

    # A single `sub` never rescans its own output, so a value containing "{{x}}" stays literal.
    return PLACEHOLDER.sub(substitute, template)
