"""What a client sees of a failed request or field: every error carries a stable `extensions.code`.

    PushNest's typed errors           as raised (BAD_INPUT, NOT_FOUND, …)
    syntax, validation, coercion      BAD_INPUT (the document or a variable is wrong)
    database or Redis unreachable     UNAVAILABLE, with a fixed message (the HTTP view answers 503)
    anything else                     INTERNAL, with a fixed message; the original is logged

With introspection switched off, "Did you mean …?" suggestions are cut from messages too: they
would spell out the schema's field, argument, type and enum names one guess at a time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache

from schema.errors import Internal, PushNestError
from schema.unavailable import unavailable

INTERNAL_MESSAGE = "Internal error; it has been logged."
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
log = logging.getLogger("pushnest.graphql")


def should_mask(error: GraphQLError) -> bool:
    """Hide unexpected failures; let syntax, validation and PushNest's typed errors through."""
    original = error.original_error
    if original is None:
        return False
    return not isinstance(original, PushNestError | GraphQLError)


def log_unexpected(errors: list[GraphQLError]) -> list[GraphQLError]:
    """Log an outage in one line (it is not a bug); return the rest, which deserve a traceback."""
    bugs = []
    for error in errors:
        if not should_mask(error):
            continue
        assert error.original_error is not None
        if unavailable(error.original_error) is None:
            bugs.append(error)
        else:
            log.warning("request failed, a backing service is down: %r", error.original_error)
    return bugs


class PublicErrors(MaskErrors):
    """MaskErrors that codes what it masks, codes client mistakes, and can drop suggestions."""

    def __init__(self, hide_suggestions: bool = False) -> None:
        super().__init__(should_mask_error=should_mask, error_message=INTERNAL_MESSAGE)
        self.hide_suggestions = hide_suggestions

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        assert error.original_error is not None  # should_mask said so
        typed = unavailable(error.original_error) or Internal(INTERNAL_MESSAGE)
        return _rebuilt(error, typed.message, typed.extensions)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._public(error) for error in super()._process_errors(errors)]

    def _public(self, error: GraphQLError) -> GraphQLError:
        message = _SUGGESTION.sub("", error.message) if self.hide_suggestions else error.message
        if message == error.message and (error.extensions or {}).get("code"):
            return error
        extensions = {"code": "BAD_INPUT", **(error.extensions or {})}
        return _rebuilt(error, message, extensions)


class ParserCacheInsideOperation(ParserCache):
    """ParserCache, except that a document that does not parse is left to Strawberry.

    ParserCache parses in its hook, so a syntax error (or the token limit) escapes the operation
    and skips `PublicErrors`: the error would reach the client without a code. Left unparsed,
    Strawberry parses it itself inside the operation, where the error is shaped like any other.
    Only broken documents are parsed twice.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        except GraphQLError:
            context.graphql_document = None
        yield


def _rebuilt(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    # A new error rather than an edit: validation errors are shared through the validation cache.
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )
