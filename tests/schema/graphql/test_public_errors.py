"""Every error a client gets carries a code; what is masked says INTERNAL or UNAVAILABLE; with
introspection off, validation errors do not suggest names."""

from __future__ import annotations

import logging

import aiomysql
import pytest
import strawberry
from tortoise.exceptions import OperationalError

from schema.errors import NotFound
from schema.graphql.build import PushNestSchema, build_schema
from schema.graphql.public_errors import INTERNAL_MESSAGE, ParserCacheInsideOperation, PublicErrors
from schema.unavailable import DATABASE_DOWN


@strawberry.type
class Query:
    @strawberry.field
    def bug(self) -> int:
        raise ZeroDivisionError("secret detail")

    @strawberry.field
    def database(self) -> int:
        raise OperationalError(aiomysql.OperationalError(2003, "Can't connect to MySQL server"))

    @strawberry.field
    def missing(self) -> int:
        raise NotFound("no task with this id")


SMALL = PushNestSchema(query=Query, extensions=[ParserCacheInsideOperation, PublicErrors])


async def first_error(query: str, schema: strawberry.Schema = SMALL) -> dict[str, object]:
    result = await schema.execute(query)
    assert result.errors, result
    return dict(result.errors[0].formatted)


async def test_a_bug_is_masked_as_internal_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    error = await first_error("{ bug }")
    assert error["message"] == INTERNAL_MESSAGE and "secret" not in str(error)
    assert error["extensions"] == {"code": "INTERNAL"}
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)


async def test_an_unreachable_database_is_unavailable_and_logged_in_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = await first_error("{ database }")
    assert error["message"] == DATABASE_DOWN and error["extensions"] == {"code": "UNAVAILABLE"}
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert not caplog.records[0].exc_info


async def test_typed_errors_pass_unchanged() -> None:
    assert (await first_error("{ missing }"))["extensions"] == {"code": "NOT_FOUND"}


@pytest.mark.parametrize("query", ["{ nope }", "{ bug ", "{ " + "bug " * 6000 + "}"])
async def test_request_errors_are_bad_input(query: str) -> None:
    # Unknown field, syntax error, token limit: the last two escape a plain ParserCache.
    schema = build_schema()
    assert (await first_error(query, schema))["extensions"] == {"code": "BAD_INPUT"}


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ("{ mee { id } }", "'me'"),
        ("{ me { usernam } }", "'username'"),
        ("{ task(idd: 1) { id } }", "'id'"),  # an unknown argument
        ("query($r: Rol) { users(first: 1) { totalCount } r: me { id @include(if: $r) } }", "'Role'"),
    ],
)
async def test_no_suggestions_without_introspection(query: str, hint: str) -> None:
    open_schema, closed = build_schema(introspection=True), build_schema(introspection=False)
    assert hint in str((await first_error(query, open_schema))["message"])
    shut = await first_error(query, closed)
    assert "Did you mean" not in str(shut["message"]) and hint not in str(shut["message"])
    assert shut["extensions"] == {"code": "BAD_INPUT"}


async def test_no_enum_suggestions_in_variables_without_introspection() -> None:
    query = "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }"
    variables = {"i": {"username": "someone", "password": "long-enough", "role": "ADMN"}}
    for introspection, suggests in [(True, True), (False, False)]:
        result = await build_schema(introspection=introspection).execute(query, variable_values=variables)
        assert result.errors
        assert ("Did you mean" in result.errors[0].message) is suggests
        assert result.errors[0].extensions == {"code": "BAD_INPUT"}
