"""`selects()` on real queries: plain fields, fragments, directives and absent fields."""

from __future__ import annotations

import strawberry

from schema.graphql.context import Info
from schema.graphql.selection import selects

asked: dict[str, bool] = {}


@strawberry.type
class Item:
    id: int
    tags: list[str]


@strawberry.type
class Page:
    items: list[Item]
    total: int


@strawberry.type
class Query:
    @strawberry.field
    def page(self, info: Info) -> Page:
        asked.update(total=selects(info, "total"), tags=selects(info, "items", "tags"))
        return Page(items=[Item(id=1, tags=["a"])], total=1)


schema = strawberry.Schema(query=Query)


def ask(query: str) -> dict[str, bool]:
    asked.clear()
    result = schema.execute_sync(query)
    assert result.errors is None, result.errors
    return dict(asked)


def test_plain_fields() -> None:
    assert ask("{ page { items { id } } }") == {"total": False, "tags": False}
    assert ask("{ page { total items { id tags } } }") == {"total": True, "tags": True}


def test_fragments_are_followed() -> None:
    query = "{ page { ...P } } fragment P on Page { items { ... on Item { tags } } }"
    assert ask(query) == {"total": False, "tags": True}


def test_a_field_under_a_directive_counts_as_asked() -> None:
    assert ask("{ page { total @include(if: false) items { id } } }")["total"] is True
