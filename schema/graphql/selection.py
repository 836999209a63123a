"""Which fields a query asks for below a resolver's own, so a list resolver reads only what is shown.

A connection's `totalCount` costs a COUNT over the whole list and a task's `bindings` a join with
channels; a console list asks for them, a service polling `tasks { edges { node { id name } } }`
does not. Fragments are followed; a field with a directive (`@include`, `@skip`) counts as asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from schema.graphql.context import Info


def selects(info: Info, *path: str) -> bool:
    """Whether the query selects `path` (GraphQL names, e.g. "edges", "node", "bindings") below this field."""
    level: list[Selection] = [s for field in info.selected_fields for s in field.selections]
    for depth, name in enumerate(path):
        found = [f for f in _fields(level) if f.name == name]
        if not found:
            return False
        if any(f.directives for f in found) or depth == len(path) - 1:
            return True
        level = [s for f in found for s in f.selections]
    return True


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)
